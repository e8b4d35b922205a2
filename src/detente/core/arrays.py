"""Struct-of-arrays view of a scenario: the input of every model (batch-first).

Shapes (``...`` = optional batch axes, e.g. Monte Carlo draws)::

    position   float64 (..., A, I)  in [0, 1] via each issue's scale
    salience   float64 (..., A, I)  in [0, 1]
    capability float64 (..., A, I)  >= 0 (per-stance override or Actor.capability)
    present    bool    (..., A, I)  False = no stance; masked values must not matter
    reference  float64 (..., I)     status quo in [0, 1], NaN if unknown
    rules      RuleArrays | None    decision rules, no batch axis (core/rules.py); None = not known
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from detente._typing import BoolArray, FloatArray
from detente.core.rules import RuleArrays, rule_arrays
from detente.core.scenario import Scenario, require_scenario


@dataclass(frozen=True, slots=True)
class ScenarioArrays:
    """A scenario as unit-scale arrays, the input of every model (shapes in the module docstring).

    ``position``, ``salience``, ``capability`` and ``present`` are (..., A, I), ``reference`` (..., I);
    leading batch axes (Monte Carlo draws) are optional. Build one with :func:`to_arrays`.
    """

    actor_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    position: FloatArray
    salience: FloatArray
    capability: FloatArray
    present: BoolArray
    reference: FloatArray
    rules: RuleArrays | None = None

    @property
    def batch_shape(self) -> tuple[int, ...]:
        return tuple(self.position.shape[:-2])

    @property
    def n_actors(self) -> int:
        return int(self.position.shape[-2])

    @property
    def n_issues(self) -> int:
        return int(self.position.shape[-1])

    def weights(self, weighting: str = "cs") -> FloatArray:
        """Bargaining weights (models.md §0): ``cs`` = c·s, ``c``, ``s``, ``none``; 0 where absent."""
        if weighting == "cs":
            w = self.capability * self.salience
        elif weighting == "c":
            w = self.capability.copy()
        elif weighting == "s":
            w = self.salience.copy()
        else:
            w = np.ones_like(self.position)
        return np.where(self.present, w, 0.0)

    def broadcast(self, batch: tuple[int, ...]) -> ScenarioArrays:
        """Return arrays with the given leading batch shape (read-only views)."""
        A, I = self.n_actors, self.n_issues
        return replace(
            self,
            position=np.broadcast_to(self.position, (*batch, A, I)),
            salience=np.broadcast_to(self.salience, (*batch, A, I)),
            capability=np.broadcast_to(self.capability, (*batch, A, I)),
            present=np.broadcast_to(self.present, (*batch, A, I)),
            reference=np.broadcast_to(self.reference, (*batch, I)),
        )

    def take(self, index: int) -> ScenarioArrays:
        """One element of a 1-D batch."""
        return replace(
            self,
            position=self.position[index],
            salience=self.salience[index],
            capability=self.capability[index],
            present=self.present[index],
            reference=self.reference[index],
        )

    def subset_issues(self, idx: list[int]) -> ScenarioArrays:
        return replace(
            self,
            issue_ids=tuple(self.issue_ids[i] for i in idx),
            position=self.position[..., idx],
            salience=self.salience[..., idx],
            capability=self.capability[..., idx],
            present=self.present[..., idx],
            reference=self.reference[..., idx],
            rules=None if self.rules is None else self.rules.subset_issues(idx),
        )

    def readonly(self) -> ScenarioArrays:
        for arr in (self.position, self.salience, self.capability, self.present, self.reference):
            if arr.flags.writeable and arr.flags.owndata:
                arr.setflags(write=False)
        return self


def to_arrays(scenario: Scenario) -> ScenarioArrays:
    """Convert a scenario to unit-scale arrays (no batch axis).

    Absent stances get position 0.5, salience 0, capability 0 and ``present=False``.
    """
    scenario = require_scenario(scenario)
    A, I = len(scenario.actors), len(scenario.issues)
    aidx = {a.id: k for k, a in enumerate(scenario.actors)}
    iidx = {i.id: k for k, i in enumerate(scenario.issues)}
    pos = np.full((A, I), 0.5)
    sal = np.zeros((A, I))
    cap = np.zeros((A, I))
    present = np.zeros((A, I), dtype=bool)
    for s in scenario.stances:
        a, i = aidx[s.actor], iidx[s.issue]
        issue = scenario.issues[i]
        pos[a, i] = issue.scale.to_unit(s.position)
        sal[a, i] = s.salience
        cap[a, i] = s.capability if s.capability is not None else scenario.actors[a].capability
        present[a, i] = True
    ref = np.array(
        [np.nan if it.reference is None else it.scale.to_unit(it.reference) for it in scenario.issues],
        dtype=np.float64,
    )
    rules = rule_arrays(scenario)
    return ScenarioArrays(
        scenario.actor_ids, scenario.issue_ids, pos, sal, cap, present, ref, rules
    ).readonly()
