"""The hurdle error model: end point masses from their own multinomial logit, the interior by quantile
regression (analysis/end_masses.py, analysis/calibration.py; docs/calibration.md §2)."""

from __future__ import annotations

import numpy as np
import pytest

from detente.analysis.calibration import ErrorModel, ErrorModelSet, cross_fit, fit_error_model, predict
from detente.analysis.end_masses import (
    END_FEATURES,
    EndModel,
    end_classes,
    end_design,
    end_shares,
    fit_end_model,
)
from detente.analysis.predictive import LEVELS, cdf, cdf_left, from_weighted_samples, quantile


def _data(n: int = 300, seed: int = 0) -> tuple[np.ndarray, ...]:
    """Outcomes with end masses that depend on the forecast and the shares at the ends."""
    rng = np.random.default_rng(seed)
    f = rng.uniform(0, 1, n)
    f[: n // 6] = 0.0
    f[n // 6 : n // 3] = 1.0
    s = rng.uniform(0.1, 0.4, n)
    sh = np.column_stack([rng.uniform(0, 0.5, n), rng.uniform(0, 0.5, n)])
    eta_low = -2.0 + 3.0 * sh[:, 0] + 1.5 * (f == 0)
    eta_high = -2.0 + 3.0 * sh[:, 1] + 1.5 * (f == 1)
    e = np.exp(np.column_stack([eta_low, np.zeros(n), eta_high]))
    p = e / e.sum(axis=1, keepdims=True)
    cls = (rng.uniform(size=n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    inner = np.clip(0.2 + 0.6 * f + rng.uniform(-0.15, 0.15, n), 0.01, 0.99)
    y = np.where(cls == 0, 0.0, np.where(cls == 2, 1.0, inner))
    g = np.repeat([f"p{j:03d}" for j in range(n // 3)], 3)
    return f, s, y, g, sh, p


def test_logit_recovers_known_end_probabilities() -> None:
    f, s, y, g, sh, p = _data(n=6000, seed=1)
    em = fit_end_model(end_design(f, s, sh), end_classes(y), lam=0.0)
    got = em.probabilities(end_design(f, s, sh))
    assert np.max(np.abs(got - p)) < 0.06
    # with an unpenalised intercept the fitted probabilities average to the observed class shares
    # (the intercept's score equation), which is what calibrated end masses mean in sample
    em1 = fit_end_model(end_design(f, s, sh), end_classes(y))
    got1 = em1.probabilities(end_design(f, s, sh)).mean(axis=0)
    np.testing.assert_allclose(got1, np.bincount(end_classes(y), minlength=3) / y.size, atol=2e-3)


def test_end_model_file_form_and_errors() -> None:
    f, s, y, g, sh, _ = _data()
    em = fit_end_model(end_design(f, s, sh), end_classes(y))
    back = EndModel.from_dict(em.to_dict())
    X = end_design(f[:5], s[:5], sh[:5])
    np.testing.assert_allclose(back.probabilities(X), em.probabilities(X))
    with pytest.raises(ValueError, match="ends.features"):
        EndModel.from_dict({**em.to_dict(), "features": ["forecast"]})
    with pytest.raises(ValueError, match="ends.coef"):
        EndModel.from_dict({**em.to_dict(), "coef": [[0.0, 0.0]]})
    assert em.coef.shape == (1 + len(END_FEATURES), 2)


def test_weighted_samples_match_a_brute_force_sample() -> None:
    rng = np.random.default_rng(3)
    values = np.concatenate([[0.0, 100.0, 50.0], rng.uniform(10, 90, 400)])
    weights = np.concatenate([[0.2, 0.15, 0.1], np.full(400, 0.55 / 400)])
    pred = from_weighted_samples(values[None, :], weights[None, :], 0.0, 100.0)
    assert pred.p_low_end[0] == pytest.approx(0.2) and pred.p_high_end[0] == pytest.approx(0.15)
    assert np.all(np.diff(pred.quantiles[0]) >= 0)
    big = rng.choice(values, size=200_000, p=weights)
    for y in (0.0, 30.0, 50.0, 70.0, 99.0, 100.0):
        assert cdf(pred, np.array([y]))[0] == pytest.approx(np.mean(big <= y), abs=0.03)
    assert cdf_left(pred, np.array([0.0]))[0] == 0.0  # nothing below the scale
    assert quantile(pred, [0.1])[0, 0] == 0.0 and quantile(pred, [0.9])[0, 0] == 100.0
    # a row with a missing value (no forecast) stays missing; the other rows are unaffected
    two = from_weighted_samples(
        np.stack([values, np.where(values > 0, values, np.nan)]), np.stack([weights] * 2)
    )
    assert np.all(np.isnan(two.quantiles[1])) and np.isnan(two.p_low_end[1])
    np.testing.assert_array_equal(two.quantiles[0], pred.quantiles[0])


def test_hurdle_fit_gives_calibrated_end_masses_and_a_consistent_distribution() -> None:
    f, s, y, g, sh, _ = _data()
    em = fit_error_model(f, s, y, kind="hurdle", groups=g, shares=sh)
    assert em.kind == "hurdle" and em.ends is not None and em.n == y.size and em.n_groups == 100
    pred = predict(em, f, s, shares=sh)
    # in sample the predicted end masses average to the observed shares at the ends
    assert pred.p_low_end.mean() == pytest.approx(np.mean(y == 0), abs=0.02)
    assert pred.p_high_end.mean() == pytest.approx(np.mean(y == 1), abs=0.02)
    # the logit's probabilities are the point masses (the interior curves stay inside [0, 1] here)
    probs = em.ends.probabilities(end_design(f, s, sh))
    np.testing.assert_allclose(pred.p_low_end, probs[:, 0], atol=0.01)
    # quantiles non-decreasing, in the scale, at the end exactly where the end mass covers the level
    assert np.all(np.diff(pred.quantiles, axis=1) >= 0)
    assert np.all((pred.quantiles >= 0) & (pred.quantiles <= 1))
    at_low = LEVELS[None, :] <= pred.p_low_end[:, None] - 1e-9
    assert np.all(pred.quantiles[at_low] == 0.0)
    missing = predict(em, np.array([np.nan, 0.5]), s[:2], shares=sh[:2])
    assert np.all(np.isnan(missing.quantiles[0])) and np.all(np.isfinite(missing.quantiles[1]))
    with pytest.raises(ValueError, match="end shares"):
        predict(em, f, s)
    with pytest.raises(ValueError, match="end shares"):
        fit_error_model(f, s, y, kind="hurdle")


def test_hurdle_cross_fitting_never_uses_the_proposals_own_issues() -> None:
    f, s, y, g, sh, _ = _data()
    base, folds = cross_fit(f, s, y, g, kind="hurdle", k=5, shares=sh)
    target = g == "p011"
    y2 = y.copy()
    y2[target] = 1.0 - y2[target]  # the proposal's own outcomes only: low end ↔ high end
    moved, _ = cross_fit(f, s, y2, g, kind="hurdle", k=5, shares=sh)
    np.testing.assert_array_equal(moved.quantiles[target], base.quantiles[target])
    np.testing.assert_array_equal(moved.p_low_end[target], base.p_low_end[target])
    fold = next(m for m in folds if m[target].any())
    assert not np.allclose(moved.p_low_end[~fold], base.p_low_end[~fold])


def test_hurdle_file_form_and_old_files_still_read() -> None:
    f, s, y, g, sh, _ = _data()
    em = fit_error_model(f, s, y, kind="hurdle", groups=g, shares=sh)
    ems = ErrorModelSet({"compromise": em}, "synthetic", y.size)
    d = ems.to_dict()
    back = ErrorModelSet.from_dict(d)
    p1 = predict(back.get("compromise"), f[:7], s[:7], shares=sh[:7])
    p0 = predict(em, f[:7], s[:7], shares=sh[:7])
    np.testing.assert_allclose(p1.quantiles, p0.quantiles)
    broken = ems.to_dict()
    del broken["models"]["compromise"]["ends"]
    with pytest.raises(ValueError, match="models.compromise.ends"):
        ErrorModelSet.from_dict(broken)
    # a format-1 file (quantile regression, before the hurdle kind) reads and predicts as before
    qr = fit_error_model(f, s, y, groups=g)
    old = {**ErrorModelSet({"compromise": qr}, "old", y.size).to_dict(), "format_version": 1}
    got = ErrorModelSet.from_dict(old).get("compromise")
    assert isinstance(got, ErrorModel) and got.ends is None
    np.testing.assert_allclose(predict(got, f[:7], s[:7]).quantiles, predict(qr, f[:7], s[:7]).quantiles)


def test_hurdle_on_a_scenario_residuals_reproduce_the_predictive() -> None:
    from importlib import resources

    from detente.core.arrays import to_arrays
    from detente.io.files import read_scenario

    f, s, y, g, sh, _ = _data()
    ems = ErrorModelSet({"compromise": fit_error_model(f, s, y, kind="hurdle", shares=sh)}, "synthetic", 300)
    with resources.as_file(resources.files("detente.io.builtin") / "ktab-dummy-3dim.yaml") as path:
        sc = read_scenario(path)
    arrays = to_arrays(sc)
    assert end_shares(arrays).shape == (len(sc.issues), 2)
    shares = end_shares(arrays)
    assert np.all(shares >= 0) and np.all(shares.sum(axis=1) <= 1 + 1e-12)
    lo = np.array([i.scale.low for i in sc.issues])
    hi = np.array([i.scale.high for i in sc.issues])
    point = lo + 0.4 * (hi - lo)
    pred = ems.predictive(arrays, "compromise", point, np.stack([lo, hi], axis=1))
    r = ems.residuals(sc, "compromise", point)
    draws = np.clip(point[:, None] + r, lo[:, None], hi[:, None])
    np.testing.assert_allclose(np.mean(draws <= lo[:, None], axis=1), pred.p_low_end, atol=0.01)
    np.testing.assert_allclose(np.median(draws, axis=1), pred.median, atol=0.02 * (hi - lo).max())
