"""`detente run` computes each thing once (issue #13 item 1): a counting model proves it.

Every registered model class's ``predict`` and the simulator's ``simulate`` are wrapped with a
counter; the whole main job of ``detente run`` (quick mode: the results and every part rendered
from them) runs on ukraine-2025 and each model must be called once per purpose:

- point forecast (one call; reused by the brief, the tables, the EUM/exchange/SMP parts and the intervals);
- each sweep chunk (300 draws = one chunk here);
- knock-out: the base and every actor left out, one batch;
- levers: the tornado and the first grid of every issue's what-it-takes search, one batch, then one
  batch per refinement round of the search (3 in quick mode: each round needs the previous one);
- other variants: exchange at random rates (one batch); SMP on its three dimensions jointly, issue by
  issue and with stochastic transitions (one call each).

The simulator runs once per distinct configuration (as configured, then each what-if switch).
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

import pytest

from detente.io.builtin import load_builtin
from detente.models import MODELS, model_class

REFINE_QUICK = 3
TARGET: dict[str, int] = {
    "compromise": 1 + 1 + 1 + (1 + REFINE_QUICK),  # point, sweep chunk, knock-out, levers
    "median": 2,  # point, sweep chunk
    "mean": 2,
    "nbs": 2,
    "status_quo": 1,  # point (not swept)
    "eum": 2,  # point (trajectories, perspective chart, brief, tables), sweep chunk
    "exchange": 2,  # point (network, before/after), random exchange rates
    "smp": 4,  # point on all issues; joint, issue by issue, stochastic on its three dimensions
}
SIM_TARGET = 6  # as configured + 5 what-if switches ("as configured" is the base run itself)


def _count(monkeypatch: pytest.MonkeyPatch) -> tuple[Counter[str], list[Any]]:
    calls: Counter[str] = Counter()
    sims: list[Any] = []
    classes = {name: model_class(name) for name in MODELS}
    originals = {name: cls.predict for name, cls in classes.items()}  # before any is wrapped

    def wrap(orig: Any) -> Any:
        def predict(self: Any, arrays: Any, rng: Any) -> Any:
            calls[type(self).info.name] += 1
            return orig(self, arrays, rng)

        return predict

    for name, cls in classes.items():
        monkeypatch.setattr(cls, "predict", wrap(originals[name]))
    from detente.sim import engine

    real = engine.simulate

    def simulate(*args: Any, **kwargs: Any) -> Any:
        sims.append(kwargs.get("seed"))
        return real(*args, **kwargs)

    for mod in list(sys.modules.values()):  # every module that imported the function by name
        if getattr(mod, "__name__", "").startswith("detente") and getattr(mod, "simulate", None) is real:
            monkeypatch.setattr(mod, "simulate", simulate)
    return calls, sims


def test_detente_run_calls_each_model_once_per_purpose(monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.cli.cmd_core import build_parts

    calls, sims = _count(monkeypatch)
    parts = build_parts(load_builtin("ukraine-2025"), seed=0, quick=True)
    assert [p.name for p in parts] == [
        "forecasts",
        "eum",
        "exchange",
        "smp",
        "uncertainty",
        "levers",
        "cohesion",
        "simulator",
    ]
    assert dict(calls) == TARGET
    assert len(sims) == SIM_TARGET
