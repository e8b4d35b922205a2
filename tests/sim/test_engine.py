"""The full engine: reproducibility, invariants, bookkeeping, beliefs, hazards, default scenario."""

from __future__ import annotations

import re

import numpy as np
import pytest

from detente.errors import ModelConfigError
from detente.sim import policies as pol
from detente.sim.config import GameConfig, with_overrides
from detente.sim.engine import (
    DECISION_R,
    DECISION_U,
    FROZEN,
    ONGOING_CEASEFIRE,
    ONGOING_WAR,
    OUTCOME_NAMES,
    SETTLEMENT,
    simulate,
)
from detente.sim.summary import cumulative_by_month, monthly, plausibility, summarize

# the late phase: costs of the war since Feb 2022 counted (40 months), so deals happen in 24 months
WEARY = {"C0_R": 0.4, "C0_U": 0.6}


@pytest.fixture(scope="module")
def weary():
    return simulate(with_overrides(GameConfig(), WEARY), n_runs=1500, seed=11, months=24)


@pytest.fixture(scope="module")
def default():
    return simulate(GameConfig(), n_runs=1500, seed=12, months=36)


def _same(a, b):
    for name in (
        "outcome",
        "end_month",
        "first_ceasefire",
        "settlement_month",
        "sanction_month",
        "n_ceasefires",
        "final_q",
        "alignment",
        "terms",
        "beta",
        "mu",
    ):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_same_seed_same_result_and_seed_matters():
    cfg = with_overrides(GameConfig(), WEARY)
    a = simulate(cfg, n_runs=400, seed=5, months=18)
    b = simulate(cfg, n_runs=400, seed=5, months=18)
    _same(a, b)
    c = simulate(cfg, n_runs=400, seed=6, months=18)
    assert not np.array_equal(a.final_q, c.final_q)


def test_invariants(weary):
    r = weary
    N, T = r.n_runs, r.months
    assert set(np.unique(r.outcome)) <= set(range(len(OUTCOME_NAMES)))
    assert ((r.end_month >= 1) & (r.end_month <= T)).all()
    assert ((r.final_q >= 0) & (r.final_q <= 1)).all()
    assert ((r.beta >= 0) & (r.beta <= 1)).all() and ((r.mu >= 0) & (r.mu <= 1)).all()
    s = r.outcome == SETTLEMENT
    assert (r.settlement_month[s] == r.end_month[s]).all() and (r.settlement_month[~s] == 0).all()
    assert np.isfinite(r.terms[s]).all() and np.isnan(r.terms[~s]).all()
    d = np.isin(r.outcome, [DECISION_R, DECISION_U])
    assert (r.decision_month[d] > 0).all() and (r.decision_month[~d] == 0).all()
    # every run with a ceasefire has its first month recorded; counts add up
    assert ((r.n_ceasefires > 0) == (r.first_ceasefire > 0)).all()
    assert r.n_ceasefires.sum() == len(r.ceasefires.run)
    assert r.n_breakdowns.sum() == r.ceasefires.broke.sum()
    assert (r.n_breakdowns <= r.n_ceasefires).all()
    assert (r.outcome[r.outcome == ONGOING_CEASEFIRE] == ONGOING_CEASEFIRE).all()
    assert (r.ceasefires.duration >= 0).all()
    # settled terms are grid packages with allowed guarantees (no binding guarantee on the table)
    assert (r.terms[s, 4] <= 2).all()
    assert N == len(r.outcome)


def test_monthly_cumulative_non_decreasing_and_matches_slow_count(weary):
    rows = monthly(weary)
    assert [m["month"] for m in rows] == list(range(1, weary.months + 1))
    for key in ("p_ceasefire", "p_settlement", "p_decision", "p_sanctions"):
        v = np.array([m[key] for m in rows])
        assert (np.diff(v) >= -1e-12).all() and (v >= 0).all() and (v <= 1).all()
    fast = cumulative_by_month(weary.first_ceasefire, weary.months)
    slow = [np.mean([(0 < x <= k) for x in weary.first_ceasefire]) for k in range(1, weary.months + 1)]
    np.testing.assert_allclose(fast, slow)


