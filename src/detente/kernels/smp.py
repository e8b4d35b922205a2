"""KTAB-style Spatial Model of Politics: distances, risk utilities, coalitions, PCE, challenges, bargains.

Clean-room implementation of models.md §6 (this project's formalisation of the SMP described in
KTAB's tutorial ``web/tutorial/SMPTutorial.md`` and Efird, Lester & Wise 2016, *J. East Asian
Studies* 16:117–145). Every function works on arrays with ONE leading batch axis ``B``:

    x, sal   (B, A, D)   positions (unit scale) and saliences σ_id of A actors on D dimensions
    c, S     (B, A)      capability (vote weight) and total salience S_i = Σ_d σ_id
    active   (B, A)      actors taking part (masked actors never vote, challenge or get challenged)

Pairwise steps build ``(B, A, A, A)`` temporaries (initiator × target × third party); callers
chunk the batch to bound memory. :func:`run` iterates turns until the KTAB stopping rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from detente._typing import BoolArray, FloatArray, IntArray

VOTING_RULES: tuple[str, ...] = ("prop", "binary", "propbin", "cubic", "propcbc", "asymprosp")
VICTORY_MODELS: tuple[str, ...] = ("linear", "square", "quartic", "octic", "binary")
BIG_R_RANGES: tuple[str, ...] = ("mid", "min", "max")
BIG_R_ADJUSTS: tuple[str, ...] = ("none", "half", "one_third", "two_thirds", "full")
THIRD_PARTY_COMMITS: tuple[str, ...] = ("semi", "full", "none")
INTER_VEC_BRGNS: tuple[str, ...] = ("s2p2", "s1p1")

COALITION_FLOOR = 1e-8  # models.md §6: C_ab = 1e-8 + Σ_k max(0, vote_k(a, b))
CHALLENGE_FLOOR = 1e-10  # models.md §6 step 3: C⁰_ij = 1e-10 + ...
MIN_GAIN = 1e-5  # models.md §6 step 4: targets need ΔEU_ij > 1e-5
BARGAIN_EPS = 1e-6  # models.md §6 step 5: ε in the interpolation weights


def distances(ideal: FloatArray, sal: FloatArray, points: FloatArray) -> FloatArray:
    """``δ_a(y_m) = sqrt(Σ_d σ_ad²(ξ_ad − y_md)² / Σ_d σ_ad²)`` (models.md §6), shape (B, A, M).

    ``ideal``/``sal`` (B, A, D), ``points`` (B, M, D). An actor with Σ σ² = 0 is indifferent (δ = 0).
    """
    s2 = sal * sal
    den = s2.sum(axis=-1)
    diff = ideal[:, :, None, :] - points[:, None, :, :]
    num = np.einsum("bad,bamd->bam", s2, diff * diff)
    ok = den > 0
    ratio = num / np.where(ok, den, 1.0)[:, :, None]
    return np.asarray(np.where(ok[:, :, None], np.sqrt(np.maximum(ratio, 0.0)), 0.0), dtype=np.float64)


def risk_utility(delta: FloatArray, r: FloatArray) -> FloatArray:
    """``u(δ; R) = (1 − δ)(1 + Rδ)`` for δ ≤ 1, ``(1 − δ)(1 + R)`` above (models.md §6)."""
    return np.asarray((1.0 - delta) * (1.0 + r * np.minimum(delta, 1.0)), dtype=np.float64)


def vote(w: FloatArray, du: FloatArray, rule: str) -> FloatArray:
    """Vote with weight ``w`` on utility difference ``Δu`` (models.md §6, ``VotingRule``)."""
    if rule == "prop":
        out = w * du
    elif rule == "binary":
        out = w * np.clip(du / 1e-8, -1.0, 1.0)
    elif rule == "propbin":
        out = w * (0.8 * du + 0.2 * np.clip(du / 1e-8, -1.0, 1.0))
    elif rule == "cubic":
        out = w * du**3
    elif rule == "propcbc":
        out = w * (0.5 * du + 0.5 * du**3)
    elif rule == "asymprosp":
        out = np.where(du < 0, w * du, (2.0 / 3.0) * w * du)
    else:  # pragma: no cover - validated by the model
        raise ValueError(rule)
    return np.asarray(out, dtype=np.float64)


def coalitions(util: FloatArray, w: FloatArray, rule: str) -> FloatArray:
    """``C[m, n] = 1e-8 + Σ_k max(0, vote(w_k, u_km − u_kn))`` (models.md §6), shape (B, M, M).

    ``util`` (B, K, M) utility of voter k for option m; ``w`` (B, K) vote weights (0 = no vote).
    """
    du = util[:, :, :, None] - util[:, :, None, :]
    v = vote(w[:, :, None, None], du, rule)
    return np.asarray(COALITION_FLOOR + np.maximum(v, 0.0).sum(axis=1), dtype=np.float64)


def victory(c: FloatArray, model: str) -> FloatArray:
    """``P[m, n] = f(C_mn) / (f(C_mn) + f(C_nm))`` (models.md §6, ``VictoryProbModel``)."""
    ct = np.swapaxes(c, -1, -2)
    if model == "linear":
        return np.asarray(c / (c + ct), dtype=np.float64)
    if model == "binary":
        # 1 when C_ab ≥ 1.1 C_ba, 0 when C_ba ≥ 1.1 C_ab, linear in C_ab/(C_ab+C_ba) in between
        share = c / (c + ct)
        lo, hi = 1.0 / 2.1, 1.1 / 2.1
        return np.asarray(np.clip((share - lo) / (hi - lo), 0.0, 1.0), dtype=np.float64)
    k = {"square": 2, "quartic": 4, "octic": 8}[model]
    # f(a)/(f(a)+f(b)) = 1/(1+(b/a)^k), stable for large coalitions
    return np.asarray(1.0 / (1.0 + (ct / c) ** k), dtype=np.float64)


def pce(p: FloatArray, mask: BoolArray) -> FloatArray:
    """Conditional PCE ``p_a ∝ Π_{b in set} P(a > b)`` over option sets (models.md §6).

    ``p`` (B, M, M) victory probabilities (diagonal ignored: ``P(a > a) = 1/2`` is a common factor);
    ``mask`` (B, Q, M) one option set per row. Returns (B, Q, M), zero outside the set. A set whose
    products all vanish (possible with ``binary`` victory) gets equal probabilities.
    """
    with np.errstate(divide="ignore"):
        lp = np.log(p)
    m = p.shape[-1]
    eye = np.eye(m, dtype=bool)
    lp = np.where(eye, np.log(0.5), lp)
    # logp[b,q,a] = Σ_b' mask[b,q,b'] log P[b,a,b'] (−inf where a loses for sure)
    contrib = np.where(mask[:, :, None, :], lp[:, None, :, :], 0.0)
    logp = contrib.sum(axis=-1)
    logp = np.where(mask, logp, -np.inf)
    top = logp.max(axis=-1, keepdims=True)
    finite = np.isfinite(top)
    e = np.where(finite, np.exp(logp - np.where(finite, top, 0.0)), mask.astype(np.float64))
    e = np.where(mask, e, 0.0)
    tot = e.sum(axis=-1, keepdims=True)
    return np.asarray(e / np.where(tot > 0, tot, 1.0), dtype=np.float64)


def risk_attitudes(p: FloatArray, active: BoolArray, mode: str) -> FloatArray:
    """Risk attitude from the PCE of current positions (models.md §6 step 1, ``BigRRange``).

    ``mid``: ``(3p − p_max − 2p_min)/(2(p_max − p_min))``; ``min``: ``(p − p_min)/(p_max − p_min)``;
    ``max``: ``(2p − p_max − p_min)/(p_max − p_min)``. All equal ⇒ R = 0 (risk neutral).
    """
    pmax = np.where(active, p, -np.inf).max(axis=-1, keepdims=True)
    pmin = np.where(active, p, np.inf).min(axis=-1, keepdims=True)
    span = pmax - pmin
    ok = np.isfinite(span) & (span > 1e-300)
    sp = np.where(ok, span, 1.0)
    # no active actor: pmax = -inf, pmin = inf; finite stand-ins keep "inf - inf" warnings away
    pmax, pmin = np.where(ok, pmax, 0.0), np.where(ok, pmin, 0.0)
    if mode == "mid":
        r = (3.0 * p - pmax - 2.0 * pmin) / (2.0 * sp)
    elif mode == "min":
        r = (p - pmin) / sp
    else:
        r = (2.0 * p - pmax - pmin) / sp
    return np.asarray(np.where(ok & active, r, 0.0), dtype=np.float64)


def perceived_risk(r: FloatArray, mode: str) -> FloatArray:
    """``R̂[h, i]``: h's estimate of i's risk attitude (models.md §6 step 2, ``BigRAdjust``), (B, A, A)."""
    rh = r[:, :, None]
    ri = r[:, None, :]
    share = {"none": 0.0, "half": 0.5, "one_third": 1.0 / 3.0, "two_thirds": 2.0 / 3.0, "full": 1.0}[mode]
    if mode == "one_third":
        out = (2.0 * rh + ri) / 3.0
    elif mode == "two_thirds":
        out = (rh + 2.0 * ri) / 3.0
    elif mode == "half":
        out = (rh + ri) / 2.0
    else:
        out = (1.0 - share) * rh + share * ri
    return np.asarray(out, dtype=np.float64)


def position_pce(delta: FloatArray, c: FloatArray, active: BoolArray, rule: str, vmodel: str) -> FloatArray:
    """PCE over the current positions with risk-neutral utilities ``1 − δ_k(x_a)`` (step 1), (B, A)."""
    util = 1.0 - delta
    cc = coalitions(util, np.where(active, c, 0.0), rule)
    return pce(victory(cc, vmodel), active[:, None, :])[:, 0, :]


def challenges(
    delta: FloatArray,
    r: FloatArray,
    rhat: FloatArray,
    s_tot: FloatArray,
    c: FloatArray,
    active: BoolArray,
    rule: str,
    commit: str,
) -> tuple[FloatArray, FloatArray]:
    """Expected gain ``ΔEU[i, j]`` of i challenging j and ``P[i, j]`` (models.md §6 step 3).

    ``delta[b, k, m] = δ_k(x_m)``; ``r`` (B, A) risk; ``rhat[b, h, i]`` perceived risk. Everything is
    seen from the initiator's view (h = i). Third parties k ∉ {i, j} vote with the ``semi``
    commitment formula; ``full``/``none`` make ``A = B`` so third parties abstain.
    Returns ``(dEU, P)`` of shape (B, A, A); invalid pairs (i = j, inactive) get ``dEU = -inf``.
    """
    B, A, _ = delta.shape
    w = s_tot * c
    dt = np.swapaxes(delta, 1, 2)  # dt[b, m, k] = δ_k(x_m)
    u_ij = risk_utility(delta, r[:, :, None])  # U_ij = u(δ_i(x_j); R_i)   (R̂_ii = R_i)
    u_ji = risk_utility(dt, rhat)  # U_ji = u(δ_j(x_i); R̂_ij)
    e_i = vote(w[:, :, None], 1.0 - u_ij, rule)  # U_ii − U_ij, U_ii = 1
    e_j = vote(w[:, None, :], u_ji - 1.0, rule)  # U_ji − U_jj, U_jj = 1
    c0_ij = CHALLENGE_FLOOR + np.maximum(e_i, 0.0) + np.maximum(e_j, 0.0)
    c0_ji = CHALLENGE_FLOOR + np.maximum(-e_i, 0.0) + np.maximum(-e_j, 0.0)
    c_ij = c0_ij
    c_ji = c0_ji
    if commit == "semi":
        # u_ki[b, i, k] = u(δ_k(x_i); R̂_ik) is u_ji with j -> k
        uki = u_ji[:, :, None, :]
        # u_kj[b, i, j, k] = u(δ_k(x_j); R̂_ik) = (1 − δ)(1 + R̂ min(δ, 1)), factors built on (B, A, A)
        one_minus = (1.0 - dt)[:, None, :, :]
        dmin = np.minimum(dt, 1.0)[:, None, :, :]
        u_kj = one_minus * (1.0 + rhat[:, :, None, :] * dmin)
        # third parties only (k ∉ {i, j}, active): others get vote weight 0, hence vote 0
        idx = np.arange(A)
        third = (idx[:, None, None] != idx[None, None, :]) & (idx[None, :, None] != idx[None, None, :])
        wk = np.where(third[None] & active[:, None, None, :], w[:, None, None, :], 0.0)
        v0 = vote(wk, uki - u_kj, rule)
        c0a = c0_ij[..., None]
        pi = (c0a + np.maximum(v0, 0.0)) / (c0a + c0_ji[..., None] + np.abs(v0))
        # semi commitment with U_kk = 1: A = π(2U_ki + 1) + (1−π)·3U_kj, B = π·3U_ki + (1−π)(2U_kj + 1),
        # so A − B = π(1 − U_ki) − (1 − π)(1 − U_kj)
        v = vote(wk, pi * (1.0 - uki) - (1.0 - pi) * (1.0 - u_kj), rule)
        c_ij = c0_ij + np.maximum(v, 0.0).sum(axis=-1)
        c_ji = c0_ji + np.maximum(-v, 0.0).sum(axis=-1)
    p = c_ij / (c_ij + c_ji)
    sj = s_tot[:, None, :]
    # ΔEU_ij = (1 − S_j)·2U_ii + S_j[P·2U_ii + (1 − P)·2U_ij] − (U_ii + U_ij), U_ii = 1
    deu = (1.0 - sj) * 2.0 + sj * (p * 2.0 + (1.0 - p) * 2.0 * u_ij) - (1.0 + u_ij)
    valid = active[:, :, None] & active[:, None, :] & ~np.eye(A, dtype=bool)[None]
    return np.asarray(np.where(valid, deu, -np.inf), dtype=np.float64), np.asarray(p, dtype=np.float64)


def bargain_positions(
    x_i: FloatArray,
    x_j: FloatArray,
    s_i: FloatArray,
    s_j: FloatArray,
    p: FloatArray,
    interp: str,
    decimals: int | None,
) -> tuple[FloatArray, FloatArray]:
    """Initiator and target positions of a bargain (models.md §6 step 5, ``InterVecBrgn``).

    ``s2p2``: ``a = σ_id² P²``, ``b = σ_jd² (1 − P)²``; ``s1p1``: exponents 1. Initiator
    ``((a+ε)x_i + b x_j)/(a+ε+b)``, target ``(a x_i + (ε+b) x_j)/(a+ε+b)``, rounded to ``decimals``
    (KTAB: 4 on the unit scale) and kept inside the pair's interval (rounding only).
    """
    k = 2 if interp == "s2p2" else 1
    pp = p[..., None]
    a = s_i**k * pp**k
    b = s_j**k * (1.0 - pp) ** k
    den = a + BARGAIN_EPS + b
    y_i = ((a + BARGAIN_EPS) * x_i + b * x_j) / den
    y_j = (a * x_i + (BARGAIN_EPS + b) * x_j) / den
    if decimals is not None:
        y_i = np.round(y_i, decimals)
        y_j = np.round(y_j, decimals)
    lo = np.minimum(x_i, x_j)
    hi = np.maximum(x_i, x_j)
    return np.asarray(np.clip(y_i, lo, hi), dtype=np.float64), np.asarray(
        np.clip(y_j, lo, hi), dtype=np.float64
    )


def choice_probabilities(
    x: FloatArray,
    sal: FloatArray,
    delta: FloatArray,
    r: FloatArray,
    c: FloatArray,
    active: BoolArray,
    y_init: FloatArray,
    y_tgt: FloatArray,
    target: IntArray,
    offered: BoolArray,
    rule: str,
    vmodel: str,
) -> FloatArray:
    """PCE over each actor's queue [status quo] + bargains it initiated or is targeted by (steps 6–7).

    Option 0 is the status quo, option ``1 + i`` the bargain initiated by ``i`` (initiator order).
    Utility of a state to actor ``a``: ``ū_a = (1/n) Σ_q u(δ_a(y_q); R_a)``; a bargain state differs
    from the status quo only in its two movers. Coalitions weighted by ``c``. Returns (B, A, 1 + A).
    """
    B, A, _ = x.shape
    n = np.maximum(active.sum(axis=-1), 1).astype(np.float64)[:, None]
    ra = r[:, :, None]
    u_now = np.where(active[:, None, :], risk_utility(delta, ra), 0.0)  # [b, a, q]
    u_sq = u_now.sum(axis=-1) / n  # (B, A)
    d_init = distances(x, sal, y_init)  # [b, a, m] = δ_a(y_init_m)
    d_tgt = distances(x, sal, y_tgt)
    tgt = np.where(offered, target, 0)
    u_tgt_now = np.take_along_axis(u_now, np.broadcast_to(tgt[:, None, :], u_now.shape), axis=-1)
    gain = (risk_utility(d_init, ra) - u_now) + (risk_utility(d_tgt, ra) - u_tgt_now)
    u_opts = np.concatenate([u_sq[:, :, None], u_sq[:, :, None] + gain / n[:, :, None]], axis=-1)
    cc = coalitions(u_opts, np.where(active, c, 0.0), rule)
    pv = victory(cc, vmodel)
    idx = np.arange(A)
    mine = offered[:, None, :] & (
        (idx[None, :, None] == idx[None, None, :]) | (tgt[:, None, :] == idx[None, :, None])
    )
    queue = np.concatenate([np.ones((B, A, 1), dtype=bool), mine], axis=-1)
    return pce(pv, queue)


@dataclass
class Params:
    """Variant settings of one run (names follow models.md §6)."""

    victory_prob_model: str = "linear"
    voting_rule: str = "prop"
    state_transitions: str = "deterministic"
    big_r_range: str = "mid"
    big_r_adjust: str = "one_third"
    third_party_commit: str = "semi"
    inter_vec_brgn: str = "s2p2"
    round_decimals: int | None = 4
    max_turns: int = 100
    stop_ratio: float = 0.02
    cycle_tol: float = 1e-9
    cycle_max_period: int = 50


@dataclass
class Turn:
    """Everything decided in one turn (batch-first)."""

    risk: FloatArray  # (B, A)
    p_pos: FloatArray  # (B, A) PCE of the current positions
    deu: FloatArray  # (B, A, A)
    p_win: FloatArray  # (B, A, A)
    target: IntArray  # (B, A) best target of each initiator
    offered: BoolArray  # (B, A) a bargain was proposed
    y_init: FloatArray  # (B, A, D)
    y_tgt: FloatArray  # (B, A, D)
    probs: FloatArray  # (B, A, 1 + A) choice PCE per actor queue
    choice: IntArray  # (B, A) chosen option (0 = status quo, 1 + i = bargain of i)
    new_x: FloatArray  # (B, A, D)


def turn(
    x: FloatArray,
    sal: FloatArray,
    c: FloatArray,
    active: BoolArray,
    prm: Params,
    uniforms: FloatArray | None = None,
) -> Turn:
    """One SMP turn (models.md §6 steps 1–8). ``uniforms`` (B, A) drive stochastic transitions."""
    B, A, D = x.shape
    s_tot = sal.sum(axis=-1)
    delta = distances(x, sal, x)  # [b, k, m] = δ_k(x_m), ideals = current positions
    p_pos = position_pce(delta, c, active, prm.voting_rule, prm.victory_prob_model)
    r = risk_attitudes(p_pos, active, prm.big_r_range)
    rhat = perceived_risk(r, prm.big_r_adjust)
    deu, p_win = challenges(delta, r, rhat, s_tot, c, active, prm.voting_rule, prm.third_party_commit)
    target = np.argmax(deu, axis=-1).astype(np.int64)  # first on ties
    best = np.take_along_axis(deu, target[:, :, None], axis=-1)[:, :, 0]
    offered = active & (best > MIN_GAIN)
    p_t = np.take_along_axis(p_win, target[:, :, None], axis=-1)[:, :, 0]
    x_t = np.take_along_axis(x, np.broadcast_to(target[:, :, None], (B, A, D)), axis=1)
    s_t = np.take_along_axis(sal, np.broadcast_to(target[:, :, None], (B, A, D)), axis=1)
    y_init, y_tgt = bargain_positions(x, x_t, sal, s_t, p_t, prm.inter_vec_brgn, prm.round_decimals)
    probs = choice_probabilities(
        x, sal, delta, r, c, active, y_init, y_tgt, target, offered, prm.voting_rule, prm.victory_prob_model
    )
    if prm.state_transitions == "deterministic" or uniforms is None:
        choice = np.argmax(probs, axis=-1).astype(np.int64)
    else:
        cdf = np.cumsum(probs, axis=-1)
        cdf = cdf / np.where(cdf[..., -1:] > 0, cdf[..., -1:], 1.0)
        choice = (uniforms[..., None] >= cdf).sum(axis=-1).astype(np.int64)
        choice = np.minimum(choice, A)
        # never land on an option outside the queue (zero-probability steps of the cdf)
        ok = np.take_along_axis(probs, choice[..., None], axis=-1)[..., 0] > 0
        choice = np.where(ok, choice, np.argmax(probs, axis=-1))
    m = np.maximum(choice - 1, 0)
    idx = np.arange(A)[None, :]
    is_init = (choice > 0) & (m == idx)
    is_tgt = (choice > 0) & (m != idx)
    yi = np.take_along_axis(y_init, np.broadcast_to(m[:, :, None], (B, A, D)), axis=1)
    yt = np.take_along_axis(y_tgt, np.broadcast_to(m[:, :, None], (B, A, D)), axis=1)
    new_x = np.where(is_init[..., None], yi, np.where(is_tgt[..., None], yt, x))
    return Turn(
        r,
        p_pos,
        deu,
        p_win,
        target,
        offered,
        y_init,
        y_tgt,
        probs,
        choice,
        np.asarray(new_x, dtype=np.float64),
    )


@dataclass
class RunResult:
    """Output of :func:`run` for a batch (trajectories padded with the final state)."""

    trajectory: FloatArray  # (B, T+1, A, D)
    risk: FloatArray  # (B, T+1, A): risk attitude computed from each state
    pce: FloatArray  # (B, T+1, A): PCE probability of each actor's position in each state
    rounds: IntArray  # (B,)
    status: np.ndarray  # (B,) converged | cycled | capped
    period: IntArray  # (B,)
    ratio: FloatArray  # (B,) last KTAB change ratio
    events: dict[str, list[np.ndarray]] = field(default_factory=dict)  # moves (accepted bargains)
    proposals: dict[str, list[np.ndarray]] = field(default_factory=dict)  # every challenge made


def _stop_ratio(traj: list[FloatArray], present: BoolArray) -> FloatArray:
    """KTAB rule: ``Σ_i‖x_i^t − x_i^{t−1}‖ / (Σ_i‖x_i^1 − x_i^0‖ + 1e-4)`` (models.md §6 Stop)."""
    first = np.sqrt((np.where(present, traj[1] - traj[0], 0.0) ** 2).sum(-1)).sum(-1)
    last = np.sqrt((np.where(present, traj[-1] - traj[-2], 0.0) ** 2).sum(-1)).sum(-1)
    return np.asarray(last / (first + 1e-4), dtype=np.float64)


def run(
    x0: FloatArray,
    sal: FloatArray,
    c: FloatArray,
    active: BoolArray,
    present: BoolArray,
    prm: Params,
    gens: list[np.random.Generator] | None = None,
    record_events: bool = True,
) -> RunResult:
    """Iterate turns from ``x0`` until the KTAB stopping rule, a cycle, or ``max_turns``.

    Stop (models.md §6): at turn ``t ≥ 2`` when the change ratio is below ``stop_ratio``
    (``converged``); §0 cycle detection: the state recurs, ``max|x^t − x^{t−p}| ≤ cycle_tol``
    for ``2 ≤ p ≤ cycle_max_period`` (``cycled``); else ``capped``. Stopped batch elements are
    frozen (later states repeat the last one). ``present`` (B, A, D) selects which coordinates
    count in the change ratio. Stochastic transitions draw, for every batch element ``b`` still
    running, one uniform per actor and turn from ``gens[b]`` (one generator per element, so results
    do not depend on how the batch is chunked).
    """
    B, A, D = x0.shape
    traj: list[FloatArray] = [np.asarray(x0, dtype=np.float64)]
    risks: list[FloatArray] = []
    pces: list[FloatArray] = []
    running = np.ones(B, dtype=bool)
    rounds = np.zeros(B, dtype=np.int64)
    status = np.full(B, "capped", dtype="<U12")
    period = np.zeros(B, dtype=np.int64)
    ratio = np.full(B, np.nan)
    ev: dict[str, list[np.ndarray]] = {}
    prop: dict[str, list[np.ndarray]] = {}
    x = traj[0]
    stochastic = prm.state_transitions == "stochastic"
    for t in range(1, prm.max_turns + 1):
        idx = np.flatnonzero(running)
        u = None
        if stochastic:
            if gens is None:
                raise ValueError("stochastic transitions need one generator per batch element")
            u = np.stack([gens[b].random(A) for b in idx])
        tr = turn(x[idx], sal[idx], c[idx], active[idx], prm, u)
        r_full = np.zeros((B, A)) if not risks else risks[-1].copy()
        r_full[idx] = tr.risk
        risks.append(r_full)
        p_full = np.zeros((B, A)) if not pces else pces[-1].copy()
        p_full[idx] = tr.p_pos
        pces.append(p_full)
        new_x = x.copy()
        new_x[idx] = tr.new_x
        traj.append(new_x)
        rounds[idx] = t
        if record_events:
            _record(ev, prop, idx, t, x[idx], tr)
        x = new_x
        if t >= 2:
            rt = _stop_ratio(traj, present)
            ratio[idx] = rt[idx]
            conv = running & (rt < prm.stop_ratio)
            status[conv] = "converged"
            running &= ~conv
        for p in range(2, min(prm.cycle_max_period, t) + 1):
            dev = np.abs(traj[t] - traj[t - p]).max(axis=(-2, -1))
            step = np.abs(traj[t] - traj[t - 1]).max(axis=(-2, -1))
            cyc = running & (dev <= prm.cycle_tol) & (step > prm.cycle_tol)
            if cyc.any():
                status[cyc] = "cycled"
                period[cyc] = p
                running &= ~cyc
        if not running.any():
            break
    # risk attitude of the final state (for completeness of the (T+1) series)
    delta = distances(x, sal, x)
    p_pos = position_pce(delta, c, active, prm.voting_rule, prm.victory_prob_model)
    r_last = risk_attitudes(p_pos, active, prm.big_r_range)
    risk_series = np.stack(risks + [r_last], axis=1)
    pce_series = np.stack(pces + [p_pos], axis=1)
    # frozen elements: values after their stop equal those of their final state
    T = len(traj) - 1
    tt = np.arange(T + 1)[None, :]
    frozen = (tt >= rounds[:, None])[..., None]
    risk_series = np.where(frozen, r_last[:, None, :], risk_series)
    pce_series = np.where(frozen, p_pos[:, None, :], pce_series)
    return RunResult(np.stack(traj, axis=1), risk_series, pce_series, rounds, status, period, ratio, ev, prop)


def _record(
    ev: dict[str, list[np.ndarray]],
    prop: dict[str, list[np.ndarray]],
    idx: IntArray,
    t: int,
    x: FloatArray,
    tr: Turn,
) -> None:
    """Append this turn's rows (one per dimension) to the move log ``ev`` and proposal log ``prop``.

    Moves (actual position changes from an accepted bargain), told from the mover's side as the
    generic narratives read them (``actor`` moved because of ``counterpart``):

    - ``challenge``: the *target* of a challenge accepted the bargain and moved; ``counterpart`` =
      initiator, ``value`` = the initiator's expected gain ``ΔEU``;
    - ``bargain``: the *initiator* adopted its own bargain and moved; ``counterpart`` = target,
      ``value`` = the PCE probability of that bargain in its queue.

    Proposals (every initiator, every turn, whether or not anyone accepted): ``actor`` =
    initiator, ``counterpart`` = best target, ``before``/``after`` = the initiator's position and
    its side of the proposed bargain, ``value`` = ``ΔEU``; extras hold the target's side and who
    accepted.
    """
    Bn, A, D = x.shape
    bi, ai = np.nonzero(np.isfinite(tr.deu).any(axis=-1))  # initiators with at least one possible target
    if len(bi):
        tg = tr.target[bi, ai]
        rows = len(bi) * D
        offered = tr.offered[bi, ai]
        chose_t = offered & (tr.choice[bi, tg] == ai + 1)
        chose_i = offered & (tr.choice[bi, ai] == ai + 1)
        _append(
            prop,
            batch=np.repeat(idx[bi], D),
            round=np.full(rows, t),
            kind=np.full(rows, "challenge"),
            actor=np.repeat(ai, D),
            counterpart=np.repeat(tg, D),
            issue=np.tile(np.arange(D), len(bi)),
            before=x[bi, ai].reshape(-1),
            after=np.where(offered[:, None], tr.y_init[bi, ai], x[bi, ai]).reshape(-1),
            value=np.repeat(tr.deu[bi, ai, tg], D),
            target_before=x[bi, tg].reshape(-1),
            target_after=np.where(offered[:, None], tr.y_tgt[bi, ai], x[bi, tg]).reshape(-1),
            p_win=np.repeat(tr.p_win[bi, ai, tg], D),
            offered=np.repeat(offered, D).astype(np.float64),
            accepted_by_initiator=np.repeat(chose_i, D).astype(np.float64),
            accepted_by_target=np.repeat(chose_t, D).astype(np.float64),
        )
    bk, ak = np.nonzero(tr.choice > 0)
    if len(bk):
        m = tr.choice[bk, ak] - 1  # initiator of the chosen bargain
        tg = tr.target[bk, m]
        own = m == ak
        other = np.where(own, tg, m)
        before = x[bk, ak]  # (n, D)
        after = tr.new_x[bk, ak]
        moved = before != after
        r, d = np.nonzero(moved)
        if len(r):
            deu = tr.deu[bk, m, tg]
            cp = tr.probs[bk, ak, m + 1]
            _append(
                ev,
                batch=idx[bk][r],
                round=np.full(len(r), t),
                kind=np.where(own[r], "bargain", "challenge"),
                actor=ak[r],
                counterpart=other[r],
                issue=d,
                before=before[r, d],
                after=after[r, d],
                value=np.where(own[r], cp[r], deu[r]),
                initiator=m[r].astype(np.float64),
                target=tg[r].astype(np.float64),
                p_win=tr.p_win[bk, m, tg][r],
                delta_eu=deu[r],
                choice_prob=cp[r],
            )


def _append(ev: dict[str, list[np.ndarray]], **cols: np.ndarray) -> None:
    for k, v in cols.items():
        ev.setdefault(k, []).append(np.asarray(v))
