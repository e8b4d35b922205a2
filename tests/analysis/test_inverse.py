"""What would it take: known answers on a two-actor compromise, and a brute-force check on the emission case."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from detente.analysis.inverse import parse_target, what_it_takes
from detente.core import Actor, Issue, Scale, Scenario, Stance
from detente.errors import ScenarioError
from detente.io.builtin import load_builtin
from detente.models import forecast, get_model


def duo() -> Scenario:
    return Scenario(
        id="duo",
        actors=(Actor(id="a", name="Alpha"), Actor(id="b", name="Beta")),
        issues=(Issue(id="x", scale=Scale(low=0, high=100)),),
        stances=(
            Stance(actor="a", issue="x", position=0, salience=1),
            Stance(actor="b", issue="x", position=100, salience=1),
        ),
    )


def lever(res, actor, name):
    return next(lv for lv in res.levers if lv.actor == actor and lv.input == name)


def test_known_answers_at_least() -> None:
    # compromise x = (c_a s_a x_a + c_b s_b x_b)/(c_a s_a + c_b s_b) = 50; target >= 60
    res = what_it_takes(get_model("compromise"), duo(), "x", ">=", 60)
    assert not res.already and res.base_outcome == pytest.approx(50)
    pa = lever(res, "a", "position")  # (x_a + 100)/2 >= 60  <=> x_a >= 20
    assert (
        pa.feasible and pa.value == pytest.approx(20, abs=1e-3) and pa.change == pytest.approx(20, abs=1e-3)
    )
    assert pa.outcome >= 60 - 1e-9
    sa = lever(res, "a", "salience")  # 100/(s_a + 1) >= 60  <=> s_a <= 2/3
    assert sa.feasible and sa.value == pytest.approx(2 / 3, abs=1e-4) and sa.value <= 2 / 3 + 1e-12
    ca = lever(res, "a", "capability")  # c_a <= 2/3
    assert ca.feasible and ca.value == pytest.approx(2 / 3, abs=1e-3)
    cb = lever(res, "b", "capability")  # 100 c_b/(1 + c_b) >= 60 <=> c_b >= 1.5
    assert cb.feasible and cb.value == pytest.approx(1.5, abs=1e-3)
    assert not lever(res, "b", "position").feasible  # b is already at the top of the scale
    assert not lever(res, "b", "salience").feasible  # would need s_b = 1.5 > 1
    assert "No change of Beta's position" in lever(res, "b", "position").sentence("X", ">= 60")
    # efforts: capability |log10(1.5)| = 0.176 < position 0.2 < salience 1/3
    assert res.feasible()[0].input == "capability" and res.feasible()[0].effort == pytest.approx(
        np.log10(1.5), abs=1e-3
    )
    efforts = [lv.effort for lv in res.feasible()]
    assert efforts == sorted(efforts)


def test_known_answers_at_most_and_already() -> None:
    res = what_it_takes(get_model("compromise"), duo(), "x", "<=", 25)
    pb = lever(res, "b", "position")  # x_b <= 50
    assert pb.value == pytest.approx(50, abs=1e-3) and pb.change == pytest.approx(-50, abs=1e-3)
    assert not lever(res, "a", "position").feasible
    done = what_it_takes(get_model("compromise"), duo(), "x", ">=", 40)
    assert done.already and all(lv.change == 0 for lv in done.levers)


def test_matches_brute_force_on_emission_positions() -> None:
    sc = load_builtin("emission-standards-1994")
    model = get_model("compromise")
    res = what_it_takes(model, sc, "emission", ">=", 7.6, inputs=("position",))
    grid = np.linspace(4, 10, 601)
    for lv in res.levers:
        base = sc.stance(lv.actor, "emission")
        hits = []
        for v in grid:
            st = tuple(
                dataclasses.replace(s, position=float(v)) if s.actor == lv.actor else s for s in sc.stances
            )
            if forecast(model, dataclasses.replace(sc, stances=st)).outcome[0] >= 7.6 - 1e-12:
                hits.append(abs(v - base.position))
        if not hits:
            assert not lv.feasible
        else:
            assert (
                lv.feasible
                and abs(lv.change) <= min(hits) + 1e-9
                and abs(lv.change) >= min(hits) - 0.01 - 1e-9
            )


def test_parse_target_and_errors() -> None:
    assert parse_target("≤ 3.5") == ("<=", 3.5)
    assert parse_target(">=60") == (">=", 60.0)
    for bad in ("60", "> 60", ">=abc", ">=nan"):
        with pytest.raises(ScenarioError, match="target"):
            parse_target(bad)
    with pytest.raises(ScenarioError, match="unknown issue"):
        what_it_takes(get_model("compromise"), duo(), "nope", ">=", 1)
