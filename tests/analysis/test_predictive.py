"""The predictive distribution (point masses at the ends + 19 quantiles): CDF and quantiles
against a brute-force sample, monotone quantiles, the scale clip, combining the two parts."""

from __future__ import annotations

import numpy as np
import pytest

from detente.analysis.predictive import (
    LEVELS,
    QUANTILE_COLUMNS,
    cdf,
    cdf_left,
    combine,
    from_samples,
    grid,
    make_predictive,
    quantile,
    sample,
)


def _mixture_draws(n: int, m: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draws of n different mixtures on scales [lo, hi]: end masses + a beta-shaped middle."""
    rng = np.random.default_rng(seed)
    lo = rng.uniform(-10, 10, n)
    hi = lo + rng.uniform(5, 200, n)
    pl, ph = rng.uniform(0, 0.35, n), rng.uniform(0, 0.35, n)
    u = rng.random((n, m))
    mid = lo[:, None] + (hi - lo)[:, None] * rng.beta(2.0, 3.0, (n, m))
    x = np.where(u < pl[:, None], lo[:, None], np.where(u > 1 - ph[:, None], hi[:, None], mid))
    return x, lo, hi


def test_column_names_and_levels() -> None:
    assert QUANTILE_COLUMNS[0] == "q05" and QUANTILE_COLUMNS[-1] == "q95" and len(QUANTILE_COLUMNS) == 19
    np.testing.assert_allclose(LEVELS, np.arange(5, 100, 5) / 100)


def test_cdf_and_quantiles_match_a_brute_force_sample() -> None:
    x, lo, hi = _mixture_draws(6, 200_000)
    pred = from_samples(x, lo, hi)
    # end masses are the sample's shares at each end
    np.testing.assert_allclose(pred.p_low_end, (x == lo[:, None]).mean(axis=1))
    np.testing.assert_allclose(pred.p_high_end, (x == hi[:, None]).mean(axis=1))
    # the CDF at interior points and at the ends agrees with the empirical CDF
    ys = lo[:, None] + (hi - lo)[:, None] * np.array([0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0])
    emp = (x[:, None, :] <= ys[:, :, None]).mean(axis=2)
    np.testing.assert_allclose(cdf(pred, ys), emp, atol=0.02)
    # left limit at the low end is 0, at the high end 1 − p_high
    np.testing.assert_allclose(cdf_left(pred, lo), 0.0)
    np.testing.assert_allclose(cdf_left(pred, hi), 1 - pred.p_high_end, atol=1e-12)
    # quantiles at the 19 levels are the sample's
    np.testing.assert_allclose(quantile(pred, LEVELS), np.quantile(x, LEVELS, axis=1).T, atol=1e-9)
    # sampling the distribution reproduces its own CDF
    s = sample(pred, 100_000, seed=5)
    emp_s = (s[:, None, :] <= ys[:, :, None]).mean(axis=2)
    np.testing.assert_allclose(emp_s, cdf(pred, ys), atol=0.01)
    # CDF ∘ quantile is the identity on the continuous part
    t = np.linspace(0.01, 0.99, 50)
    qq = quantile(pred, t)
    inner = (t[None, :] > pred.p_low_end[:, None]) & (t[None, :] < 1 - pred.p_high_end[:, None])
    np.testing.assert_allclose(cdf(pred, qq)[inner], np.broadcast_to(t, qq.shape)[inner], atol=1e-9)


def test_quantiles_are_monotone_and_clipped_to_the_scale() -> None:
    rng = np.random.default_rng(0)
    raw = rng.normal(50, 60, (40, 19))  # unsorted and outside [0, 100]
    pred = make_predictive(raw, 0.0, 0.0, 0.0, 100.0)
    assert np.all(np.diff(pred.quantiles, axis=1) >= 0)
    assert pred.quantiles.min() >= 0.0 and pred.quantiles.max() <= 100.0
    q = quantile(pred, np.linspace(0, 1, 101))
    assert np.all(np.diff(q, axis=1) >= 0)
    assert q.min() >= 0 and q.max() <= 100
    # a quantile at an end implies at least that much mass there
    at_low = pred.quantiles <= 0.0
    need = np.max(np.where(at_low, LEVELS, 0.0), axis=1)
    assert np.all(pred.p_low_end >= need - 1e-12)
    assert np.all(pred.p_low_end + pred.p_high_end <= 1 + 1e-12)
    s = sample(pred, 500, seed=1)
    assert s.min() >= 0 and s.max() <= 100


def test_end_masses_set_the_low_quantiles() -> None:
    pred = make_predictive(np.linspace(10, 90, 19)[None, :], 0.27, 0.12)
    lo, hi = pred.equal_tailed(0.5)
    assert lo[0] == 0.0  # Q(0.25) with 27 % at 0
    assert np.all(pred.quantiles[0, LEVELS <= 0.27] == 0.0)
    assert np.all(pred.quantiles[0, LEVELS >= 0.88] == 100.0)
    assert cdf(pred, np.array([0.0]))[0] == pytest.approx(0.27)
    assert cdf_left(pred, np.array([100.0]))[0] == pytest.approx(0.88)
    assert hi[0] < 100.0


def test_missing_rows_stay_missing() -> None:
    q = np.vstack([np.linspace(0, 100, 19), np.full(19, np.nan)])
    pred = make_predictive(q, 0.0, 0.0)
    assert np.all(np.isfinite(pred.quantiles[0])) and np.all(np.isnan(pred.quantiles[1]))
    assert np.isnan(pred.p_low_end[1])


def test_combine_is_the_clipped_convolution() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(70, 5, (3, 300))
    e = np.tile(rng.normal(0, 20, 400), (3, 1))
    pred = combine(x, e, 0.0, 100.0, error_source="test", error_n=7)
    brute = np.clip(x[:, :, None] + e[:, None, :], 0, 100).reshape(3, -1)
    np.testing.assert_allclose(pred.p_high_end, (brute >= 100).mean(axis=1))
    np.testing.assert_allclose(pred.quantiles, np.quantile(brute, LEVELS, axis=1).T, atol=1e-9)
    assert pred.input_quantiles is not None
    np.testing.assert_allclose(pred.input_quantiles, np.quantile(x, LEVELS, axis=1).T)
    assert pred.error_source == "test" and pred.error_n == 7
    # no model error: the input part alone; one input draw: the error model alone
    alone = combine(x, np.zeros((3, 1)))
    np.testing.assert_allclose(alone.quantiles, alone.input_quantiles)  # type: ignore[arg-type]
    err_only = combine(np.full((3, 1), 50.0), e)
    np.testing.assert_allclose(err_only.median, 50 + np.median(e, axis=1), atol=0.5)


def test_grid_is_a_quantisation_of_the_mixture() -> None:
    pred = make_predictive(np.linspace(20, 80, 19)[None, :], 0.1, 0.2)
    g = grid(pred, 1000)
    assert (g == 0).mean() == pytest.approx(0.1, abs=1e-3)
    assert (g == 100).mean() == pytest.approx(0.2, abs=1e-3)
    assert np.all(np.diff(g, axis=1) >= 0)
