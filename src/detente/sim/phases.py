"""The monthly phases of the full engine other than the talks, in the order of simulator.md §4 (v1).

A month is: :func:`summit` (step 0), :func:`mediate` and :func:`sanction` (step 1), :func:`arm` (step 2),
the talks (step 3, :func:`detente.sim.negotiation.negotiate`) and :func:`side_tracks` (step 3, humanitarian
track and meetings), :func:`ceasefire_regime` (step 4), :func:`fight` (step 5), :func:`update_beliefs`
(step 6); termination (step 7) is the engine's loop. Each phase reads the config, updates the
:class:`~detente.sim.state.State` in place (and the :class:`~detente.sim.state.Month` it shares with later
phases of the month) and draws its random numbers for whole blocks at a fixed place, so the order of the
phases is the order of the draws.
"""

from __future__ import annotations

from typing import cast

import numpy as np

from detente._typing import BoolArray, FloatArray
from detente.sim import policies as pol
from detente.sim.config import GameConfig
from detente.sim.state import DECISION_R, DECISION_U, FROZEN, BlockRNG, Log, Month, State
from detente.sim.tables import Tables


def summit(cfg: GameConfig, st: State, log: Log, t: int, rng: BlockRNG) -> None:
    """Step 0, calendar: the NATO summit as a scheduled alignment test (simulator.md §4 step 0; §9 column).

    In month ``summit_month`` the US-EU alignment ``a ~ N(1 - policy_gap, sd_align)`` (clipped to [0, 1]) is
    drawn for every run; the communique is strong with probability ``a``, and a strong one lowers R's war
    value by ``delta_summit`` for the rest of the run. No draw in other months.
    """
    s = cfg.summit
    if t != s.summit_month:
        return
    N = len(st.runs)
    a = np.clip(rng.normal(1.0 - s.policy_gap, s.sd_align, N), 0.0, 1.0)
    strong = rng.random(N) < a  # communique strong w.p. a
    st.align[:] = a
    st.strong[:] = strong
    st.shift_R -= s.delta_summit * strong  # strong communique lowers R's war value
    log.ev.add(st.runs[st.active], t, "summit", 2, 3, value=a[st.active])


def mediate(cfg: GameConfig, st: State) -> tuple[BoolArray, BoolArray]:
    """Step 1, the US mediator: progress decays, pressure while progress is short (simulator.md §3 US; §4.1).

    The progress stock decays (``P <- rho_P P``); while ``P < p*`` the US presses the side with the higher
    blame (``target='blame'``: R if ``beta > 1/2``) or the weaker side (``'weaker'``: R if ``M_R < M_U``),
    Beardsley 2008; Favretto 2009. With leverage (``lambda_US > 0``) each month of pressure is a step of
    pressure time on that side. Returns the runs where the US presses R and those where it presses U.
    """
    m = cfg.mediation
    st.P *= m.rho_P
    pressing = st.active & (st.P < m.p_star)
    if m.target == "blame":
        on_R = pressing & (st.beta > 0.5)
    else:
        on_R = pressing & (st.M_R < st.M_U)
    on_U = pressing & ~on_R
    if m.lambda_US > 0:
        st.steps_R += on_R
        st.steps_U += on_U
    return on_R, on_U


