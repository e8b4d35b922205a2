"""Knock-out, tornado and what-it-takes of every issue in two batched calls give the one-issue functions' numbers,
and the levers as precise as the earlier rounds of bisection (a grid of 21, then 3 rounds of 17 points)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest

from detente.analysis.batched import LEVER_GRID, knockout_and_levers, step_targets
from detente.analysis.inverse import what_it_takes
from detente.analysis.sensitivity import knockout, tornado
from detente.core.perturb import Perturbation
from detente.io.builtin import load_builtin
from detente.models import get_model


@pytest.mark.parametrize(
    ("name", "model"), [("ukraine-2025", "compromise"), ("emission-standards-1994", "median")]
)
def test_batched_equals_one_issue_functions(name: str, model: str, monkeypatch: pytest.MonkeyPatch) -> None:
    sc = load_builtin(name)
    m = get_model(model)
    pert = Perturbation.from_metadata(sc.metadata)
    ko, tor = knockout(m, sc, seed=0), tornado(m, sc, pert, seed=0)
    calls: Counter[str] = Counter()
    orig = type(m).predict

    def counting(self: Any, arrays: Any, rng: Any) -> Any:
        calls["predict"] += 1
        return orig(self, arrays, rng)

    monkeypatch.setattr(type(m), "predict", counting)
    res = knockout_and_levers(m, sc, pert, seed=0)
    if type(m).info.batched and not type(m).info.stochastic:
        assert calls["predict"] == 2  # the knock-out batch and the levers batch
    monkeypatch.undo()
    grid, fine = LEVER_GRID
    searches = [  # the same targets (from the batched knock-out's base forecast, see below)
        what_it_takes(m, sc, iid, op, t, seed=0, grid=grid, fine=fine, refine=1)
        for iid, (op, t) in zip(sc.issue_ids, step_targets(sc, res.tornado.base), strict=True)
    ]
    # per-issue models run the knock-out on each issue's column alone: equal up to the order of a sum
    close = {"rtol": 1e-12, "atol": 1e-12}
    np.testing.assert_allclose(res.knockout.without, ko.without, **close)
    np.testing.assert_allclose(res.tornado.base, tor.base, **close)
    assert res.tornado.cases == tor.cases
    np.testing.assert_allclose(res.tornado.out_low, tor.out_low, **close)
    np.testing.assert_allclose(res.tornado.out_high, tor.out_high, **close)
    for got, want in zip(res.searches, searches, strict=True):
        assert (got.issue, got.op, got.target, got.already) == (
            want.issue,
            want.op,
            want.target,
            want.already,
        )
        assert got.base_outcome == pytest.approx(want.base_outcome, rel=1e-12)
        assert repr(got.levers) == repr(want.levers)  # repr: NaN where a lever cannot reach the target


@pytest.mark.parametrize(
    ("name", "model"),
    [("ukraine-2025", "compromise"), ("ukraine-2025", "mean"), ("copenhagen-2009", "median")],
)
def test_one_levers_batch_is_as_precise_as_the_rounds_of_bisection(name: str, model: str) -> None:
    """The two-level grid (257 then 321 points) finds, lever by lever, the value the earlier grid of 21
    and three rounds of 17 points found (both step range / 81,920), or a smaller change."""
    sc = load_builtin(name)
    m = get_model(model)
    res = knockout_and_levers(m, sc, Perturbation.from_metadata(sc.metadata), seed=0)
    n_feasible = 0
    for issue, new, (op, t) in zip(sc.issues, res.searches, step_targets(sc, res.tornado.base), strict=True):
        old = what_it_takes(m, sc, issue.id, op, t, seed=0, grid=21, fine=17, refine=3)
        for a, b in zip(old.levers, new.levers, strict=True):
            assert (a.actor, a.input, a.feasible) == (b.actor, b.input, b.feasible)
            if not b.feasible:
                continue
            n_feasible += 1
            width = issue.scale.width if b.input == "position" else b.high - b.low
            assert abs(b.value - a.value) <= width / 81_920 * (1 + 1e-9)
            assert b.effort <= a.effort + 1e-12
            assert (
                (b.outcome >= t - 1e-9 * issue.scale.width)
                if op == ">="
                else (b.outcome <= t + 1e-9 * issue.scale.width)
            )
    assert n_feasible > 0


def test_a_model_reading_decision_rules_gets_each_issue_its_own_rule() -> None:
    """Decision rules have no batch axis, so columns of different issues cannot share one batch:
    a rules model's variants run on all issues (the same numbers as the one-issue functions), and
    stack_batches gives a mix of issues no rules rather than the first issue's."""
    from detente.analysis.batched import stack_batches
    from detente.analysis.main_job import sub_scenario
    from detente.core.arrays import to_arrays

    sc = load_builtin("ukraine-2025")
    rules = {i.id: (i.rule, i.decider) for i in sc.issues}
    two = [next(k for k, r in rules.items() if r[0] == "consensus"), "us_sanctions"]
    assert rules[two[1]][0] != rules[two[0]][0]  # one issue decided unilaterally, one by consensus
    sub = sub_scenario(sc, two)
    m = get_model("rule_compromise")
    pert = Perturbation.from_metadata(sub.metadata)
    res = knockout_and_levers(m, sub, pert, seed=0)
    ko, tor = knockout(m, sub, seed=0), tornado(m, sub, pert, seed=0)
    np.testing.assert_allclose(res.knockout.without, ko.without, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(res.tornado.out_low, tor.out_low, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(res.tornado.out_high, tor.out_high, rtol=1e-12, atol=1e-12)
    arr = to_arrays(sub).broadcast((1,))
    assert arr.rules is not None
    assert stack_batches([arr.subset_issues([0]), arr.subset_issues([1])]).rules is None  # not one issue's
    assert stack_batches([arr, arr]).rules is arr.rules
