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

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from detente._typing import FloatArray
from detente.analysis.montecarlo import DrawSpec, prepare
from detente.analysis.rule_effects import PivotMove, pivot_moves
from detente.analysis.sensitivity import INPUTS, predict_batch, stack_arrays
from detente.core.arrays import ScenarioArrays
from detente.core.perturb import Perturbation
from detente.core.rng import check_seed
from detente.core.scale import from_unit, to_unit
from detente.core.scenario import Scenario, require_scenario
from detente.core.text import possessive
from detente.errors import ModelConfigError, ScenarioError
from detente.models.base import require_model

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
            return f"No change of {possessive(who)} {self.input} within [{self.low:g}, {self.high:g}] brings {issue_name} to {target}."
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
    pivot_moves: tuple[PivotMove, ...] = ()  # rule-reading models: who must move for the rule to allow it

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
    seed: int = 0,
    inputs: tuple[str, ...] = INPUTS,
    grid: int = 41,
    fine: int = 17,
    refine: int = 4,
) -> WhatItTakes:
    """Smallest change per actor and input that brings ``issue``'s forecast to ``op target``.

    ``target`` is a finite number in the issue's units; ``seed`` an integer >= 0 (as in
    :func:`detente.forecast`); ``grid`` and ``fine`` are integers >= 2 and ``refine`` >= 0 (module
    docstring). Anything else raises a :class:`~detente.errors.DetenteError` naming the argument.

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
    scenario = require_scenario(scenario)
    model = require_model(model)
    seed = check_seed(seed)
    if issue not in scenario.issue_ids:
        raise ScenarioError(
            f"issue: unknown issue {issue!r} (expected one of {', '.join(scenario.issue_ids)})"
        )
    if op not in (">=", "<="):
        raise ScenarioError(f"target: expected '>=' or '<=', received {op!r}")
    if (
        isinstance(target, bool)
        or not isinstance(target, (int, float, np.integer, np.floating))
        or not np.isfinite(target)
    ):
        raise ScenarioError(f"target: expected a finite number in the issue's units, received {target!r}")
    target = float(target)
    for name, value, low in (("grid", grid, 2), ("fine", fine, 2), ("refine", refine, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ModelConfigError(name, f"an integer >= {low}", value)
    if isinstance(inputs, str):  # one name: a tuple of its letters would be searched otherwise
        raise ScenarioError(f"inputs: expected a tuple of some of {', '.join(INPUTS)}, received {inputs!r}")
    for name in inputs:
        if name not in INPUTS:
            raise ScenarioError(f"inputs: expected some of {', '.join(INPUTS)}, received {name!r}")
    spec = prepare(scenario, Perturbation.none())
    b = spec.base
    i = scenario.issue_ids.index(issue)
    base_out = float(
        predict_batch(
            model,
            stack_arrays(b, b.position[None], b.salience[None], b.capability[None], b.present[None]),
            seed,
        )[0, i]
    )
    if not np.isfinite(base_out):  # nothing to move: say why instead of a table of NaN
        from detente.models.base import forecast

        why = forecast(model, scenario, seed=seed).no_forecast_reason(i) or "no forecast"
        raise ScenarioError(
            f"{issue}: the {type(model).info.name} model gives no forecast on this issue ({why}); "
            "nothing to move toward the target (expected a model with a forecast here, e.g. compromise)"
        )
    search = lever_search(spec, i, op, target, base_out, bool(type(model).info.joint_issues), inputs)
    if search.active:
        vals = search.grid_values(grid)
        search.after_grid(search.evaluate(model, vals, seed))
        for _ in range(refine):
            pts = search.refine_values(fine)
            search.after_refine(search.evaluate(model, pts, seed))
    res = search.result(scenario, spec.scales[i], issue)
    if type(model).info.uses_rules:  # what the decision rule's pivots would have to do (issue #16)
        res = replace(res, pivot_moves=pivot_moves(scenario, issue, target, op))
    return res


@dataclass
class LeverSearch:
    """The state of one issue's search (module docstring), one round at a time, so that the
    searches of several issues can share batched model calls (:mod:`detente.analysis.batched`).

    A round gives the values to try (:meth:`grid_values`, then :meth:`refine_values`), whose
    model inputs are :meth:`rows`; the forecasts of issue ``issue`` at them go back through
    :meth:`after_grid` / :meth:`after_refine`. Values are on the unit scale.
    """

    issue: int
    op: str
    target: float
    sign: float
    tgt: float
    levers: list[tuple[int, str, float, float, float]]  # (actor, input, base, lo, hi)
    work: ScenarioArrays  # the arrays the variants run on (issue ``issue`` alone for per-issue models)
    col: int  # issue ``issue``'s column in ``work``
    base_out: float
    state: dict[str, Any] = field(default_factory=dict)

    def ok(self, u: FloatArray) -> np.ndarray:
        return np.asarray(self.sign * (u - self.tgt) >= -TOL)

    @property
    def active(self) -> bool:
        """Whether there is anything to search (some lever, and the base misses the target)."""
        return bool(self.levers) and not bool(self.ok(np.array(self.base_out)))

    def rows(self, values: FloatArray) -> ScenarioArrays:
        """values (L, G) -> an (L·G, A, J) batch with lever l's input set to values[l, g]."""
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

    def evaluate(self, model: Any, values: FloatArray, seed: int | None) -> FloatArray:
        """values (L, G) -> forecasts of the issue (L, G), in one batched call of its own."""
        return predict_batch(model, self.rows(values), seed)[:, self.col].reshape(values.shape)

    def grid_values(self, grid: int) -> FloatArray:
        """The first round: ``grid`` points over each lever's range plus its base value."""
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
        # bracket: the satisfying point and its neighbour towards the base value (not satisfying)
        sat = vals[np.arange(L), best]
        step = np.where(sat > v0, -1, 1)
        nb = np.clip(best + step, 0, vals.shape[1] - 1)
        other = np.where(feasible, vals[np.arange(L), nb], sat)
        self.state.update(feasible=feasible, sat=sat, other=other, sat_u=u[np.arange(L), best])

    def refine_values(self, fine: int) -> FloatArray:
        """A refinement round: ``fine`` points from the base side of the bracket to its satisfying end."""
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


def lever_search(
    spec: DrawSpec,
    i: int,
    op: str,
    target: float,
    base_out: float,
    joint: bool,
    inputs: tuple[str, ...] = INPUTS,
) -> LeverSearch:
    """A search for issue ``i`` of a prepared ``spec`` whose base forecast is ``base_out`` (unit scale)."""
    b = spec.base
    present_i = b.present[:, i]
    cap_mean = float(b.capability[present_i, i].mean()) if present_i.any() else 1.0
    levers: list[tuple[int, str, float, float, float]] = []
    for a in range(b.n_actors):
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
    work, col = (b, i) if joint else (b.subset_issues([i]), 0)
    return LeverSearch(
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
