"""Step 3 of a month, the talks: war values, aspirations, ``K`` alternating offers (simulator.md §4 step 3).

:func:`negotiate` runs one month of talks: :func:`open_talks` (each side's value of continuing the war and
its aspiration, fixed for the month), then ``substeps`` offers (:func:`offer_step`) with alternating first
mover: R proposes (:func:`offer_by_R`, U answers with :func:`answer_by_U`) or U proposes
(:func:`offer_by_U`, R answers with :func:`answer_by_R`, whose replies move U's and the public's beliefs);
an accepted offer is a comprehensive settlement (:func:`settle`) or a ceasefire (:func:`sign_ceasefire`).
Offers are the package best for the other side among those worth at least the proposer's aspiration,
looked up in the offer tables of :class:`~detente.sim.tables.Tables`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente._typing import BoolArray, FloatArray, IntArray
from detente.sim import policies as pol
from detente.sim.config import GameConfig
from detente.sim.state import SETTLEMENT, BlockRNG, Log, Month, State
from detente.sim.tables import Tables


@dataclass
class Talks:
    """A month's talks: values fixed for the month (``(2, N)`` arrays: R limited, maximal) and its tallies."""

    ri: IntArray  # reference line of each run (the front on the terr grid)
    VwR: FloatArray  # (2, N) R's value of continuing the war (no deal), by type
    VwU: FloatArray  # U's
    aR: FloatArray  # (2, N) R's aspiration (absolute utility), by type
    aU: FloatArray
    aR_ns: FloatArray  # a non-stalling maximal R's aspiration, as observers see it
    aR_st: FloatArray  # a stalling maximal R's
    cfR_now: FloatArray  # (2, N, C) R's utility of each ceasefire candidate at today's line
    cfU_now: FloatArray  # (N, C) U's
    sq: IntArray  # status quo of a settlement: running ceasefire x its age (0 = none)
    mu_idx: IntArray  # U's belief on the grid of its offer tables
    aR_true: FloatArray  # (N,) R's aspiration for its true type
    VwR_true: FloatArray  # (N,) R's war value for its true type
    llr: FloatArray  # log P(R's replies | maximal) - log P(... | limited), this month
    agreed: BoolArray  # runs with an accepted offer this month
    # each side's ceasefire choice as if every run could take a ceasefire: fixed for the month (the values,
    # ``imposed`` and ``mu`` do not change during the talks), so it is worked out once per month and side
    # and masked by the sub-step's ``allow_cf`` (:func:`_cf_choice_R`, :func:`_cf_choice_U`)
    memo: dict[str, Any] = field(default_factory=dict)


@dataclass
class Offer:
    """One sub-step's offers (``N`` runs): a ceasefire candidate ``ci`` or a package ``gi`` of the grid."""

    imposed: BoolArray  # made under US pressure on the responder (mediator-imposed)
    ci: IntArray
    gi: IntArray
    use_cf: BoolArray  # the offer is the ceasefire (else the package)
    serious: BoolArray  # there is an offer at all (else only a demand the other side cannot accept)
    h: FloatArray  # breakdown hazard of the offer


