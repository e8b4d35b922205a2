"""Proper scores and calibration checks of predictive distributions on real outcomes (docs/calibration.md §3).

Pure. The scoring rules come from ``scoringrules`` (imported lazily: it is slow to import):

- CRPS of the full mixture (end point masses + continuous part): the mixture is quantised at
  ``M`` midpoint levels (:func:`detente.analysis.predictive.grid`) and scored with
  ``scoringrules.crps_ensemble`` (Gneiting & Raftery 2007, eq. 21; the quantisation error is at
  most ``width/(2M)``-ish and the same for every model);
- quantile CRPS over the 19 levels (``scoringrules.crps_quantile``; Berrisch & Ziel 2023), the
  measure issue #14 quotes for the conformal-compromise baseline;
- interval score of the 80 % interval (``scoringrules.interval_score``; Gneiting & Raftery 2007,
  eq. 43, which defines it on the α/2 and 1 − α/2 quantiles, so it is scored on the equal-tailed
  interval ``Predictive.equal_tailed``);
- coverage at 50/80/90 % and the mean 80 % width of the *content-exact* prediction intervals
  (:func:`detente.analysis.predictive.prediction_interval`: the interval called "80 %" has forecast
  content 80 % even where an end of the equal-tailed one sits on an end point mass); beside them
  the closed coverage of the equal-tailed intervals (``coverage_equal_tailed50/80/90``) and the
  PIT coverage (``coverage_pit50/80/90``): the expected share of the non-randomised PIT
  ``U(F(y−), F(y))`` inside the central band ``[α, 1 − α]`` (Czado, Gneiting & Held 2009; its
  expectation is the nominal level under calibration, with or without point masses);
- randomised PIT ``F(y−) + V·(F(y) − F(y−))``, ``V ~ U(0, 1)`` seeded (Czado, Gneiting & Held
  2009, eq. 1: uniform under calibration even with point masses), and its uniformity statistic,
  the Kolmogorov–Smirnov distance ``sup_u |Ĝ(u) − u|``.

Every mean comes with the proposal-bootstrap 95 % interval of validation.md §2.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from detente._typing import FloatArray
from detente.analysis.backtest import BOOT_SEED, N_DRAWS, bootstrap_counts, group_codes
from detente.analysis.predictive import LEVELS, Predictive, cdf, cdf_left, grid

GRID = 400
"""Quantisation levels for the mixture CRPS."""
COVERAGE_LEVELS: tuple[float, ...] = (0.5, 0.8, 0.9)
RELIABILITY_LEVELS: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
PIT_BINS = 10
PIT_SEED = 14


def scoringrules() -> Any:
    """The ``scoringrules`` module, imported without its numba kernels: with numba importable it
    compiles dozens of gufuncs on every import (~20 s here); every call below uses
    ``backend="numpy"``, so they are not needed. ``numba`` itself stays importable for the rest."""
    import sys

    if "scoringrules" in sys.modules:
        return sys.modules["scoringrules"]
    saved = sys.modules.get("numba")
    sys.modules["numba"] = None  # type: ignore[assignment]  # makes `import numba` fail inside scoringrules
    try:
        import scoringrules as sr
    finally:
        if saved is None:
            del sys.modules["numba"]
        else:
            sys.modules["numba"] = saved
    return sr


def crps_mixture(pred: Predictive, y: npt.ArrayLike, m: int = GRID) -> FloatArray:
    """CRPS of each issue's full predictive distribution (raw units), NaN where either is missing."""
    sr = scoringrules()

    t = np.asarray(y, dtype=np.float64)
    out = np.full(t.shape, np.nan)
    ok = np.isfinite(t) & np.all(np.isfinite(pred.quantiles), axis=1)
    if ok.any():
        ens = grid(pred.take(ok), m)
        out[ok] = np.asarray(sr.crps_ensemble(t[ok], ens, backend="numpy"), dtype=np.float64)
    return out


def quantile_crps(pred: Predictive, y: npt.ArrayLike) -> FloatArray:
    """The quantile CRPS over the 19 levels (2 × mean pinball loss), NaN where missing."""
    sr = scoringrules()

    t = np.asarray(y, dtype=np.float64)
    out = np.full(t.shape, np.nan)
    ok = np.isfinite(t) & np.all(np.isfinite(pred.quantiles), axis=1)
    if ok.any():
        out[ok] = np.asarray(
            sr.crps_quantile(t[ok], pred.quantiles[ok], LEVELS, backend="numpy"), dtype=np.float64
        )
    return out


