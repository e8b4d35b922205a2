"""Knock-out, tornado and the what-it-takes searches of every issue as few batched model calls.

The same numbers as :func:`~detente.analysis.sensitivity.knockout`,
:func:`~detente.analysis.sensitivity.tornado` and :func:`~detente.analysis.inverse.what_it_takes`
(one issue each), with the variants of all of them stacked along the batch axis:

1. knock-out: the base and each actor left out, one batch (its first row is the base forecast
   that the tornado and the searches start from);
2. the tornado's low/high cases and the first grid of every issue's search, one batch;
3. one batch per refinement round of the searches (each round brackets the previous one's).

For per-issue models (``joint_issues`` false) every variant runs on its issue's column alone, as
in the one-issue functions, so variants of different issues stack into one ``(N, A, 1)`` batch
(each row with its own issue's reference). A deterministic batched model's rows do not depend on
the rows beside them, so every number equals the one-issue functions'.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from detente._typing import FloatArray
from detente.analysis.inverse import WhatItTakes, lever_search
from detente.analysis.montecarlo import DrawSpec, prepare
from detente.analysis.sensitivity import Knockout, Tornado, knockout_batch, predict_batch, tornado_plan
from detente.core.arrays import ScenarioArrays
from detente.core.perturb import Perturbation
from detente.core.scale import from_unit
from detente.core.scenario import Scenario


def stack_batches(parts: list[ScenarioArrays]) -> ScenarioArrays:
    """One ``(N, A, J)`` batch from batches of equal ``(A, J)`` (issue ids of the first when they differ)."""
    first = parts[0]
    ids = (
        first.issue_ids
        if all(p.issue_ids == first.issue_ids for p in parts)
        else ("stacked",) * first.n_issues
    )
    return replace(
        first,
        issue_ids=ids,
        position=np.concatenate([p.position for p in parts]),
        salience=np.concatenate([p.salience for p in parts]),
        capability=np.concatenate([p.capability for p in parts]),
        present=np.concatenate([p.present for p in parts]),
        reference=np.concatenate([p.reference for p in parts]),
    ).readonly()


def _knockout(model: Any, spec: DrawSpec, seed: int | None) -> tuple[Knockout, FloatArray]:
    """:func:`~detente.analysis.sensitivity.knockout` (same batch), plus the base forecast on the unit scale."""
    return knockout_batch(model, spec, seed)


@dataclass(frozen=True, slots=True)
class LeverResults:
    """Knock-out, tornado and one what-it-takes search per target (``None`` where none was asked)."""

    knockout: Knockout
    tornado: Tornado
    searches: tuple[WhatItTakes, ...]


def step_targets(scenario: Scenario, base: FloatArray, share: float = 0.1) -> list[tuple[str, float]]:
    """Per issue: move the forecast ``share`` of the scale up (down if that leaves the scale): (op, target)."""
    out: list[tuple[str, float]] = []
    for k, issue in enumerate(scenario.issues):
        step = share * issue.scale.width
        b = float(base[k])
        out.append((">=", b + step) if b + step <= issue.scale.high else ("<=", b - step))
    return out


def knockout_and_levers(
    model: Any,
    scenario: Scenario,
    perturbation: Perturbation | None = None,
    *,
    seed: int | None = 0,
    grid: int = 41,
    fine: int = 17,
    refine: int = 4,
    share: float = 0.1,
) -> LeverResults:
    """Knock-out, tornado and, for each issue, what it takes to move its forecast ``share`` of its scale
    (:func:`step_targets`): ``2 + refine`` model calls in all (module docstring)."""
    spec = prepare(scenario, perturbation)
    ko, base_u = _knockout(model, spec, seed)  # call 1: its first row is the base forecast
    joint = bool(type(model).info.joint_issues)
    plan = tornado_plan(spec, joint)
    searches = [
        lever_search(spec, i, op, t, float(base_u[i]), joint)
        for i, (op, t) in enumerate(step_targets(scenario, ko.base, share))
    ]
    active = [s for s in searches if s.active]
    grids = [s.grid_values(grid) for s in active]
    batches = [arr for _idx, _g, arr in plan.batches] + [
        s.rows(v) for s, v in zip(active, grids, strict=True)
    ]
    C, I = len(plan.cases), spec.base.n_issues
    out_low = np.broadcast_to(base_u, (C, I)).copy()
    out_high = np.broadcast_to(base_u, (C, I)).copy()
    if batches:
        res = predict_batch(model, stack_batches(batches), seed)  # call 2
        at = 0
        for k, (_idx, _gi, arr) in enumerate(plan.batches):
            plan.record(out_low, out_high, k, res[at : at + arr.batch_shape[0]])
            at += arr.batch_shape[0]
        for s, v in zip(active, grids, strict=True):
            n = v.size
            s.after_grid(res[at : at + n, s.col].reshape(v.shape))
            at += n
    for _ in range(refine if active else 0):  # calls 3 ..
        pts = [s.refine_values(fine) for s in active]
        res = predict_batch(model, stack_batches([s.rows(p) for s, p in zip(active, pts, strict=True)]), seed)
        at = 0
        for s, p in zip(active, pts, strict=True):
            s.after_refine(res[at : at + p.size, s.col].reshape(p.shape))
            at += p.size
    tornado = Tornado(
        spec.base.issue_ids,
        ko.base,
        tuple(plan.cases),
        from_unit(out_low, spec.scales),
        from_unit(out_high, spec.scales),
    )
    results = tuple(s.result(scenario, spec.scales[s.issue], scenario.issue_ids[s.issue]) for s in searches)
    return LeverResults(ko, tornado, results)