def test_ceasefire_hazards_follow_the_design_vector(weary):
    """h = h0 exp(b.z) (simulator.md §4.4) recomputed from each recorded ceasefire's design."""
    c, cfg = weary.ceasefires, weary.config
    assert len(c.run) > 50
    g = c.guar
    logh = (
        np.log(cfg.ceasefire.h0)
        + cfg.guarantees.b_written * (g >= 1)
        + cfg.guarantees.b_monitor * (g >= 2)
        + cfg.guarantees.b_guar2 * (g == 2)
        + cfg.guarantees.b_guar3 * (g == 3)
        + cfg.ceasefire.b_arming
        + cfg.ceasefire.b_imposed * c.imposed
        + cfg.ceasefire.b_preliminary * c.partial
    )
    # capitulatory part: guar = 0 or cap >= 0.5 (buf is 0 in ceasefires); bounded by adding b_capit or not
    h = c.hazard
    ok = np.isclose(np.log(h), logh) | np.isclose(np.log(h), logh + cfg.ceasefire.b_capit)
    assert ok.all()


def test_maximal_type_never_accepts_a_bare_ceasefire(weary):
    c = weary.ceasefires
    assert not (weary.maximal[c.run] & ~c.partial).any()


def test_stalling_R_never_agrees():
    r = simulate(
        with_overrides(GameConfig(), {**WEARY, "pi_max": 1.0, "sigma_stall": 1.0}),
        n_runs=500,
        seed=3,
        months=24,
    )
    assert r.stalling.all()
    assert (r.n_ceasefires == 0).all() and (r.outcome != SETTLEMENT).all()


def test_blame_rises_with_maximal_R_refusals():
    """Screening (Powell 2004): refusals a limited type would not make move beta toward 'maximal'."""
    r = simulate(with_overrides(GameConfig(), WEARY), n_runs=2000, seed=8, months=24)
    end = r.beta[:, -1]
    assert end[r.maximal].mean() > end[~r.maximal].mean()


def test_summit_alignment_and_communique(default):
    a = default.alignment
    assert np.isfinite(a).all() and ((a >= 0) & (a <= 1)).all()
    assert a.mean() == pytest.approx(1 - default.config.summit.policy_gap, abs=0.02)
    assert 0.3 < default.strong_communique.mean() < 0.9
    no_summit = simulate(GameConfig().replace(summit_month=0), n_runs=50, seed=1, months=6)
    assert np.isnan(no_summit.alignment).all()


def test_forced_sanctions_what_if():
    r = simulate(with_overrides(GameConfig(), {"sanctions_at": 4}), n_runs=300, seed=1, months=12)
    alive = r.end_month >= 4
    assert (r.sanction_month[alive] > 0).all() and (r.sanction_month[alive] <= 4).all()
    assert (r.S_US[alive, -1] >= 0.2 - 1e-12).all()


def test_sanctions_trigger_needs_blame_and_no_progress():
    # no progress events at all and blame above s* from the start: a step every H_US months
    cfg = with_overrides(
        GameConfig(),
        {
            "p_hum": 0,
            "p_meet": 0,
            "P0": 0,
            "beta0": 0.9,
            "s_star": 0.6,
            "H_US": 3,
            "pi_max": 1.0,
            "sigma_stall": 1.0,
        },
    )
    r = simulate(cfg, n_runs=200, seed=2, months=12)
    alive = r.outcome == ONGOING_WAR
    assert (r.sanction_month[alive] == 3).all()
    cfg2 = with_overrides(cfg, {"beta0": 0.5, "screening": False})
    r2 = simulate(cfg2, n_runs=200, seed=2, months=6)  # blame stays at 0.5 while U makes no serious offer
    assert (r2.sanction_month == 0).all()


def test_no_fighting_front_in_ceasefire_and_frozen_outcome():
    # a very durable ceasefire regime: ceasefires hold and freeze
    cfg = with_overrides(GameConfig(), {**WEARY, "h0": 0.001, "n_freeze": 3, "b_definitive": 5.0})
    r = simulate(cfg, n_runs=500, seed=4, months=24)
    assert (r.outcome == FROZEN).any()
    fr = r.outcome == FROZEN
    # the front does not move during the ceasefire: q at the end equals q when it was signed
    for i in np.flatnonzero(fr)[:20]:
        start = r.first_ceasefire[i]
        assert r.q[i, r.end_month[i]] == r.q[i, start]


