"""The readable exchange phase as it was before issue 15: every candidate re-evaluated at every step.

The oracle of tests/kernels/test_exchange_search.py and the reference of benchmarks/bench_exchange.py.
It evaluates all candidates ``(i, j, p, q)`` with dense ``(A, A, I)`` supply arrays (models.md §5;
docs/exchange.md for the side rule), realises the best one (``select`` of the kernel) and repeats.
The kernel's ``exchange_phase`` must give the same steps and voting positions bit for bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from detente.kernels.exchange import (
    MIN_GAIN,
    SIDE_TOL,
    Evaluation,
    Pairs,
    PhaseResult,
    _move,
    issue_outcome,
    moves_at_rate,
    select,
    static_pairs,
    supply_capacity,
)


def dense_evaluate(
    pairs: Pairs,
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    present: np.ndarray,
    moved: np.ndarray,
    *,
    min_gain: float = MIN_GAIN,
) -> Evaluation:
    """Validity and equal gain of every candidate from dense ``supply[k, l, d]`` arrays (models.md §5)."""
    o, total = issue_outcome(y, w, present)
    eps = SIDE_TOL * max(1.0, float(np.abs(np.where(present, x, 0.0)).max(initial=0.0)))
    side_y = np.where(y > o + eps, 1, np.where(y < o - eps, -1, 0))
    side_x = np.where(x > o + eps, 1, np.where(x < o - eps, -1, 0))
    ok = present & (side_x != 0) & (side_x == side_y)
    opp = ok[:, None, :] & ok[None, :, :] & (side_y[:, None, :] == -side_y[None, :, :])  # (A, A, I)
    cap = supply_capacity(x, y, w, o, total)  # cap[k, l, d]
    direction = np.sign(x[None, :, :] - y[:, None, :]).astype(np.int64)  # k moving toward x_ld
    no_rev = (moved[:, None, :] == 0) | (moved[:, None, :] == direction)
    supply = opp & no_rev & (cap > 0)  # supply[k, l, d]
    i, j, p, q = pairs.i, pairs.j, pairs.p, pairs.q
    cap_p = cap[i, j, p]
    cap_q = cap[j, i, q]
    d_op, d_oq = moves_at_rate(cap_p, cap_q, pairs.rate_eq)
    gain = pairs.s_iq * d_oq - pairs.s_ip * d_op  # G_i = G_j (equal gain)
    valid = supply[i, j, p] & supply[j, i, q] & (gain > min_gain) & (d_op > 0) & (d_oq > 0)
    return Evaluation(
        valid=valid, gain=np.where(valid, gain, -np.inf), d_op=d_op, d_oq=d_oq, cap_p=cap_p, cap_q=cap_q
    )


def reference_phase(
    x: np.ndarray,
    s: np.ndarray,
    w: np.ndarray,
    present: np.ndarray,
    *,
    rng: np.random.Generator,
    p: float = 0.0,
    tie_break: str = "index",
    max_exchanges: int = 1000,
    min_gain: float = MIN_GAIN,
) -> PhaseResult:
    """The greedy phase of models.md §5 "Round", re-evaluating every candidate at every step."""
    A, _ = x.shape
    y = np.array(x, dtype=np.float64, copy=True)
    moved = np.zeros(x.shape, dtype=np.int64)
    res = PhaseResult(y=y, moved=moved)
    pairs = static_pairs(s, w, present)
    for step in range(max_exchanges + 1):
        ev = dense_evaluate(pairs, x, y, w, present, moved, min_gain=min_gain)
        k = select(ev, tie_break=tie_break, rng=rng)
        if k is None:
            break
        if step == max_exchanges:
            res.capped = True
            break
        i, j, ip, iq = int(pairs.i[k]), int(pairs.j[k]), int(pairs.p[k]), int(pairs.q[k])
        rate = float(pairs.rate_eq[k])
        if p > 0:
            lo, hi = float(pairs.rate_i[k]), float(pairs.rate_j[k])
            rate = (1.0 - p) * rate + p * (lo + float(rng.random()) * (hi - lo))
        d_op_a, d_oq_a = moves_at_rate(ev.cap_p[k], ev.cap_q[k], rate)
        d_op, d_oq = float(d_op_a), float(d_oq_a)
        o0, total = issue_outcome(y, w, present)
        yi0, yj0 = float(y[i, ip]), float(y[j, iq])
        y[i, ip] = _move(yi0, float(x[j, ip]), d_op * float(total[ip]) / float(w[i, ip]))
        y[j, iq] = _move(yj0, float(x[i, iq]), d_oq * float(total[iq]) / float(w[j, iq]))
        moved[i, ip] = int(np.sign(y[i, ip] - yi0))
        moved[j, iq] = int(np.sign(y[j, iq] - yj0))
        o1, _ = issue_outcome(y, w, present)
        ext = np.zeros(A)
        for d in (ip, iq):
            ext += np.where(present[:, d], s[:, d] * (np.abs(o0[d] - x[:, d]) - np.abs(o1[d] - x[:, d])), 0.0)
        step_rec: dict[str, Any] = {
            "step": step,
            "i": i,
            "j": j,
            "p": ip,
            "q": iq,
            "y_i_before": yi0,
            "y_i_after": float(y[i, ip]),
            "y_j_before": yj0,
            "y_j_after": float(y[j, iq]),
            "move_i": float(y[i, ip]) - yi0,
            "move_j": float(y[j, iq]) - yj0,
            "dO_p": float(o1[ip] - o0[ip]),
            "dO_q": float(o1[iq] - o0[iq]),
            "gain_i": float(s[i, iq] * d_oq - s[i, ip] * d_op),
            "gain_j": float(s[j, ip] * d_op - s[j, iq] * d_oq),
            "rate": rate,
            "outcome_p": float(o1[ip]),
            "outcome_q": float(o1[iq]),
            "externalities": ext,
        }
        res.steps.append(step_rec)
    res.y = y
    res.moved = moved
    return res
