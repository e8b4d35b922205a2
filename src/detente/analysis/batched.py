"""Knock-out, tornado and the what-it-takes searches of every issue as few batched model calls.

The same numbers as :func:`~detente.analysis.sensitivity.knockout`,
:func:`~detente.analysis.sensitivity.tornado` and :func:`~detente.analysis.inverse.what_it_takes`
(one issue each), with the variants of all of them stacked along the batch axis in two model calls:

1. the knock-out batch: the base and each actor left out (its first row is the base forecast that
   the tornado and the searches start from), the tornado's low/high cases and the first grid of
   every issue's search (the grid does not depend on the target, so nothing here waits for a forecast);
2. the levers batch: one finer grid inside each search's bracket (:data:`LEVER_GRID`: the same
   precision as the earlier rounds of bisection, which each needed a call of their own).

For per-issue models (``joint_issues`` false) every variant runs on its issue's column alone, as
in the one-issue functions, so variants of different issues stack into one ``(N, A, 1)`` batch
(each row with its own issue's reference). A deterministic batched model's rows do not depend on
the rows beside them, so every number equals the one-issue functions'.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from detente._typing import FloatArray
from detente.analysis.inverse import WhatItTakes, lever_search
from detente.analysis.montecarlo import prepare
from detente.analysis.sensitivity import (
    Knockout,
    Tornado,
    knockout_result,
    knockout_rows,
    predict_batch,
    tornado_plan,
)
from detente.core.arrays import ScenarioArrays
from detente.core.perturb import Perturbation
from detente.core.scale import from_unit
from detente.core.scenario import Scenario


def stack_batches(parts: list[ScenarioArrays]) -> ScenarioArrays:
    """One ``(N, A, J)`` batch from batches of equal ``(A, J)`` (issue ids of the first when they differ)."""
    first = parts[0]
    same = all(p.issue_ids == first.issue_ids for p in parts)
    ids = first.issue_ids if same else ("stacked",) * first.n_issues
    return replace(
        first,
        issue_ids=ids,
        position=np.concatenate([p.position for p in parts]),
        salience=np.concatenate([p.salience for p in parts]),
        capability=np.concatenate([p.capability for p in parts]),
        present=np.concatenate([p.present for p in parts]),
        reference=np.concatenate([p.reference for p in parts]),
        # decision rules have no batch axis: columns of different issues keep none (a model that
        # reads them runs on all issues instead, see knockout_and_levers)
        rules=first.rules if same else None,
    ).readonly()


@dataclass(frozen=True, slots=True)
class LeverResults:
    """Knock-out, tornado and one what-it-takes search per target; ``perturbation``: the input ranges
    of the tornado (as :func:`~detente.analysis.montecarlo.prepare` used them)."""

    knockout: Knockout
    tornado: Tornado
    searches: tuple[WhatItTakes, ...]
    perturbation: Perturbation = field(default_factory=Perturbation)


def step_targets(scenario: Scenario, base: FloatArray, share: float = 0.1) -> list[tuple[str, float]]:
    """Per issue: move the forecast ``share`` of the scale up (down if that leaves the scale): (op, target)."""
    out: list[tuple[str, float]] = []
    for k, issue in enumerate(scenario.issues):
        step = share * issue.scale.width
        b = float(base[k])
        out.append((">=", b + step) if b + step <= issue.scale.high else ("<=", b - step))
    return out


LEVER_GRID = (257, 321)
"""Quick mode: a coarse grid of 257 points over each input's range (256 steps), then 321 points (320 steps)
inside the bracket: the value found is the smallest change up to range / 81,920, as the three
bisection-like rounds of 17 points after a grid of 21 of earlier versions (20 × 16³ = 81,920)."""
LEVER_GRID_FULL = (1621, 1621)
"""Thorough mode: range / 1,620² = range / 2,624,400 (earlier: a grid of 41 and four rounds of 17, 40 × 16⁴ = 2,621,440)."""


def knockout_and_levers(
    model: Any,
    scenario: Scenario,
    perturbation: Perturbation | None = None,
    *,
    seed: int | None = 0,
    grid: int = LEVER_GRID[0],
    fine: int = LEVER_GRID[1],
    share: float = 0.1,
) -> LeverResults:
    """Knock-out, tornado and, for each issue, what it takes to move its forecast ``share`` of its scale
    (:func:`step_targets`), in two model calls (module docstring): the knock-out batch (with the
    tornado's cases and each search's first ``grid``, which need no forecast first) and the levers
    batch (``fine`` points inside each search's bracket)."""
    spec = prepare(scenario, perturbation)
    info = type(model).info
    # a model that reads decision rules runs every variant on all issues (the rules have no batch axis)
    joint = bool(info.joint_issues) or bool(getattr(info, "uses_rules", False))
    b, I = spec.base, spec.base.n_issues
    plan = tornado_plan(spec, joint)
    ko_rows = knockout_rows(spec)
    # per-issue models: the knock-out of each issue on its column alone, so that every batch is (., A, 1)
    ko_parts = [ko_rows] if joint else [ko_rows.subset_issues([i]) for i in range(I)]
    # the first grid does not depend on the target: searches with a placeholder target give its rows
    first = [lever_search(spec, i, ">=", 0.0, 0.0, joint) for i in range(I)]
    first = [s for s in first if s.levers]
    grid_rows = [s.rows(s.grid_values(grid)) for s in first]
    res = predict_batch(model, stack_batches(ko_parts + [a for _i, _g, a in plan.batches] + grid_rows), seed)
    n_ko = b.n_actors + 1
    if joint:
        ko_out, at = res[:n_ko], n_ko
    else:
        ko_out, at = res[: n_ko * I, 0].reshape(I, n_ko).T, n_ko * I
    ko, base_u = knockout_result(spec, ko_out)
    C = len(plan.cases)
    out_low = np.broadcast_to(base_u, (C, I)).copy()
    out_high = np.broadcast_to(base_u, (C, I)).copy()
    for k, (_idx, _gi, arr) in enumerate(plan.batches):
        plan.record(out_low, out_high, k, res[at : at + arr.batch_shape[0]])
        at += arr.batch_shape[0]
    grid_out = {}
    for s, rows in zip(first, grid_rows, strict=True):
        grid_out[s.issue] = res[at : at + rows.batch_shape[0], s.col].reshape(len(s.levers), grid + 1)
        at += rows.batch_shape[0]
    searches = [
        lever_search(spec, i, op, t, float(base_u[i]), joint)
        for i, (op, t) in enumerate(step_targets(scenario, ko.base, share))
    ]
    active = [s for s in searches if s.active]
    for s in active:
        s.grid_values(grid)  # the same values as in the knock-out batch
        s.after_grid(grid_out[s.issue])
    if active:  # the levers batch
        pts = [s.refine_values(fine) for s in active]
        res = predict_batch(model, stack_batches([s.rows(p) for s, p in zip(active, pts, strict=True)]), seed)
        at = 0
        for s, p in zip(active, pts, strict=True):
            s.after_refine(res[at : at + p.size, s.col].reshape(p.shape))
            at += p.size
    tornado = Tornado(
        b.issue_ids,
        ko.base,
        tuple(plan.cases),
        from_unit(out_low, spec.scales),
        from_unit(out_high, spec.scales),
    )
    results = tuple(s.result(scenario, spec.scales[s.issue], scenario.issue_ids[s.issue]) for s in searches)
    return LeverResults(ko, tornado, results, Perturbation() if perturbation is None else perturbation)