def test_equilibrium_policy_runs_in_full_mode():
    r = simulate(
        with_overrides(GameConfig(), {"policy": "equilibrium", **WEARY}), n_runs=200, seed=1, months=12
    )
    assert r.outcome.shape == (200,)


def test_bad_arguments():
    with pytest.raises(ModelConfigError):
        simulate(n_runs=0)
    with pytest.raises(ModelConfigError):
        simulate(months=0)


def test_event_log(weary):
    ev = weary.events
    kinds = set(ev.kind.tolist())
    assert {"summit", "ceasefire", "settlement"} <= kinds
    assert (np.diff(ev.round) >= 0).all()
    assert (ev.kind == "ceasefire").sum() == len(weary.ceasefires.run)


def test_summary_json_is_clean(default, weary):
    import json

    for r in (default, weary):
        doc = summarize(r, version="x")
        json.dumps(doc, allow_nan=False)
        assert set(doc) == {"detente_version", "seed", "runs", "months", "monthly", "outcomes", "terms"}
        assert sum(doc["outcomes"]["shares"].values()) == pytest.approx(1.0, abs=1e-3)


def test_plausibility_rows(default):
    rows = plausibility(default)
    assert {r["fact"] for r in rows} >= {"V3", "V5", "V6", "V9", "V11", "V15", "V17"}
    for row in rows:
        assert row["holds"] in (True, False, None)
        assert (row["value"] is None) == (row["holds"] is None)


def test_default_scenario_the_stalling_continues(default):
    """Column: 'This means the stalling will continue' — the default gives no ceasefire in the first year."""
    cf = cumulative_by_month(default.first_ceasefire, default.months)
    assert cf[11] < 0.05
    assert cf[23] < 0.3
    # Ukraine's screening offers are refused, so the public comes to blame Russia (column: 'to show that it
    # is not Ukraine, but Russia that does not want a result')
    assert default.beta[:, 6].mean() > 0.8


def test_screening_moves_blame_only_when_on():
    # without screening offers blame moves only in the few runs where U already makes a serious ceasefire offer
    # (with loss-averse war values, about 1 run in 100 within 6 months); on average it stays where it started
    off = simulate(GameConfig().replace(screening=False), n_runs=300, seed=1, months=6)
    moved = ~np.isclose(off.beta[:, -1], off.config.beliefs.beta0)
    assert moved.mean() < 0.05
    assert abs(off.beta[:, -1].mean() - off.config.beliefs.beta0) < 0.02
    on = simulate(GameConfig(), n_runs=300, seed=1, months=6)
    assert on.beta[:, -1].mean() > 0.8


def test_grid_has_no_binding_guarantee_unless_offered():
    assert pol.package_grid(2)[:, 4].max() == 2


@pytest.mark.parametrize("over", [{}, WEARY])
def test_run_reproducible_from_seed_and_index_whatever_the_batch(over):
    """simulator.md §5: every run is reproducible from (config, seed, run index)."""
    cfg = with_overrides(GameConfig(), over)
    small = simulate(cfg, n_runs=130, seed=21, months=24)
    big = simulate(cfg, n_runs=700, seed=21, months=24)
    for name in (
        "outcome",
        "end_month",
        "first_ceasefire",
        "settlement_month",
        "sanction_month",
        "final_q",
        "alignment",
        "maximal",
        "beta",
    ):
        np.testing.assert_array_equal(getattr(small, name), getattr(big, name)[:130], err_msg=name)
    mid = simulate(cfg, n_runs=600, seed=21, months=24)
    np.testing.assert_array_equal(mid.final_q[512:600], big.final_q[512:600])
    np.testing.assert_array_equal(mid.outcome, big.outcome[:600])


# ------------------------------------------------------------------ second pass: plausibility of the default
V1_UTILITY = {"loss_aversion": 1.0, "terr_curvature": 1.0, "recognition": False, "settle_after": 0}


