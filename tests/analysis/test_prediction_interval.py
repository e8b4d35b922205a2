"""Content-exact prediction intervals of the point-mass mixture (analysis.predictive.prediction_interval,
docs/calibration.md §3): the returned interval holds ``c`` of a large sample of the distribution in
every regime of the end masses, the intervals nest (50 ⊂ 80 ⊂ 90 %) and stay inside the scale."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from detente.analysis.predictive import (
    LEVELS,
    interval_content,
    make_predictive,
    prediction_interval,
    quantile,
    sample,
)

M = 200_000
TOL = 0.006  # > 5 binomial standard errors at M draws


def _pred(pl: list[float], ph: list[float], lo: float = 0.0, hi: float = 100.0):  # type: ignore[no-untyped-def]
    """Issues with end masses ``pl``/``ph`` and a smooth beta(2, 3) middle stored at the 19 levels
    of the continuous part (the hurdle's layout: interior quantile τ maps to the middle's quantile
    ``(τ − pl)/(1 − pl − ph)``)."""
    pl_, ph_ = np.asarray(pl), np.asarray(ph)
    inner = np.clip((LEVELS[None, :] - pl_[:, None]) / (1 - pl_ - ph_)[:, None], 1e-6, 1 - 1e-6)
    q = lo + (hi - lo) * stats.beta(2.0, 3.0).ppf(inner)
    return make_predictive(q, pl_, ph_, lo, hi)


def _sample_content(pred, lo, hi):  # type: ignore[no-untyped-def]
    s = sample(pred, M, seed=11)
    return ((s >= lo[:, None]) & (s <= hi[:, None])).mean(axis=1)


@pytest.mark.parametrize("c", [0.5, 0.8, 0.9])
def test_content_is_c_under_a_brute_force_sample(c: float) -> None:
    a = (1 - c) / 2
    # no end mass, heavy low end, heavy high end, both ends heavy, both heavy and lopsided
    pred = _pred([0.0, a + 0.07, a / 4, a + 0.01, a + 0.005], [0.0, a / 3, a + 0.05, a + 0.03, a + 0.15])
    lo, hi = prediction_interval(pred, c)
    np.testing.assert_allclose(_sample_content(pred, lo, hi), c, atol=TOL)
    np.testing.assert_allclose(interval_content(pred, lo, hi), c, atol=1e-6)
    # the equal-tailed interval holds more wherever an end mass reaches the tail
    assert np.all(interval_content(pred, *pred.equal_tailed(c))[1:] > c + 0.01)
    # where no end mass reaches the tail it is the equal-tailed interval
    np.testing.assert_allclose([lo[0], hi[0]], quantile(pred, [a, 1 - a])[0])
    # a heavy end is inside the interval, which is anchored there
    assert lo[1] == 0.0 and hi[1] < 100.0
    assert hi[2] == 100.0 and lo[2] > 0.0


def test_the_equal_tailed_interval_over_covers_where_content_exact_does_not() -> None:
    pred = _pred([0.19], [0.02])
    lo, hi = pred.equal_tailed(0.8)
    assert lo[0] == 0.0
    assert interval_content(pred, lo, hi)[0] == pytest.approx(0.9, abs=1e-6)
    assert _sample_content(pred, lo, hi)[0] == pytest.approx(0.9, abs=TOL)
    lo, hi = pred.interval(0.8)  # the method is the content-exact interval
    assert _sample_content(pred, lo, hi)[0] == pytest.approx(0.8, abs=TOL)


def test_end_mass_above_c_gives_the_point_at_that_end() -> None:
    # 60 % at 0 (50 % interval), 70 % at 100, and 40 % at each end with c = 0.9 (no interval has
    # content 0.9: one end and the middle hold 0.6, both ends everything)
    pred = _pred([0.6, 0.1, 0.4], [0.1, 0.7, 0.4])
    lo, hi = prediction_interval(pred, 0.5)
    assert (lo[0], hi[0]) == (0.0, 0.0)
    assert (lo[1], hi[1]) == (100.0, 100.0)
    content = _sample_content(pred, lo, hi)
    np.testing.assert_allclose(content[:2], [0.6, 0.7], atol=TOL)
    np.testing.assert_allclose(interval_content(pred, lo, hi)[:2], [0.6, 0.7], atol=1e-9)
    lo, hi = prediction_interval(pred, 0.9)
    assert (lo[2], hi[2]) == (0.0, 100.0)
    assert _sample_content(pred, lo, hi)[2] == pytest.approx(1.0)


def test_both_heavy_takes_the_narrower_exact_side() -> None:
    # 30 % at each end, c = 0.5: [0, Q(0.5)] and [Q⁺(0.5), 100] both hold 0.5; the middle is
    # skewed low (beta(2, 3)), so the low-anchored one is narrower
    pred = _pred([0.3], [0.3])
    lo, hi = prediction_interval(pred, 0.5)
    assert lo[0] == 0.0
    assert hi[0] == pytest.approx(quantile(pred, [0.5])[0, 0])
    assert hi[0] < 100.0 - quantile(pred, [0.5])[0, 0]
    # mirrored scale-wise: a heavier high end with the same middle
    pred = _pred([0.3], [0.45])
    lo, hi = prediction_interval(pred, 0.5)
    assert hi[0] == 100.0 and interval_content(pred, lo, hi)[0] == pytest.approx(0.5, abs=1e-6)


def _random_preds(n: int, seed: int):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    pl = np.where(rng.random(n) < 0.3, np.round(rng.uniform(0, 0.5, n), 2), rng.uniform(0, 0.5, n))
    ph = np.minimum(rng.uniform(0, 0.5, n), 1 - pl)
    lo = rng.uniform(-20, 20, n)
    hi = lo + rng.uniform(1, 300, n)
    q = np.sort(lo[:, None] + (hi - lo)[:, None] * rng.random((n, 19)), axis=1)
    return make_predictive(q, pl, ph, lo, hi)


def test_intervals_nest_and_stay_inside_the_scale() -> None:
    pred = _random_preds(3000, 5)
    ivs = [prediction_interval(pred, c) for c in (0.5, 0.8, 0.9)]
    eps = 1e-9 * (pred.scale_high - pred.scale_low)
    for lo, hi in ivs:
        assert np.all(lo >= pred.scale_low) and np.all(hi <= pred.scale_high) and np.all(lo <= hi)
    for (lo1, hi1), (lo2, hi2) in zip(ivs, ivs[1:], strict=False):
        assert np.all(lo2 <= lo1 + eps) and np.all(hi1 <= hi2 + eps)


def test_content_never_below_c_and_exact_without_heavy_ends_beyond_c() -> None:
    pred = _random_preds(3000, 6)
    for c in (0.1, 0.3, 0.5, 0.7, 0.8, 0.9):
        lo, hi = prediction_interval(pred, c)
        got = interval_content(pred, lo, hi)
        assert np.all(got >= c - 1e-9)
        # a content above c only where an end mass alone exceeds c, where no anchored interval can
        # avoid the other end, or where the continuous part is an atom (fewer than two stored
        # levels inside it: then its density has no width, knots())
        inside = (LEVELS > pred.p_low_end[:, None]) & (LEVELS < 1 - pred.p_high_end[:, None])
        exceed = (pred.p_low_end > c) | (pred.p_high_end > c) | (pred.p_low_end + pred.p_high_end > 2 - 2 * c)
        exceed |= inside.sum(axis=1) < 2
        assert (~exceed).sum() >= 100
        np.testing.assert_allclose(got[~exceed], c, atol=1e-9)


def test_missing_rows_stay_missing_and_bad_levels_are_refused() -> None:
    q = np.vstack([np.linspace(0, 100, 19), np.full(19, np.nan)])
    lo, hi = prediction_interval(make_predictive(q, 0.0, 0.0), 0.8)
    assert np.isfinite(lo[0]) and np.isnan(lo[1]) and np.isnan(hi[1])
    with pytest.raises(ValueError, match="level"):
        prediction_interval(make_predictive(q, 0.0, 0.0), 1.0)
