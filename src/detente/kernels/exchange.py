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
from detente.kernels.exchange_search import CandidateSearch
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
    Arrays are ``(A, A, I, I)``; entries of invalid candidates are 0 (``gain`` −inf).
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


@dataclass(frozen=True, slots=True)
class Pairs:
    """The candidates that saliences and presence allow, fixed for a whole phase (flat, length K).

    Sorted in ``(p, q, i, j)`` order (the ``index`` tie-break). Roles: ``s_ip s_jq < s_iq s_jp``
    (models.md §5), ``p < q``, ``i ≠ j``, both present on both issues, movers with ``w > 0``.
    """

    i: IntArray
    j: IntArray
    p: IntArray
    q: IntArray
    s_ip: FloatArray
    s_iq: FloatArray
    s_jp: FloatArray
    s_jq: FloatArray
    rate_eq: FloatArray  # (s_ip + s_jp)/(s_iq + s_jq): equal gain, models.md §5
    rate_i: FloatArray  # s_ip/s_iq: i's break-even rate
    rate_j: FloatArray  # s_jp/s_jq: j's break-even rate


def static_pairs(s: FloatArray, w: FloatArray, present: BoolArray) -> Pairs:
    """Enumerate the candidates allowed by saliences, weights and presence. Shapes (A, I) -> (K,).

    Per issue pair ``p < q`` (in order) an ``(A, A)`` block ``[i, j]``: ``m = s_ip·s_jq`` is the
    outer product of the two salience columns, so the role test ``s_ip s_jq < s_iq s_jp`` is
    ``m < mᵀ``; ``np.nonzero`` on ``(pair, i, j)`` lists the candidates in ``(p, q, i, j)`` order.
    """
    A, I = s.shape
    pw = (present & (w > 0)).T  # (I, A): moves on the issue
    pr = present.T
    st = s.T
    P, Q = (np.asarray(v, dtype=np.int64) for v in np.triu_indices(I, k=1))
    sp, sq = st[P], st[Q]  # (pairs, A): s_ip and s_iq of each issue pair
    m = sp[:, :, None] * sq[:, None, :]  # (pairs, A, A): s_ip · s_jq
    ok = (
        (m < m.transpose(0, 2, 1))  # s_ip s_jq < s_iq s_jp (roles, models.md §5)
        & ~np.eye(A, dtype=bool)
        & (pw[P] & pr[Q])[:, :, None]  # i moves on p, demands q
        & (pr[P] & pw[Q])[:, None, :]  # j demands p, moves on q
    )
    pair, i, j = (np.asarray(a, dtype=np.int64) for a in np.nonzero(ok))  # C order = (p, q, i, j)
    p, q = P[pair], Q[pair]
    s_ip, s_iq, s_jp, s_jq = sp[pair, i], sq[pair, i], sp[pair, j], sq[pair, j]
    return Pairs(
        i=i,
        j=j,
        p=p,
        q=q,
        s_ip=s_ip,
        s_iq=s_iq,
        s_jp=s_jp,
        s_jq=s_jq,
        rate_eq=(s_ip + s_jp) / (s_iq + s_jq),  # s_jq > 0 because w_jq > 0
        rate_i=s_ip / s_iq,  # s_iq > 0 by the role inequality
        rate_j=s_jp / s_jq,
    )


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The candidates of :class:`Pairs` evaluated at the current voting positions (flat, length K)."""

    valid: BoolArray
    gain: FloatArray
    d_op: FloatArray
    d_oq: FloatArray
    cap_p: FloatArray
    cap_q: FloatArray


@dataclass(frozen=True, slots=True)
class Cells:
    """Per-cell state at the current voting positions (models.md §5; docs/exchange.md side rule).

    ``o``/``total``/``safe`` are ``(I,)`` (``safe`` = ``total`` with 0 replaced by 1); ``side_y`` the
    side of each vote relative to the outcome (−1, 0, +1) and ``ok`` whether the cell may trade
    (present, preference and vote on the same side, not at the outcome), both ``(A, I)``.
    """

    o: FloatArray
    total: FloatArray
    safe: FloatArray
    side_y: IntArray
    ok: BoolArray


def side_tolerance(x: FloatArray, present: BoolArray) -> float:
    """``SIDE_TOL`` relative to the scale of the preference positions (fixed within a phase)."""
    return SIDE_TOL * max(1.0, float(np.abs(np.where(present, x, 0.0)).max(initial=0.0)))


def cell_state(x: FloatArray, y: FloatArray, w: FloatArray, present: BoolArray, eps: float) -> Cells:
    """Outcome, sides and tradable cells at voting positions ``y`` (see :class:`Cells`)."""
    o, total = issue_outcome(y, w, present)
    side_y = np.where(y > o + eps, 1, np.where(y < o - eps, -1, 0))
    side_x = np.where(x > o + eps, 1, np.where(x < o - eps, -1, 0))
    ok = present & (side_x != 0) & (side_x == side_y)
    return Cells(o=o, total=total, safe=np.where(total > 0, total, 1.0), side_y=side_y, ok=ok)


def evaluate(
    pairs: Pairs,
    x: FloatArray,
    y: FloatArray,
    w: FloatArray,
    present: BoolArray,
    moved: IntArray,
    *,
    min_gain: float = MIN_GAIN,
    index: IntArray | None = None,
    cells: Cells | None = None,
) -> Evaluation:
    """Validity and equal gain of the candidates (all, or those at ``index``) at voting positions ``y``.

    Validity (models.md §5, this project's formalisation, docs/exchange.md):

    * ``i`` and ``j`` on opposite sides of the outcome on ``p`` and on ``q``; each actor's
      preference ``x`` lies on the same side as its vote (an actor whose vote reached or crossed
      the outcome does not trade that issue again this round). A position within ``SIDE_TOL`` of
      the outcome is on neither side (models.md §5 counts ``y ≤ O`` as left; the symmetric rule
      keeps the model mirror-symmetric);
    * equal gain ``ΔO_q = ΔO_p (s_ip + s_jp)/(s_iq + s_jq)`` within the caps of
      :func:`supply_capacity`; ``G = s_iq ΔO_q − s_ip ΔO_p = s_jp ΔO_p − s_jq ΔO_q > min_gain``;
    * no actor reverses the direction of an earlier move on the same issue in this round
      (``moved[k, d]`` ∈ {−1, 0, +1} records that direction).

    Elementwise on the candidates (the same operations as the dense ``supply[k, l, d]`` arrays of
    tests/kernels/exchange_reference.py, so the numbers are identical); the result has the length of
    ``index`` (default: every candidate).
    """
    c = cells if cells is not None else cell_state(x, y, w, present, side_tolerance(x, present))
    sel = slice(None) if index is None else index
    i, j, p, q = pairs.i[sel], pairs.j[sel], pairs.p[sel], pairs.q[sel]
    s_ip, s_iq, rate_eq = pairs.s_ip[sel], pairs.s_iq[sel], pairs.rate_eq[sel]

    n_issues = x.shape[1]
    xf, yf, wf, mf = x.ravel(), y.ravel(), w.ravel(), moved.ravel()
    okf, sidef = c.ok.ravel(), c.side_y.ravel()

    def supply(k: IntArray, lo: IntArray, d: IntArray) -> tuple[BoolArray, FloatArray]:
        """``k`` supplies ``d`` to ``lo``: allowed?, and the largest outcome shift (supply_capacity)."""
        kd, ld = k * n_issues + d, lo * n_issues + d  # flat cells: [k, d] = .ravel()[k·I + d]
        w_k, y_k, x_l, m_k = wf[kd], yf[kd], xf[ld], mf[kd]
        cap = np.minimum(
            np.where(c.total[d] > 0, w_k * np.abs(x_l - y_k) / c.safe[d], 0.0), np.abs(x_l - c.o[d])
        )
        direction = np.sign(x_l - y_k).astype(np.int64)
        opp = okf[kd] & okf[ld] & (sidef[kd] == -sidef[ld])
        return opp & ((m_k == 0) | (m_k == direction)) & (cap > 0), cap

    ok_p, cap_p = supply(i, j, p)
    ok_q, cap_q = supply(j, i, q)
    d_op, d_oq = moves_at_rate(cap_p, cap_q, rate_eq)
    gain = s_iq * d_oq - s_ip * d_op  # G_i = G_j (equal gain)
    valid = ok_p & ok_q & (gain > min_gain) & (d_op > 0) & (d_oq > 0)
    return Evaluation(
        valid=valid, gain=np.where(valid, gain, -np.inf), d_op=d_op, d_oq=d_oq, cap_p=cap_p, cap_q=cap_q
    )


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
    """Every exchange ``(i, j, p, q)`` as dense ``(A, A, I, I)`` arrays (:func:`static_pairs` + :func:`evaluate`)."""
    A, I = x.shape
    pairs = static_pairs(s, w, present)
    ev = evaluate(pairs, x, y, w, present, moved, min_gain=min_gain)
    idx = (pairs.i, pairs.j, pairs.p, pairs.q)

    def dense(values: np.ndarray, fill: float) -> FloatArray:
        out = np.full((A, A, I, I), fill)
        out[idx] = values
        return out

    valid = np.zeros((A, A, I, I), dtype=bool)
    valid[idx] = ev.valid
    return Candidates(
        valid=valid,
        gain=dense(ev.gain, -np.inf),
        d_op=dense(ev.d_op, 0.0),
        d_oq=dense(ev.d_oq, 0.0),
        rate_eq=dense(pairs.rate_eq, 0.0),
        rate_i=dense(pairs.rate_i, 0.0),
        rate_j=dense(pairs.rate_j, 0.0),
        cap_p=dense(ev.cap_p, 0.0),
        cap_q=dense(ev.cap_q, 0.0),
    )


def select(ev: Evaluation, *, tie_break: str, rng: np.random.Generator) -> int | None:
    """Index (into :class:`Pairs`) of the exchange with the highest gain, or None.

    Ties (within ``TIE_RTOL``): ``index`` = first in ``(p, q, i, j)`` order; ``random`` = uniform
    among the tied ones using ``rng`` (drawn only when there is a tie).
    """
    if not ev.valid.any():
        return None
    best = float(ev.gain.max())
    ties = np.flatnonzero(ev.valid & (ev.gain >= best - TIE_RTOL * max(1.0, abs(best))))
    if tie_break == "index" or ties.size == 1:
        return int(ties[0])
    return int(ties[int(rng.integers(ties.size))])


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

    Each step: find the valid candidate with the highest equal gain (the one :func:`select` picks
    among all candidates of :func:`evaluate`, found by ``kernels.exchange_search`` without
    evaluating them all), apply both moves to ``y``, update the outcome and repeat.
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
    pairs = static_pairs(s, w, present)
    eps = side_tolerance(x, present)
    cells = cell_state(x, y, w, present, eps)
    search = CandidateSearch(pairs, x, w, present, cells)
    for step in range(max_exchanges + 1):
        # a moved cell whose direction was reset (zero-length move) voids the static bound
        exhaustive = bool(((moved == 0) & (y != x)).any())
        pick = search.best(
            x,
            y,
            w,
            present,
            moved,
            min_gain=min_gain,
            tie_break=tie_break,
            rng=rng,
            evaluate=evaluate,
            tie_rtol=TIE_RTOL,
            exhaustive=exhaustive,
        )
        if pick is None:
            break
        if step == max_exchanges:
            res.capped = True
            break
        k, cap_k_p, cap_k_q = pick
        i, j, ip, iq = int(pairs.i[k]), int(pairs.j[k]), int(pairs.p[k]), int(pairs.q[k])
        rate = float(pairs.rate_eq[k])
        if p > 0:
            lo, hi = float(pairs.rate_i[k]), float(pairs.rate_j[k])
            rate = (1.0 - p) * rate + p * (lo + float(rng.random()) * (hi - lo))
        d_op_a, d_oq_a = moves_at_rate(cap_k_p, cap_k_q, rate)
        d_op, d_oq = float(d_op_a), float(d_oq_a)
        o0, total = cells.o, cells.total  # issue_outcome(y, w, present) before the moves
        yi0, yj0 = float(y[i, ip]), float(y[j, iq])
        y[i, ip] = _move(yi0, float(x[j, ip]), d_op * float(total[ip]) / float(w[i, ip]))
        y[j, iq] = _move(yj0, float(x[i, iq]), d_oq * float(total[iq]) / float(w[j, iq]))
        moved[i, ip] = int(np.sign(y[i, ip] - yi0))
        moved[j, iq] = int(np.sign(y[j, iq] - yj0))
        cells = cell_state(x, y, w, present, eps)
        search.update(cells)
        o1 = cells.o  # issue_outcome(y, w, present) after the moves
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