def war_values(
    cfg: GameConfig, tb: Tables, st: State, mo: Month, ri: IntArray, tq_R: FloatArray, tq_U: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Each side's value of no deal this month (simulator.md §4.3; Fearon 1995 proxy): ``(VwR, VwU)``.

    ``w_terr E[value of the share by war] + no-deal values of the other issues - c L`` (``c_R`` under
    sanctions, ``L`` discounted; R's value also moved by the summit). The share is the expected front after
    ``L_war`` months of the battle lottery (``war_share='front'``) or ``p_t`` (``'p'``), valued against the
    line held now (loss aversion, Levy 1996) by quadrature over its spread. During a ceasefire the no-deal
    value is the ceasefire itself (its expected survival from its age), never below war: outside options
    bind only when better (Powell 1996). ``ri``: each run's reference line; ``tq_R``, ``tq_U``: the value of
    the line held (:func:`line_values`).
    """
    v, wR, wU = cfg.values, tb.wR, tb.wU
    ref = tb.refs[ri]
    if v.war_share == "p":
        share_R = mo.p
    else:  # expected front after L months of the battle lottery (step 5)
        share_R = np.clip(st.q + cfg.fighting.drift * (mo.p - 0.5) * v.L_war, 0.0, 1.0)
    ev_R, ev_U = pol.expected_terr_values(share_R, tb.sd_war, ref, tb.lam, tb.rho)
    VwR = (
        wR[:, 0][:, None] * ev_R[None, :]
        + wR[:, 4][:, None]
        - (mo.c_R * tb.LR_eff)[None, :]
        + st.shift_R[None, :]
    )
    VwU = wU[0] * ev_U + wU[1] + wU[2] + wU[3] - cfg.fighting.c_U * tb.LU_eff
    if st.in_cf.any():
        Dc = np.exp(-(tb.cum_h(st.cf_h, st.cf_age + v.L_deal) - tb.cum_h(st.cf_h, st.cf_age)))
        cur_R = tb.cfR_base[:, st.cf_ci] + wR[:, 0][:, None] * tq_R[None, :]
        cur_U = tb.cfU_base[st.cf_ci] + wU[0] * tq_U
        VwR = np.where(st.in_cf[None, :], np.maximum(VwR, Dc * cur_R + (1 - Dc) * VwR), VwR)
        VwU = np.where(st.in_cf, np.maximum(VwU, Dc * cur_U + (1 - Dc) * VwU), VwU)
    return VwR, VwU


def line_values(tb: Tables, st: State) -> tuple[IntArray, FloatArray, FloatArray]:
    """Each run's reference line (the front on the terr grid) and each side's value of the line ``q`` itself
    against it (a ceasefire freezes ``q``; loss aversion, Levy 1996)."""
    ri = np.clip(np.rint(st.q * (pol.TERR_STEPS - 1)).astype(np.int64), 0, pol.TERR_STEPS - 1)
    ref = tb.refs[ri]
    return ri, pol.terr_value(st.q, ref, tb.lam, "R", tb.rho), pol.terr_value(st.q, ref, tb.lam, "U", tb.rho)


def aspirations(
    cfg: GameConfig, tb: Tables, st: State, ri: IntArray, VwR: FloatArray, VwU: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Aspirations with pressure time (simulator.md §4.3; Faratin, Sierra & Jennings 1998).

    ``a(tau) = r + (1 - r)(1 - tau^(1/e))`` on each side's utility range at its reference line, with
    ``r`` the war value's place in that range and pressure time ``tau = C / Cmax + pressure_step x US
    pressure steps`` (clipped to [0, 1]); the equilibrium policy aspires to the war value. A stalling
    maximal R aspires to within ``stall_band`` of its best (Langlois & Langlois 2009, 2012). Returns R's
    ``(2, N)``, U's, and the observers' view of a non-stalling and a stalling maximal R (absolute utilities).
    """
    o, eq = cfg.offers, tb.eq
    step = cfg.mediation.pressure_step
    tauR = np.clip(st.C_R / o.Cmax_R + step * st.steps_R, 0, 1)
    tauU = np.clip(st.C_U / o.Cmax_U + step * st.steps_U, 0, 1)
    mnR, mxR = tb.minR[:, ri], tb.maxR[:, ri]  # (2, N) utility range at each run's reference line
    mnU, mxU = tb.minU[ri], tb.maxU[ri]
    rR = np.clip((VwR - mnR) / (mxR - mnR), 0, 1)  # (2, N)
    rU = np.clip((VwU - mnU) / (mxU - mnU), 0, 1)
    if eq:
        aR_n, aU_n = rR, rU
    else:
        aR_n = pol.aspiration(rR, tauR[None, :], o.e_R)
        aU_n = pol.aspiration(rU, tauU, o.e_U)
    aR_n = aR_n.copy()
    aR_n[1] = np.where(st.stalling, np.maximum(aR_n[1], 1 - o.stall_band), aR_n[1])
    # a non-stalling maximal type, as seen by observers: same aspiration without the floor
    aR_ns = pol.aspiration(rR[1], tauR, o.e_R) if not eq else rR[1]
    aR_st = np.maximum(aR_ns, 1 - o.stall_band)
    aR = mnR + aR_n * (mxR - mnR)  # (2, N) absolute
    aR_ns_abs, aR_st_abs = mnR[1] + aR_ns * (mxR[1] - mnR[1]), mnR[1] + aR_st * (mxR[1] - mnR[1])
    aU = mnU + aU_n * (mxU - mnU)
    return aR, aU, aR_ns_abs, aR_st_abs


def open_talks(cfg: GameConfig, tb: Tables, st: State, mo: Month) -> Talks:
    """The month's :class:`Talks`: war values, aspirations, ceasefire values and status quo (§4.3)."""
    N = len(st.runs)
    ri, tq_R, tq_U = line_values(tb, st)
    VwR, VwU = war_values(cfg, tb, st, mo, ri, tq_R, tq_U)
    aR, aU, aR_ns, aR_st = aspirations(cfg, tb, st, ri, VwR, VwU)
    wR, wU = tb.wR, tb.wU
    n_freeze = cfg.ceasefire.n_freeze
    return Talks(
        ri=ri,
        VwR=VwR,
        VwU=VwU,
        aR=aR,
        aU=aU,
        aR_ns=aR_ns,
        aR_st=aR_st,
        cfR_now=tb.cfR_base[:, None, :] + wR[:, 0][:, None, None] * tq_R[None, :, None],  # (2, N, C)
        cfU_now=tb.cfU_base[None, :] + wU[0] * tq_U[:, None],  # (N, C)
        # status quo of a settlement: the running ceasefire and its age (else no deal, age 0)
        sq=np.where(st.in_cf, st.cf_ci * tb.n_age + np.clip(st.cf_age, 0, n_freeze).astype(np.int64), 0),
        mu_idx=np.clip(np.rint(st.mu * 20).astype(np.int64), 0, 20),
        aR_true=aR[st.typ, st.runs],
        VwR_true=VwR[st.typ, st.runs],
        llr=np.zeros(N),
        agreed=np.zeros(N, dtype=bool),
    )


def _grid_offers(
    tb: Tables, who: int, row: IntArray, k: Talks, allow_grid: BoolArray, asp: FloatArray
) -> IntArray:
    """The grid package each run in ``allow_grid`` offers: one table look-up per (type or belief, line, sq).

    ``who`` 0: R with type ``row``; 1: U with belief index ``row``; ``asp`` is the proposer's aspiration.
    Only the runs in ``allow_grid`` (a few: packages wait for an old enough ceasefire) are looked at,
    sorted by table key so that each table's runs are one slice.
    """
    n_sq = tb.n_sq
    gi = np.zeros(len(row), dtype=np.int64)
    idx = np.flatnonzero(allow_grid)
    if idx.size == 0:
        return gi
    key = (row[idx] * pol.TERR_STEPS + k.ri[idx]) * n_sq + k.sq[idx]
    order = np.argsort(key, kind="stable")
    ks, idx, a = key[order], idx[order], asp[idx][order]
    starts = np.flatnonzero(np.concatenate(([True], ks[1:] != ks[:-1])))
    ends = [*starts[1:].tolist(), len(ks)]
    for s, e, kk in zip(starts.tolist(), ends, ks[starts].tolist(), strict=True):
        a_, s_ = divmod(kk, n_sq)
        tab = tb.table(who, a_ // pol.TERR_STEPS, a_ % pol.TERR_STEPS, s_)
        gi[idx[s:e]] = pol.offer_lookup(tab, a[s:e])[0]
    return gi


def _ceasefire_hazards(cfg: GameConfig, tb: Tables, imposed: BoolArray) -> tuple[FloatArray, FloatArray]:
    """Hazard ``h`` ``(N, C)`` of each ceasefire candidate offered now, and its survival over ``L_deal``.

    A run's row depends only on ``imposed``: the two possible rows are computed once and gathered
    (the same element-wise arithmetic as broadcasting over the runs, so the same numbers).
    """
    both = np.array([False, True])
    h2 = np.exp(tb.logh_cf[None, :] + cfg.ceasefire.b_imposed * both[:, None])  # (2, C)
    D2 = np.exp(-h2 * tb.H_deal)
    pick = imposed.astype(np.intp)
    return h2[pick], D2[pick]


def _cf_choice_R(
    cfg: GameConfig, tb: Tables, st: State, k: Talks, imposed: BoolArray
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray]:
    """R's best ceasefire for U among those worth its aspiration, every run allowed (once per month).

    Returns the candidate ``ci`` (0 when none is acceptable), U's value of it (``-inf`` when none), its
    hazard and U's expected utility of it (ceasefire part of :func:`offer_by_R`)."""
    memo = k.memo.get("R")
    if memo is None:
        runs = st.runs
        h_cf, D_cf = _ceasefire_hazards(cfg, tb, imposed)
        cfR_true = np.where(st.typ[:, None] == 1, k.cfR_now[1], k.cfR_now[0])  # k.cfR_now[typ, runs]
        own_cf = D_cf * cfR_true + (1 - D_cf) * k.VwR_true[:, None]
        opp_cf_all = D_cf * k.cfU_now + (1 - D_cf) * k.VwU[:, None]
        bundle = ~(st.maximal[:, None] & ~tb.cf_partial[None, :])
        ok_cf = (own_cf >= k.aR_true[:, None]) & bundle
        opp_cf = np.where(ok_cf, opp_cf_all, -np.inf)
        ci = np.argmax(opp_cf, axis=1)
        memo = k.memo["R"] = (ci, opp_cf[runs, ci], h_cf[runs, ci], opp_cf_all[runs, ci])
    return memo


def _cf_choice_U(
    cfg: GameConfig, tb: Tables, st: State, k: Talks, imposed: BoolArray
) -> tuple[FloatArray, IntArray, FloatArray, IntArray, FloatArray]:
    """U's ceasefire choices, every run allowed (once per month; ceasefire part of :func:`offer_by_U`).

    Returns the hazards ``(N, C)``, the best ceasefire for R (as U estimates R) among those worth U's
    aspiration and its value (``-inf`` when none), and the screening candidate (best for a limited R
    among those U prefers to war) and its value."""
    memo = k.memo.get("U")
    if memo is None:
        runs, mu = st.runs, st.mu
        h_cf, D_cf = _ceasefire_hazards(cfg, tb, imposed)
        own_cf = D_cf * k.cfU_now + (1 - D_cf) * k.VwU[:, None]
        estR = [D_cf * k.cfR_now[i] + (1 - D_cf) * k.VwR[i][:, None] for i in range(2)]
        est_cf = (1 - mu)[:, None] * estR[0] + mu[:, None] * estR[1]
        opp_cf = np.where(own_cf >= k.aU[:, None], est_cf, -np.inf)
        ci = np.argmax(opp_cf, axis=1)
        scr = np.where(own_cf >= k.VwU[:, None], estR[0], -np.inf)
        si = np.argmax(scr, axis=1)
        memo = k.memo["U"] = (h_cf, ci, opp_cf[runs, ci], si, scr[runs, si])
    return memo


def offer_by_R(
    cfg: GameConfig, tb: Tables, st: State, k: Talks, mo: Month, allow_cf: BoolArray, allow_grid: BoolArray
) -> tuple[Offer, FloatArray]:
    """R proposes (simulator.md §4.3): the offer best for U (expected utility with deal survival ``D``) among
    those worth at least R's aspiration; a maximal R offers no stand-alone ceasefire (bundling rule, §3).

    Ceasefire candidates where ``allow_cf``, grid packages where ``allow_grid``; the ceasefire is offered when
    no package is acceptable to R or U prefers it. Returns the offer and U's expected utility of it.
    """
    typ = st.typ
    aR_true = k.aR_true
    imposed = mo.on_U & (cfg.mediation.lambda_US > 0)
    ci_all, best_all, h_all, value_all = _cf_choice_R(cfg, tb, st, k, imposed)
    ci = np.where(allow_cf, ci_all, 0)  # a run that may not take a ceasefire: no candidate (argmax of -inf)
    best_cf = np.where(allow_cf, best_all, -np.inf)
    gi = _grid_offers(tb, 0, typ, k, allow_grid, aR_true)
    ri, sq = k.ri, k.sq
    h_g = np.exp(tb.logh_grid[gi] + cfg.ceasefire.b_imposed * imposed)
    # the package's value only where a package may be offered (elsewhere grid_ok is False and the value unused)
    g = np.flatnonzero(allow_grid)
    rg, sg, gg, tg = ri[g], sq[g], gi[g], typ[g]
    D_g = np.exp(-h_g[g] * tb.H_deal)
    opp_grid = np.zeros(len(gi))
    opp_grid[g] = D_g * tb.VU[rg, gg] + (1 - D_g) * k.VwU[g] - tb.ACU[sg, gg] - tb.recU[rg, gg]
    grid_ok = np.zeros(len(gi), dtype=bool)
    grid_ok[g] = tb.VR[tg, rg, gg] - tb.ACR[tg, sg, gg] >= aR_true[g] - 1e-12
    use_cf = np.isfinite(best_cf) & (~grid_ok | (best_cf > opp_grid))
    serious = use_cf | grid_ok  # else only R's capitulatory demand: no acceptable offer
    h = np.where(use_cf, h_all, h_g)  # use_cf only where allow_cf: there ci is ci_all
    value_U = np.where(use_cf, value_all, opp_grid)
    return Offer(imposed=imposed, ci=ci, gi=gi, use_cf=use_cf, serious=serious, h=h), value_U


def answer_by_U(
    cfg: GameConfig,
    k: Talks,
    mo: Month,
    o: Offer,
    value_U: FloatArray,
    neg: BoolArray,
    eps: FloatArray | float,
) -> BoolArray:
    """U accepts iff ``EU - AC + M >= max(V_war, a) + eps`` (simulator.md §4.3; ``M = lambda_US`` when the US
    presses U; ``eps ~ Logistic(0, tau_q)``)."""
    EU = value_U + cfg.mediation.lambda_US * mo.on_U
    acc: BoolArray = neg & o.serious & (EU >= np.maximum(k.VwU, k.aU) + eps)
    return acc


def offer_by_U(
    cfg: GameConfig,
    tb: Tables,
    st: State,
    k: Talks,
    mo: Month,
    neg: BoolArray,
    allow_cf: BoolArray,
    allow_grid: BoolArray,
) -> Offer:
    """U proposes (simulator.md §4.3): the offer best for R's utility as U estimates it (belief ``mu`` over
    R's types) among those worth at least U's aspiration.

    Screening (``screening``; Powell 2004; column: 'Ukraine participates in negotiations even when we know
    in advance that no ceasefire agreement will be reached'): with nothing meeting its aspiration, U offers
    the ceasefire best for a limited R among those it prefers to war.
    """
    runs, mu, ri, sq = st.runs, st.mu, k.ri, k.sq
    imposed = mo.on_R & (cfg.mediation.lambda_US > 0)
    h_cf, ci_all, best_all, si_all, scr_all = _cf_choice_U(cfg, tb, st, k, imposed)
    ci = np.where(allow_cf, ci_all, 0)  # a run that may not take a ceasefire: no candidate (argmax of -inf)
    best_cf = np.where(allow_cf, best_all, -np.inf)
    gi = _grid_offers(tb, 1, k.mu_idx, k, allow_grid, k.aU)
    h_g = np.exp(tb.logh_grid[gi] + cfg.ceasefire.b_imposed * imposed)
    # the package's value only where a package may be offered (elsewhere grid_ok is False and the value unused)
    g = np.flatnonzero(allow_grid)
    rg, sg, gg, mg = ri[g], sq[g], gi[g], mu[g]
    D_g = np.exp(-h_g[g] * tb.H_deal)
    VR, ACR = tb.VR, tb.ACR
    est_grid = np.zeros(len(gi))
    est_grid[g] = (
        D_g * ((1 - mg) * VR[0, rg, gg] + mg * VR[1, rg, gg])
        + (1 - D_g) * ((1 - mg) * k.VwR[0][g] + mg * k.VwR[1][g])
        - ((1 - mg) * ACR[0, sg, gg] + mg * ACR[1, sg, gg])
    )
    grid_ok = np.zeros(len(gi), dtype=bool)
    grid_ok[g] = tb.VU[rg, gg] - tb.ACU[sg, gg] - tb.recU[rg, gg] >= k.aU[g] - 1e-12
    use_cf = np.isfinite(best_cf) & (~grid_ok | (best_cf > est_grid))
    serious = use_cf | grid_ok
    if cfg.offers.screening:
        si = np.where(allow_cf, si_all, 0)
        screen = neg & ~serious & allow_cf & np.isfinite(scr_all)
        ci = np.where(screen, si, ci)
        use_cf |= screen
        serious |= screen
    h = np.where(use_cf, h_cf[runs, ci], h_g)
    return Offer(imposed=imposed, ci=ci, gi=gi, use_cf=use_cf, serious=serious, h=h)


def answer_by_R(
    cfg: GameConfig,
    tb: Tables,
    st: State,
    log: Log,
    k: Talks,
    mo: Month,
    o: Offer,
    neg: BoolArray,
    eps: FloatArray | float,
) -> BoolArray:
    """R answers by its true type; observers weigh the answer under both types (simulator.md §4.3, §4.6).

    R accepts iff ``EU - AC + M >= max(V_war, a) + eps`` (concession costs in settlements only; a maximal R
    refuses a stand-alone ceasefire). Observers' logit likelihoods of acceptance per type have scale
    ``tau_obs`` (their uncertainty about R's valuations), thresholds per ``belief_model``; the stalling
    share ``sigma_stall`` of maximal types mixes in. Adds the log-likelihood ratio of the answers to
    ``k.llr`` (screening, Powell 2004) and counts ceasefire offers to R and R's acceptances in ``log``.
    """
    runs, typ, VwR = st.runs, st.typ, k.VwR
    ci, gi, use_cf = o.ci, o.gi, o.use_cf
    aR_true, VwR_true = k.aR_true, k.VwR_true
    D = np.exp(-o.h * tb.H_deal)
    # k.cfR_now[:, runs, ci], tb.VR[:, ri, gi], tb.ACR[:, sq, gi] as flat gathers (a slice mixed with index
    # arrays is the slow path of NumPy's indexing)
    n_c, n_p = k.cfR_now.shape[2], tb.VR.shape[2]
    cf_k = k.cfR_now.reshape(2, -1).take(runs * n_c + ci, axis=1)
    Vk = np.where(use_cf[None, :], cf_k, tb.VR.reshape(2, -1).take(k.ri * n_p + gi, axis=1))  # (2, N)
    ACk = np.where(
        use_cf[None, :], 0.0, tb.ACR.reshape(2, -1).take(k.sq * n_p + gi, axis=1)
    )  # settlements only
    EUk = D[None, :] * Vk + (1 - D[None, :]) * VwR - ACk + cfg.mediation.lambda_US * mo.on_R[None, :]
    bundle_ok = ~(use_cf & ~tb.cf_partial[ci])  # maximal type: no stand-alone ceasefire
    # acceptance probabilities per type (logit; simulator.md §4.6)
    # observers' likelihood scale: their uncertainty about R's valuations (tau_obs), not R's noise
    b = cfg.beliefs
    sc = 0.0 if tb.eq else b.tau_obs
    if b.belief_model == "reservation":  # observers judge offers against war values
        th_lim, th_ns = VwR[0], VwR[1]
    else:  # observers know each type's aspiration path
        th_lim, th_ns = np.maximum(VwR[0], k.aR[0]), np.maximum(VwR[1], k.aR_ns)
    p_lim = pol.logistic_cdf(EUk[0] - th_lim, sc)
    p_max = bundle_ok * (
        b.sigma_stall * pol.logistic_cdf(EUk[1] - np.maximum(VwR[1], k.aR_st), sc)
        + (1 - b.sigma_stall) * pol.logistic_cdf(EUk[1] - th_ns, sc)
    )
    thr_true = np.maximum(VwR_true, aR_true)
    acc: BoolArray = neg & o.serious & (EUk[typ, runs] >= thr_true + eps) & (bundle_ok | ~st.maximal)
    k.llr += np.where(neg & o.serious, pol.log_likelihood_ratio(acc, p_max, p_lim), 0.0)
    log.stats["cf_to_R"] += int((neg & use_cf).sum())
    log.stats["cf_acc_R"] += int((acc & use_cf).sum())
    return acc


def settle(tb: Tables, st: State, log: Log, o: Offer, acc: BoolArray, t: int, r_prop: bool) -> None:
    """An accepted package is a comprehensive settlement (SubComp): the run ends (simulator.md §5).

    A settlement during a ceasefire ends that ceasefire (censored, not broken).
    """
    done = acc & ~o.use_cf
    if not done.any():
        return
    st.terms[done] = tb.pk[o.gi[done]]
    st.outcome[done], st.end_month[done], st.settle_m[done] = SETTLEMENT, t, t
    actor, other = (1, 0) if r_prop else (0, 1)  # the side that accepted
    log.ev.add(st.runs[done], t, "settlement", actor, other, value=tb.pk[o.gi[done], 0])
    ended = done & st.in_cf
    log.end_ceasefires(st, ended, st.cf_age[ended].copy())
    st.in_cf[done] = False
    st.active[done] = False


def sign_ceasefire(tb: Tables, st: State, log: Log, o: Offer, acc: BoolArray, t: int, r_prop: bool) -> None:
    """An accepted ceasefire (Cea, or SubPar with cap/align terms): intensity drops, hazard ``h`` (§4.4).

    Records the ceasefire (start, guarantee, mediator-imposed, class, hazard); a ceasefire is presentable
    progress for the US (column: 'if not a quick, then at least some kind of result'), and a capitulatory
    one makes the EU cut its aid (Fortna 2004; Walter 2002).
    """
    new = acc & o.use_cf
    if not new.any():
        return
    ci, cf = o.ci, tb.cf
    idx = st.runs[new]
    rows = log.cf_rows
    rows["run"].append(idx)
    rows["start"].append(np.full(len(idx), t, dtype=np.int64))
    rows["guar"].append(cf[ci[new], 4].astype(np.int64))
    rows["imposed"].append(o.imposed[new])
    rows["partial"].append(tb.cf_partial[ci[new]])
    rows["hazard"].append(o.h[new])
    st.cf_id[new] = log.n_cf_total + np.arange(len(idx))
    log.n_cf_total += len(idx)
    st.in_cf[new], st.cf_age[new], st.cf_h[new], st.cf_ci[new] = True, 0.0, o.h[new], ci[new]
    st.first_cf = np.where(new & (st.first_cf == 0), t, st.first_cf)
    st.n_cf += new
    st.P += new  # a ceasefire is presentable progress (column: US wants 'some kind of result')
    st.eu_cut |= new & pol.capitulatory(cf[ci])
    actor, other = (0, 1) if r_prop else (1, 0)  # the side that proposed
    log.ev.add(idx, t, "ceasefire", actor, other, value=cf[ci[new], 4])


def offer_step(
    cfg: GameConfig, tb: Tables, st: State, log: Log, k: Talks, mo: Month, j: int, rng: BlockRNG
) -> None:
    """Offer sub-step ``j`` of the month: one offer and its answer in every run still talking (§4.3).

    The first mover alternates by round and sub-step (R when ``t + j`` is odd). Ceasefire-first sequencing
    of U (column; simulator.md §9): no package under fire, and comprehensive (SubComp) talks only once a
    ceasefire has held ``settle_after`` months (PA-X stage order Pre -> Cea -> SubPar -> SubComp; Bell &
    Badanjak 2019; simulator.md §7 V14-V15). The acceptance noise is drawn every sub-step, talks or not.
    """
    N = len(st.runs)
    neg = st.active & ~k.agreed
    eps = 0.0 if tb.eq else rng.logistic(0.0, cfg.offers.tau_q, N)  # drawn every sub-step (reproducibility)
    if not neg.any():
        return
    r_prop = (mo.t + j) % 2 == 1  # alternating first mover by round (simulator.md §4.3)
    allow_cf = neg & ~st.in_cf
    in_cf_old = st.in_cf & (st.cf_age >= cfg.offers.settle_after)
    allow_grid = neg & (in_cf_old | (not cfg.offers.ceasefire_first))
    if r_prop:
        o, value_U = offer_by_R(cfg, tb, st, k, mo, allow_cf, allow_grid)
        acc = answer_by_U(cfg, k, mo, o, value_U, neg, eps)
    else:
        o = offer_by_U(cfg, tb, st, k, mo, neg, allow_cf, allow_grid)
        acc = answer_by_R(cfg, tb, st, log, k, mo, o, neg, eps)
    log.stats["made"] += int(neg.sum())
    log.stats["acc"] += int(acc.sum())
    if not acc.any():
        return
    k.agreed |= acc
    settle(tb, st, log, o, acc, mo.t, r_prop)
    sign_ceasefire(tb, st, log, o, acc, mo.t, r_prop)


def negotiate(cfg: GameConfig, tb: Tables, st: State, log: Log, mo: Month, rng: BlockRNG) -> FloatArray:
    """Step 3, the month's talks (simulator.md §4 step 3): ``substeps`` offers; returns the log-likelihood
    ratio of R's answers for the belief update (step 6)."""
    k = open_talks(cfg, tb, st, mo)
    for j in range(cfg.offers.substeps):
        offer_step(cfg, tb, st, log, k, mo, j, rng)
    return k.llr
