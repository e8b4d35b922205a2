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

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from detente._typing import FloatArray
from detente.analysis.inverse import CAPABILITY_FACTOR, TOL, WhatItTakes, _lever
from detente.analysis.montecarlo import DrawSpec, prepare
from detente.analysis.sensitivity import (
    INPUTS,
    Knockout,
    Tornado,
    TornadoCase,
    _ranges,
    knockout_batch,
    predict_batch,
    stack_arrays,
)
from detente.core.arrays import ScenarioArrays
from detente.core.perturb import Perturbation
from detente.core.scale import from_unit, to_unit
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


@dataclass
class _TornadoPlan:
    """The tornado's variants: ``groups`` of case indices with their batch (low, high alternating)."""

    cases: list[TornadoCase]
    batches: list[tuple[list[int], int, ScenarioArrays]]  # (case indices, issue column or -1 = all, batch)


def _tornado_plan(spec: DrawSpec, joint: bool) -> _TornadoPlan:
    b = spec.base
    A, I = b.n_actors, b.n_issues
    cases: list[TornadoCase] = []
    values: list[tuple[int, int, str, float, float]] = []
    for a, i in ((a, i) for a in range(A) for i in range(I) if b.present[a, i]):
        lo_hi = _ranges(spec, a, i)
        for name in INPUTS:
            lo, hi = lo_hi[name]
            values.append((a, i, name, lo, hi))
            if name == "position":
                lo, hi = from_unit([lo, hi], spec.scales[i]).tolist()
            cases.append(TornadoCase(b.actor_ids[a], name, b.issue_ids[i], lo, hi))
    C = len(cases)
    groups = [list(range(C))] if joint else [[c for c in range(C) if values[c][1] == i] for i in range(I)]
    batches = []
    for gi, idx in enumerate(groups):
        if not idx:
            continue
        arr = b if joint else b.subset_issues([gi])
        n = 2 * len(idx)
        pos = np.broadcast_to(arr.position, (n, A, arr.n_issues)).copy()
        sal = np.broadcast_to(arr.salience, (n, A, arr.n_issues)).copy()
        cap = np.broadcast_to(arr.capability, (n, A, arr.n_issues)).copy()
        for k, c in enumerate(idx):
            a, i, name, lo, hi = values[c]
            target = {"position": pos, "salience": sal, "capability": cap}[name]
            target[2 * k, a, i if joint else 0] = lo
            target[2 * k + 1, a, i if joint else 0] = hi
        present = np.broadcast_to(arr.present, (n, A, arr.n_issues))
        batches.append((idx, -1 if joint else gi, stack_arrays(arr, pos, sal, cap, present)))
    return _TornadoPlan(cases, batches)


