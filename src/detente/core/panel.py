"""Expert panels: the raw answers of several experts on one scenario (docs/panels.md).

A questionnaire asks each expert, for every actor × issue, a position (issue units), a salience
(0–1), a capability (any non-negative clout), a confidence (0–1) and free-text notes. The answers
are kept verbatim in :class:`Panel`, which a pooled scenario carries as its provenance
(``Scenario.panel``); :mod:`detente.analysis.panel` pools them and reads out the disagreement.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal, get_args

from detente.errors import ScenarioError

PoolMethod = Literal["median", "mean", "trimmed", "weighted"]
POOL_METHODS: tuple[str, ...] = get_args(PoolMethod)
EXPERT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
"""An expert id: it names files (``SCENARIO-EXPERT.xlsx``) and links, so letters, digits, ``_.-`` only."""


def expert_ids(text: str) -> tuple[str, ...]:
    """The expert ids of a comma-separated list, checked (usable ids, each once).

    >>> expert_ids("ana, ben,chloe")
    ('ana', 'ben', 'chloe')
    """
    names = [n.strip() for n in text.split(",")]
    if not text.strip() or any(not n for n in names):
        raise ScenarioError(f"experts {text!r}: expected expert ids separated by commas, e.g. ana,ben,chloe")
    for n in names:
        if not EXPERT_ID.match(n):
            raise ScenarioError(
                f"experts: {n!r} is not a usable id (expected letters, digits, '_', '-' or '.', at most 64)"
            )
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ScenarioError(f"experts: {dup[0]!r} is named twice (expected each expert once)")
    return tuple(names)


def _number(value: float | None, where: str, low: float, high: float | None) -> None:
    if value is None:
        return
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < low or (high is not None and value > high):
        rng = f"{low:g} to {high:g}" if high is not None else f">= {low:g}"
        raise ScenarioError(f"{where}: expected a number {rng}, received {value!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ExpertAnswer:
    """One expert's answer for one actor on one issue; any number may be left empty (None)."""

    expert: str
    actor: str
    issue: str
    position: float | None = None
    salience: float | None = None
    capability: float | None = None
    confidence: float | None = None
    notes: str = ""

    def __post_init__(self) -> None:
        where = f"expert {self.expert}: {self.actor}/{self.issue}"
        if not self.expert:
            raise ScenarioError(f"{where}: expert: expected a non-empty id")
        if self.position is not None:
            _number(self.position, f"{where}: position", -math.inf, math.inf)
        _number(self.salience, f"{where}: salience", 0.0, 1.0)
        _number(self.capability, f"{where}: capability", 0.0, None)
        _number(self.confidence, f"{where}: confidence", 0.0, 1.0)

    @property
    def empty(self) -> bool:
        """True when the expert gave no number for this actor and issue."""
        return all(v is None for v in (self.position, self.salience, self.capability))


@dataclass(frozen=True, slots=True, kw_only=True)
class Panel:
    """Every expert's raw answers and how they were pooled.

    ``scenario_hash`` is the hash of the scenario the questionnaires were exported from, so a
    pooled scenario says which version the experts saw.
    """

    experts: tuple[str, ...]
    answers: tuple[ExpertAnswer, ...]
    pool: PoolMethod = "median"
    scenario_hash: str = ""

    def __post_init__(self) -> None:
        if self.pool not in POOL_METHODS:
            raise ScenarioError(
                f"panel: pool: expected one of {', '.join(POOL_METHODS)}, received {self.pool!r}"
            )
        if len(set(self.experts)) != len(self.experts):
            dup = sorted({e for e in self.experts if self.experts.count(e) > 1})
            raise ScenarioError(f"panel: experts: duplicate expert id {dup[0]!r}")
        known = set(self.experts)
        seen: set[tuple[str, str, str]] = set()
        for a in self.answers:
            if a.expert not in known:
                raise ScenarioError(
                    f"panel: answer {a.actor}/{a.issue}: unknown expert {a.expert!r} "
                    f"(expected one of {', '.join(self.experts)})"
                )
            key = (a.expert, a.actor, a.issue)
            if key in seen:
                raise ScenarioError(f"panel: expert {a.expert}: two answers for {a.actor}/{a.issue}")
            seen.add(key)

    def of(self, expert: str) -> tuple[ExpertAnswer, ...]:
        """The answers of one expert, in questionnaire order."""
        return tuple(a for a in self.answers if a.expert == expert)

    def restricted(self, actors: tuple[str, ...], issues: tuple[str, ...]) -> Panel:
        """The panel with only the answers on ``actors`` and ``issues`` (for a sub-scenario)."""
        keep_a, keep_i = set(actors), set(issues)
        kept = tuple(a for a in self.answers if a.actor in keep_a and a.issue in keep_i)
        return Panel(experts=self.experts, answers=kept, pool=self.pool, scenario_hash=self.scenario_hash)
