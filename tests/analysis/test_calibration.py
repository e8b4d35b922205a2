"""The error model: quantile-regression fit, residual (conformal) fit, cross-fitting grouped by
proposal (a proposal never calibrates itself), the file form and the residual draws."""

from __future__ import annotations

import numpy as np
import pytest

from detente.analysis.calibration import (
    ErrorModel,
    ErrorModelSet,
    cross_fit,
    fit_error_model,
    predict,
    quantile_regression,
    weighted_spread,
)
from detente.analysis.predictive import LEVELS, quantile


def _data(n: int = 240, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    f = rng.uniform(0.1, 0.9, n)
    s = rng.uniform(0.1, 0.5, n)
    y = np.clip(f + (0.2 + s) * rng.uniform(-0.5, 0.5, n), 0, 1)
    g = np.repeat([f"p{j:03d}" for j in range(n // 3)], 3)
    return f, s, y, g


def test_quantile_regression_recovers_a_linear_quantile() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, 3000)
    y = 2.0 + 3.0 * x + rng.uniform(-0.5, 0.5, 3000) * (1 + x)  # τ-quantile: 2 + 3x + (τ − ½)(1 + x)
    X = np.column_stack([np.ones_like(x), x])
    for tau in (0.1, 0.5, 0.9):
        b = quantile_regression(X, y, tau)
        np.testing.assert_allclose(b, [2 + (tau - 0.5), 3 + (tau - 0.5)], atol=0.1)


def test_fitted_model_is_calibrated_in_sample_and_monotone() -> None:
    f, s, y, g = _data()
    em = fit_error_model(f, s, y, groups=g)
    assert em.n == 240 and em.n_groups == 80 and em.kind == "quantile_regression"
    curves = em.curves(f, s)
    assert np.all(np.diff(curves, axis=1) >= 0)
    # share of outcomes under each fitted quantile ≈ its level (interior levels, in sample)
    share = (y[:, None] <= curves + 1e-9).mean(axis=0)
    np.testing.assert_allclose(share[3:-3], LEVELS[3:-3], atol=0.05)
    pred = predict(em, f, s)
    assert np.all(pred.quantiles >= 0) and np.all(pred.quantiles <= 1)
    assert pred.error_n == 240


def test_residual_kind_is_the_shifted_residual_quantiles() -> None:
    f, s, y, g = _data()
    em = fit_error_model(f, s, y, kind="residual")
    np.testing.assert_allclose(em.coef[:, 0], np.quantile(y - f, LEVELS))
    assert np.all(em.coef[:, 1] == 1) and np.all(em.coef[:, 2] == 0)
    pred = predict(em, np.array([0.5]), np.array([0.3]))
    np.testing.assert_allclose(pred.quantiles[0], np.clip(0.5 + np.quantile(y - f, LEVELS), 0, 1), atol=0.01)


def test_cross_fitting_never_uses_the_proposals_own_issues() -> None:
    f, s, y, g = _data()
    base, folds = cross_fit(f, s, y, g, k=5)
    assert len(folds) == 5 and sum(int(m.sum()) for m in folds) == y.size
    for m in folds:  # every proposal lies wholly inside one fold
        assert not set(g[m]) & set(g[~m])
    target = g == "p007"
    y2 = y.copy()
    y2[target] = 1.0 - y2[target]  # change the proposal's own outcomes only
    moved, _ = cross_fit(f, s, y2, g, k=5)
    np.testing.assert_array_equal(moved.quantiles[target], base.quantiles[target])
    fold = next(m for m in folds if m[target].any())
    others = ~fold
    assert not np.allclose(moved.quantiles[others], base.quantiles[others])


def test_missing_forecasts_stay_missing() -> None:
    f, s, y, g = _data()
    f = f.copy()
    f[:6] = np.nan
    pred, _ = cross_fit(f, s, y, g, k=4)
    assert np.all(np.isnan(pred.quantiles[:6])) and np.all(np.isfinite(pred.quantiles[6:]))


def test_input_draws_widen_the_distribution() -> None:
    f, s, y, g = _data()
    em = fit_error_model(f, s, y)
    point = predict(em, np.array([0.5]), np.array([0.3]))
    draws = predict(em, 0.5 + np.linspace(-0.2, 0.2, 21)[None, :], np.array([0.3]))
    assert draws.input_quantiles is not None
    lo_p, hi_p = point.interval(0.8)
    lo_d, hi_d = draws.interval(0.8)
    assert hi_d[0] - lo_d[0] > hi_p[0] - lo_p[0]
    none = predict(None, 0.5 + np.linspace(-0.2, 0.2, 21)[None, :], np.array([0.3]))
    np.testing.assert_allclose(quantile(none, [0.5])[0, 0], 0.5, atol=0.02)


def test_file_form_round_trip_and_errors() -> None:
    f, s, y, g = _data()
    em = fit_error_model(f, s, y, groups=g, source="test")
    ems = ErrorModelSet({"compromise": em}, "synthetic", 240, provenance={"licence": "CC BY 4.0"})
    back = ErrorModelSet.from_dict(ems.to_dict())
    np.testing.assert_allclose(back.get("anything").coef, em.coef)
    assert back.source == "synthetic" and back.n == 240 and back.provenance["licence"] == "CC BY 4.0"
    bad = ems.to_dict()
    bad["models"]["compromise"]["coef"] = [[0.0, 1.0]]
    with pytest.raises(ValueError, match="models.compromise.coef"):
        ErrorModelSet.from_dict(bad)
    with pytest.raises(ValueError, match="format"):
        ErrorModelSet.from_dict({"models": {}})
    with pytest.raises(ValueError, match="kind"):
        ErrorModel.from_dict({"kind": "magic"})


def test_residuals_for_a_scenario_reproduce_the_predictive() -> None:
    from importlib import resources

    from detente.core.arrays import to_arrays
    from detente.io.files import read_scenario

    f, s, y, g = _data()
    ems = ErrorModelSet({"compromise": fit_error_model(f, s, y)}, "synthetic", 240)
    with resources.as_file(resources.files("detente.io.builtin") / "ktab-dummy-3dim.yaml") as path:
        sc = read_scenario(path)
    arrays = to_arrays(sc)
    lo = np.array([i.scale.low for i in sc.issues])
    hi = np.array([i.scale.high for i in sc.issues])
    point = lo + 0.4 * (hi - lo)
    r = ems.residuals(sc, "compromise", point)
    assert r.shape == (len(sc.issues), 200)
    pred = ems.predictive(arrays, "compromise", point, np.stack([lo, hi], axis=1))
    med = np.median(np.clip(point[:, None] + r, lo[:, None], hi[:, None]), axis=1)
    np.testing.assert_allclose(med, pred.median, atol=0.02 * (hi - lo).max())
    assert weighted_spread(arrays).shape == (len(sc.issues),)


def test_dual_solution_minimises_the_check_loss() -> None:
    """The dual programme's multipliers are a minimiser of the primal check loss (no better b nearby)."""
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 1, 150)
    y = np.clip(x + rng.normal(0, 0.3, 150), 0, 1)
    X = np.column_stack([np.ones_like(x), x])

    def loss(b: np.ndarray, tau: float) -> float:
        r = y - X @ b
        return float(np.sum(np.maximum(tau * r, (tau - 1) * r)))

    for tau in (0.05, 0.3, 0.9):
        b = quantile_regression(X, y, tau)
        best = loss(b, tau)
        for d in rng.normal(0, 0.02, (200, 2)):
            assert loss(b + d, tau) >= best - 1e-9


def test_error_model_file_version_and_missing_models():
    import pytest as _pytest

    from detente.analysis.calibration import FORMAT_VERSION, ErrorModelSet
    from detente.io.error_models import default_error_models

    ems = default_error_models()
    d = ems.to_dict()
    assert d["format_version"] == FORMAT_VERSION
    with _pytest.raises(ValueError, match=f"format_version: {FORMAT_VERSION + 98} is newer"):
        ErrorModelSet.from_dict({**d, "format_version": FORMAT_VERSION + 98})
    with _pytest.raises(ValueError, match="format_version: expected a whole number"):
        ErrorModelSet.from_dict({**d, "format_version": "one"})
    small = ErrorModelSet.from_dict({**d, "models": {"compromise": d["models"]["compromise"]}})
    assert small.missing(["compromise", "eum", "conformal_compromise", "eum"]) == ["eum"]
