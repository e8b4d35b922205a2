"""Exchange of voting positions: equal gain and random rate (Stokman & van Oosten 1994; models.md §5).

Notation (models.md §5): preference positions ``x`` (fixed within a round), voting positions
``y`` (start: ``y = x``), capability ``c``, salience ``s``, weight ``w = c·s`` (0 where absent),
issue outcome ``O_d = Σ_i w_id y_id / S_d`` with ``S_d = Σ_i w_id`` (the §1 compromise).

A candidate exchange ``(i, j, p, q)``: ``i`` *supplies* issue ``p`` (moves its voting position
toward ``x_jp``) and *demands* ``q``; ``j`` supplies ``q`` (moves toward ``x_iq``) and demands
``p``. Roles follow from ``s_ip/s_iq < s_jp/s_jq`` (models.md §5); the canonical form has
``p < q``, so each exchange appears once.

Shapes: the exchange process is sequential and greedy (realise the best exchange, recompute,
repeat), so the functions below work on one draw: ``x, y, s, w`` are ``(A, I)``, ``present``
``(A, I)``; candidate arrays are ``(A, A, I, I)`` indexed ``[i, j, p, q]``. The model loops over
the batch axis (``detente.models.exchange``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente._typing import BoolArray, FloatArray, IntArray
from detente.kernels.weighted import weighted_mean

MIN_GAIN = 1e-10
"""Validity threshold on the (equal) gain, models.md §5."""

SIDE_TOL = 1e-12
"""Positions within this distance of the outcome sit *at* the outcome: on neither side (relative to the scale)."""

TIE_RTOL = 1e-12
"""Gains within this relative distance of the best are ties (resolved by ``tie_break``)."""


def issue_outcome(y: FloatArray, w: FloatArray, present: BoolArray) -> tuple[FloatArray, FloatArray]:
    """``O_d = Σ_i w_id y_id / S_d`` and ``S_d = Σ_i w_id`` (models.md §5 = §1). Shapes (..., A, I) -> (..., I)."""
    out, _ = weighted_mean(y, w, present)
    total = np.where(present, w, 0.0).sum(axis=-2)
    return out, np.asarray(total, dtype=np.float64)


def supply_capacity(
    x: FloatArray, y: FloatArray, w: FloatArray, o: FloatArray, total: FloatArray
) -> FloatArray:
    """Largest outcome shift ``|ΔO_d|`` when ``k`` supplies issue ``d`` to ``l``: ``cap[k, l, d]``.

    ``k`` moves its voting position all the way to ``x_ld``, shifting the outcome by
    ``w_kd |x_ld − y_kd| / S_d`` (models.md §5 "Moves"), but the outcome may not pass the
    demander's position: ``|ΔO_d| ≤ |x_ld − O_d|`` (the overshoot cap). Shapes: (A, I) -> (A, A, I).
    """
    safe = np.where(total > 0, total, 1.0)
    full = np.where(total > 0, w[:, None, :] * np.abs(x[None, :, :] - y[:, None, :]) / safe, 0.0)
    return np.asarray(np.minimum(full, np.abs(x[None, :, :] - o)), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Candidates:
    """All candidate exchanges ``[i, j, p, q]`` (i supplies p, j supplies q) with equal-gain terms.

    ``rate_eq`` = ``ΔO_q/ΔO_p`` at equal gain; ``rate_i``/``rate_j`` the break-even rates of
    ``i`` and ``j`` (every rate strictly between them leaves both better off); ``cap_p``/``cap_q``
    the largest outcome shifts on ``p`` (by ``i``) and ``q`` (by ``j``); ``gain`` the equal gain.
    """

    valid: BoolArray
    gain: FloatArray
    d_op: FloatArray
    d_oq: FloatArray
    rate_eq: FloatArray
    rate_i: FloatArray
    rate_j: FloatArray
    cap_p: FloatArray
    cap_q: FloatArray


def moves_at_rate(
    cap_p: FloatArray | float, cap_q: FloatArray | float, rate: FloatArray | float
) -> tuple[FloatArray, FloatArray]:
    """Outcome shifts ``(ΔO_p, ΔO_q)`` with ``ΔO_q = rate · ΔO_p``, as large as both caps allow.

    models.md §5: let ``i`` move all the way (``ΔO_p = cap_p``); if ``j`` would then have to move
    past its own limit (``rate · cap_p > cap_q``), let ``j`` move all the way and derive ``i``'s move.
    """
    cp = np.asarray(cap_p, dtype=np.float64)
    cq = np.asarray(cap_q, dtype=np.float64)
    r = np.asarray(rate, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        lim_q = np.where(r > 0, cq / np.where(r > 0, r, 1.0), np.inf)
    d_op = np.minimum(cp, lim_q)
    return np.asarray(d_op, dtype=np.float64), np.asarray(r * d_op, dtype=np.float64)


def candidates(
    x: FloatArray,
    y: FloatArray,
    s: FloatArray,
    w: FloatArray,
    present: BoolArray,
    moved: IntArray,
    *,
    min_gain: float = MIN_GAIN,
) -> Candidates:
    """Enumerate and evaluate every exchange ``(i, j, p, q)`` for the current voting positions.

    Validity (models.md §5, this project's formalisation, docs/exchange.md):

    * ``i`` and ``j`` present on ``p`` and ``q`` and on opposite sides of the outcome on both;
      each actor's preference ``x`` lies on the same side as its vote (an actor whose vote reached
      or crossed the outcome does not trade that issue again this round). A position within
      ``SIDE_TOL`` of the outcome is on neither side (models.md §5 counts ``y ≤ O`` as left; the
      symmetric rule keeps the model mirror-symmetric);
    * roles ``s_ip s_jq < s_iq s_jp`` (= ``s_ip/s_iq < s_jp/s_jq``); movers carry weight ``w > 0``;
    * equal gain ``ΔO_q = ΔO_p (s_ip + s_jp)/(s_iq + s_jq)`` with the caps of :func:`supply_capacity`;
      ``G = s_iq ΔO_q − s_ip ΔO_p = s_jp ΔO_p − s_jq ΔO_q > min_gain``;
    * no actor reverses the direction of an earlier move on the same issue in this round
      (``moved[k, d]`` ∈ {−1, 0, +1} records that direction).
    """
    A, I = x.shape
    o, total = issue_outcome(y, w, present)
    eps = SIDE_TOL * max(1.0, float(np.abs(np.where(present, x, 0.0)).max(initial=0.0)))
    side_y = np.where(y > o + eps, 1, np.where(y < o - eps, -1, 0))
    side_x = np.where(x > o + eps, 1, np.where(x < o - eps, -1, 0))
    ok = present & (side_x != 0) & (side_x == side_y)
    opp = ok[:, None, :] & ok[None, :, :] & (side_y[:, None, :] == -side_y[None, :, :])  # (A, A, I)
    cap = supply_capacity(x, y, w, o, total)  # cap[k, l, d]
    direction = np.sign(x[None, :, :] - y[:, None, :]).astype(np.int64)  # k moving toward x_ld
    no_rev = (moved[:, None, :] == 0) | (moved[:, None, :] == direction)
    supply = opp & (w[:, None, :] > 0) & no_rev & (cap > 0)  # supply[k, l, d]
    pair = ~np.eye(A, dtype=bool)[:, :, None, None]
    upper = np.triu(np.ones((I, I), dtype=bool), k=1)[None, None, :, :]
    valid = supply[:, :, :, None] & supply.transpose(1, 0, 2)[:, :, None, :] & pair & upper

    sp = s[:, None, :, None]  # s_ip
    sq = s[:, None, None, :]  # s_iq
    tp = s[None, :, :, None]  # s_jp
    tq = s[None, :, None, :]  # s_jq
    valid &= sp * tq < sq * tp  # roles (models.md §5)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_eq = np.where(valid, (sp + tp) / np.where(valid, sq + tq, 1.0), 0.0)
        rate_i = np.where(valid & (sq > 0), sp / np.where(sq > 0, sq, 1.0), 0.0)
        rate_j = np.where(valid & (tq > 0), tp / np.where(tq > 0, tq, 1.0), np.inf)
    cap_p = np.broadcast_to(cap[:, :, :, None], valid.shape)
    cap_q = np.broadcast_to(cap.transpose(1, 0, 2)[:, :, None, :], valid.shape)
    d_op, d_oq = moves_at_rate(cap_p, cap_q, rate_eq)
    gain = sq * d_oq - sp * d_op  # G_i = G_j (equal gain)
    valid &= (gain > min_gain) & (d_op > 0) & (d_oq > 0)
    return Candidates(
        valid=valid,
        gain=np.where(valid, gain, -np.inf),
        d_op=d_op,
        d_oq=d_oq,
        rate_eq=rate_eq,
        rate_i=rate_i,
        rate_j=rate_j,
        cap_p=np.asarray(cap_p),
        cap_q=np.asarray(cap_q),
    )


def select(
    cands: Candidates, *, tie_break: str, rng: np.random.Generator
) -> tuple[int, int, int, int] | None:
    """The exchange with the highest gain, or None. Ties: ``index`` = first in ``(p, q, i, j)`` order,
    ``random`` = uniformly among the tied ones using ``rng`` (drawn only when there is a tie)."""
    if not cands.valid.any():
        return None
    best = float(cands.gain.max())
    ties = cands.valid & (cands.gain >= best - TIE_RTOL * max(1.0, abs(best)))
    order = ties.transpose(2, 3, 0, 1)  # (p, q, i, j)
    flat = np.flatnonzero(order)
    k = int(flat[0]) if tie_break == "index" or flat.size == 1 else int(flat[int(rng.integers(flat.size))])
    p, q, i, j = np.unravel_index(k, order.shape)
    return int(i), int(j), int(p), int(q)


@dataclass
class PhaseResult:
    """One exchange phase (one round): final voting positions, the realised exchanges, cap hit."""

    y: FloatArray
    moved: IntArray
    steps: list[dict[str, Any]] = field(default_factory=list)
    capped: bool = False


def _move(y_k: float, target: float, dist: float) -> float:
    """Move from ``y_k`` toward ``target`` by ``dist``; land exactly on the target at full length."""
    gap = abs(target - y_k)
    if dist >= gap * (1.0 - 1e-12):
        return float(target)
    return float(y_k + np.sign(target - y_k) * dist)


def exchange_phase(
    x: FloatArray,
    s: FloatArray,
    w: FloatArray,
    present: BoolArray,
    *,
    rng: np.random.Generator,
    p: float = 0.0,
    tie_break: str = "index",
    max_exchanges: int = 1000,
    min_gain: float = MIN_GAIN,
) -> PhaseResult:
    """Realise exchanges greedily until none is valid (models.md §5 "Round").

    Each step: evaluate all candidates (:func:`candidates`), realise the one with the highest
    equal gain (:func:`select`), apply both moves to ``y``, update the outcome and repeat.
    Random rate (``p > 0``): the realised exchange trades at
    ``ρ = (1 − p)·ρ_eq + p·U(ρ_i, ρ_j)`` with ``U`` uniform between the two break-even rates
    (idea: Dijkstra, van Assen, Stokman & Draaijer 2018; formalisation in docs/exchange.md).
    Each step record holds the indices, signed moves, outcome shifts, gains, rate and the
    externalities ``E_k`` of every third party (models.md §5).
    """
    A, I = x.shape
    y = np.array(x, dtype=np.float64, copy=True)
    moved = np.zeros((A, I), dtype=np.int64)
    res = PhaseResult(y=y, moved=moved)
    for step in range(max_exchanges + 1):
        cands = candidates(x, y, s, w, present, moved, min_gain=min_gain)
        pick = select(cands, tie_break=tie_break, rng=rng)
        if pick is None:
            break
        if step == max_exchanges:
            res.capped = True
            break
        i, j, ip, iq = pick
        rate = float(cands.rate_eq[i, j, ip, iq])
        if p > 0:
            lo, hi = float(cands.rate_i[i, j, ip, iq]), float(cands.rate_j[i, j, ip, iq])
            rate = (1.0 - p) * rate + p * (lo + float(rng.random()) * (hi - lo))
        d_op_a, d_oq_a = moves_at_rate(cands.cap_p[i, j, ip, iq], cands.cap_q[i, j, ip, iq], rate)
        d_op, d_oq = float(d_op_a), float(d_oq_a)
        o0, total = issue_outcome(y, w, present)
        yi0, yj0 = float(y[i, ip]), float(y[j, iq])
        y[i, ip] = _move(yi0, float(x[j, ip]), d_op * float(total[ip]) / float(w[i, ip]))
        y[j, iq] = _move(yj0, float(x[i, iq]), d_oq * float(total[iq]) / float(w[j, iq]))
        moved[i, ip] = int(np.sign(y[i, ip] - yi0))
        moved[j, iq] = int(np.sign(y[j, iq] - yj0))
        o1, _ = issue_outcome(y, w, present)
        # utility change per unit of outcome movement toward the actor, weighted by salience (§5)
        ext = np.zeros(A)
        for d in (ip, iq):
            ext += np.where(present[:, d], s[:, d] * (np.abs(o0[d] - x[:, d]) - np.abs(o1[d] - x[:, d])), 0.0)
        res.steps.append(
            {
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
        )
    res.y = y
    res.moved = moved
    return res


@dataclass
class RunResult:
    """A multi-round run of one draw: trajectory (R+1, A, I), outcome path (R+1, I), steps, status."""

    trajectory: FloatArray
    outcomes: FloatArray
    steps: list[dict[str, Any]]
    rounds_done: int
    stopped: bool  # a round realised no exchange (converged before the cap)
    capped: bool  # some round hit max_exchanges


def exchange_run(
    x0: FloatArray,
    s: FloatArray,
    c: FloatArray,
    present: BoolArray,
    *,
    rng: np.random.Generator,
    rounds: int = 1,
    carryover: str = "partial",
    p: float = 0.0,
    tie_break: str = "index",
    max_exchanges: int = 1000,
    min_gain: float = MIN_GAIN,
) -> RunResult:
    """Rounds of exchange phases (models.md §5 "Rounds") on one draw.

    Round ``t`` starts with voting = preference positions ``x``; after its exchange phase,
    ``carryover="full"``: ``x' = y``; ``"partial"``: for moved cells ``x' = x + λ(y − x)`` with
    ``λ = 0.1 + 0.4(1 − s)`` (models.md §5, rule of the reference implementation). The run stops
    after a round without exchanges. ``trajectory[t]`` = voting positions at the end of round
    ``t`` (row 0 = inputs; rows after an early stop repeat the last state).
    """
    A, I = x0.shape
    w = np.where(present, c * s, 0.0)
    s_m = np.where(present, s, 0.0)
    traj = np.empty((rounds + 1, A, I))
    outs = np.empty((rounds + 1, I))
    traj[0] = x0
    outs[0] = issue_outcome(x0, w, present)[0]
    x = np.array(x0, dtype=np.float64, copy=True)
    steps: list[dict[str, Any]] = []
    stopped = capped = False
    done = 0
    for t in range(1, rounds + 1):
        phase = exchange_phase(
            x,
            s_m,
            w,
            present,
            rng=rng,
            p=p,
            tie_break=tie_break,
            max_exchanges=max_exchanges,
            min_gain=min_gain,
        )
        done = t
        capped |= phase.capped
        for st in phase.steps:
            st["round"] = t
        steps.extend(phase.steps)
        traj[t] = phase.y
        outs[t] = issue_outcome(phase.y, w, present)[0]
        if not phase.steps:
            stopped = True
            traj[t + 1 :] = phase.y
            outs[t + 1 :] = outs[t]
            break
        if carryover == "full":
            x = phase.y.copy()
        else:
            lam = 0.1 + 0.4 * (1.0 - s_m)
            x = np.where(phase.y != x, x + lam * (phase.y - x), x)
    return RunResult(
        trajectory=traj, outcomes=outs, steps=steps, rounds_done=done, stopped=stopped, capped=capped
    )
