"""What the decision rules change: bounds on the compromise, features for the error model, pivot moves.

Pure. Built on :func:`detente.models.procedural.rule_pivots` (docs/decision_rules.md eqs. 1–4):

- :func:`rule_effects`: per issue, the set the rule's pivots accept over the reversion point, the
  compromise with and without that bound, the pivot that binds and one sentence saying so
  ("under consensus, the communiqué can go no further than …");
- :func:`binding_summary`: the binding rules in one sentence for the terminal's brief;
- :func:`rule_features`: per-issue rule code and pivot distances (unit scale), candidate features
  for the calibration's error model and the ensemble (issue #14);
- :func:`pivot_moves`: for a target outcome, which veto player or pivot would have to move, and
  by how much, for the target to be inside the acceptable set.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from detente._typing import FloatArray
from detente.core.arrays import ScenarioArrays, to_arrays
from detente.core.rules import FALLBACK_NOTE, RULE_KINDS, resolve_rule
from detente.core.scale import from_unit, to_unit
from detente.core.scenario import Scenario
from detente.kernels.weighted import weighted_mean
from detente.models.procedural import proposer_position, rule_pivots

RULE_CODES: dict[str, int] = {k: n + 1 for n, k in enumerate(RULE_KINDS)}
"""Rule kind -> feature code (0 = no declared rule, simple-majority fallback)."""


@dataclass(frozen=True, slots=True)
class RuleEffect:
    """One issue: its rule, the acceptable set and what it does to the compromise (issue units)."""

    issue: str
    rule: str  # the rule in words
    declared: bool
    evidence: str  # why the rule (quote or assumption), "" if none given
    reversion: float | None
    low: float
    high: float
    compromise: float
    constrained: float  # rule_compromise
    procedural: float
    binding: str | None  # actor id of the pivot that bounds the compromise, None if the rule does not bind
    text: str


def _sentence(sc: Scenario, k: int, kind: str, lo: float, hi: float, comp: float, binding: str | None) -> str:
    issue = sc.issues[k]
    who = sc.actor(binding).label if binding else "the pivot"
    head = kind.replace("_", " ")
    if kind == "unilateral" and (comp > hi + 1e-9 or comp < lo - 1e-9):
        bound, word = (hi, "further") if comp > hi else (lo, "lower")
        return (
            f"{who} decides {issue.name} alone: it can go no {word} than {bound:.3g}, what {who} accepts "
            f"over the status quo (the compromise alone: {comp:.3g})."
        )
    if comp > hi + 1e-9:
        return (
            f"Under {head}, {issue.name} can go no further than {hi:.3g}, what {who} accepts over "
            f"the status quo (the compromise alone: {comp:.3g})."
        )
    if comp < lo - 1e-9:
        return (
            f"Under {head}, {issue.name} can go no lower than {lo:.3g}, what {who} accepts over "
            f"the status quo (the compromise alone: {comp:.3g})."
        )
    return f"Under {head}, the rule does not bind: the compromise {comp:.3g} is inside what the pivots accept ({lo:.3g} to {hi:.3g})."


def rule_effects(scenario: Scenario) -> list[RuleEffect]:
    """What each issue's rule changes (module docstring); fallback issues say that no rule was declared."""
    arrays = to_arrays(scenario)
    piv, rules = rule_pivots(arrays)
    comp, _ = weighted_mean(arrays.position, arrays.weights("cs"), arrays.present)
    proc = np.clip(proposer_position(arrays, rules), piv.low, piv.high)
    scales = tuple((i.scale.low, i.scale.high) for i in scenario.issues)
    lo, hi = from_unit(piv.low, scales), from_unit(piv.high, scales)
    c, p = from_unit(comp, scales), from_unit(proc, scales)
    out: list[RuleEffect] = []
    for k, issue in enumerate(scenario.issues):
        r = resolve_rule(scenario, issue)
        cons = float(np.clip(c[k], lo[k], hi[k]))
        binding = None
        if c[k] > hi[k] + 1e-9 or c[k] < lo[k] - 1e-9:
            above = c[k] > hi[k]
            right, left = float(piv.right[k]), float(piv.left[k])
            use_right = above if piv.has_reversion[k] else (right >= left) == above
            idx = int(piv.right_actor[k] if use_right else piv.left_actor[k])
            binding = scenario.actor_ids[idx] if idx >= 0 else None
        text = _sentence(scenario, k, r.kind, float(lo[k]), float(hi[k]), float(c[k]), binding)
        if not r.declared:
            text = f"{FALLBACK_NOTE}; {text[:1].lower()}{text[1:]}"
        out.append(
            RuleEffect(
                issue.id,
                r.describe(),
                r.declared,
                "; ".join(e.summary() for e in issue.rule_evidence),
                r.reversion,
                float(lo[k]),
                float(hi[k]),
                float(c[k]),
                cons,
                float(p[k]),
                binding,
                text,
            )  # fmt: skip
        )
    return out


