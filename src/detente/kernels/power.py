"""Exact Shapley–Shubik and Banzhaf power indices by dynamic programming (models.md §7).

A voting game is given by integer "resources" per player (e.g. Council votes, population in
units of 1,000 persons) and a winning rule ``W(size, *resource_totals) -> bool`` evaluated on
a grid. For every player ``i`` the subsets of the *other* players are counted by
(size, resource totals); ``i`` is pivotal (Shapley–Shubik) or a swing (Banzhaf) in every cell
where ``W(size, r)`` is false and ``W(size + 1, r + w_i)`` is true (models.md §7, "Exact DP").

- Shapley–Shubik (Shapley & Shubik 1954): ``φ_i = Σ_S |S|!(n−|S|−1)!/n!`` over losing ``S ⊆ N∖i``
  with ``S ∪ i`` winning.
- Banzhaf (Banzhaf 1965): swings ``η_i = #{S ⊆ N∖i: S losing, S∪i winning}``, normalised
  ``η_i / Σ_k η_k``.

The full count table is built once by convolution; each player is removed by deconvolution
(``T_{−i}[s, r] = T[s, r] − T_{−i}[s−1, r − w_i]``, models.md §7), so the cost is
``O(n · n · Π_k R_k)`` rather than ``n`` rebuilds. Counts are exact ``int64`` (at most
``C(n, n/2)``, far below 2**63 for Council sizes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np
import numpy.typing as npt

from detente._typing import FloatArray, IntArray

BoolGrid = npt.NDArray[np.bool_]
WinningRule = Callable[..., BoolGrid]
"""``rule(size, *totals)`` with broadcastable integer arrays -> bool array (True = winning)."""


def _as_resources(resources: npt.ArrayLike) -> IntArray:
    r = np.asarray(resources)
    if r.ndim == 1:
        r = r[:, None]
    if r.ndim != 2 or r.shape[0] == 0:
        raise ValueError(f"resources: expected shape (n,) or (n, k) with n >= 1, received {r.shape}")
    if not np.all(np.isfinite(r)) or np.any(r < 0) or not np.all(np.equal(np.round(r), r)):
        raise ValueError("resources: expected non-negative integers")
    return np.asarray(r, dtype=np.int64)


def subset_counts(resources: npt.ArrayLike) -> IntArray:
    """Number of subsets by (size, total of each resource): shape ``(n + 1, R_1 + 1, ..., R_k + 1)``."""
    w = _as_resources(resources)
    n, k = w.shape
    totals = w.sum(axis=0)
    table = np.zeros((n + 1, *(int(t) + 1 for t in totals)), dtype=np.int64)
    table[(0,) * (k + 1)] = 1
    for i in range(n):
        src = tuple([slice(0, n)] + [slice(0, int(t) + 1 - int(w[i, j])) for j, t in enumerate(totals)])
        dst = tuple([slice(1, n + 1)] + [slice(int(w[i, j]), int(t) + 1) for j, t in enumerate(totals)])
        table[dst] += table[src].copy()
    return table


def _remove_player(table: IntArray, wi: IntArray) -> IntArray:
    """Counts of subsets of the other players (deconvolution of one player, models.md §7)."""
    n1 = table.shape[0]
    out = np.zeros((n1 - 1, *table.shape[1:]), dtype=np.int64)
    out[0] = table[0]
    src = tuple(slice(0, dim - int(wj)) for dim, wj in zip(table.shape[1:], wi, strict=True))
    dst = tuple(slice(int(wj), dim) for dim, wj in zip(table.shape[1:], wi, strict=True))
    for s in range(1, n1 - 1):
        out[s] = table[s]
        cur = out[s]
        cur[dst] -= out[s - 1][src]
    return out


def _pivot_mask(rule: WinningRule, shape: tuple[int, ...], wi: IntArray) -> BoolGrid:
    """``W(s, r)`` false and ``W(s + 1, r + w_i)`` true, on the grid of ``shape`` (sizes 0..n−1)."""
    grids = np.ogrid[tuple(slice(0, d) for d in shape)]
    size = grids[0]
    tot = grids[1:]
    lose = ~np.asarray(rule(size, *tot), dtype=bool)
    win_with = np.asarray(rule(size + 1, *(t + int(wj) for t, wj in zip(tot, wi, strict=True))), dtype=bool)
    return np.broadcast_to(lose & win_with, shape)


def _thresholds(rule: WinningRule, n: int, width: int) -> IntArray | None:
    """For a one-resource rule monotone in the resource: ``T[s]`` = smallest total that wins with
    ``s`` members (``width`` if none). None if the rule is not monotone (general path)."""
    size = np.arange(n + 1)[:, None]
    tot = np.arange(width)[None, :]
    win = np.broadcast_to(np.asarray(rule(size, tot), dtype=bool), (n + 1, width))
    if np.any(win[:, :-1] & ~win[:, 1:]):
        return None
    return np.asarray(np.where(win.any(axis=1), win.argmax(axis=1), width), dtype=np.int64)


def _pivots_by_threshold(others: IntArray, thresholds: IntArray, wi: int) -> IntArray:
    """Pivotal subsets by size: losing (total < T[s]) and winning with ``i`` (total + w_i >= T[s+1]),
    i.e. totals in ``[T[s+1] − w_i, T[s])``, summed with prefix sums (same cells as the mask)."""
    n, width = others.shape
    cs = np.zeros((n, width + 1), dtype=np.int64)
    np.cumsum(others, axis=1, out=cs[:, 1:])
    lo = np.clip(thresholds[1:] - wi, 0, width)
    hi = np.clip(thresholds[:-1], 0, width)
    rows = np.arange(n)
    return np.where(hi > lo, cs[rows, hi] - cs[rows, lo], 0)


def power_indices(
    resources: npt.ArrayLike, rule: WinningRule, index: Literal["ssi", "banzhaf", "swings"] = "ssi"
) -> FloatArray:
    """Exact power index of every player of a game with a monotone winning ``rule``.

    ``resources``: (n,) or (n, k) non-negative integers. ``index``: ``"ssi"`` (Shapley–Shubik),
    ``"banzhaf"`` (normalised) or ``"swings"`` (raw Banzhaf swing counts).

    >>> rule = lambda size, votes: votes >= 3
    >>> [round(float(v), 4) for v in power_indices([2, 1, 1], rule)]
    [0.6667, 0.1667, 0.1667]
    """
    w = _as_resources(resources)
    n = w.shape[0]
    table = subset_counts(w)
    # |S|!(n-|S|-1)!/n! = 1 / (n * C(n-1, |S|)), exact ratios in float64
    ssi_coef = np.array([1.0 / (n * math.comb(n - 1, s)) for s in range(n)])
    out = np.zeros(n)
    thresholds = _thresholds(rule, n, table.shape[1] + int(w.max())) if w.shape[1] == 1 else None
    for i in range(n):
        others = _remove_player(table, w[i])
        if thresholds is not None:
            by_size = _pivots_by_threshold(others, thresholds, int(w[i, 0]))
        else:
            mask = _pivot_mask(rule, others.shape, w[i])
            by_size = np.where(mask, others, 0).reshape(n, -1).sum(axis=1)
        out[i] = float(by_size @ ssi_coef) if index == "ssi" else float(by_size.sum())
    if index == "banzhaf":
        tot = out.sum()
        out = out / tot if tot > 0 else np.full(n, 1.0 / n)
    return out


def weighted_majority_rule(quota: float, min_members: int = 0) -> WinningRule:
    """``W`` = total votes ≥ ``quota`` and at least ``min_members`` members (Nice: votes + states)."""

    def rule(size: IntArray, votes: IntArray) -> BoolGrid:
        return np.asarray((votes >= quota) & (size >= min_members), dtype=bool)

    return rule


def weighted_population_rule(quota: float, min_members: int, pop_quota: float) -> WinningRule:
    """Nice rule with the population check: votes ≥ quota, members ≥ min, population ≥ pop_quota."""

    def rule(size: IntArray, votes: IntArray, pop: IntArray) -> BoolGrid:
        return np.asarray((votes >= quota) & (size >= min_members) & (pop >= pop_quota), dtype=bool)

    return rule


def double_majority_rule(
    n: int,
    population_total: float,
    member_share: float = 0.55,
    pop_share: float = 0.65,
    blocking_min: int = 4,
) -> WinningRule:
    """Lisbon rule (TEU art. 16(4)): ≥ ⌈0.55 n⌉ members and ≥ 65 % of the population, or fewer than
    ``blocking_min`` (4) members against (a blocking minority needs at least four members)."""
    min_members = math.ceil(member_share * n - 1e-12)
    pop_quota = pop_share * population_total

    def rule(size: IntArray, pop: IntArray) -> BoolGrid:
        return np.asarray(
            ((size >= min_members) & (pop >= pop_quota - 1e-9)) | (n - size < blocking_min), dtype=bool
        )

    return rule


def weighted_voting_power(
    weights: npt.ArrayLike, quota: float, min_members: int = 0, index: Literal["ssi", "banzhaf"] = "ssi"
) -> FloatArray:
    """Power indices of the weighted game ``[quota; w_1, ..., w_n]`` (+ optional member count)."""
    return power_indices(weights, weighted_majority_rule(quota, min_members), index)


def lisbon_power(populations: npt.ArrayLike, index: Literal["ssi", "banzhaf"] = "ssi") -> FloatArray:
    """Power indices under the Lisbon double majority from integer populations (units of 1,000)."""
    p = _as_resources(populations)
    return power_indices(p, double_majority_rule(p.shape[0], float(p.sum())), index)