def sanction(cfg: GameConfig, st: State, log: Log, t: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Step 1, sanctions and their effects (simulator.md §3 US, EU, 'Sanctions effect'; §4 step 1).

    US trigger: ``H_US`` consecutive months of high blame (``beta > s*``) and low progress (``P < p*``), or
    the what-if month ``sanctions_at``, raise ``S_US`` by ``dS`` (capped at 1) and restart the count. EU
    sanctions rise by ``dS_EU`` while ``beta > s*``. Returns this month's ``(prod_R, c_R, aid_EU)``: R's
    production ``prod_R (1 - eta S)`` and war cost ``c_R (1 + eta' S)`` with ``S = S_US + S_EU``, and EU aid,
    cut by ``rho_EU`` after U signed a capitulatory deal (Fortna 2004; Walter 2002).
    """
    s, f = cfg.sanctions, cfg.fighting
    st.trig = np.where(st.active & (st.beta > s.s_star) & (st.P < cfg.mediation.p_star), st.trig + 1, 0)
    fire = (st.trig >= s.H_US) | (st.active & (t == s.sanctions_at))
    if fire.any():
        st.S_US = np.where(fire, np.minimum(1.0, st.S_US + s.dS), st.S_US)
        st.sanc_m = np.where(fire & (st.sanc_m == 0), t, st.sanc_m)
        log.ev.add(st.runs[fire], t, "sanctions", 2, 0, value=st.S_US[fire])
        st.trig = np.where(fire, 0, st.trig)
    st.S_EU = np.where(st.active & (st.beta > s.s_star), np.minimum(1.0, st.S_EU + s.dS_EU), st.S_EU)
    S = st.S_US + st.S_EU
    prod_R = f.prod_R * np.maximum(0.0, 1.0 - s.eta * S)  # simulator.md §3 sanctions effect
    c_R = f.c_R * (1.0 + s.eta_cost * S)
    # EU cuts aid after a capitulatory deal
    aid_EU = cast(FloatArray, f.aid_EU * (1.0 - f.rho_EU * st.eu_cut))
    return prod_R, c_R, aid_EU


def arm(cfg: GameConfig, st: State, prod_R: FloatArray, aid_EU: FloatArray) -> FloatArray:
    """Step 2, arming: ``M' = M (1 - dep) + prod + aid - loss`` and the battle edge (simulator.md §2, §4.2).

    Capacities never fall below 1e-6; the loss scales with the month's intensity (``iota_cf`` during a
    ceasefire). Returns the battle edge of R, ``p = M_R^gamma / (M_R^gamma + M_U^gamma)``.
    """
    f = cfg.fighting
    intensity = np.where(st.in_cf, cfg.ceasefire.iota_cf, 1.0)
    st.M_R = np.maximum(1e-6, st.M_R * (1 - f.dep) + prod_R - f.loss_rate * intensity)
    st.M_U = np.maximum(1e-6, st.M_U * (1 - f.dep) + f.prod_U + f.aid_US + aid_EU - f.loss_rate * intensity)
    p: FloatArray = st.M_R**f.gamma / (st.M_R**f.gamma + st.M_U**f.gamma)
    return p


def side_tracks(cfg: GameConfig, st: State, rng: BlockRNG) -> None:
    """Step 3, the humanitarian track and delegation meetings (simulator.md §4 step 3; Bara & Clayton 2022).

    Each active run has a humanitarian success (a SubPar event) with probability ``p_hum`` and a meeting
    (a Pre event) with probability ``p_meet``; each adds one to the US progress stock (column: meetings
    framed as progress).
    """
    N = len(st.runs)
    hum = st.active & (rng.random(N) < cfg.mediation.p_hum)
    meet = st.active & (rng.random(N) < cfg.mediation.p_meet)
    st.n_hum += hum
    st.n_pre += meet
    st.P += hum + meet


def ceasefire_regime(cfg: GameConfig, tb: Tables, st: State, log: Log, t: int, rng: BlockRNG) -> None:
    """Step 4, the ceasefire regime: breakdown with hazard ``h`` and freezing (simulator.md §4.4, §5).

    A running ceasefire breaks down this month with probability ``1 - exp(-(H(age + 1) - H(age)))`` under the
    Weibull cumulative hazard ``H`` (Fortna 2004); its duration then includes the time within the month
    (inverting ``H`` from its age). A ceasefire that holds ages one month; once it has held ``n_freeze``
    months the run ends as frozen (UCDP outcome 5).
    """
    N = len(st.runs)
    u_bd = rng.random(N)
    u_frac = rng.random(N)
    live = st.active & st.in_cf
    H_now = tb.cum_h(st.cf_h, st.cf_age)
    pb = 1.0 - np.exp(-(tb.cum_h(st.cf_h, st.cf_age + 1.0) - H_now))
    bd = live & (u_bd < pb)
    if bd.any():
        # time within the month of a constant-hazard breakdown (truncated exponential)
        # (Weibull: invert the cumulative hazard from the ceasefire's age)
        extra = -np.log1p(-u_frac[bd] * pb[bd])
        frac = tb.inv_cum_h(st.cf_h[bd], H_now[bd] + extra) - st.cf_age[bd]
        log.end_ceasefires(st, bd, st.cf_age[bd] + frac)
        log.cf_broke_idx.append(st.cf_id[bd].copy())
        st.n_bd += bd
        st.in_cf[bd] = False
        log.ev.add(st.runs[bd], t, "breakdown", -1, value=st.cf_age[bd] + frac)
    held = live & ~bd
    st.cf_age[held] += 1.0
    frz = held & (st.cf_age >= cfg.ceasefire.n_freeze)
    if frz.any():
        log.end_ceasefires(st, frz, st.cf_age[frz].copy())
        st.outcome[frz], st.end_month[frz] = FROZEN, t
        st.active[frz] = False
        log.ev.add(st.runs[frz], t, "frozen", -1, value=st.cf_age[frz])


def fight(cfg: GameConfig, st: State, log: Log, mo: Month, rng: BlockRNG) -> None:
    """Step 5, fighting: battle lottery, costs and collapse (simulator.md §4.5; §7 V19).

    Where no ceasefire holds, the front moves by ``drift (p_t - 1/2) + noise e_t`` with Student-t shocks
    (``nu`` degrees of freedom), clipped to [0, 1]. Costs accrue at the month's intensity (``iota_cf`` in a
    ceasefire; R's flow cost under sanctions). Collapse of side i with probability
    ``kappa (M_j / M_i)^gamma`` (Powell 2004; Filson & Werner 2002). A military decision for R when the
    front reaches 1 or U alone collapses; for U when the front reaches 0 or R collapses (also when both do).
    """
    f = cfg.fighting
    N, t = len(st.runs), mo.t
    shock = rng.standard_t(f.nu, N)
    u_cR, u_cU = rng.random(N), rng.random(N)
    war = st.active & ~st.in_cf
    st.q = np.where(war, np.clip(st.q + f.drift * (mo.p - 0.5) + f.noise * shock, 0.0, 1.0), st.q)
    intensity = np.where(st.in_cf, cfg.ceasefire.iota_cf, 1.0)
    st.C_R = np.where(st.active, st.C_R + mo.c_R * intensity, st.C_R)
    st.C_U = np.where(st.active, st.C_U + f.c_U * intensity, st.C_U)
    # collapse kappa_i(M) = kappa (M_j/M_i)^gamma (Powell 2004; Filson & Werner 2002)
    col_R = war & (u_cR < f.kappa * (st.M_U / st.M_R) ** f.gamma)
    col_U = war & (u_cU < f.kappa * (st.M_R / st.M_U) ** f.gamma)
    win_R = war & ((st.q >= 1.0) | (col_U & ~col_R))
    win_U = war & ~win_R & ((st.q <= 0.0) | col_R)
    for mask, code in ((win_R, DECISION_R), (win_U, DECISION_U)):
        if mask.any():
            st.outcome[mask], st.end_month[mask], st.decide_m[mask] = code, t, t
            st.active[mask] = False
            log.ev.add(st.runs[mask], t, "decision", 0 if code == DECISION_R else 1, value=st.q[mask])


def update_beliefs(st: State, llr: FloatArray) -> None:
    """Step 6, beliefs: Bayes on R's replies of the month (simulator.md §4.6; Powell 2004 screening).

    U's belief ``mu`` and the public's ``beta`` that R is maximal both move by the month's log-likelihood
    ratio ``llr = log P(replies | maximal) - log P(replies | limited)`` (computed by the talks).
    """
    st.mu = pol.posterior(st.mu, llr)
    st.beta = pol.posterior(st.beta, llr)
