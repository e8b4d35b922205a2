"""Predictive distributions of an issue's outcome: point masses at the scale ends plus a
continuous part, stored as 19 quantiles (docs/calibration.md §1).

Pure NumPy, batch-first: every array has the issues on axis 0.

Representation (docs/calibration.md §1). For each issue the outcome ``Y`` lies in the scale
``[low, high]``; ``P(Y = low) = p_low_end``, ``P(Y = high) = p_high_end`` and the rest of the mass
is continuous inside. The quantile function ``Q`` is piecewise linear through the knots

    (0, low), (p_low_end, low), (p_low_end, v_low), (τ_k, q_k) for the 19 levels τ_k = 0.05 … 0.95,
    (1 − p_high_end, v_high), (1 − p_high_end, high), (1, high)

(sorted by level), so ``Q(τ) = low`` for ``τ ≤ p_low_end`` and ``high`` for ``τ > 1 − p_high_end``;
``v_low``/``v_high`` continue the neighbouring 5 % band's density beyond the outer stored
quantiles, clipped to the scale (:func:`knots`).
The CDF is its generalised inverse ``F(y) = sup{τ : Q(τ) ≤ y}`` (Gneiting & Katzfuss 2014, §2.1;
a linear interpolation of quantiles is a distribution whose density is constant between
neighbouring quantiles). :func:`make_predictive` enforces the two consistency rules that any
distribution on ``[low, high]`` obeys: quantiles are non-decreasing and inside the scale, and if
``q_k = low`` then ``P(Y = low) ≥ τ_k`` (likewise ``q_k = high`` ⇒ ``P(Y = high) ≥ 1 − τ_k``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detente._typing import FloatArray
from detente.core.rng import as_generator

LEVELS: FloatArray = np.round(np.arange(1, 20) * 0.05, 2)
"""The 19 quantile levels 0.05, 0.10, …, 0.95."""
QUANTILE_COLUMNS: tuple[str, ...] = tuple(f"q{round(t * 100):02d}" for t in LEVELS)
"""Column names of the 19 quantiles: ``q05, q10, …, q95`` (backtest CSV, issue #14)."""
INTERVAL_LEVELS: tuple[float, ...] = (0.5, 0.8, 0.9)
"""Levels of the content-exact intervals written beside the quantiles (backtest CSV ``lo50 … hi90``)."""
INTERVAL_COLUMNS: tuple[str, ...] = tuple(
    f"{side}{round(c * 100)}" for c in INTERVAL_LEVELS for side in ("lo", "hi")
)
"""Column names ``lo50, hi50, lo80, hi80, lo90, hi90`` (:func:`interval_table`)."""
END_TOL = 1e-9
"""A value within this share of the scale width of an end counts as at that end."""


@dataclass(frozen=True, slots=True)
class Predictive:
    """Predictive distributions of ``n`` issues (raw scale units).

    ``quantiles`` (n, 19) at :data:`LEVELS`; ``p_low_end``/``p_high_end`` (n,) point masses at the
    scale ends ``scale_low``/``scale_high`` (n,). The named parts: ``input_quantiles`` (n, 19) are
    the quantiles from input uncertainty alone (the seeded sweep; ``None`` when there was none);
    ``error_source`` names where the model-error part was learned (``"none"`` if absent) and
    ``error_n`` on how many decisions. Build with :func:`make_predictive` (normalises).
    """

    quantiles: FloatArray
    p_low_end: FloatArray
    p_high_end: FloatArray
    scale_low: FloatArray
    scale_high: FloatArray
    input_quantiles: FloatArray | None = None
    error_source: str = "none"
    error_n: int = 0

    @property
    def n(self) -> int:
        return int(self.quantiles.shape[0])

    @property
    def median(self) -> FloatArray:
        """``Q(0.5)`` per issue."""
        return np.asarray(self.quantiles[:, 9], dtype=np.float64)

    def interval(self, level: float) -> tuple[FloatArray, FloatArray]:
        """The ``level`` prediction interval per issue whose forecast content is ``level``
        (:func:`prediction_interval`): what every "80 % interval" shown or scored means."""
        return prediction_interval(self, level)

    def equal_tailed(self, level: float) -> tuple[FloatArray, FloatArray]:
        """The equal-tailed interval ``[Q((1−level)/2), Q((1+level)/2)]`` per issue: its content is
        more than ``level`` when an end of it sits on an end point mass (docs/calibration.md §3)."""
        q = quantile(self, np.array([(1 - level) / 2, (1 + level) / 2]))
        return q[:, 0], q[:, 1]

    def take(self, index: npt.ArrayLike) -> Predictive:
        """The issues selected by ``index`` (integer or boolean)."""
        idx = np.asarray(index)
        iq = None if self.input_quantiles is None else self.input_quantiles[idx]
        return Predictive(
            self.quantiles[idx],
            self.p_low_end[idx],
            self.p_high_end[idx],
            self.scale_low[idx],
            self.scale_high[idx],
            iq,
            self.error_source,
            self.error_n,
        )


def _col(v: npt.ArrayLike, n: int) -> FloatArray:
    return np.broadcast_to(np.asarray(v, dtype=np.float64), (n,)).copy()


def make_predictive(
    quantiles: npt.ArrayLike,
    p_low_end: npt.ArrayLike,
    p_high_end: npt.ArrayLike,
    scale_low: npt.ArrayLike = 0.0,
    scale_high: npt.ArrayLike = 100.0,
    *,
    input_quantiles: npt.ArrayLike | None = None,
    error_source: str = "none",
    error_n: int = 0,
) -> Predictive:
    """A normalised :class:`Predictive`: quantiles clipped to the scale and made non-decreasing,
    end masses in [0, 1] with ``p_low + p_high ≤ 1`` and consistent with the quantiles (module doc).
    Rows whose quantiles are all NaN (no forecast) stay NaN."""
    q = np.array(quantiles, dtype=np.float64, ndmin=2)
    n = q.shape[0]
    if q.shape[1] != LEVELS.size:
        raise ValueError(f"quantiles: expected {LEVELS.size} columns (levels 5 … 95 %), got {q.shape[1]}")
    lo, hi = _col(scale_low, n), _col(scale_high, n)
    pl = np.clip(_col(p_low_end, n), 0.0, 1.0)
    ph = np.clip(_col(p_high_end, n), 0.0, 1.0)
    missing = ~np.all(np.isfinite(q), axis=1)
    mid = np.broadcast_to((0.5 * (lo + hi))[:, None], q.shape)
    q = np.clip(np.where(np.isfinite(q), q, mid), lo[:, None], hi[:, None])
    q = np.maximum.accumulate(q, axis=1)
    tol = END_TOL * (hi - lo)
    at_low = q <= (lo + tol)[:, None]
    at_high = q >= (hi - tol)[:, None]
    pl = np.maximum(pl, np.max(np.where(at_low, LEVELS, 0.0), axis=1))
    ph = np.maximum(ph, np.max(np.where(at_high, 1.0 - LEVELS, 0.0), axis=1))
    over = pl + ph > 1.0
    if over.any():
        s = pl[over] + ph[over]
        pl[over], ph[over] = pl[over] / s, ph[over] / s
    q = np.where(LEVELS[None, :] <= pl[:, None], lo[:, None], q)
    q = np.where(LEVELS[None, :] >= 1.0 - ph[:, None], hi[:, None], q)
    q[missing] = np.nan
    pl[missing] = np.nan
    ph[missing] = np.nan
    iq = None
    if input_quantiles is not None:
        iq = np.array(input_quantiles, dtype=np.float64, ndmin=2)
        iq = np.maximum.accumulate(np.clip(iq, lo[:, None], hi[:, None]), axis=1)
    return Predictive(q, pl, ph, lo, hi, iq, error_source, int(error_n))


def from_samples(
    samples: npt.ArrayLike,
    scale_low: npt.ArrayLike = 0.0,
    scale_high: npt.ArrayLike = 100.0,
    **parts: object,
) -> Predictive:
    """The predictive distribution of draws ``samples`` (n, m), clipped to the scale: end masses =
    share of draws at each end, quantiles = the draws' empirical quantiles (linear interpolation)."""
    x = np.array(samples, dtype=np.float64, ndmin=2)
    n = x.shape[0]
    lo, hi = _col(scale_low, n), _col(scale_high, n)
    x = np.clip(x, lo[:, None], hi[:, None])
    tol = (END_TOL * (hi - lo))[:, None]
    with np.errstate(invalid="ignore"):
        pl = np.mean(x <= lo[:, None] + tol, axis=1)
        ph = np.mean(x >= hi[:, None] - tol, axis=1)
        q = np.quantile(x, LEVELS, axis=1).T
    return make_predictive(q, pl, ph, lo, hi, **parts)  # type: ignore[arg-type]


def from_weighted_samples(
    values: npt.ArrayLike,
    weights: npt.ArrayLike,
    scale_low: npt.ArrayLike = 0.0,
    scale_high: npt.ArrayLike = 100.0,
    **parts: object,
) -> Predictive:
    """The distribution putting weight ``weights`` (n, K; rows sum to 1) on ``values`` (n, K),
    clipped to the scale: end masses = the weight at each end, quantiles = the generalised inverse
    of the weighted CDF, ``Q(τ) = min{v : F(v) ≥ τ}`` (exact at point masses). A row with a
    missing value or weight (no forecast) stays missing, as in :func:`from_samples`."""
    x = np.array(values, dtype=np.float64, ndmin=2)
    w = np.array(weights, dtype=np.float64, ndmin=2)
    n = x.shape[0]
    lo, hi = _col(scale_low, n), _col(scale_high, n)
    bad = ~np.all(np.isfinite(x) & np.isfinite(w), axis=1)
    x = np.clip(np.where(bad[:, None], 0.0, x), lo[:, None], hi[:, None])
    w = np.where(bad[:, None], 1.0, w)
    w = w / w.sum(axis=1, keepdims=True)
    tol = (END_TOL * (hi - lo))[:, None]
    pl = np.sum(np.where(x <= lo[:, None] + tol, w, 0.0), axis=1)
    ph = np.sum(np.where(x >= hi[:, None] - tol, w, 0.0), axis=1)
    order = np.argsort(x, axis=1, kind="stable")
    xs = np.take_along_axis(x, order, axis=1)
    c1 = np.cumsum(np.take_along_axis(w, order, axis=1), axis=1)
    k = np.minimum((c1[:, None, :] < LEVELS[None, :, None] - 1e-12).sum(axis=2), x.shape[1] - 1)
    q = np.where(bad[:, None], np.nan, np.take_along_axis(xs, k, axis=1))
    return make_predictive(q, pl, ph, lo, hi, **parts)  # type: ignore[arg-type]


def _tail_values(pred: Predictive) -> tuple[FloatArray, FloatArray]:
    """Where the continuous part starts above the low end and ends below the high end: the first
    (last) stored quantile inside the continuous part extrapolated to ``p_low_end``
    (``1 − p_high_end``) with the slope of its neighbouring 5 % band, clipped to the scale."""
    q, lo, hi = pred.quantiles, pred.scale_low, pred.scale_high
    L = LEVELS.size
    inner = (LEVELS[None, :] > pred.p_low_end[:, None]) & (LEVELS[None, :] < 1.0 - pred.p_high_end[:, None])
    has = inner.any(axis=1)
    k_lo = np.where(has, np.argmax(inner, axis=1), 0)
    k_hi = np.where(has, L - 1 - np.argmax(inner[:, ::-1], axis=1), L - 1)
    rows = np.arange(pred.n)
    step = float(LEVELS[1] - LEVELS[0])
    nxt = np.minimum(k_lo + 1, k_hi)
    slope_lo = (q[rows, nxt] - q[rows, k_lo]) / step
    v_lo = np.maximum(lo, q[rows, k_lo] - (LEVELS[k_lo] - pred.p_low_end) * slope_lo)
    prv = np.maximum(k_hi - 1, k_lo)
    slope_hi = (q[rows, k_hi] - q[rows, prv]) / step
    v_hi = np.minimum(hi, q[rows, k_hi] + (1.0 - pred.p_high_end - LEVELS[k_hi]) * slope_hi)
    return np.where(has, v_lo, lo), np.where(has, v_hi, hi)


def knots(pred: Predictive) -> tuple[FloatArray, FloatArray]:
    """Levels (n, 25) and values (n, 25) of the piecewise-linear quantile function, sorted by level.

    The knots are ``(0, low)``, ``(p_low, low)``, ``(p_low, v_low)``, the 19 stored quantiles,
    ``(1 − p_high, v_high)``, ``(1 − p_high, high)``, ``(1, high)``: a jump at each end mass from the
    end to where the continuous part starts (:func:`_tail_values`), so a distribution whose 19
    quantiles coincide is a point mass and tails beyond 5 %/95 % keep their neighbouring density."""
    n = pred.n
    lo, hi = pred.scale_low[:, None], pred.scale_high[:, None]
    v_lo, v_hi = _tail_values(pred)
    pl, ph = pred.p_low_end[:, None], 1.0 - pred.p_high_end[:, None]
    # ties at one level keep this order under the stable sort: (p_low, low) before the stored
    # quantiles at p_low before (p_low, v_low); (1 − p_high, v_high) before those at 1 − p_high
    tau = np.concatenate(
        [np.zeros((n, 1)), pl, ph, np.broadcast_to(LEVELS, (n, LEVELS.size)), pl, ph, np.ones((n, 1))], axis=1
    )
    val = np.concatenate([lo, lo, v_hi[:, None], pred.quantiles, v_lo[:, None], hi, hi], axis=1)
    order = np.argsort(tau, axis=1, kind="stable")
    tau = np.take_along_axis(tau, order, axis=1)
    val = np.maximum.accumulate(np.take_along_axis(val, order, axis=1), axis=1)
    return tau, val


def quantile(pred: Predictive, levels: npt.ArrayLike) -> FloatArray:
    """``Q(τ)`` for each issue and each level in ``levels`` (m,) → (n, m); non-decreasing in τ."""
    t = np.atleast_1d(np.asarray(levels, dtype=np.float64))
    tau, val = knots(pred)
    return _interp_rows(np.broadcast_to(t, (pred.n, t.size)), tau, val)


def interval_content(pred: Predictive, low: npt.ArrayLike, high: npt.ArrayLike) -> FloatArray:
    """The forecast probability of the closed interval ``[low, high]`` per issue,
    ``F(high) − F(low−)`` (n,): point masses at its ends count inside."""
    lo = np.asarray(low, dtype=np.float64)
    hi = np.asarray(high, dtype=np.float64)
    return np.asarray(cdf(pred, hi) - cdf_left(pred, lo), dtype=np.float64)


CONTENT_TOL = 1e-9
"""Contents (probabilities) and widths (shares of the scale) closer than this count as equal."""


def prediction_interval(pred: Predictive, level: float) -> tuple[FloatArray, FloatArray]:
    """The closed prediction interval ``[lo, hi]`` per issue (n,) whose forecast content
    ``F(hi) − F(lo−)`` is ``c = level``, for the mixture of end point masses and continuous part
    (docs/calibration.md §3).

    With ``α = (1 − c)/2``, ``p_low = P(Y = low)``, ``p_high = P(Y = high)``, ``Q`` the quantile
    function of :func:`quantile` (the package's one interpolation, :func:`knots`) and ``Q⁺`` its
    right-continuous version ``Q⁺(τ) = sup{y : F(y−) ≤ τ}`` (they differ only at the jumps from an
    end to the continuous part):

    * neither end mass reaches the tail (``p_low < α`` and ``p_high < α``): the equal-tailed
      ``[Q(α), Q(1 − α)]`` (content ``c``);
    * ``p_low ≥ α`` only: ``[low, Q(c)]``, anchored at the low end, content ``F(Q(c)) = c``;
    * ``p_high ≥ α`` only: ``[Q⁺(1 − c), high]``, content ``1 − F(Q⁺(1 − c)−) = c``;
    * both: of these two anchored intervals the one whose content is closer to ``c`` (both are
      at least ``c``), then the narrower, then the one at the end with the larger mass (low on a
      tie).

    An end whose mass reaches the tail ``α`` is inside the interval, as it is inside the
    equal-tailed one (where ``Q(α) = low``); the equal-tailed interval would then hold ``c`` plus
    the tail mass it gets for free at that end (``F(Q(1 − α)) = 1 − α``). **When no such interval
    has content c** the returned one has the smallest content above ``c`` among them:

    * ``p_low > c`` (``p_high > c``): ``[low, low]`` (``[high, high]``), a point holding the end
      mass itself: every interval with content exactly ``c`` would leave out a value more likely
      than ``c`` itself;
    * both ends heavy and ``c > 1 − p_high`` (the low-anchored interval must reach the high end) and
      ``c > 1 − p_low``: the whole scale, content 1 (e.g. 40 % at each end and ``c = 0.9``).

    Point masses inside the scale (stored quantiles that coincide) are not split either: an
    interval ending on one holds all of it, so its content is then above ``c``. The content is
    :func:`interval_content`. The intervals are monotone in ``c`` for levels far enough apart:
    ``c₁ < c₂`` with ``c₂ ≥ (1 + c₁)/2`` (50 % ⊂ 80 % ⊂ 90 %) are nested; closer levels need not be
    (where an end mass crosses the tail between them the interval jumps to that end and its other
    end moves in). Rows without a forecast are NaN. Pure and vectorised over issues.
    """
    c = float(level)
    if not 0.0 < c < 1.0:
        raise ValueError(f"level: expected a probability strictly between 0 and 1, got {level!r}")
    a = (1.0 - c) / 2.0
    n = pred.n
    tau, val = knots(pred)

    def q(t: float, *, right: bool = False) -> FloatArray:
        return _interp_rows(np.full((n, 1), t), tau, val, right=right)[:, 0]

    lo, hi = pred.scale_low, pred.scale_high
    pl, ph = pred.p_low_end, pred.p_high_end
    a_hi = q(c)  # [low, Q(c)]
    b_lo = q(1.0 - c, right=True)  # [Q⁺(1 − c), high]
    heavy_lo, heavy_hi = pl >= a, ph >= a
    both = heavy_lo & heavy_hi
    pick_a = heavy_lo & ~heavy_hi
    if both.any():
        da = interval_content(pred, lo, a_hi) - c
        db = interval_content(pred, b_lo, hi) - c
        wa, wb = (a_hi - lo) / (hi - lo), (hi - b_lo) / (hi - lo)
        same_c = np.abs(da - db) <= CONTENT_TOL
        same_w = np.abs(wa - wb) <= CONTENT_TOL
        a_wins = (da < db - CONTENT_TOL) | (same_c & (wa < wb - CONTENT_TOL)) | (same_c & same_w & (pl >= ph))
        pick_a = pick_a | (both & a_wins)
    pick_b = (heavy_lo | heavy_hi) & ~pick_a
    out_lo = np.where(pick_a, lo, np.where(pick_b, b_lo, q(a)))
    out_hi = np.where(pick_a, a_hi, np.where(pick_b, hi, q(1.0 - a)))
    missing = ~(np.isfinite(pl) & np.isfinite(ph))
    out_lo[missing] = np.nan
    out_hi[missing] = np.nan
    return np.asarray(out_lo, dtype=np.float64), np.asarray(out_hi, dtype=np.float64)


def interval_table(pred: Predictive) -> dict[str, FloatArray]:
    """The content-exact intervals at :data:`INTERVAL_LEVELS` by column name (:data:`INTERVAL_COLUMNS`)."""
    out: dict[str, FloatArray] = {}
    for c in INTERVAL_LEVELS:
        lo, hi = prediction_interval(pred, c)
        out[f"lo{round(c * 100)}"], out[f"hi{round(c * 100)}"] = lo, hi
    return out


def _interp_rows(x: FloatArray, xp: FloatArray, fp: FloatArray, *, right: bool = False) -> FloatArray:
    """Row-wise linear interpolation: ``x`` (n, m), knots ``xp``/``fp`` (n, K) with ``xp`` sorted;
    at a repeated knot level (a jump) the left-continuous value ``inf{y : F(y) ≥ x}``, or with
    ``right`` the right-continuous one ``sup{y : F(y−) ≤ x}``."""
    K = xp.shape[1]
    below = (xp[:, None, :] <= x[:, :, None]) if right else (xp[:, None, :] < x[:, :, None])
    j = np.clip(below.sum(axis=2) - 1, 0, K - 2)
    x0 = np.take_along_axis(xp, j, axis=1)
    x1 = np.take_along_axis(xp, j + 1, axis=1)
    y0 = np.take_along_axis(fp, j, axis=1)
    y1 = np.take_along_axis(fp, j + 1, axis=1)
    dx = x1 - x0
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(dx > 0, np.clip((x - x0) / np.where(dx > 0, dx, 1.0), 0.0, 1.0), 1.0)
    return np.asarray(y0 + w * (y1 - y0), dtype=np.float64)


def _cdf_core(pred: Predictive, y: FloatArray, left: bool) -> FloatArray:
    tau, val = knots(pred)
    q0, q1 = val[:, None, :-1], val[:, None, 1:]
    t0, dt = tau[:, None, :-1], np.diff(tau, axis=1)[:, None, :]
    yy = y[:, :, None]
    dq = q1 - q0
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(dq > 0, np.clip((yy - q0) / np.where(dq > 0, dq, 1.0), 0.0, 1.0), 1.0)
    reached = (yy > q0) if left else (yy >= q0)
    f = np.max(np.where(reached, t0 + frac * dt, 0.0), axis=2)
    return np.asarray(np.clip(f, 0.0, 1.0), dtype=np.float64)


def cdf(pred: Predictive, y: npt.ArrayLike) -> FloatArray:
    """``F(y) = P(Y ≤ y)`` for ``y`` of shape (n,) → (n,) or (n, m) → (n, m)."""
    yy = np.asarray(y, dtype=np.float64)
    flat = yy.ndim == 1
    out = _cdf_core(pred, yy[:, None] if flat else yy, left=False)
    return out[:, 0] if flat else out


def cdf_left(pred: Predictive, y: npt.ArrayLike) -> FloatArray:
    """``F(y−) = P(Y < y)`` (the left limit; differs from :func:`cdf` at point masses)."""
    yy = np.asarray(y, dtype=np.float64)
    flat = yy.ndim == 1
    out = _cdf_core(pred, yy[:, None] if flat else yy, left=True)
    return out[:, 0] if flat else out


def sample(pred: Predictive, m: int, seed: int | np.random.Generator | None = 0) -> FloatArray:
    """``m`` draws per issue (n, m) by inverse transform ``Q(U)``, ``U ~ U(0, 1)``."""
    rng = as_generator(seed)
    u = rng.random((pred.n, m))
    tau, val = knots(pred)
    return _interp_rows(u, tau, val)


def grid(pred: Predictive, m: int = 400) -> FloatArray:
    """A deterministic ``m``-point quantisation ``Q((j − ½)/m)``, j = 1..m (n, m): the ensemble
    used to score the full mixture with an ensemble CRPS (docs/calibration.md §3)."""
    return quantile(pred, (np.arange(m) + 0.5) / m)


def combine(
    input_draws: npt.ArrayLike,
    residuals: npt.ArrayLike,
    scale_low: npt.ArrayLike = 0.0,
    scale_high: npt.ArrayLike = 100.0,
    *,
    error_source: str = "none",
    error_n: int = 0,
) -> Predictive:
    """Combine input uncertainty with model error: ``Y = clip(X + E)`` with ``X`` the input draws
    (n, m₁) and ``E`` the model-error draws (n, m₂), independent, over all pairs (n, m₁·m₂),
    clipped to the scale (so mass beyond an end becomes that end's point mass).

    ``input_draws`` in raw units, ``residuals`` in raw units of the same scale. With one input
    draw per issue (a deterministic model) the result is the error model alone; with all-zero
    residuals it is the input uncertainty alone.
    """
    x = np.array(input_draws, dtype=np.float64, ndmin=2)
    e = np.array(residuals, dtype=np.float64, ndmin=2)
    n = x.shape[0]
    lo, hi = _col(scale_low, n), _col(scale_high, n)
    y = (x[:, :, None] + e[:, None, :]).reshape(n, -1)
    iq = np.quantile(np.clip(x, lo[:, None], hi[:, None]), LEVELS, axis=1).T
    return from_samples(y, lo, hi, input_quantiles=iq, error_source=error_source, error_n=error_n)


def curve_draws(curves: npt.ArrayLike, levels: npt.ArrayLike, per_curve: int) -> FloatArray:
    """Evaluate quantile curves (..., L) given at ``levels`` (L,) at the ``per_curve`` midpoints
    ``(j − ½)/J``: linear between levels, linearly extrapolated beyond the outer two (..., J)."""
    c = np.asarray(curves, dtype=np.float64)
    t = np.asarray(levels, dtype=np.float64)
    u = (np.arange(per_curve) + 0.5) / per_curve
    if t.size == 1:
        return np.asarray(np.repeat(c, per_curve, axis=-1), dtype=np.float64)
    j = np.clip(np.searchsorted(t, u, side="right") - 1, 0, t.size - 2)
    w = (u - t[j]) / (t[j + 1] - t[j])
    return np.asarray(c[..., j] + w * (c[..., j + 1] - c[..., j]), dtype=np.float64)


def combine_curves(
    curves: npt.ArrayLike,
    levels: npt.ArrayLike,
    scale_low: npt.ArrayLike = 0.0,
    scale_high: npt.ArrayLike = 100.0,
    *,
    input_draws: npt.ArrayLike | None = None,
    error_source: str = "none",
    error_n: int = 0,
    size: int = 2000,
) -> Predictive:
    """The equal-weight mixture over ``m`` draws of distributions given by unclipped quantile
    curves (n, m, L) at ``levels`` (L,), clipped to the scale (mass beyond an end becomes that
    end's point mass). Each curve is quantised at ``size // m`` (at least 50) midpoint levels.
    ``input_draws`` (n, m): the draws themselves, kept as the input-uncertainty part."""
    c = np.asarray(curves, dtype=np.float64)
    n, m = c.shape[0], c.shape[1]
    x = curve_draws(c, levels, max(50, size // max(m, 1))).reshape(n, -1)
    iq = None
    if input_draws is not None:
        d = np.array(input_draws, dtype=np.float64, ndmin=2)
        lo, hi = _col(scale_low, n), _col(scale_high, n)
        iq = np.quantile(np.clip(d, lo[:, None], hi[:, None]), LEVELS, axis=1).T
    return from_samples(
        x, scale_low, scale_high, input_quantiles=iq, error_source=error_source, error_n=error_n
    )
