"""Stopping rules shared by dynamic models (models.md §0): converged, cycled, oscillating, capped."""

from __future__ import annotations

import numpy as np

from detente._typing import FloatArray


def classify_path(
    positions: FloatArray,
    stat: FloatArray,
    *,
    tol: float = 1e-9,
    patience: int = 2,
    p_max: int = 50,
    osc_tol: float = 0.01,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classify finished runs from their full paths (models.md §0).

    positions: (..., T+1, A, I) trajectory; stat: (..., T+1, I) forecast statistic per round.
    Returns ``(status, stop_round, period)`` each of shape (..., I): the first round at which the
    run converged (``max_i |x^t − x^{t−1}| ≤ tol`` for ``patience`` consecutive rounds) or cycled
    (``max |x^t − x^{t−p}| ≤ tol`` for some ``1 < p ≤ p_max``; p = 1 is convergence); otherwise
    ``oscillating`` (last ``W = min(10, T)`` rounds: the statistic changed direction ≥ 2 times
    and its range exceeds ``osc_tol``) or ``capped``, with ``stop_round = T``.
    """
    pos = np.asarray(positions, dtype=np.float64)
    T = pos.shape[-3] - 1
    shape = pos.shape[:-3] + pos.shape[-1:]
    status = np.full(shape, "capped", dtype="<U12")
    stop = np.full(shape, T, dtype=np.int64)
    period = np.zeros(shape, dtype=np.int64)
    done = np.zeros(shape, dtype=bool)
    still = 0 * stop
    for t in range(1, T + 1):
        step = np.abs(pos[..., t, :, :] - pos[..., t - 1, :, :]).max(axis=-2)
        still = np.where(step <= tol, still + 1, 0)
        conv = (still >= patience) & ~done
        status = np.where(conv, "converged", status)
        stop = np.where(conv, t, stop)
        done |= conv
        for p in range(2, min(p_max, t) + 1):
            d = np.abs(pos[..., t, :, :] - pos[..., t - p, :, :]).max(axis=-2)
            cyc = (d <= tol) & ~done & (step > tol)
            if cyc.any():
                status = np.where(cyc, "cycled", status)
                stop = np.where(cyc, t, stop)
                period = np.where(cyc, p, period)
                done |= cyc
    if T >= 2:
        W = min(10, T)
        s = np.asarray(stat, dtype=np.float64)[..., T - W :, :]
        d = np.diff(s, axis=-2)
        sign = np.sign(np.where(np.abs(d) > 1e-12, d, 0.0))
        # count direction changes ignoring flat steps
        changes = np.zeros(shape, dtype=np.int64)
        last = np.zeros(shape)
        for k in range(sign.shape[-2]):
            cur = sign[..., k, :]
            changes += ((cur != 0) & (last != 0) & (cur != last)).astype(np.int64)
            last = np.where(cur != 0, cur, last)
        rng = s.max(axis=-2) - s.min(axis=-2)
        osc = ~done & (changes >= 2) & (rng > osc_tol)
        status = np.where(osc, "oscillating", status)
    return status, stop, period