def interval_score(pred: Predictive, y: npt.ArrayLike, level: float = 0.8) -> FloatArray:
    """Interval score of the equal-tailed ``level`` interval (lower is better), NaN where missing."""
    sr = scoringrules()

    t = np.asarray(y, dtype=np.float64)
    lo, hi = pred.equal_tailed(level)  # eq. 43 is defined on the α/2 and 1 − α/2 quantiles
    out = np.full(t.shape, np.nan)
    ok = np.isfinite(t) & np.isfinite(lo) & np.isfinite(hi)
    if ok.any():
        out[ok] = np.asarray(
            sr.interval_score(t[ok], lo[ok], hi[ok], 1.0 - level, backend="numpy"), dtype=np.float64
        )
    return out


def covered(pred: Predictive, y: npt.ArrayLike, level: float, *, equal_tailed: bool = False) -> FloatArray:
    """1.0 where the outcome lies in the closed content-exact ``level`` interval
    (``Predictive.interval``; with ``equal_tailed`` the equal-tailed one), 0.0 outside, NaN if missing."""
    t = np.asarray(y, dtype=np.float64)
    lo, hi = pred.equal_tailed(level) if equal_tailed else pred.interval(level)
    ok = np.isfinite(t) & np.isfinite(lo) & np.isfinite(hi)
    return np.where(ok, ((t >= lo) & (t <= hi)).astype(np.float64), np.nan)


def width(pred: Predictive, level: float = 0.8) -> FloatArray:
    """Width of the content-exact ``level`` interval per issue."""
    lo, hi = pred.interval(level)
    return np.asarray(hi - lo, dtype=np.float64)


def pit_covered(pred: Predictive, y: npt.ArrayLike, level: float) -> FloatArray:
    """The expected share of the non-randomised PIT ``U(F(y−), F(y))`` inside the central band
    ``[(1 − level)/2, (1 + level)/2]`` per issue (Czado, Gneiting & Held 2009, non-randomised PIT:
    for a mixed distribution it is uniform on ``[F(y−), F(y)]``; its band share has expectation
    ``level`` under calibration); where ``F`` has no jump at ``y``, whether ``F(y)`` is in the band.
    NaN if missing."""
    t = np.asarray(y, dtype=np.float64)
    ok = np.isfinite(t) & np.all(np.isfinite(pred.quantiles), axis=1)
    out = np.full(t.shape, np.nan)
    if ok.any():
        p = pred.take(ok)
        f0, f1 = cdf_left(p, t[ok]), cdf(p, t[ok])
        a, b = (1.0 - level) / 2.0, (1.0 + level) / 2.0
        span = f1 - f0
        jump = span > 1e-12
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.clip(np.minimum(f1, b) - np.maximum(f0, a), 0.0, None) / np.where(jump, span, 1.0)
        out[ok] = np.where(jump, share, ((f1 >= a) & (f1 <= b)).astype(np.float64))
    return out


def pit(pred: Predictive, y: npt.ArrayLike, seed: int = PIT_SEED) -> FloatArray:
    """Randomised PIT values (NaN where missing); reproducible for a given ``seed``."""
    t = np.asarray(y, dtype=np.float64)
    ok = np.isfinite(t) & np.all(np.isfinite(pred.quantiles), axis=1)
    v = np.random.default_rng(seed).random(t.shape)
    out = np.full(t.shape, np.nan)
    if ok.any():
        p = pred.take(ok)
        lo_, hi_ = cdf_left(p, t[ok]), cdf(p, t[ok])
        out[ok] = lo_ + v[ok] * (hi_ - lo_)
    return out


