"""The engine's monthly phases, one at a time, on hand-made states (simulator.md §4 steps 0-6)."""

from __future__ import annotations

import numpy as np
import pytest

from detente.sim import negotiation as neg
from detente.sim import phases
from detente.sim.config import GameConfig
from detente.sim.state import (
    DECISION_R,
    FROZEN,
    ONGOING_WAR,
    SETTLEMENT,
    BlockRNG,
    Log,
    Month,
    State,
    init_state,
)
from detente.sim.tables import build_tables

N = 4


def state(cfg: GameConfig | None = None, maximal: tuple[bool, ...] = (False,) * N) -> State:
    m = np.array(maximal)
    return init_state(cfg or GameConfig(), N, 12, m, np.zeros(N, dtype=bool))


def month(t: int = 1, c_R: float = 0.01, p: float = 0.5) -> Month:
    z = np.zeros(N, dtype=bool)
    return Month(t=t, on_R=z, on_U=z.copy(), c_R=np.full(N, c_R), p=np.full(N, p))


def test_initial_state_is_the_config():
    cfg = GameConfig().replace(q0=0.3, C0_R=0.4, pi_max=0.7, beta0=0.2, P0=2.0)
    st = state(cfg, maximal=(True, False, True, False))
    assert (st.q == 0.3).all() and (st.C_R == 0.4).all() and (st.P == 2.0).all()
    assert (st.mu == 0.7).all() and (st.beta == 0.2).all() and st.typ.tolist() == [1, 0, 1, 0]
    assert (st.q_path[:, 0] == 0.3).all() and (st.beta_path[:, 0] == 0.2).all()
    assert st.active.all() and not st.in_cf.any() and (st.outcome == ONGOING_WAR).all()


def test_summit_draws_only_in_its_month_and_a_strong_communique_lowers_R_war_value():
    cfg = GameConfig().replace(summit_month=2, policy_gap=0.0, sd_align=0.0, delta_summit=0.05)
    st, log = state(cfg), Log()
    rng = BlockRNG(1, N)
    before = [g.bit_generator.state for g in rng.gens]
    phases.summit(cfg, st, log, 1, rng)
    assert [g.bit_generator.state for g in rng.gens] == before  # no draw outside the summit month
    assert np.isnan(st.align).all()
    phases.summit(cfg, st, log, 2, rng)
    # alignment a = 1 - gap = 1 exactly: the communique is strong in every run
    assert (st.align == 1.0).all() and st.strong.all()
    np.testing.assert_array_equal(st.shift_R, -0.05)
    assert log.ev.kinds() == ["summit"] * N


def test_mediate_decays_progress_and_presses_the_blamed_or_the_weaker_side():
    cfg = GameConfig().replace(rho_P=0.5, p_star=1.0, lambda_US=0.1)
    st = state(cfg)
    st.P[:] = [4.0, 1.0, 1.0, 1.0]  # run 0 shows progress (2 after decay), the others do not (0.5)
    st.beta[:] = [0.9, 0.9, 0.1, 0.9]
    st.active[3] = False
    on_R, on_U = phases.mediate(cfg, st)
    np.testing.assert_array_equal(st.P, [2.0, 0.5, 0.5, 0.5])
    assert on_R.tolist() == [False, True, False, False]  # blame on R (beta > 1/2), only where pressing
    assert on_U.tolist() == [False, False, True, False]
    assert st.steps_R.tolist() == [0, 1, 0, 0] and st.steps_U.tolist() == [0, 0, 1, 0]
    weaker = cfg.replace(target="weaker", lambda_US=0.0)
    st = state(weaker)
    st.P[:] = 0.0
    st.M_R[:] = [0.5, 2.0, 0.5, 2.0]
    on_R, on_U = phases.mediate(weaker, st)
    assert on_R.tolist() == [True, False, True, False] and on_U.tolist() == [False, True, False, True]
    assert not st.steps_R.any() and not st.steps_U.any()  # no leverage: no pressure steps


