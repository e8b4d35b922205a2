"""Procedural models: the decision rule and the reversion point bound the outcome (docs/decision_rules.md).

Both read the issue's rule from ``arrays.rules`` (:mod:`detente.core.rules`); arrays without rules,
and issues without a declared rule, fall back to a simple majority of capability, flagged in
``diagnostics.flags["fallback_rule"]`` and named in ``extras["rule_note"]``.

- ``procedural``: the agenda setter proposes its ideal point if the rule's pivots accept it, else
  the nearest point of the acceptable set ``S(q)`` (Romer & Rosenthal 1978; Steunenberg 1994 eq. for
  the consultation procedure; Tsebelis & Garrett 2000; Crombez 1996): ``x̂ = clip(x_setter, S(q))``
  (docs/decision_rules.md eq. 3). Without a setter the capability-weighted median of the voters
  proposes (open rule: Krehbiel 1998, ch. 2).
- ``rule_compromise``: the compromise (capability × salience weighted mean, Achen 2006) moved to the
  nearest point of ``S(q)``: ``x̂ = clip(Σ w_i x_i / Σ w_i, S(q))`` (eq. 4).

``S(q)`` and the pivots are :func:`detente.kernels.pivots.pivots` (eqs. 1–2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from detente._typing import FloatArray
from detente.core.arrays import ScenarioArrays
from detente.core.results import Diagnostics, Prediction
from detente.core.rules import FALLBACK_NOTE, RuleArrays, fallback_rule_arrays
from detente.kernels.pivots import Pivots, pivots
from detente.kernels.weighted import weighted_mean, weighted_median
from detente.models.base import ModelInfo


def rule_pivots(arrays: ScenarioArrays) -> tuple[Pivots, RuleArrays]:
    """Pivots and acceptable set of every issue under its rule (fallback: simple majority)."""
    rules = arrays.rules or fallback_rule_arrays(arrays.n_actors, arrays.n_issues)
    ref = np.asarray(arrays.reference, dtype=np.float64)
    rev = np.where(np.isfinite(rules.reversion), rules.reversion, ref)
    piv = pivots(
        arrays.position,
        arrays.present,
        arrays.capability,
        voter=rules.voter,
        veto=rules.veto,
        weights=rules.weights,
        use_capability=rules.use_capability,
        threshold=rules.threshold,
        strict=rules.strict,
        blocking_min=rules.blocking_min,
        reversion=rev,
    )
    return piv, rules


def proposer_position(arrays: ScenarioArrays, rules: RuleArrays) -> FloatArray:
    """The agenda setter's ideal point, or (no setter, or setter absent) the capability-weighted
    median of the voters and veto players present (tie: midpoint), shape (..., I)."""
    part = np.asarray(arrays.present) & (rules.voter | rules.veto)
    part = np.where(part.any(axis=-2, keepdims=True), part, arrays.present)
    med = weighted_median(arrays.position, np.where(part, arrays.capability, 0.0), part, tie="midpoint")
    idx = np.clip(rules.setter, 0, None)
    cols = np.arange(arrays.n_issues)
    pos = np.asarray(arrays.position)[..., idx, cols]
    present = np.asarray(arrays.present)[..., idx, cols]
    has = (rules.setter >= 0) & present
    return np.where(has, pos, med)


def _flags(piv: Pivots, rules: RuleArrays, out: FloatArray, ideal: FloatArray) -> dict[str, np.ndarray]:
    shape = out.shape
    return {
        "fallback_rule": np.broadcast_to(~rules.declared, shape).copy(),
        "no_reversion": ~np.broadcast_to(piv.has_reversion, shape),
        "rule_binds": np.abs(out - ideal) > 1e-12,
    }


def _extras(rules: RuleArrays, piv: Pivots, issue_ids: tuple[str, ...]) -> dict[str, object]:
    notes = [f"{iid}: {FALLBACK_NOTE}" for iid, d in zip(issue_ids, rules.declared, strict=True) if not d]
    return {
        "rule_kind": rules.kind,
        "rule_note": "; ".join(notes) if notes else "",
        "acceptable_low": piv.low,
        "acceptable_high": piv.high,
        "pivot_right": piv.right,
        "pivot_left": piv.left,
    }


@dataclass(frozen=True, slots=True)
class Procedural:
    """Agenda setter's best point in the winset of the reversion point under the rule (eq. 3)."""

    info: ClassVar[ModelInfo] = ModelInfo(
        "procedural",
        dynamic=False,
        stochastic=False,
        uses_rules=True,
        description="agenda setter's best point the rule's pivots accept over the status quo "
        "(Steunenberg 1994; Tsebelis & Garrett 2000)",
    )

    def predict(self, arrays: ScenarioArrays, rng: np.random.Generator) -> Prediction:
        piv, rules = rule_pivots(arrays)
        ideal = proposer_position(arrays, rules)
        out = np.clip(ideal, piv.low, piv.high)
        diag = Diagnostics.closed_form(out.shape, _flags(piv, rules, out, ideal))
        return Prediction(outcome=out, diagnostics=diag, extras=_extras(rules, piv, arrays.issue_ids))


@dataclass(frozen=True, slots=True)
class RuleCompromise:
    """The c·s compromise moved to the nearest point every pivot weakly prefers to the status quo (eq. 4)."""

    info: ClassVar[ModelInfo] = ModelInfo(
        "rule_compromise",
        dynamic=False,
        stochastic=False,
        uses_rules=True,
        description="compromise (c·s mean) kept inside the set the rule's pivots accept over the status quo",
    )

    def predict(self, arrays: ScenarioArrays, rng: np.random.Generator) -> Prediction:
        piv, rules = rule_pivots(arrays)
        comp, _ = weighted_mean(arrays.position, arrays.weights("cs"), arrays.present)
        out = np.clip(comp, piv.low, piv.high)
        diag = Diagnostics.closed_form(out.shape, _flags(piv, rules, out, comp))
        return Prediction(outcome=out, diagnostics=diag, extras=_extras(rules, piv, arrays.issue_ids))
