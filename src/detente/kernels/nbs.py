"""Asymmetric Nash bargaining solution on one issue, batch-first (models.md §3).

Maximise ``Φ(x) = Σ_i β_i log G_i(x)``, ``G_i(x) = ℓ(|q − x_i|) − ℓ(|x − x_i|)`` (Nash 1950;
asymmetric weights Kalai 1977). ``Φ`` is strictly concave on the feasible set
``F = ∩_{β_i>0} (x_i − |q − x_i|, x_i + |q − x_i|)``, so bisection on the sign of the (right)
derivative over ``F ∩ [min x, max x]`` finds the unique maximiser.
"""

from __future__ import annotations

import numpy as np

from detente._typing import BoolArray, FloatArray


def _dphi(m: FloatArray, x: FloatArray, beta: FloatArray, q: FloatArray, loss: str) -> FloatArray:
    """Right derivative of Φ at m (..., I)."""
    d = m[..., None, :] - x
    if loss == "quadratic":
        g = (q[..., None, :] - x) ** 2 - d**2
        gp = -2.0 * d
    else:
        g = np.abs(q[..., None, :] - x) - np.abs(d)
        gp = np.where(d >= 0, -1.0, 1.0)
    g = np.maximum(g, 1e-300)
    return np.asarray((np.where(beta > 0, beta * gp / g, 0.0)).sum(axis=-2), dtype=np.float64)


def nash_bargaining(
    x: FloatArray,
    beta: FloatArray,
    present: BoolArray,
    q: FloatArray,
    *,
    loss: str = "quadratic",
    iters: int = 100,
) -> tuple[FloatArray, BoolArray]:
    """NBS per issue. x, beta, present: (..., A, I); q: (..., I), finite.

    Returns ``(x_star, infeasible)``; where ``F ∩ hull`` is empty ``x_star`` is NaN and
    ``infeasible`` is True (the caller applies the ``infeasible`` rule). Unanimous positions give
    that position.
    """
    act = present & (beta > 0)
    big = np.inf
    r = np.abs(q[..., None, :] - x)
    lo_f = np.where(act, x - r, -big).max(axis=-2)
    hi_f = np.where(act, x + r, big).min(axis=-2)
    xmin = np.where(act, x, big).min(axis=-2)
    xmax = np.where(act, x, -big).max(axis=-2)
    L = np.maximum(lo_f, xmin)
    U = np.minimum(hi_f, xmax)
    unanimous = (xmax - xmin) <= 1e-15
    infeasible = ~unanimous & ~(U > L)
    lo = np.where(infeasible | unanimous, 0.0, L)
    hi = np.where(infeasible | unanimous, 1.0, U)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        pos = _dphi(mid, x, beta, q, loss) > 0
        lo = np.where(pos, mid, lo)
        hi = np.where(pos, hi, mid)
    out = 0.5 * (lo + hi)
    out = np.where(unanimous, xmin, out)
    out = np.where(infeasible, np.nan, out)
    return np.asarray(out, dtype=np.float64), np.asarray(infeasible)