def binding_summary(scenario: Scenario, effects: list[RuleEffect]) -> str:
    """Every declared rule that binds, in one sentence (``detente run``'s brief; the report keeps
    one sentence per rule): "Decision rules move the compromise on 2 issues (who holds the line):
    A 56.4→100 (Ukraine); B 42.1→35 (United States)."; "" if none."""
    names = {i.id: i.name for i in scenario.issues}
    items = [
        f"{names[e.issue]} {e.compromise:.3g}→{e.constrained:.3g} ({scenario.actor(e.binding).label})"
        for e in effects
        if e.declared and e.binding is not None
    ]
    if not items:
        return ""
    many = f"{len(items)} issues" if len(items) > 1 else "1 issue"
    return f"Decision rules move the compromise on {many} (who holds the line): {'; '.join(items)}."


def rule_features(arrays: ScenarioArrays) -> dict[str, FloatArray]:
    """Per-issue rule features on the unit scale, shape (..., I) (for the error model / ensemble):

    ``rule_code`` (:data:`RULE_CODES`, 0 = fallback), ``has_setter``, ``has_reversion``,
    ``set_width`` (width of the acceptable set), ``compromise_outside`` (signed distance from the
    compromise to the acceptable set, + above), ``dist_right_pivot`` / ``dist_left_pivot``
    (|compromise − pivot|, NaN if no pivot), ``procedural_shift`` (procedural − compromise).
    """
    piv, rules = rule_pivots(arrays)
    comp, _ = weighted_mean(arrays.position, arrays.weights("cs"), arrays.present)
    proc = np.clip(proposer_position(arrays, rules), piv.low, piv.high)
    shape = comp.shape
    code = np.array([RULE_CODES[k] if d else 0 for k, d in zip(rules.kind, rules.declared, strict=True)])
    with np.errstate(invalid="ignore"):
        return {
            "rule_code": np.broadcast_to(code.astype(np.float64), shape).copy(),
            "has_setter": np.broadcast_to((rules.setter >= 0).astype(np.float64), shape).copy(),
            "has_reversion": np.broadcast_to(piv.has_reversion, shape).astype(np.float64),
            "set_width": piv.high - piv.low,
            "compromise_outside": np.maximum(comp - piv.high, 0.0) - np.maximum(piv.low - comp, 0.0),
            "dist_right_pivot": np.where(np.isfinite(piv.right), np.abs(comp - piv.right), np.nan),
            "dist_left_pivot": np.where(np.isfinite(piv.left), np.abs(comp - piv.left), np.nan),
            "procedural_shift": proc - comp,
        }


@dataclass(frozen=True, slots=True)
class PivotMove:
    """An actor who would have to move (issue units) for a target to be acceptable under the rule."""

    actor: str
    position: float
    to: float
    move: float  # signed, issue units


def _inside(arrays: ScenarioArrays, k: int, t: float) -> bool:
    piv, _ = rule_pivots(arrays)
    return bool(piv.low[k] - 1e-9 <= t <= piv.high[k] + 1e-9)


def pivot_moves(scenario: Scenario, issue: str, target: float, op: str = "==") -> tuple[PivotMove, ...]:
    """Fewest actors (nearest first) who must move to the needed midpoint for ``target`` (issue units)
    to be in the acceptable set: ``m = (q + t)/2`` with a reversion point ``q`` (eq. 1), ``m = t``
    without. ``op`` ``">="``/``"<="``: some acceptable point at or above/below ``target`` suffices.
    Empty if the target is already acceptable or no moves make it so.
    """
    arrays = to_arrays(scenario)
    k = scenario.issue_ids.index(issue)
    sc = scenario.issues[k].scale
    t = float(to_unit(target, (sc.low, sc.high)))
    piv, rules = rule_pivots(arrays)
    if (op == ">=" and piv.high[k] >= t - 1e-9) or (op == "<=" and piv.low[k] <= t + 1e-9):
        return ()
    if _inside(arrays, k, t):
        return ()
    q = float(np.where(np.isfinite(rules.reversion[k]), rules.reversion[k], arrays.reference[k]))
    m = (q + t) / 2.0 if np.isfinite(q) else t
    up = t > piv.high[k]
    pos = np.array(arrays.position[:, k])
    part = np.asarray(arrays.present[:, k]) & (rules.voter[:, k] | rules.veto[:, k])
    behind = [a for a in np.argsort(-pos if up else pos) if part[a] and (pos[a] < m if up else pos[a] > m)]
    behind.sort(key=lambda a: abs(pos[a] - m))
    moved: list[int] = []
    for a in behind:
        moved.append(int(a))
        pos[a] = m
        new = np.array(arrays.position)
        new[:, k] = pos
        if _inside(replace(arrays, position=new), k, t):
            break
    else:
        return ()
    w = sc.high - sc.low
    return tuple(
        PivotMove(
            scenario.actor_ids[a],
            float(sc.low + arrays.position[a, k] * w),
            float(sc.low + m * w),
            float((m - arrays.position[a, k]) * w),
        )
        for a in moved
    )