def ks_uniform(u: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> FloatArray:
    """Kolmogorov–Smirnov distance of (weighted) PIT values to U(0, 1); ``weights`` (..., n) batch."""
    x = np.asarray(u, dtype=np.float64)
    order = np.argsort(x)
    xs = x[order]
    w = (
        np.ones((1, xs.size))
        if weights is None
        else np.atleast_2d(np.asarray(weights, dtype=np.float64))[:, order]
    )
    tot = w.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        hi = np.cumsum(w, axis=1) / tot
        lo = hi - w / tot
        d = np.maximum(np.abs(hi - xs), np.abs(lo - xs))
    d = np.where(w > 0, d, 0.0)
    out = np.asarray(d.max(axis=1), dtype=np.float64)
    return out if weights is not None else out[:1]


def _boot_mean(v: FloatArray, codes: npt.NDArray[np.int64], G: int, cnt: FloatArray) -> tuple[float, float]:
    s = np.bincount(codes, weights=v, minlength=G)
    n_g = np.bincount(codes, minlength=G).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        stats = (cnt @ s) / (cnt @ n_g)
    return _ci(stats)


def _ci(stats: FloatArray) -> tuple[float, float]:
    s = stats[np.isfinite(stats)]
    if s.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.percentile(s, [2.5, 97.5])
    return float(lo), float(hi)


def probabilistic_metrics(
    pred: Predictive,
    y: npt.ArrayLike,
    groups: Sequence[str] | npt.ArrayLike,
    *,
    n_draws: int = N_DRAWS,
    seed: int = BOOT_SEED,
) -> dict[str, Any]:
    """CRPS, quantile CRPS, 80 % interval score (equal-tailed), coverage at 50/80/90 % and mean 80 %
    width (content-exact intervals), the equal-tailed closed coverage and the PIT coverage at
    50/80/90 % (module doc) and the PIT KS distance over issues with both a distribution and an
    outcome, each with ``<name>_ci`` (proposal bootstrap, 95 %); plus ``reliability`` (nominal →
    observed coverage of the content-exact intervals, ``observed_equal_tailed`` of the equal-tailed
    ones, 10–90 %) and ``pit_hist`` (counts in 10 equal bins)."""
    t = np.asarray(y, dtype=np.float64)
    ok = np.isfinite(t) & np.all(np.isfinite(pred.quantiles), axis=1)
    per: dict[str, FloatArray] = {
        "crps": crps_mixture(pred, t),
        "crps_quantile": quantile_crps(pred, t),
        "interval_score80": interval_score(pred, t, 0.8),
        "width80": np.where(ok, width(pred, 0.8), np.nan),
    }
    for lv in COVERAGE_LEVELS:
        per[f"coverage{round(lv * 100)}"] = covered(pred, t, lv)
    for lv in COVERAGE_LEVELS:
        per[f"coverage_equal_tailed{round(lv * 100)}"] = covered(pred, t, lv, equal_tailed=True)
    for lv in COVERAGE_LEVELS:
        per[f"coverage_pit{round(lv * 100)}"] = pit_covered(pred, t, lv)
    u = pit(pred, t)
    out: dict[str, Any] = {"n_prob": int(ok.sum())}
    if not ok.any():
        nan = float("nan")
        for k in [*per, "pit_ks"]:
            out[k], out[k + "_ci"] = nan, (nan, nan)
        out["reliability"], out["pit_hist"] = [], []
        return out
    codes, G = group_codes(np.asarray(groups, dtype=object)[ok])
    cnt = bootstrap_counts(G, n_draws, seed).astype(np.float64)
    for k, v in per.items():
        out[k] = float(np.mean(v[ok]))
        out[k + "_ci"] = _boot_mean(v[ok], codes, G, cnt)
    out["pit_ks"] = float(ks_uniform(u[ok])[0])
    out["pit_ks_ci"] = _ci(ks_uniform(u[ok], cnt[:, codes]))
    out["reliability"] = [
        {
            "nominal": lv,
            "observed": float(np.mean(covered(pred, t, lv)[ok])),
            "observed_equal_tailed": float(np.mean(covered(pred, t, lv, equal_tailed=True)[ok])),
        }
        for lv in RELIABILITY_LEVELS
    ]
    hist, _ = np.histogram(u[ok], bins=PIT_BINS, range=(0.0, 1.0))
    out["pit_hist"] = [int(c) for c in hist]
    return out


def paired_crps_difference(
    pred: Predictive,
    base: Predictive,
    y: npt.ArrayLike,
    groups: Sequence[str] | npt.ArrayLike,
    *,
    n_draws: int = N_DRAWS,
    seed: int = BOOT_SEED,
) -> dict[str, float]:
    """Mean per-issue ``CRPS_model − CRPS_base`` on issues both cover, with the proposal-bootstrap interval."""
    t = np.asarray(y, dtype=np.float64)
    d = crps_mixture(pred, t) - crps_mixture(base, t)
    ok = np.isfinite(d)
    if not ok.any():
        nan = float("nan")
        return {"n": 0, "diff": nan, "low": nan, "high": nan}
    codes, G = group_codes(np.asarray(groups, dtype=object)[ok])
    cnt = bootstrap_counts(G, n_draws, seed).astype(np.float64)
    lo, hi = _boot_mean(d[ok], codes, G, cnt)
    return {"n": int(ok.sum()), "diff": float(d[ok].mean()), "low": lo, "high": hi}