def test_sanction_fires_after_H_US_months_of_blame_without_progress():
    cfg = GameConfig().replace(H_US=2, s_star=0.6, p_star=1.0, dS=0.2, dS_EU=0.05, eta=0.3, eta_cost=0.2)
    st, log = state(cfg), Log()
    st.beta[:] = [0.9, 0.9, 0.1, 0.9]
    st.P[:] = [0.0, 0.0, 0.0, 5.0]  # run 3: progress, no trigger
    phases.sanction(cfg, st, log, 1)
    assert st.trig.tolist() == [1, 1, 0, 0] and not st.S_US.any()
    prod_R, c_R, aid_EU = phases.sanction(cfg, st, log, 2)
    np.testing.assert_allclose(st.S_US, [0.2, 0.2, 0, 0])
    assert st.sanc_m.tolist() == [2, 2, 0, 0] and st.trig.tolist() == [0, 0, 0, 0]
    assert log.ev.kinds() == ["sanctions", "sanctions"]
    np.testing.assert_allclose(st.S_EU, [0.1, 0.1, 0.0, 0.1])  # EU: +dS_EU each month of high blame
    S = st.S_US + st.S_EU
    f = cfg.fighting
    np.testing.assert_allclose(prod_R, f.prod_R * (1 - 0.3 * S))
    np.testing.assert_allclose(c_R, f.c_R * (1 + 0.2 * S))
    np.testing.assert_allclose(aid_EU, f.aid_EU)
    st.eu_cut[0] = True  # after a capitulatory deal the EU cuts its aid by rho_EU
    assert phases.sanction(cfg, st, log, 3)[2][0] == pytest.approx(f.aid_EU * (1 - cfg.fighting.rho_EU))


def test_arm_updates_capacities_and_the_battle_edge():
    cfg = GameConfig().replace(dep=0.1, prod_U=0.02, aid_US=0.01, loss_rate=0.05, iota_cf=0.2, gamma=2.0)
    st = state(cfg)
    st.in_cf[1] = True
    p = phases.arm(cfg, st, np.full(N, 0.03), np.full(N, 0.015))
    loss = np.array([0.05, 0.01, 0.05, 0.05])  # a ceasefire fights at intensity iota_cf
    np.testing.assert_allclose(st.M_R, 1.2 * 0.9 + 0.03 - loss)
    np.testing.assert_allclose(st.M_U, 1.0 * 0.9 + 0.02 + 0.01 + 0.015 - loss)
    np.testing.assert_allclose(p, st.M_R**2 / (st.M_R**2 + st.M_U**2))


def test_side_tracks_add_progress_and_count_events():
    cfg = GameConfig().replace(p_hum=1.0, p_meet=0.0)
    st = state(cfg)
    st.active[2] = False
    phases.side_tracks(cfg, st, BlockRNG(0, N))
    assert st.n_hum.tolist() == [1, 1, 0, 1] and not st.n_pre.any()
    np.testing.assert_array_equal(st.P, [2.0, 2.0, 1.0, 2.0])


def test_ceasefire_regime_ages_freezes_and_breaks():
    cfg = GameConfig().replace(n_freeze=3)
    tb = build_tables(cfg)
    st, log = state(cfg), Log()
    st.in_cf[:3] = True
    st.cf_id[:3] = [0, 1, 2]
    st.cf_age[:3] = [0.0, 2.0, 1.0]
    st.cf_h[:3] = [1e-12, 1e-12, 1e3]  # runs 0 and 1 hold, run 2 breaks down
    phases.ceasefire_regime(cfg, tb, st, log, 5, BlockRNG(0, N))
    assert st.in_cf.tolist() == [True, True, False, False] and st.n_bd.tolist() == [0, 0, 1, 0]
    assert st.cf_age[:2].tolist() == [1.0, 3.0]
    assert st.outcome[1] == FROZEN and st.end_month[1] == 5 and not st.active[1]  # held n_freeze months
    assert st.active[[0, 2, 3]].all()
    (broke,) = log.cf_broke_idx
    assert broke.tolist() == [2]
    idx, dur = np.concatenate(log.cf_dur_idx).tolist(), np.concatenate(log.cf_dur).tolist()
    durations = dict(zip(idx, dur, strict=True))
    assert durations[1] == 3.0 and 1.0 < durations[2] <= 2.0  # broke within its second month
    assert log.ev.kinds() == ["breakdown", "frozen"]


