"""Weighted mean and weighted median (Condorcet winner in one dimension), batch-first.

Shapes: ``x``, ``w`` are (..., A, I); absent actors carry ``w = 0`` (and must not matter);
results are (..., I). Reductions run over axis -2.
"""

from __future__ import annotations

import numpy as np

from detente._typing import BoolArray, FloatArray


def weighted_mean(x: FloatArray, w: FloatArray, present: BoolArray) -> tuple[FloatArray, BoolArray]:
    """Weighted mean ``Σ w x / Σ w`` (models.md §1; Achen 2006 compromise model).

    Where ``Σ w = 0`` falls back to the unweighted mean of present positions; returns
    ``(mean, fallback_flag)``.
    """
    w = np.where(present, w, 0.0)
    xs = np.where(present, x, 0.0)
    tot = w.sum(axis=-2)
    fallback = ~(tot > 0)
    num = (w * xs).sum(axis=-2)
    n = present.sum(axis=-2)
    plain = xs.sum(axis=-2) / np.maximum(n, 1)
    out = np.where(fallback, plain, num / np.where(fallback, 1.0, tot))
    return np.asarray(out, dtype=np.float64), np.asarray(fallback)


def weighted_median(x: FloatArray, w: FloatArray, present: BoolArray, tie: str = "lower") -> FloatArray:
    """Weighted median over axis -2 (models.md §2; Black 1948: the 1-D Condorcet winner).

    ``tie="lower"``: smallest ``x_(k)`` with cumulative weight ``W_(k) >= W/2``; ``"upper"``:
    smallest ``x_(k)`` with ``W_(k) > W/2`` (the upper median on an exact tie); ``"midpoint"``:
    average of the two on an exact tie. All-zero weights use equal weights of present actors.
    """
    w = np.where(present, w, 0.0)
    tot0 = w.sum(axis=-2, keepdims=True)
    w = np.where(tot0 > 0, w, present.astype(np.float64))
    # absent actors go to +inf so they sort last and add no weight
    xs = np.where(present, x, np.inf)
    order = np.argsort(xs, axis=-2, kind="stable")
    xs_sorted = np.take_along_axis(xs, order, axis=-2)
    ws_sorted = np.take_along_axis(w, order, axis=-2)
    cum = np.cumsum(ws_sorted, axis=-2)
    total = cum[..., -1:, :]
    half = total / 2.0
    eps = 1e-12 * total
    k_low = np.argmax(cum >= half - eps, axis=-2)
    lower = np.take_along_axis(xs_sorted, k_low[..., None, :], axis=-2)[..., 0, :]
    if tie == "lower":
        out = lower
    else:
        k_up = np.argmax(cum > half + eps, axis=-2)
        upper = np.take_along_axis(xs_sorted, k_up[..., None, :], axis=-2)[..., 0, :]
        exact = np.abs(np.take_along_axis(cum, k_low[..., None, :], axis=-2)[..., 0, :] - half[..., 0, :]) <= eps[..., 0, :]
        out = np.where(exact, upper if tie == "upper" else 0.5 * (lower + upper), lower)
    anyp = present.any(axis=-2)
    return np.asarray(np.where(anyp, out, np.nan), dtype=np.float64)


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
