"""Scenario data model: Evidence, Actor, Issue, Stance, Scenario.

All classes are frozen, slotted, keyword-only dataclasses validated in ``__post_init__``;
once a :class:`Scenario` exists it is valid (unique ids, known references, positions inside
their scales, salience in [0, 1], capability >= 0, no duplicate stance, finite numbers).
An actor without a stance on an issue is *absent* there, not zero.

Units: positions and uncertainty are in the issue's own units; salience is on [0, 1];
capability is any non-negative relative clout.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np

from detente.core.panel import Panel
from detente.core.scale import Scale
from detente.errors import ScenarioError

DecisionRule = Literal["unanimity", "qualified_majority", "simple_majority", "consensus", "unilateral"]
DECISION_RULES: tuple[str, ...] = get_args(DecisionRule)


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _plain_numbers(obj: object, names: tuple[str, ...]) -> None:
    """NumPy scalars in the fields ``names`` of a frozen dataclass become Python numbers (a value from
    a pandas frame is an ``np.float64`` or ``np.int64``): checked like any number, and hashed as the
    same number read from a file (``scenario_hash`` writes ``repr``, which names NumPy types)."""
    for name in names:
        v = getattr(obj, name)
        if isinstance(v, (np.integer, np.floating)) and not isinstance(v, np.bool_):
            object.__setattr__(obj, name, v.item())


def _texts(obj: object, where: str, names: tuple[str, ...]) -> None:
    """Each field in ``names`` is a text (a number or None in a name or a quote is a slip)."""
    for name in names:
        v = getattr(obj, name)
        if not isinstance(v, str):
            raise ScenarioError(f"{where}{name}: expected a text, received {type(v).__name__} {v!r:.60}")


def _tuple_of(obj: object, where: str, name: str, kind: type | tuple[type, ...], what: str) -> None:
    """Field ``name`` as a tuple of ``kind``: a list (or other iterable) is stored as a tuple, so the
    frozen record stays immutable and hashable; a text, a mapping or a single item is refused (a text
    would become a tuple of its letters)."""
    value = getattr(obj, name)
    if type(value) is tuple and all(isinstance(v, kind) for v in value):
        return
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise ScenarioError(
            f"{where}{name}: expected a tuple of {what}, received {type(value).__name__} {value!r:.60}"
        )
    items = tuple(value)
    for k, v in enumerate(items):
        if not isinstance(v, kind):
            raise ScenarioError(f"{where}{name}[{k}]: expected {what}, received {type(v).__name__} {v!r:.60}")
    object.__setattr__(obj, name, items)


def _pairs(obj: object, where: str, name: str) -> None:
    """Field ``name`` as a tuple of (key, value) pairs; a mapping is stored as its items."""
    value = getattr(obj, name)
    if isinstance(value, Mapping):
        value = tuple(value.items())
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ScenarioError(
            f"{where}{name}: expected (key, value) pairs or a mapping, received {value!r:.60}"
        )
    items = tuple(value)
    for k, v in enumerate(items):
        if not isinstance(v, (tuple, list)) or len(v) != 2 or not isinstance(v[0], str):
            raise ScenarioError(
                f"{where}{name}[{k}]: expected a (key, value) pair with a text key, received {v!r:.60}"
            )
    object.__setattr__(obj, name, tuple(tuple(v) for v in items))


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """Why a stance is what it is: a quote with its source and date, or an analyst assumption."""

    quote: str = ""
    source: str = ""
    date: str = ""
    url: str = ""
    note: str = ""
    assumption: bool = False

    def __post_init__(self) -> None:
        _texts(self, "evidence.", ("quote", "source", "date", "url", "note"))
        if self.assumption and not self.note:
            raise ScenarioError("evidence.note: an assumption needs a one-line rationale (expected text)")
        if not self.assumption and not self.quote:
            raise ScenarioError("evidence.quote: expected a quote, or assumption: true with a note")

    def summary(self) -> str:
        if self.assumption:
            return f"assumption: {self.note}"
        where = ", ".join(p for p in (self.source, self.date) if p)
        return f"\u201c{self.quote}\u201d" + (f" ({where})" if where else "")


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """A party to the negotiation. ``capability`` is the default clout on every issue."""

    id: str
    name: str = ""
    capability: float = 1.0
    groups: tuple[str, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise ScenarioError("actor.id: expected a non-empty text")
        _plain_numbers(self, ("capability",))
        _texts(self, f"actor {self.id}: ", ("name", "description"))
        _tuple_of(self, f"actor {self.id}: ", "groups", str, "group names (texts)")
        if not _finite(self.capability) or self.capability < 0:
            raise ScenarioError(
                f"actor {self.id}: capability: expected a finite number >= 0, received {self.capability!r}"
            )
        if not self.name:
            object.__setattr__(self, "name", self.id)

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True, slots=True, kw_only=True)
class Issue:
    """An issue on an explicit scale, with an optional reference point (status quo) and decision rule."""

    id: str
    name: str = ""
    scale: Scale = field(default_factory=Scale)
    reference: float | None = None
    rule: DecisionRule | None = None
    veto_players: tuple[str, ...] = ()  # actor ids or group names (all of the group's members)
    description: str = ""
    # decision rule details (docs/decision_rules.md §1; resolved by detente.core.rules)
    decider: str | None = None  # the one actor of a unilateral rule
    threshold: float | None = None  # share of the weights a qualified/simple majority needs, in (0, 1]
    weights: tuple[tuple[str, float], ...] | str = ()  # actor -> vote weight, or a preset name
    agenda_setter: str | None = None
    reversion_point: float | None = None  # status quo if no agreement; default: ``reference``
    rule_evidence: tuple[Evidence, ...] = ()  # why this rule: a quote or a stated assumption

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise ScenarioError("issue.id: expected a non-empty text")
        where = f"issue {self.id}: "
        if not isinstance(self.scale, Scale):
            raise ScenarioError(
                f"{where}scale: expected a Scale, e.g. Scale(low=0, high=100), received {self.scale!r:.60}"
            )
        _plain_numbers(self, ("reference", "threshold", "reversion_point"))
        _texts(self, where, ("name", "description"))
        _tuple_of(self, where, "veto_players", str, "actor ids or group names (texts)")
        _tuple_of(self, where, "rule_evidence", Evidence, "Evidence")
        if not isinstance(self.weights, str):
            _pairs(self, where, "weights")
        if not self.name:
            object.__setattr__(self, "name", self.id)
        if self.reference is not None and (
            not _finite(self.reference) or not self.scale.contains(self.reference)
        ):
            raise ScenarioError(
                f"issue {self.id}: reference: expected a number in [{self.scale.low:g}, {self.scale.high:g}], "
                f"received {self.reference!r}"
            )
        if self.rule is not None and self.rule not in DECISION_RULES:
            raise ScenarioError(
                f"issue {self.id}: rule: expected one of {', '.join(DECISION_RULES)}, received {self.rule!r}"
            )
        _check_rule_fields(self)


WEIGHT_PRESETS: tuple[str, ...] = ("eu15", "nice_eu25", "nice", "lisbon")
"""Named EU Council weightings (detente.core.rules.PRESETS, with their treaty articles)."""


def _check_rule_fields(issue: Issue) -> None:
    """One-line errors for the rule details an issue can check on its own (scenario-level ones:
    unknown actors, in :func:`_rule_problems`)."""
    where = f"issue {issue.id}"
    t = issue.threshold
    if t is not None and (not _finite(t) or not (0.0 < t <= 1.0)):
        raise ScenarioError(f"{where}: threshold: expected a number in (0, 1], received {t!r}")
    rp = issue.reversion_point
    if rp is not None and (not _finite(rp) or not issue.scale.contains(rp)):
        raise ScenarioError(
            f"{where}: reversion_point: expected a number in [{issue.scale.low:g}, {issue.scale.high:g}], "
            f"received {rp!r}"
        )
    if isinstance(issue.weights, str):
        if issue.weights not in WEIGHT_PRESETS:
            raise ScenarioError(
                f"{where}: weights: expected actor weights or one of {', '.join(WEIGHT_PRESETS)}, "
                f"received {issue.weights!r}"
            )
    else:
        for a, v in issue.weights:
            if not _finite(v) or v < 0:
                raise ScenarioError(f"{where}: weights: {a}: expected a finite number >= 0, received {v!r}")
    if issue.rule == "unilateral" and not issue.decider:
        raise ScenarioError(f"{where}: decider: a unilateral rule needs the actor who decides")


def _rule_problems(issue: Issue, actors: set[str], groups: set[str]) -> list[str]:
    """Rule details that name actors: each must be a known actor (veto players: or a group)."""
    out: list[str] = []
    for v in issue.veto_players:
        if v not in actors and v not in groups:
            out.append(f"issue {issue.id}: veto_players: unknown actor or group {v!r}")
    named = [("decider", issue.decider), ("agenda_setter", issue.agenda_setter)]
    named += [("weights", a) for a, _ in ([] if isinstance(issue.weights, str) else issue.weights)]
    for key, a in named:
        if a is not None and a not in actors:
            out.append(f"issue {issue.id}: {key}: unknown actor {a!r}")
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Stance:
    """One actor's stance on one issue.

    ``sd`` or ``low``/``high`` (issue units) describe uncertainty about the position.
    """

    actor: str
    issue: str
    position: float
    salience: float
    capability: float | None = None
    sd: float | None = None
    low: float | None = None
    high: float | None = None
    evidence: tuple[Evidence, ...] = ()

    def __post_init__(self) -> None:
        for key in ("actor", "issue"):
            v = getattr(self, key)
            if not isinstance(v, str) or not v.strip():
                raise ScenarioError(f"stance.{key}: expected a non-empty text (an id), received {v!r}")
        where = f"stance {self.actor}/{self.issue}"
        _plain_numbers(self, ("position", "salience", "capability", "sd", "low", "high"))
        _tuple_of(self, f"{where}: ", "evidence", Evidence, "Evidence")
        if not _finite(self.position):
            raise ScenarioError(f"{where}: position: expected a finite number, received {self.position!r}")
        if not _finite(self.salience) or not (0.0 <= self.salience <= 1.0):
            raise ScenarioError(f"{where}: salience: expected a number in [0, 1], received {self.salience!r}")
        if self.capability is not None and (not _finite(self.capability) or self.capability < 0):
            raise ScenarioError(
                f"{where}: capability: expected a finite number >= 0, received {self.capability!r}"
            )
        if self.sd is not None and (not _finite(self.sd) or self.sd < 0):
            raise ScenarioError(f"{where}: sd: expected a finite number >= 0, received {self.sd!r}")
        if (self.low is None) != (self.high is None):
            raise ScenarioError(f"{where}: low/high: expected both or neither")
        if self.low is not None and self.high is not None:
            if not (_finite(self.low) and _finite(self.high)) or not (self.low <= self.position <= self.high):
                raise ScenarioError(
                    f"{where}: low/high: expected finite low <= position <= high, received {self.low!r}, {self.high!r}"
                )


def _panel_problems(panel: Panel, actors: set[str], issues: dict[str, Issue]) -> list[str]:
    """The panel's answers name known actors and issues, with positions on the issue's scale."""
    out: list[str] = []
    for a in panel.answers:
        where = f"panel: expert {a.expert}: {a.actor}/{a.issue}"
        if a.actor not in actors:
            out.append(f"{where}: actor: unknown actor {a.actor!r}")
        if a.issue not in issues:
            out.append(f"{where}: issue: unknown issue {a.issue!r}")
        elif a.position is not None and not issues[a.issue].scale.contains(a.position):
            sc = issues[a.issue].scale
            out.append(
                f"{where}: position: {a.position:g} is outside the scale (expected {sc.low:g} to {sc.high:g})"
            )
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A whole negotiation: actors, issues, stances and where they come from.

    Examples
    --------
    >>> sc = Scenario(
    ...     id="toy",
    ...     actors=(Actor(id="a"), Actor(id="b", capability=3)),
    ...     issues=(Issue(id="x", scale=Scale(low=0, high=10)),),
    ...     stances=(Stance(actor="a", issue="x", position=0, salience=1),
    ...              Stance(actor="b", issue="x", position=10, salience=1)),
    ... )
    >>> sc.actor_ids
    ('a', 'b')
    """

    id: str
    title: str = ""
    description: str = ""
    as_of: str = ""
    sources: tuple[str, ...] = ()
    actors: tuple[Actor, ...] = ()
    issues: tuple[Issue, ...] = ()
    stances: tuple[Stance, ...] = ()
    metadata: tuple[tuple[str, str], ...] = ()
    dynamics: tuple[tuple[str, object], ...] = ()
    panel: Panel | None = None
    """The experts' raw answers this scenario was pooled from (``detente elicit import``), if any."""

    def __post_init__(self) -> None:
        if not isinstance(self.id, str):
            raise ScenarioError(f"id: expected a non-empty text, received {self.id!r}")
        _texts(self, "", ("title", "description", "as_of"))
        _tuple_of(self, "", "sources", str, "texts")
        _tuple_of(self, "", "actors", Actor, "Actor")
        _tuple_of(self, "", "issues", Issue, "Issue")
        _tuple_of(self, "", "stances", Stance, "Stance")
        _pairs(self, "", "metadata")
        _pairs(self, "", "dynamics")
        problems: list[str] = []
        if not self.id:
            problems.append("id: expected a non-empty text")
        if not self.actors:
            problems.append("actors: expected at least one actor")
        if not self.issues:
            problems.append("issues: expected at least one issue")
        seen: set[str] = set()
        for a in self.actors:
            if a.id in seen:
                problems.append(f"actors: duplicate actor id {a.id!r}")
            seen.add(a.id)
        iseen: dict[str, Issue] = {}
        for i in self.issues:
            if i.id in iseen:
                problems.append(f"issues: duplicate issue id {i.id!r}")
            iseen[i.id] = i
            problems += _rule_problems(i, seen, {g for a in self.actors for g in a.groups})
        pairs: set[tuple[str, str]] = set()
        for s in self.stances:
            where = f"stance {s.actor}/{s.issue}"
            if s.actor not in seen:
                problems.append(
                    f"{where}: actor: unknown actor {s.actor!r} (expected one of {', '.join(sorted(seen))})"
                )
            if s.issue not in iseen:
                problems.append(
                    f"{where}: issue: unknown issue {s.issue!r} (expected one of {', '.join(sorted(iseen))})"
                )
            else:
                sc = iseen[s.issue].scale
                if not sc.contains(s.position):
                    problems.append(
                        f"{where}: position: {s.position:g} is outside the scale (expected {sc.low:g} to {sc.high:g})"
                    )
            if (s.actor, s.issue) in pairs:
                problems.append(f"{where}: duplicate stance for this actor and issue")
            pairs.add((s.actor, s.issue))
        if self.panel is not None:
            problems += _panel_problems(self.panel, seen, iseen)
        if problems:
            raise ScenarioError(
                problems[0] if len(problems) == 1 else f"{len(problems)} problems: {problems[0]}", problems
            )

    def __repr__(self) -> str:
        """One line: id, title and counts (the content: ``actors``, ``issues``, ``stances``)."""
        title = f", title={self.title!r}" if self.title else ""
        panel = ", panel" if self.panel is not None else ""
        return (
            f"Scenario(id={self.id!r}{title}, {len(self.actors)} actors, {len(self.issues)} issues, "
            f"{len(self.stances)} stances{panel})"
        )

    # convenience views -------------------------------------------------------------
    @property
    def actor_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.actors)

    @property
    def issue_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.issues)

    def actor(self, actor_id: str) -> Actor:
        for a in self.actors:
            if a.id == actor_id:
                return a
        raise ScenarioError(
            f"actor: unknown actor {actor_id!r} (expected one of {', '.join(self.actor_ids)})"
        )

    def issue(self, issue_id: str) -> Issue:
        for i in self.issues:
            if i.id == issue_id:
                return i
        raise ScenarioError(
            f"issue: unknown issue {issue_id!r} (expected one of {', '.join(self.issue_ids)})"
        )

    def stance(self, actor_id: str, issue_id: str) -> Stance | None:
        for s in self.stances:
            if s.actor == actor_id and s.issue == issue_id:
                return s
        return None

    def meta(self, key: str, default: str = "") -> str:
        return dict(self.metadata).get(key, default)

    def groups(self) -> dict[str, tuple[str, ...]]:
        """Group name -> member actor ids (from ``Actor.groups``)."""
        out: dict[str, list[str]] = {}
        for a in self.actors:
            for g in a.groups:
                out.setdefault(g, []).append(a.id)
        return {k: tuple(v) for k, v in out.items()}


def require_scenario(value: object, name: str = "scenario") -> Scenario:
    """``value`` if it is a :class:`Scenario`, else a :class:`ScenarioError` naming ``name`` and what
    was received (a file name or a built-in's name is a common slip: say how to load it).

    >>> require_scenario("ukraine-2025")
    Traceback (most recent call last):
    ...
    detente.errors.ScenarioError: scenario: expected a Scenario, received the text 'ukraine-2025' (load one with load_builtin(name) or read_scenario(path))
    """
    if isinstance(value, Scenario):
        return value
    what = f"the text {value!r}" if isinstance(value, str) else type(value).__name__
    raise ScenarioError(
        f"{name}: expected a Scenario, received {what} (load one with load_builtin(name) or read_scenario(path))"
    )
