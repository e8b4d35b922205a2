"""One-dimensional pivots and the acceptable set of a reversion point (docs/decision_rules.md §2).

Actors have symmetric single-peaked preferences on each issue's unit scale: actor ``j`` weakly
prefers ``x`` to the reversion point ``q`` iff ``|x − x_j| ≤ |q − x_j|``. For ``x > q`` that is
``x_j ≥ (q + x)/2``, so the supporters of a move to the right are the actors at or right of the
midpoint, a set that shrinks as ``x`` grows. With a monotone rule (a superset of a winning
coalition wins) the winset of ``q`` is therefore an interval bounded by two *pivots*
(Krehbiel 1998, ch. 2; Tsebelis 2002, ch. 1; Steunenberg 1994, §3):

- right pivot ``π_R = max{x_k : {j : x_j ≥ x_k} wins}``, the left-most member of the smallest
  winning coalition at the right end;
- left pivot ``π_L = min{x_k : {j : x_j ≤ x_k} wins}``;
- winset ``W(q) = (q, 2π_R − q]`` if ``π_R > q``, ``[2π_L − q, q)`` if ``π_L < q``, else empty
  (``q`` lies in the gridlock interval between the pivots).

The *acceptable set* ``S(q) = W(q) ∪ {q} = [q − 2·max(0, q − π_L), q + 2·max(0, π_R − q)]``,
clipped to the scale, is every point each pivotal actor weakly prefers to ``q`` (eq. 1 of
docs/decision_rules.md). Without a reversion point the set is the gridlock interval
``[min(π_R, π_L), max(π_R, π_L)]``: the points no winning coalition can leave (eq. 2).

Shapes: positions (..., A, I); rule arrays without batch axes broadcast. Cost O(A²·I) per draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente._typing import BoolArray, FloatArray, IntArray

_EPS = 1e-12


@dataclass(frozen=True, slots=True)
class Pivots:
    """Pivots and acceptable set per issue (unit scale, shape (..., I)); pivot actor indices (-1 = none)."""

    right: FloatArray  # π_R, -inf if no coalition at the right end wins
    left: FloatArray  # π_L, +inf if none wins at the left end
    right_actor: IntArray
    left_actor: IntArray
    low: FloatArray  # acceptable set S(q) = [low, high]
    high: FloatArray
    has_reversion: BoolArray


def _wins(
    member: BoolArray,
    part: BoolArray,
    voter: BoolArray,
    veto: BoolArray,
    weights: FloatArray,
    threshold: FloatArray,
    strict: BoolArray,
    blocking_min: IntArray,
) -> BoolArray:
    """Does coalition ``member`` (..., Kc, A, I) win? (criteria all met, or the blocking clause) and vetoes in."""
    w = np.where(part[..., None, :, :], weights, 0.0)  # (..., K, A, I)
    total = w.sum(axis=-2)  # (..., K, I)
    inside = np.einsum("...kai,...cai->...cki", member.astype(np.float64), w)  # (..., K, Kc, I)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total[..., :, None, :] > 0, inside / total[..., :, None, :], 1.0)
    t = threshold[:, None, :]
    met = np.where(strict[:, None, :], share > t + _EPS, share >= t - _EPS) | (t <= 0)
    ok = met.all(axis=-3)  # (..., Kc, I)
    v = (part & voter)[..., None, :, :]
    outside = (v & ~member).sum(axis=-2)  # voters outside the coalition (..., Kc, I)
    ok = ok | ((blocking_min > 0) & (outside < blocking_min))
    vetoes_in = ~((part & veto)[..., None, :, :] & ~member).any(axis=-2)
    return np.asarray(ok & vetoes_in, dtype=bool)


def pivots(
    position: FloatArray,
    present: BoolArray,
    capability: FloatArray,
    *,
    voter: BoolArray,
    veto: BoolArray,
    weights: FloatArray,
    use_capability: BoolArray,
    threshold: FloatArray,
    strict: BoolArray,
    blocking_min: IntArray,
    reversion: FloatArray,
) -> Pivots:
    """Pivots and acceptable set of every issue (module docstring; docs/decision_rules.md eqs. 1–2).

    ``weights`` (K, A, I) or (..., K, A, I), replaced by ``capability`` where ``use_capability``
    (K, I). Participants are present voters and present veto players; absent actors neither
    count toward a threshold nor block. ``reversion`` (..., I): NaN = unknown.
    """
    x = np.asarray(position, dtype=np.float64)
    part = np.asarray(present, dtype=bool) & (voter | veto)
    cap = np.asarray(capability, dtype=np.float64)
    w = np.where(use_capability[:, None, :], cap[..., None, :, :], weights)  # (..., K, A, I)
    w = np.where(voter, w, 0.0)
    xk = x[..., :, None, :]  # candidate pivot k
    xj = x[..., None, :, :]  # member j
    pj = part[..., None, :, :]
    right_m = pj & (xj >= xk - _EPS)  # (..., Kc, A, I)
    left_m = pj & (xj <= xk + _EPS)
    args = (part, voter, veto, w, threshold, strict, blocking_min)
    win_r = _wins(right_m, *args) & part
    win_l = _wins(left_m, *args) & part
    rv = np.where(win_r, x, -np.inf)
    lv = np.where(win_l, x, np.inf)
    right, left = rv.max(axis=-2), lv.min(axis=-2)
    r_idx = np.where(np.isfinite(right), rv.argmax(axis=-2), -1)
    l_idx = np.where(np.isfinite(left), lv.argmin(axis=-2), -1)
    q = np.broadcast_to(np.asarray(reversion, dtype=np.float64), right.shape)
    has_q = np.isfinite(q)
    with np.errstate(invalid="ignore"):
        hi_q = q + 2.0 * np.maximum(0.0, np.where(np.isfinite(right), right, -np.inf) - q)
        lo_q = q - 2.0 * np.maximum(0.0, q - np.where(np.isfinite(left), left, np.inf))
    lo_core = np.fmin(right, left)
    hi_core = np.fmax(right, left)
    lo = np.where(has_q, lo_q, np.where(np.isfinite(lo_core), lo_core, 0.0))
    hi = np.where(has_q, hi_q, np.where(np.isfinite(hi_core), hi_core, 1.0))
    lo = np.clip(np.nan_to_num(lo, nan=0.0, neginf=0.0, posinf=1.0), 0.0, 1.0)
    hi = np.clip(np.nan_to_num(hi, nan=1.0, neginf=0.0, posinf=1.0), 0.0, 1.0)
    return Pivots(right, left, r_idx, l_idx, lo, np.maximum(lo, hi), has_q)
