"""Reference modes of simulator.md §6: the engine in equilibrium mode vs the closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from detente.sim import reference as ref
from detente.sim.config import GameConfig, preset, with_overrides
from detente.sim.engine import DECISION_R, DECISION_U, SETTLEMENT, simulate
from detente.sim.summary import summarize


def test_closed_forms_of_the_spec():
    assert ref.rubinstein_share(0.9, 0.8) == pytest.approx(0.714286, abs=1e-6)
    assert ref.breakdown_share(0.1) == pytest.approx(0.526316, abs=1e-6)
    assert ref.breakdown_share(0.1) == pytest.approx(1 / (1 + 0.9))  # same as delta = 0.9
    assert ref.outside_option_share(0.9, 0.8, 0.4) == pytest.approx(0.6)
    assert ref.outside_option_share(0.9, 0.8, 0.2) == pytest.approx(0.714286, abs=1e-6)
    assert ref.fearon_range(0.6, 0.1, 0.15) == pytest.approx((0.5, 0.75))
    assert ref.fearon_private_info(0.6, 0.1, 0.05, 0.25) == pytest.approx((0.85, 0.5))


@pytest.mark.parametrize("d1,d2", [(0.9, 0.8), (0.95, 0.9), (0.7, 0.7), (0.5, 0.9)])
def test_rubinstein_preset(d1, d2):
    cfg = with_overrides(preset("rubinstein"), {"delta_1": str(d1), "delta_2": str(d2)})
    r = simulate(cfg, n_runs=500, seed=7, months=24)
    doc = summarize(r)
    assert doc["first_mover_share"] == pytest.approx((1 - d2) / (1 - d1 * d2), abs=0.01)
    assert doc["agreement_round"] == 1
    assert (r.outcome == SETTLEMENT).all()


def test_rubinstein_breakdown_acts_like_discounting():
    cfg = with_overrides(preset("rubinstein"), {"delta_1": 1, "delta_2": 1, "breakdown": 0.1})
    a = simulate(cfg, n_runs=300, seed=1, months=24).extras["first_mover_share"]
    b = simulate(
        with_overrides(preset("rubinstein"), {"delta_1": 0.9, "delta_2": 0.9}), n_runs=300, seed=1, months=24
    ).extras["first_mover_share"]
    assert a == pytest.approx(0.526316, abs=0.01)
    assert a == pytest.approx(b, abs=1e-6)


@pytest.mark.parametrize("w,share", [(0.4, 0.6), (0.2, 0.714286)])
def test_outside_option(w, share):
    cfg = with_overrides(preset("rubinstein"), {"outside_U": w})
    r = simulate(cfg, n_runs=200, seed=2, months=24)
    assert r.extras["first_mover_share"] == pytest.approx(share, abs=0.01)
    assert r.extras["agreement_round"] == 1


def test_fearon_complete_information_no_war():
    r = simulate(preset("fearon"), n_runs=1000, seed=3)
    ex = r.extras
    lo, hi = ex["bargaining_range"]
    assert (lo, hi) == pytest.approx(ref.fearon_range(0.6, 0.10, 0.15))
    assert ex["range_nonempty"] and hi >= lo
    assert ex["offer"] == pytest.approx(0.75)
    assert (r.outcome == SETTLEMENT).all() and (
        r.settlement_month == 1
    ).all()  # first offer accepted, every run
    assert ex["p_war"] == 0.0


def test_fearon_private_information_war_probability_one_half():
    cfg = with_overrides(preset("fearon"), {"c_U_types": "0.05,0.25"})
    r = simulate(cfg, n_runs=4000, seed=4)
    assert r.extras["offer"] == pytest.approx(0.85)
    # binomial sd = sqrt(.25/4000) = 0.008: 4 sd
    assert r.extras["p_war"] == pytest.approx(0.5, abs=0.032)
    war = np.isin(r.outcome, [DECISION_R, DECISION_U])
    assert war.mean() == pytest.approx(r.extras["p_war"])
    # war outcome is the lottery: R wins w.p. p = 0.6
    assert (r.outcome[war] == DECISION_R).mean() == pytest.approx(0.6, abs=0.05)


def test_fearon_indivisible_issue_gives_war():
    r = simulate(with_overrides(preset("fearon"), {"indivisible": True}), n_runs=500, seed=5)
    assert r.extras["p_war"] > 0


@pytest.mark.parametrize("shift", [0.0, 0.02, 0.05, 0.1, 0.2])
def test_fearon_power_shift_matches_closed_form(shift):
    r = simulate(with_overrides(preset("fearon"), {"power_shift": shift}), n_runs=300, seed=6)
    war_expected = ref.fearon_shift_war(0.6, 0.10, 0.15, 0.9, shift)
    assert (r.extras["p_war"] > 0) == war_expected
    if shift >= 0.1:
        assert r.extras["p_war"] > 0


def test_presets_do_not_change_defaults():
    assert GameConfig().run.mode == "full"
    assert preset("rubinstein").values.delta_R == 0.9 and preset("rubinstein").values.delta_U == 0.8
