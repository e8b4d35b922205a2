"""Knock-out and tornado against slow loops over forecasts of edited scenarios."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from detente.analysis.sensitivity import Z90, knockout, tornado
from detente.core import Actor, Issue, Scale, Scenario, Stance
from detente.core.perturb import Perturbation
from detente.io.builtin import load_builtin
from detente.models import available_models, forecast, get_model

EMISSION = load_builtin("emission-standards-1994")


def toy() -> Scenario:
    return Scenario(
        id="t",
        actors=(Actor(id="a", capability=1.0), Actor(id="b", capability=2.0), Actor(id="c", capability=1.0)),
        issues=(Issue(id="x", scale=Scale(low=0, high=100)), Issue(id="y", scale=Scale(low=-1, high=1))),
        stances=(
            Stance(actor="a", issue="x", position=0, salience=1.0),
            Stance(actor="b", issue="x", position=30, salience=0.5, sd=10.0),
            Stance(actor="c", issue="x", position=90, salience=1.0),
            Stance(actor="a", issue="y", position=-1, salience=0.4),
            Stance(actor="c", issue="y", position=0.5, salience=0.9, low=0.0, high=0.8),
        ),
    )


def without(sc: Scenario, actor: str) -> Scenario:
    return dataclasses.replace(
        sc,
        actors=tuple(a for a in sc.actors if a.id != actor),
        stances=tuple(s for s in sc.stances if s.actor != actor),
    )


@pytest.mark.parametrize("name", ["compromise", "median", *[m for m in ("eum",) if m in available_models()]])
def test_knockout_equals_forecast_without_the_actor(name: str) -> None:
    model = get_model(name)
    for sc in (toy(), EMISSION):
        ko = knockout(model, sc)
        np.testing.assert_allclose(ko.base, forecast(model, sc).outcome, atol=1e-9)
        for k, actor in enumerate(sc.actor_ids):
            rest = without(sc, actor)
            want = forecast(model, rest).outcome
            for i, issue in enumerate(sc.issue_ids):
                if not any(s.issue == issue for s in rest.stances):
                    assert np.isnan(ko.without[k, i])  # nobody left on the issue
                    continue
                assert ko.without[k, i] == pytest.approx(float(want[i]), abs=1e-9)
                assert ko.delta[k, i] == pytest.approx(float(want[i] - ko.base[i]), abs=1e-9)


def test_knockout_ranking() -> None:
    ko = knockout(get_model("compromise"), toy())
    ranked = ko.ranked("x")
    assert [abs(d) for _a, d in ranked] == sorted((abs(d) for _a, d in ranked), reverse=True)


def edit(sc: Scenario, actor: str, issue: str, **change: float) -> Scenario:
    stances = []
    for s in sc.stances:
        if s.actor == actor and s.issue == issue:
            if "position" in change:
                s = dataclasses.replace(s, position=change["position"], low=None, high=None)
            if "salience" in change:
                s = dataclasses.replace(s, salience=change["salience"])
            if "capability" in change:
                s = dataclasses.replace(s, capability=change["capability"])
        stances.append(s)
    return dataclasses.replace(sc, stances=tuple(stances))


def test_tornado_equals_one_at_a_time_loop() -> None:
    sc = toy()
    pert = Perturbation(position_sd=0.05, salience_sd=0.2, capability_sd=0.3)
    model = get_model("compromise")
    t = tornado(model, sc, pert)
    np.testing.assert_allclose(t.base, forecast(model, sc).outcome)
    assert len(t.cases) == 3 * len(sc.stances)
    for c, case in enumerate(t.cases):
        st = sc.stance(case.actor, case.issue)
        assert st is not None
        scale = sc.issue(case.issue).scale
        cap0 = st.capability if st.capability is not None else sc.actor(case.actor).capability
        if case.input == "position":
            sd = (
                st.sd
                if st.sd is not None
                else ((st.high - st.low) / 3.92 if st.low is not None else 0.05 * scale.width)
            )
            lo_b = st.low if st.low is not None else scale.low
            hi_b = st.high if st.high is not None else scale.high
            want = (max(lo_b, st.position - Z90 * sd), min(hi_b, st.position + Z90 * sd))
        elif case.input == "salience":
            want = (max(0.0, st.salience - Z90 * 0.2), min(1.0, st.salience + Z90 * 0.2))
        else:
            want = (cap0 * np.exp(-Z90 * 0.3), cap0 * np.exp(Z90 * 0.3))
        assert (case.low, case.high) == pytest.approx(want, abs=1e-9)
        lo_f = forecast(model, edit(sc, case.actor, case.issue, **{case.input: case.low})).outcome
        hi_f = forecast(model, edit(sc, case.actor, case.issue, **{case.input: case.high})).outcome
        np.testing.assert_allclose(t.out_low[c], lo_f, atol=1e-9)
        np.testing.assert_allclose(t.out_high[c], hi_f, atol=1e-9)
    top = t.top("x", 3)
    assert [row[3] for row in top] == sorted((row[3] for row in top), reverse=True)
    assert top[0][3] == pytest.approx(float(t.swing[:, 0].max()))


class JointCompromise:
    """The compromise model declared as a joint-issue model: exercises the all-issues path."""

    from detente.models.base import ModelInfo as _MI

    info = _MI("joint_compromise", dynamic=False, stochastic=False, joint_issues=True)

    def predict(self, arrays, rng):
        return get_model("compromise").predict(arrays, rng)


def test_joint_path_equals_per_issue_path() -> None:
    from detente.analysis.inverse import what_it_takes

    sc = toy()
    a = tornado(get_model("compromise"), sc)
    b = tornado(JointCompromise(), sc)
    np.testing.assert_allclose(a.out_low, b.out_low, atol=1e-12)
    np.testing.assert_allclose(a.out_high, b.out_high, atol=1e-12)
    ra = what_it_takes(get_model("compromise"), sc, "x", ">=", 40)
    rb = what_it_takes(JointCompromise(), sc, "x", ">=", 40)
    assert [(lv.actor, lv.input, lv.feasible, round(lv.value, 9)) for lv in ra.levers if lv.feasible] == [
        (lv.actor, lv.input, lv.feasible, round(lv.value, 9)) for lv in rb.levers if lv.feasible
    ]


class Additive:
    """outcome = (x_0 + 2·x_1) / 3 on every issue: Var shares 1/5 and 4/5 for equal position noise."""

    from detente.models.base import ModelInfo as _MI

    info = _MI("additive", dynamic=False, stochastic=False)

    def predict(self, arrays, rng):
        from detente.core.results import Diagnostics, Prediction

        x = np.asarray(arrays.position)
        out = (x[..., 0, :] + 2 * x[..., 1, :]) / 3
        return Prediction(outcome=out, diagnostics=Diagnostics.closed_form(out.shape))


def test_sobol_known_shares() -> None:
    from detente.analysis.sensitivity import sobol

    sc = Scenario(
        id="add",
        actors=(Actor(id="p"), Actor(id="q"), Actor(id="r")),
        issues=(Issue(id="x"),),
        stances=tuple(Stance(actor=a, issue="x", position=50, salience=0.5) for a in "pqr"),
    )
    s = sobol(Additive(), sc, Perturbation(position_sd=0.05), n=4096, seed=3)
    idx = {g: k for k, g in enumerate(s.groups)}
    assert s.first[idx[("p", "position")], 0] == pytest.approx(0.2, abs=0.05)
    assert s.first[idx[("q", "position")], 0] == pytest.approx(0.8, abs=0.05)
    assert s.total[idx[("q", "position")], 0] == pytest.approx(0.8, abs=0.05)
    for g in s.groups:
        if g not in {("p", "position"), ("q", "position")}:
            assert abs(s.first[idx[g], 0]) < 0.02 and s.total[idx[g], 0] == pytest.approx(0.0, abs=1e-12)
    assert s.top("x", 1)[0][0] == ("q", "position")
    # variance in issue units: Var((x0 + 2 x1)/3) = 5/9 · (5)² on a 0-100 scale
    assert s.variance[0] == pytest.approx(5 / 9 * 25, rel=0.1)
    # reproducible
    s2 = sobol(Additive(), sc, Perturbation(position_sd=0.05), n=4096, seed=3)
    np.testing.assert_array_equal(s.first, s2.first)