def test_fight_moves_the_front_by_the_drift_and_decides_at_the_edge():
    cfg = GameConfig().replace(noise=0.0, kappa=0.0, drift=0.1, iota_cf=0.5, c_U=0.02)
    st, log = state(cfg), Log()
    st.q[:] = [0.5, 0.5, 0.99, 0.5]
    st.in_cf[1] = True
    st.active[3] = False
    phases.fight(cfg, st, log, month(t=3, c_R=0.01, p=0.9), BlockRNG(0, N))
    np.testing.assert_allclose(st.q, [0.54, 0.5, 1.0, 0.5])  # dq = m (p - 1/2); none in a ceasefire
    np.testing.assert_allclose(st.C_R, [0.01, 0.005, 0.01, 0.0])  # intensity iota_cf in a ceasefire
    np.testing.assert_allclose(st.C_U, [0.02, 0.01, 0.02, 0.0])
    assert st.outcome.tolist() == [ONGOING_WAR, ONGOING_WAR, DECISION_R, ONGOING_WAR]
    assert st.decide_m[2] == 3 and not st.active[2] and log.ev.kinds() == ["decision"]


def test_update_beliefs_is_bayes_on_the_likelihood_ratio():
    st = state()
    st.mu[:], st.beta[:] = 0.5, 0.2
    llr = np.array([0.0, np.log(3.0), -np.log(3.0), 0.0])
    phases.update_beliefs(st, llr)
    np.testing.assert_allclose(st.mu, [0.5, 0.75, 0.25, 0.5])
    L = np.exp(llr)  # posterior odds = prior odds x likelihood ratio
    np.testing.assert_allclose(st.beta, 0.2 * L / (0.2 * L + 0.8))


def test_equilibrium_talks_aspire_to_the_war_value_and_U_accepts_at_it():
    cfg = GameConfig().replace(policy="equilibrium")
    tb = build_tables(cfg)
    st = state(cfg)
    k = neg.open_talks(cfg, tb, st, month())
    mnU, mxU = tb.minU[k.ri], tb.maxU[k.ri]
    np.testing.assert_allclose(k.aU, mnU + np.clip((k.VwU - mnU) / (mxU - mnU), 0, 1) * (mxU - mnU))
    # U accepts an offer iff it is worth at least max(war value, aspiration) (+ noise, none here)
    o = neg.Offer(
        imposed=np.zeros(N, dtype=bool),
        ci=np.zeros(N, dtype=np.int64),
        gi=np.zeros(N, dtype=np.int64),
        use_cf=np.ones(N, dtype=bool),
        serious=np.array([True, True, True, False]),
        h=np.full(N, 0.1),
    )
    bar = np.maximum(k.VwU, k.aU)
    value = bar + np.array([0.01, -0.01, 0.0, 1.0])
    acc = neg.answer_by_U(cfg, k, month(), o, value, np.ones(N, dtype=bool), 0.0)
    assert acc.tolist() == [True, False, True, False]  # not serious: nothing to accept


def test_settle_and_sign_ceasefire_record_the_agreements():
    cfg = GameConfig()
    tb = build_tables(cfg)
    st, log = state(cfg), Log()
    st.in_cf[0], st.cf_id[0], st.cf_age[0] = True, 0, 7.0
    log.n_cf_total = 1
    o = neg.Offer(
        imposed=np.array([False, True, False, False]),
        ci=np.array([0, 3, 0, 0]),
        gi=np.array([5, 0, 0, 0]),
        use_cf=np.array([False, True, False, False]),
        serious=np.ones(N, dtype=bool),
        h=np.full(N, 0.2),
    )
    acc = np.array([True, True, False, False])
    neg.settle(tb, st, log, o, acc, 4, r_prop=True)
    neg.sign_ceasefire(tb, st, log, o, acc, 4, r_prop=True)
    # run 0: settlement on package 5, ending its ceasefire (censored at its age)
    assert st.outcome[0] == SETTLEMENT and st.settle_m[0] == 4 and not st.active[0] and not st.in_cf[0]
    np.testing.assert_array_equal(st.terms[0], tb.pk[5])
    assert np.concatenate(log.cf_dur).tolist() == [7.0]
    # run 1: a new ceasefire, row 1 of the records, progress for the US
    assert st.in_cf[1] and st.cf_id[1] == 1 and st.cf_h[1] == 0.2 and st.first_cf[1] == 4
    assert st.n_cf.tolist() == [0, 1, 0, 0] and st.P[1] == cfg.mediation.P0 + 1 and log.n_cf_total == 2
    assert log.cf_rows["imposed"][0].tolist() == [True] and log.cf_rows["guar"][0].tolist() == [tb.cf[3, 4]]
    assert log.ev.kinds() == ["settlement", "ceasefire"]
