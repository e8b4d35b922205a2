"""Proper scores from the library: CRPS against the closed-form normal CRPS, scoringrules against
properscoring on a known case, the mixture CRPS, interval score, coverage, PIT and its bootstrap."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from scipy import stats

from detente.analysis.predictive import LEVELS, from_samples, make_predictive, sample
from detente.analysis.prob_scores import (
    covered,
    crps_mixture,
    interval_score,
    ks_uniform,
    pit,
    pit_covered,
    probabilistic_metrics,
    quantile_crps,
    scoringrules,
)


def _normal_crps(y: float, mu: float, sigma: float) -> float:
    """Closed form (Gneiting & Raftery 2007, eq. 5 / Gneiting et al. 2005, eq. 5)."""
    z = (y - mu) / sigma
    return sigma * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi))


def test_library_crps_matches_the_closed_form_normal() -> None:
    sr = scoringrules()
    for y, mu, sigma in [(0.3, 0.0, 1.0), (-2.0, 1.0, 2.5), (10.0, 10.0, 0.5)]:
        assert float(sr.crps_normal(y, mu, sigma, backend="numpy")) == pytest.approx(
            _normal_crps(y, mu, sigma), rel=1e-9
        )
        ens = stats.norm.ppf((np.arange(20000) + 0.5) / 20000, mu, sigma)[None, :]
        got = float(sr.crps_ensemble(np.array([y]), ens, backend="numpy")[0])
        assert got == pytest.approx(_normal_crps(y, mu, sigma), rel=2e-3)


def test_scoringrules_and_properscoring_agree_on_a_known_case() -> None:
    saved = sys.modules.get("numba")
    sys.modules["numba"] = None  # type: ignore[assignment]  # skip properscoring's numba compile
    try:
        import properscoring as ps
    finally:
        if saved is None:
            del sys.modules["numba"]
        else:
            sys.modules["numba"] = saved
    sr = scoringrules()
    ens = np.array([[1.0, 2.0, 4.0, 7.0], [0.0, 0.0, 100.0, 50.0]])
    y = np.array([3.0, 100.0])
    a = np.asarray(sr.crps_ensemble(y, ens, backend="numpy"))
    b = np.asarray(ps.crps_ensemble(y, ens))
    np.testing.assert_allclose(a, b, rtol=1e-12)
    # hand value for the first: E|X−3| − ½E|X−X'| = 2.25 − 0.5·(2·(1+3+6+1+...)/16)
    x = ens[0]
    hand = np.abs(x - 3).mean() - 0.5 * np.abs(x[:, None] - x[None, :]).mean()
    assert a[0] == pytest.approx(hand)
    assert float(ps.crps_gaussian(0.3, 0.0, 1.0)) == pytest.approx(_normal_crps(0.3, 0.0, 1.0), rel=1e-9)


def test_mixture_crps_of_a_point_mass_is_the_absolute_error() -> None:
    pred = make_predictive(np.full((2, 19), 40.0), 0.0, 0.0)
    np.testing.assert_allclose(crps_mixture(pred, np.array([55.0, 40.0])), [15.0, 0.0], atol=1e-9)
    ends = make_predictive(np.r_[np.zeros(10), np.full(9, 100.0)][None, :], 0.5, 0.5)
    # half at 0, half at 100: CRPS at y=0 is E|X| − ½E|X − X'| = 50 − ½·50 = 25
    assert crps_mixture(ends, np.array([0.0]))[0] == pytest.approx(25.0, abs=0.5)


def test_mixture_crps_matches_a_brute_force_sample() -> None:
    rng = np.random.default_rng(0)
    x = np.clip(rng.normal(60, 30, (3, 40000)), 0, 100)
    pred = from_samples(x)
    y = np.array([0.0, 55.0, 100.0])
    sr = scoringrules()
    brute = np.asarray(sr.crps_ensemble(y, x, backend="numpy"))
    np.testing.assert_allclose(crps_mixture(pred, y), brute, rtol=0.02)
    assert np.all(quantile_crps(pred, y) > 0)


def test_interval_score_and_coverage() -> None:
    pred = make_predictive(np.linspace(10, 90, 19)[None, :].repeat(3, 0), 0.0, 0.0)
    lo, hi = pred.interval(0.8)
    y = np.array([50.0, lo[0] - 5, np.nan])
    np.testing.assert_allclose(covered(pred, y, 0.8)[:2], [1.0, 0.0])
    assert np.isnan(covered(pred, y, 0.8)[2])
    s = interval_score(pred, y, 0.8)
    w = hi[0] - lo[0]
    assert s[0] == pytest.approx(w) and s[1] == pytest.approx(w + 2 / 0.2 * 5)


def test_pit_is_uniform_for_outcomes_drawn_from_the_forecast() -> None:
    rng = np.random.default_rng(4)
    n = 3000
    pl, ph = rng.uniform(0, 0.3, n), rng.uniform(0, 0.3, n)
    u = rng.random(n)
    mid = rng.uniform(0, 100, n)
    y = np.where(u < pl, 0.0, np.where(u > 1 - ph, 100.0, mid))
    # forecast = that very mixture (uniform middle)
    q = np.clip((np.arange(1, 20) / 20 - pl[:, None]) / (1 - pl - ph)[:, None], 0, 1) * 100
    pred = make_predictive(q, pl, ph)
    v = pit(pred, y)
    assert ks_uniform(v)[0] < 0.03
    hist, _ = np.histogram(v, bins=10, range=(0, 1))
    assert hist.min() > 0.8 * n / 10
    assert ks_uniform(np.full(100, 0.99))[0] > 0.9


def test_probabilistic_metrics_have_bootstrap_intervals() -> None:
    rng = np.random.default_rng(5)
    x = np.clip(rng.normal(50, 25, (60, 500)), 0, 100)
    pred = from_samples(x)
    y = np.clip(rng.normal(50, 25, 60), 0, 100)
    g = np.repeat([f"p{j}" for j in range(20)], 3)
    m = probabilistic_metrics(pred, y, g, n_draws=300)
    for k in (
        "crps",
        "crps_quantile",
        "interval_score80",
        "coverage50",
        "coverage80",
        "coverage90",
        "width80",
        "pit_ks",
    ):
        lo, hi = m[k + "_ci"]
        assert lo <= m[k] <= hi or k == "pit_ks", k
    assert m["n_prob"] == 60 and sum(m["pit_hist"]) == 60 and len(m["reliability"]) == 9
    assert 0.6 < m["coverage80"] <= 1.0


def test_coverage_uses_the_content_exact_interval_at_point_masses() -> None:
    # calibrated forecasts with heavy end masses (19 % at 0, 17 % at 100, as on DEU): outcomes
    # drawn from each issue's own distribution; the closed equal-tailed 80 % interval then holds
    # about 0.8 + 0.1 (its low end sits on the 19 % mass), the content-exact one 0.8
    rng = np.random.default_rng(8)
    n = 4000
    pl = rng.choice([0.19, 0.02], n)
    ph = np.where(pl > 0.1, 0.03, 0.17)
    inner = np.clip((LEVELS[None, :] - pl[:, None]) / (1 - pl - ph)[:, None], 1e-6, 1 - 1e-6)
    centre = rng.uniform(0.3, 0.7, n)[:, None]
    q = 100 * stats.beta(8 * centre, 8 * (1 - centre)).ppf(inner)
    pred = make_predictive(q, pl, ph)
    y = np.array([sample(pred.take([i]), 1, seed=int(i))[0, 0] for i in range(n)])
    g = np.array([f"p{i // 2}" for i in range(n)])
    m = probabilistic_metrics(pred, y, g, n_draws=200)
    se = 3 * math.sqrt(0.25 / n)
    assert m["coverage80"] == pytest.approx(0.8, abs=se)
    assert m["coverage50"] == pytest.approx(0.5, abs=se)
    assert m["coverage_equal_tailed80"] == pytest.approx(0.9, abs=se)
    assert m["coverage_pit80"] == pytest.approx(0.8, abs=se)
    assert m["coverage_pit50"] == pytest.approx(0.5, abs=se)
    lo, hi = pred.interval(0.8)
    np.testing.assert_array_equal(covered(pred, y, 0.8), ((y >= lo) & (y <= hi)).astype(float))
    assert np.mean(hi - lo) == pytest.approx(m["width80"])
    rel = {p["nominal"]: p for p in m["reliability"]}
    assert rel[0.8]["observed"] == pytest.approx(m["coverage80"])
    assert rel[0.8]["observed_equal_tailed"] == pytest.approx(m["coverage_equal_tailed80"])
    for k in ("coverage_equal_tailed80", "coverage_pit80"):
        assert m[k + "_ci"][0] <= m[k] <= m[k + "_ci"][1]


def test_pit_coverage_splits_a_point_mass_by_its_share_of_the_band() -> None:
    # 30 % at 0: an outcome at 0 has PIT uniform on [0, 0.3]; the 80 % band [0.1, 0.9] holds 2/3 of it
    pred = make_predictive(np.linspace(10, 90, 19)[None, :].repeat(3, 0), 0.3, 0.0)
    got = pit_covered(pred, np.array([0.0, 60.0, np.nan]), 0.8)
    assert got[0] == pytest.approx((0.3 - 0.1) / 0.3)
    assert got[1] == 1.0 and np.isnan(got[2])