@dataclass
class _Search:
    """The state of one issue's what-it-takes search (inverse.py's algorithm, one round at a time)."""

    issue: int
    op: str
    target: float
    sign: float
    tgt: float
    levers: list[tuple[int, str, float, float, float]]
    work: ScenarioArrays
    col: int
    base_out: float
    state: dict[str, Any] = field(default_factory=dict)

    def ok(self, u: FloatArray) -> np.ndarray:
        return np.asarray(self.sign * (u - self.tgt) >= -TOL)

    @property
    def active(self) -> bool:
        return bool(self.levers) and not bool(self.ok(np.array(self.base_out)))

    def rows(self, values: FloatArray) -> ScenarioArrays:
        L, G = values.shape
        A, J = self.work.n_actors, self.work.n_issues
        pos = np.broadcast_to(self.work.position, (L, G, A, J)).copy()
        sal = np.broadcast_to(self.work.salience, (L, G, A, J)).copy()
        cap = np.broadcast_to(self.work.capability, (L, G, A, J)).copy()
        for li, (a, name, _v0, _lo, _hi) in enumerate(self.levers):
            {"position": pos, "salience": sal, "capability": cap}[name][li, :, a, self.col] = values[li]
        return stack_arrays(
            self.work,
            pos.reshape(L * G, A, J),
            sal.reshape(L * G, A, J),
            cap.reshape(L * G, A, J),
            np.broadcast_to(self.work.present, (L * G, A, J)),
        )

    def grid_values(self, grid: int) -> FloatArray:
        v0 = np.array([lv[2] for lv in self.levers])
        lo = np.array([lv[3] for lv in self.levers])
        hi = np.array([lv[4] for lv in self.levers])
        t = np.linspace(0.0, 1.0, grid)
        vals = lo[:, None] + t[None, :] * (hi - lo)[:, None]
        vals = np.sort(np.concatenate([vals, v0[:, None]], axis=1), axis=1)
        self.state.update(v0=v0, vals=vals)
        return vals

    def after_grid(self, u: FloatArray) -> None:
        vals, v0 = self.state["vals"], self.state["v0"]
        L = len(self.levers)
        good = self.ok(u)
        dist = np.where(good, np.abs(vals - v0[:, None]), np.inf)
        best = np.argmin(dist, axis=1)
        feasible = np.isfinite(dist[np.arange(L), best])
        sat = vals[np.arange(L), best]
        step = np.where(sat > v0, -1, 1)
        nb = np.clip(best + step, 0, vals.shape[1] - 1)
        other = np.where(feasible, vals[np.arange(L), nb], sat)
        self.state.update(feasible=feasible, sat=sat, other=other, sat_u=u[np.arange(L), best])

    def refine_values(self, fine: int) -> FloatArray:
        s = self.state
        f = np.linspace(0.0, 1.0, fine)
        pts = s["other"][:, None] + f[None, :] * (s["sat"] - s["other"])[:, None]
        s["pts"] = pts
        return np.asarray(pts, dtype=np.float64)

    def after_refine(self, u: FloatArray) -> None:
        s = self.state
        L = len(self.levers)
        g2 = self.ok(u)
        g2[:, -1] = True  # the satisfying end is known to reach the target
        first = np.argmax(g2, axis=1)
        pts = s["pts"]
        feasible = s["feasible"]
        s["sat"] = np.where(feasible, pts[np.arange(L), first], s["sat"])
        s["other"] = np.where(feasible, pts[np.arange(L), np.maximum(first - 1, 0)], s["other"])
        s["sat_u"] = np.where(feasible, u[np.arange(L), first], s["sat_u"])  # the forecast at ``sat``

    def result(self, scenario: Scenario, scale: tuple[float, float], issue_id: str) -> WhatItTakes:
        already = bool(self.ok(np.array(self.base_out)))
        out = []
        if self.active:
            s = self.state
            for li, (a, name, base, low, high) in enumerate(self.levers):
                out.append(
                    _lever(
                        scenario,
                        a,
                        name,
                        bool(s["feasible"][li]),
                        base,
                        float(s["sat"][li]),
                        float(s["sat_u"][li]),
                        low,
                        high,
                        scale,
                    )
                )
        else:
            for a, name, base, low, high in self.levers:
                out.append(_lever(scenario, a, name, True, base, base, self.base_out, low, high, scale))
        return WhatItTakes(
            issue_id, self.op, float(self.target), float(from_unit(self.base_out, scale)), already, tuple(out)
        )


def _search(spec: DrawSpec, i: int, op: str, target: float, base_out: float, joint: bool) -> _Search:
    b = spec.base
    present_i = b.present[:, i]
    cap_mean = float(b.capability[present_i, i].mean()) if present_i.any() else 1.0
    levers: list[tuple[int, str, float, float, float]] = []
    for a in range(b.n_actors):
        if not present_i[a]:
            continue
        for name in INPUTS:
            if name == "position":
                levers.append((a, name, float(b.position[a, i]), 0.0, 1.0))
            elif name == "salience":
                levers.append((a, name, float(b.salience[a, i]), 0.0, 1.0))
            else:
                c0 = float(b.capability[a, i])
                levers.append((a, name, c0, 0.0, CAPABILITY_FACTOR * (c0 if c0 > 0 else cap_mean)))
    work, col = (b, i) if joint else (b.subset_issues([i]), 0)
    return _Search(
        i,
        op,
        target,
        1.0 if op == ">=" else -1.0,
        float(to_unit(target, spec.scales[i])),
        levers,
        work,
        col,
        base_out,
    )


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
    plan = _tornado_plan(spec, joint)
    searches = [
        _search(spec, i, op, t, float(base_u[i]), joint)
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
        for idx, gi, arr in plan.batches:
            r = res[at : at + arr.batch_shape[0]]
            at += arr.batch_shape[0]
            if gi < 0:
                out_low[idx] = r[0::2]
                out_high[idx] = r[1::2]
            else:
                out_low[idx, gi] = r[0::2, 0]
                out_high[idx, gi] = r[1::2, 0]
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