def test_settlements_follow_a_ceasefire_that_held_settle_after_months(weary):
    """PA-X stage order (Bell & Badanjak 2019): comprehensive deals follow a ceasefire of settle_after months."""
    r, k = weary, weary.config.offers.settle_after
    s = np.flatnonzero(r.outcome == SETTLEMENT)
    assert len(s) > 20
    c = r.ceasefires
    for i in s:
        last = np.flatnonzero(c.run == i)[-1]
        assert r.settlement_month[i] - c.start[last] >= k


def test_no_land_for_neutrality_swaps():
    """Concave, loss-averse land values (Fearon 1995; Levy 1996): settled lines stay near the front."""
    cfg = with_overrides(GameConfig(), WEARY)
    r = simulate(cfg, n_runs=1500, seed=5, months=36)
    s = r.outcome == SETTLEMENT
    assert s.sum() > 50
    gap = r.terms[s, 0] - r.q[s, r.end_month[s]]
    assert (r.terms[s, 0] == 0).mean() < 0.05
    assert np.abs(gap).mean() < 0.08
    # the v1 utility (linear) gives the swaps back: a quarter or more of settlements at terr = 0
    v1 = simulate(with_overrides(cfg, V1_UTILITY), n_runs=1500, seed=5, months=36)
    s1 = v1.outcome == SETTLEMENT
    assert (v1.terms[s1, 0] == 0).mean() > 0.15


def test_more_ceasefires_break_and_some_freeze_than_in_v1():
    """Fortna 2004 (V9): a realistic share of ceasefires break once they are not all converted at once."""
    new = simulate(GameConfig(), n_runs=2000, seed=6, months=36)
    v1 = simulate(
        with_overrides(GameConfig(), {**V1_UTILITY, "settlement_reference": "ceasefire"}),
        n_runs=2000,
        seed=6,
        months=36,
    )
    assert new.ceasefires.broke.mean() > v1.ceasefires.broke.mean() + 0.1
    assert (new.outcome == SETTLEMENT).mean() < (v1.outcome == SETTLEMENT).mean()


def test_claims_reference_blocks_settlements_ceasefire_reference_allows_them():
    base = with_overrides(GameConfig(), WEARY)
    claims = simulate(with_overrides(base, {"settlement_reference": "claims"}), n_runs=800, seed=7, months=36)
    cfref = simulate(
        with_overrides(base, {"settlement_reference": "ceasefire"}), n_runs=800, seed=7, months=36
    )
    assert (claims.outcome == SETTLEMENT).mean() < 0.02
    assert (claims.outcome == FROZEN).mean() > 0.3
    assert (cfref.outcome == SETTLEMENT).mean() > 0.3


def test_blame_moves_over_months_not_in_one_round():
    """tau_obs: observers are unsure of R's valuations, so one refusal is weak evidence (simulator.md §4.6)."""
    r = simulate(GameConfig(), n_runs=500, seed=9, months=6)
    b = r.beta.mean(axis=0)
    assert b[1] < 0.8 < b[6]
    fast = simulate(GameConfig().replace(tau_obs=0.02), n_runs=500, seed=9, months=6)
    assert fast.beta.mean(axis=0)[1] > b[1]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"seed": 1.5}, "seed: expected an integer >= 0, received 1.5"),
        ({"seed": None}, "seed: expected an integer >= 0, received None"),  # fresh entropy: not reproducible
        ({"seed": -1}, "seed: expected an integer >= 0, received -1"),
        ({"config": {"horizon": 5}}, "config: expected a detente.sim.GameConfig"),
    ],
)
def test_bad_simulate_arguments_name_the_argument(kwargs, fragment) -> None:
    """numpy's TypeError for seed=1.5, an unseeded run for seed=None, an AttributeError deep inside
    for a dict config: now a ModelConfigError naming the argument."""
    with pytest.raises(ModelConfigError, match=re.escape(fragment)):
        simulate(n_runs=5, months=2, **kwargs)


def test_sim_result_repr_is_one_line() -> None:
    r = simulate(n_runs=300, seed=1, months=12)
    text = repr(r)
    assert "\n" not in text and len(text) < 400, len(text)  # the dataclass repr was ~40,000 characters
    assert text.startswith("SimResult(full, 300 runs × 12 months, seed 1; endings: ")
