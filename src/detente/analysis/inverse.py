""" "What would it take": the smallest change of one actor's input that moves a forecast to a target.

For an issue ``i``, a target (forecast ``>= v`` or ``<= v``, issue units) and each actor with a
stance on ``i``, each input (position on ``i``, salience on ``i``, capability on ``i``) is searched
over its feasible range with everything else fixed at the scenario's values:

- position: the issue's scale; salience: ``[0, 1]``; capability: ``[0, CAPABILITY_FACTOR × c]``
  (``c`` the stance's capability, or the mean capability on the issue if ``c = 0``).

Search (deterministic; the model runs with ``seed``): a grid of ``grid`` points over the range plus
the base value, then ``refine`` rounds that re-grid the bracket between the satisfying grid point
nearest to the base value and its neighbour towards the base (a batched bisection). Every lever of
every actor is evaluated in one batched ``predict`` call per round. The reported value always
reaches the target; it is the smallest change up to ``range / (grid − 1) / (fine − 1)^refine``.
A model whose forecast is not monotone in an input can hide a narrow window between grid points:
the result is then an upper bound on the smallest change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from detente._typing import FloatArray
from detente.analysis.montecarlo import prepare
from detente.analysis.sensitivity import INPUTS, predict_batch, stack_arrays
from detente.core.perturb import Perturbation
from detente.core.scale import from_unit, to_unit
from detente.core.scenario import Scenario
from detente.errors import ScenarioError

CAPABILITY_FACTOR = 10.0
TOL = 1e-9  # of the scale width, against rounding when comparing with the target
Op = Literal[">=", "<="]


@dataclass(frozen=True, slots=True)
class Lever:
    """One actor's smallest change of one input that reaches the target (or ``feasible=False``).

    ``base``/``value`` are in issue units for position, on [0, 1] for salience, as given for
    capability; ``outcome`` is the forecast (issue units) at ``value``; ``effort`` in [0, 1] makes
    inputs comparable: ``|Δ|/width`` for position, ``|Δ|`` for salience, ``|ln(value/base)|/ln(10)``
    for capability.
    """

    actor: str
    actor_name: str
    input: str
    feasible: bool
    base: float
    value: float
    outcome: float
    low: float
    high: float
    effort: float

    @property
    def change(self) -> float:
        return self.value - self.base

    def sentence(self, issue_name: str, target: str) -> str:
        """A plain-language statement of the lever."""
        who = self.actor_name
        if not self.feasible:
            return f"No change of {who}'s {self.input} within [{self.low:g}, {self.high:g}] brings {issue_name} to {target}."
        if self.change == 0:
            return f"{issue_name} already meets {target}."
        if self.input == "position":
            verb = "move its position"
            return f"{who} would have to {verb} from {self.base:.4g} to {self.value:.4g} ({self.change:+.3g}); forecast {self.outcome:.4g}."
        if self.input == "salience":
            verb = "raise" if self.change > 0 else "lower"
            return f"{who} would have to {verb} its salience from {self.base:.3g} to {self.value:.3g}; forecast {self.outcome:.4g}."
        factor = self.value / self.base if self.base > 0 else float("inf")
        return (
            f"{who} would need {factor:.3g}× its capability ({self.base:.3g} → {self.value:.3g}); "
            f"forecast {self.outcome:.4g}."
        )


@dataclass(frozen=True, slots=True)
class WhatItTakes:
    issue: str
    op: str
    target: float
    base_outcome: float
    already: bool
    levers: tuple[Lever, ...]

    def feasible(self) -> list[Lever]:
        """Feasible levers, easiest first (by ``effort``, then actor order)."""
        return sorted((lv for lv in self.levers if lv.feasible), key=lambda lv: lv.effort)


def parse_target(text: str) -> tuple[Op, float]:
    """``'>=60'`` / ``'<= 3.5'`` / ``'≥60'`` -> (op, value).

    >>> parse_target(">= 60")
    ('>=', 60.0)
    """
    t = text.strip().replace("≥", ">=").replace("≤", "<=")
    for op in (">=", "<="):
        if t.startswith(op):
            try:
                v = float(t[2:])
            except ValueError:
                break
            if np.isfinite(v):
                return op, v
    raise ScenarioError(f"target: expected '>=VALUE' or '<=VALUE', received {text!r}")


def what_it_takes(
    model: Any,
    scenario: Scenario,
    issue: str,
    op: str,
    target: float,
    *,
    seed: int | None = 0,
    inputs: tuple[str, ...] = INPUTS,
    grid: int = 41,
    fine: int = 17,
    refine: int = 4,
) -> WhatItTakes:
    """Smallest change per actor and input that brings ``issue``'s forecast to ``op target``.

    Examples
    --------
    >>> from detente.core import Actor, Issue, Scenario, Stance
    >>> sc = Scenario(id="t", actors=(Actor(id="a"), Actor(id="b")), issues=(Issue(id="x"),),
    ...     stances=(Stance(actor="a", issue="x", position=0, salience=1), Stance(actor="b", issue="x", position=100, salience=1)))
    >>> from detente.models import get_model
    >>> r = what_it_takes(get_model("compromise"), sc, "x", ">=", 60)
    >>> lv = [lv for lv in r.levers if lv.actor == "a" and lv.input == "position"][0]
    >>> round(lv.value, 3)
    20.0
    """
    if issue not in scenario.issue_ids:
        raise ScenarioError(
            f"issue: unknown issue {issue!r} (expected one of {', '.join(scenario.issue_ids)})"
        )
    if op not in (">=", "<="):
        raise ScenarioError(f"target: expected '>=' or '<=', received {op!r}")
    for name in inputs:
        if name not in INPUTS:
            raise ScenarioError(f"inputs: expected some of {', '.join(INPUTS)}, received {name!r}")
    spec = prepare(scenario, Perturbation.none())
    b = spec.base
    A = b.n_actors
    i = scenario.issue_ids.index(issue)
    scale = spec.scales[i]
    tgt = float(to_unit(target, scale))
    sign = 1.0 if op == ">=" else -1.0

    def ok(u: FloatArray) -> np.ndarray:
        return np.asarray(sign * (u - tgt) >= -TOL)

    base_out = float(
        predict_batch(
            model,
            stack_arrays(b, b.position[None], b.salience[None], b.capability[None], b.present[None]),
            seed,
        )[0, i]
    )
    already = bool(ok(np.array(base_out)))
    present_i = b.present[:, i]
    cap_mean = float(b.capability[present_i, i].mean()) if present_i.any() else 1.0
    # levers: (actor, input, base, lo, hi)
    levers: list[tuple[int, str, float, float, float]] = []
    for a in range(A):
        if not present_i[a]:
            continue
        for name in inputs:
            if name == "position":
                levers.append((a, name, float(b.position[a, i]), 0.0, 1.0))
            elif name == "salience":
                levers.append((a, name, float(b.salience[a, i]), 0.0, 1.0))
            else:
                c0 = float(b.capability[a, i])
                levers.append((a, name, c0, 0.0, CAPABILITY_FACTOR * (c0 if c0 > 0 else cap_mean)))

    # per-issue models: only issue i's column needs to run
    work, col = (b, i) if type(model).info.joint_issues else (b.subset_issues([i]), 0)
    J = work.n_issues

    def evaluate(values: FloatArray) -> FloatArray:
        """values (L, G) -> forecasts of issue i (L, G) with lever l's input set to values[l, g]."""
        L, G = values.shape
        pos = np.broadcast_to(work.position, (L, G, A, J)).copy()
        sal = np.broadcast_to(work.salience, (L, G, A, J)).copy()
        cap = np.broadcast_to(work.capability, (L, G, A, J)).copy()
        for li, (a, name, _v0, _lo, _hi) in enumerate(levers):
            {"position": pos, "salience": sal, "capability": cap}[name][li, :, a, col] = values[li]
        flat = stack_arrays(
            work,
            pos.reshape(L * G, A, J),
            sal.reshape(L * G, A, J),
            cap.reshape(L * G, A, J),
            np.broadcast_to(work.present, (L * G, A, J)),
        )
        return predict_batch(model, flat, seed)[:, col].reshape(L, G)

    results: list[Lever] = []
    if levers and not already:
        L = len(levers)
        v0 = np.array([lv[2] for lv in levers])
        lo = np.array([lv[3] for lv in levers])
        hi = np.array([lv[4] for lv in levers])
        t = np.linspace(0.0, 1.0, grid)
        vals = lo[:, None] + t[None, :] * (hi - lo)[:, None]
        vals = np.sort(np.concatenate([vals, v0[:, None]], axis=1), axis=1)
        good = ok(evaluate(vals))
        dist = np.where(good, np.abs(vals - v0[:, None]), np.inf)
        best = np.argmin(dist, axis=1)
        feasible = np.isfinite(dist[np.arange(L), best])
        # bracket: the satisfying point and its neighbour towards the base value (not satisfying)
        sat = vals[np.arange(L), best]
        step = np.where(sat > v0, -1, 1)
        nb = np.clip(best + step, 0, vals.shape[1] - 1)
        other = vals[np.arange(L), nb]
        other = np.where(feasible, other, sat)
        f = np.linspace(0.0, 1.0, fine)
        for _ in range(refine):
            pts = (
                other[:, None] + f[None, :] * (sat - other)[:, None]
            )  # from the base side to the satisfying end
            g2 = ok(evaluate(pts))
            g2[:, -1] = True  # the satisfying end is known to reach the target
            first = np.argmax(g2, axis=1)
            new_sat = pts[np.arange(L), first]
            new_other = pts[np.arange(L), np.maximum(first - 1, 0)]
            sat = np.where(feasible, new_sat, sat)
            other = np.where(feasible, new_other, other)
        outs = evaluate(sat[:, None])[:, 0]
        for li, (a, name, base, low, high) in enumerate(levers):
            results.append(
                _lever(
                    scenario,
                    a,
                    name,
                    bool(feasible[li]),
                    base,
                    float(sat[li]),
                    float(outs[li]),
                    low,
                    high,
                    scale,
                )
            )
    elif levers:
        for a, name, base, low, high in levers:
            results.append(_lever(scenario, a, name, True, base, base, base_out, low, high, scale))
    return WhatItTakes(issue, op, float(target), float(from_unit(base_out, scale)), already, tuple(results))


def _lever(
    scenario: Scenario,
    a: int,
    name: str,
    feasible: bool,
    base: float,
    value: float,
    outcome: float,
    low: float,
    high: float,
    scale: tuple[float, float],
) -> Lever:
    if name == "position":
        base, value, low, high = from_unit([base, value, low, high], scale).tolist()
        effort = abs(value - base) / (scale[1] - scale[0])
    elif name == "salience":
        effort = abs(value - base)
    else:
        effort = (
            1.0
            if base <= 0 or value <= 0
            else min(1.0, abs(float(np.log(value / base))) / float(np.log(10.0)))
        )
    if not feasible:
        value, outcome, effort = float("nan"), float("nan"), float("inf")
    actor = scenario.actors[a]
    return Lever(
        actor.id,
        actor.label,
        name,
        feasible,
        base,
        value,
        float(from_unit(outcome, scale)),
        low,
        high,
        effort,
    )
