"""Knock-out, tornado and what-it-takes of every issue in 2 + refine batched calls give the one-issue functions' numbers."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest

from detente.analysis.batched import knockout_and_levers, step_targets
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
    searches = [
        what_it_takes(m, sc, iid, op, t, seed=0, grid=21, refine=3)
        for iid, (op, t) in zip(sc.issue_ids, step_targets(sc, tor.base), strict=True)
    ]
    calls: Counter[str] = Counter()
    orig = type(m).predict

    def counting(self: Any, arrays: Any, rng: Any) -> Any:
        calls["predict"] += 1
        return orig(self, arrays, rng)

    monkeypatch.setattr(type(m), "predict", counting)
    res = knockout_and_levers(m, sc, pert, seed=0, grid=21, refine=3)
    if type(m).info.batched and not type(m).info.stochastic:
        assert calls["predict"] == 2 + 3
    np.testing.assert_array_equal(res.knockout.without, ko.without)
    np.testing.assert_array_equal(res.tornado.base, tor.base)
    assert res.tornado.cases == tor.cases
    np.testing.assert_array_equal(res.tornado.out_low, tor.out_low)
    np.testing.assert_array_equal(res.tornado.out_high, tor.out_high)
    assert repr(res.searches) == repr(tuple(searches))  # repr: NaN where a lever cannot reach the target
