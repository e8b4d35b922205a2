"""Weighted mean, median and quantiles (the median: Condorcet winner in one dimension), batch-first.

The one home of these statistics in the package (the EUM's row layout, the mixture model and the
anchored model call them). Shapes: ``x``, ``w`` are (..., A, I); absent actors carry ``w = 0`` (and
must not matter); results are (..., I). Reductions run over ``axis`` (default -2, the actors).
"""

from __future__ import annotations

import numpy as np

from detente._typing import BoolArray, FloatArray


def shares(w: FloatArray, present: BoolArray, axis: int = -2) -> FloatArray:
    """Weights as shares ``w / Σ w`` over ``axis``; equal shares of the present entries where ``Σ w = 0``.

    The caller masks ``w`` (absent entries should carry 0); a slice with nothing present gets 0.
    """
    tot = w.sum(axis=axis, keepdims=True)
    n = present.sum(axis=axis, keepdims=True)
    return np.asarray(
        np.where(tot > 0, w / np.where(tot > 0, tot, 1.0), present / np.maximum(n, 1)), dtype=np.float64
    )


def weighted_mean(
    x: FloatArray, w: FloatArray, present: BoolArray, axis: int = -2
) -> tuple[FloatArray, BoolArray]:
    """Weighted mean ``Σ w x / Σ w`` over ``axis`` (models.md §1; Achen 2006 compromise model).

    Where ``Σ w = 0`` falls back to the unweighted mean of present positions; NaN where no actor is
    present (no one states a position: there is nothing to average, and a 0 would read as a forecast
    at the scale's low end); returns ``(mean, fallback_flag)``.
    """
    w = np.where(present, w, 0.0)
    xs = np.where(present, x, 0.0)
    tot = w.sum(axis=axis)
    fallback = ~(tot > 0)
    num = (w * xs).sum(axis=axis)
    n = present.sum(axis=axis)
    plain = xs.sum(axis=axis) / np.maximum(n, 1)
    out = np.where(fallback, plain, num / np.where(fallback, 1.0, tot))
    out = np.where(n > 0, out, np.nan)
    return np.asarray(out, dtype=np.float64), np.asarray(fallback)


def _pick(a: np.ndarray, k: np.ndarray, axis: int) -> np.ndarray:
    """``a`` at index ``k`` along ``axis`` (``k`` has ``axis`` removed)."""
    return np.take_along_axis(a, np.expand_dims(k, axis), axis=axis).squeeze(axis)


def weighted_quantile(
    x: FloatArray,
    w: FloatArray,
    present: BoolArray,
    level: float,
    *,
    axis: int = -2,
    tie: str = "lower",
    tol: float = 1e-12,
    total: float | None = None,
) -> FloatArray:
    """Weighted ``level``-quantile over ``axis``: the one home of weighted medians and quantiles.

    With the present ``x`` sorted ascending (stably) and ``W_(k)`` their cumulative weights, ``W``
    the total weight (or ``total`` when the weights are shares that sum to it: the threshold is then
    exact) and ``ε = tol·W``:

    - ``tie="lower"``: the smallest ``x_(k)`` with ``W_(k) >= level·W − ε``;
    - ``tie="upper"``: on an exact tie (``|W_(k) − level·W| <= ε`` at that point) the next value,
      the smallest ``x_(k)`` with ``W_(k) > level·W + ε``;
    - ``tie="midpoint"``: on an exact tie the average of the two.

    Absent entries carry no weight; all-zero weights use equal weights of the present entries; a
    slice with nothing present gives NaN.
    """
    w = np.where(present, w, 0.0)
    tot0 = w.sum(axis=axis, keepdims=True)
    w = np.where(tot0 > 0, w, present.astype(np.float64))
    # absent entries go to +inf so they sort last and add no weight
    xs = np.where(present, x, np.inf)
    order = np.argsort(xs, axis=axis, kind="stable")
    xs_sorted = np.take_along_axis(xs, order, axis=axis)
    cum = np.cumsum(np.take_along_axis(w, order, axis=axis), axis=axis)
    big_w = np.take(cum, [-1], axis=axis) if total is None else np.float64(total)
    thr = big_w * level
    eps = tol * big_w
    k_low = np.argmax(cum >= thr - eps, axis=axis)
    lower = _pick(xs_sorted, k_low, axis)
    if tie == "lower":
        out = lower
    else:
        k_up = np.argmax(cum > thr + eps, axis=axis)
        upper = _pick(xs_sorted, k_up, axis)
        thr_k, eps_k = (np.squeeze(v, axis) if np.ndim(v) else v for v in (thr, eps))
        exact = (np.abs(_pick(cum, k_low, axis) - thr_k) <= eps_k) & np.isfinite(upper)
        out = np.where(exact, upper if tie == "upper" else 0.5 * (lower + upper), lower)
    anyp = present.any(axis=axis)
    return np.asarray(np.where(anyp, out, np.nan), dtype=np.float64)


def weighted_median(
    x: FloatArray, w: FloatArray, present: BoolArray, tie: str = "lower", axis: int = -2
) -> FloatArray:
    """Weighted median over ``axis`` (models.md §2; Black 1948: the 1-D Condorcet winner).

    ``tie="lower"``: smallest ``x_(k)`` with cumulative weight ``W_(k) >= W/2``; ``"upper"``:
    smallest ``x_(k)`` with ``W_(k) > W/2`` (the upper median on an exact tie); ``"midpoint"``:
    average of the two on an exact tie (all within ``1e-12·W``). All-zero weights use equal
    weights of present actors. :func:`weighted_quantile` at level 1/2.
    """
    return weighted_quantile(x, w, present, 0.5, axis=axis, tie=tie)


def pairwise_condorcet(x: FloatArray, w: FloatArray, present: BoolArray) -> FloatArray:
    """Condorcet winner among present positions by pairwise weighted votes (models.md §2).

    Vote of ``k`` for ``a`` over ``b``: ``w_k(|x_k − b| − |x_k − a|)``; the winner beats or ties
    every other option. Among several winners (ties) the lowest position is returned.
    O(A²·A) per issue: the slow, obvious reference for :func:`weighted_median`.
    """
    w = np.where(present, w, 0.0)
    xa = x[..., :, None, None, :]  # option a
    xb = x[..., None, :, None, :]  # option b
    xk = x[..., None, None, :, :]  # voter
    votes = (w[..., None, None, :, :] * (np.abs(xk - xb) - np.abs(xk - xa))).sum(axis=-2)  # (..., A, A, I)
    pa = present[..., :, None, :] & present[..., None, :, :]
    ok = np.where(pa, votes >= -1e-12, True).all(axis=-2) & present  # (..., A, I)
    cand = np.where(ok, x, np.inf)
    return np.asarray(cand.min(axis=-2), dtype=np.float64)
