"""Decision rules of issues: the EU Council presets, rule resolution and the rule arrays models read.

A rule says which coalitions can change the status quo (the *reversion point*) of an issue
(docs/decision_rules.md §1):

- ``consensus`` / ``unanimity``: every veto player must agree (``veto_players``: actor ids or
  group names; default: every actor with a stance);
- ``qualified_majority``: the supporters' share of ``weights`` reaches ``threshold`` (a weighted
  quota); the EU Council presets below add the member and population criteria of the treaties;
- ``simple_majority``: more than half of ``weights`` (default: each actor's capability);
- ``unilateral``: the ``decider`` alone (the others can only persuade it);
- ``veto_players`` on a majority rule must also be in every winning coalition (the European
  Parliament under co-decision).

An issue without a rule falls back to a simple majority of capability, and says so
(:attr:`ResolvedRule.note`). :func:`rule_arrays` turns the rules into the (batch-free) arrays
that :mod:`detente.kernels.pivots` and the procedural models read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente._typing import BoolArray, FloatArray, IntArray
from detente.core.scenario import Issue, Scenario

# --------------------------------------------------------------------------- EU Council presets
EU_CODES: dict[str, str] = {
    "austria": "at", "belgium": "be", "bulgaria": "bu", "croatia": "cr", "cyprus": "cy",
    "czech republic": "cz", "czechia": "cz", "denmark": "dk", "estonia": "ee", "finland": "fi",
    "france": "fr", "germany": "de", "greece": "el", "hungary": "hu", "ireland": "ie", "italy": "it",
    "latvia": "lv", "lithuania": "lt", "luxembourg": "lu", "malta": "mt", "netherlands": "nl",
    "poland": "pl", "portugal": "pt", "romania": "ro", "slovakia": "sk", "slovenia": "si", "spain": "es",
    "sweden": "se", "united kingdom": "uk",
    # ISO 3166 alpha-2 codes that differ from the Council's (DEU) codes
    "gr": "el", "bg": "bu", "hr": "cr", "gb": "uk",
}  # fmt: skip
"""Country name or ISO code (lower case) -> the Council code used by DEU and the tables below."""

EU15_VOTES: dict[str, int] = {
    "at": 4, "be": 5, "dk": 3, "fi": 3, "fr": 10, "de": 10, "el": 5, "ie": 3, "it": 10, "lu": 2,
    "nl": 5, "pt": 5, "es": 8, "se": 4, "uk": 10,
}  # fmt: skip
"""EU-15 Council votes, EC Treaty art. 205(2) (art. 148(2) before Amsterdam) as amended by the
1994 Act of Accession art. 15: 87 votes, qualified majority 62."""

NICE_VOTES: dict[str, int] = {
    "at": 10, "be": 12, "bu": 10, "cr": 7, "cy": 4, "cz": 12, "dk": 7, "ee": 4, "fi": 7, "fr": 29,
    "de": 29, "el": 12, "hu": 12, "ie": 7, "it": 29, "lv": 4, "lt": 7, "lu": 4, "mt": 3, "nl": 13,
    "pl": 27, "pt": 12, "ro": 14, "sk": 7, "si": 4, "es": 27, "se": 10, "uk": 29,
}  # fmt: skip
"""Nice weights, Protocol on the enlargement of the EU (Treaty of Nice, 2001) art. 3(1), with
Bulgaria and Romania from the 2005 Act of Accession art. 22 and Croatia from the 2012 Act of
Accession art. 20: EU-25 321 votes, EU-27 345, EU-28 352."""

POPULATION_2014: dict[str, int] = {
    "at": 8452, "be": 10516, "bu": 7285, "cr": 4262, "cy": 866, "cz": 10487, "dk": 5603, "ee": 1325,
    "fi": 5411, "fr": 65633, "de": 80524, "el": 11162, "hu": 9909, "ie": 4591, "it": 59685,
    "lv": 2059, "lt": 2972, "lu": 537, "mt": 421, "nl": 16780, "pl": 38533, "pt": 11063, "ro": 20058,
    "sk": 5427, "si": 2024, "es": 46704, "se": 9556, "uk": 63730,
}  # fmt: skip
"""Population in thousands on 1 January 2014 as the Council used it for its voting rules
(Council Decision 2013/746/EU amending Annex III of the Council's Rules of Procedure); the same
figures, in hundreds, are column ``p2014a`` of ``src/detente/io/data/eucouncil_weights_coresize.csv``
(a test checks that they agree)."""


@dataclass(frozen=True, slots=True)
class Preset:
    """An EU Council qualified-majority rule: vote weights and quota, member and population criteria."""

    name: str
    votes: dict[str, int] | None  # None: one member, one count (Lisbon)
    vote_share: float  # quota / total votes (0 = no vote criterion)
    member_share: float  # share of members needed (strictly more than this when ``member_strict``)
    member_strict: bool
    population_share: float  # 0 = no population criterion
    blocking_min: int  # a blocking minority needs at least this many members (0 = no clause)
    source: str


PRESETS: dict[str, Preset] = {
    "eu15": Preset(
        "eu15", EU15_VOTES, 62 / 87, 0.0, False, 0.0, 0,
        "EC Treaty art. 205(2), 1995-2004: 62 of 87 votes",
    ),
    "nice_eu25": Preset(
        "nice_eu25", NICE_VOTES, 232 / 321, 0.5, True, 0.0, 0,
        "Treaty of Nice, Protocol on enlargement art. 3 as adapted by the 2003 Act of Accession art. 12: "
        "232 of 321 votes and a majority of members",
    ),
    "nice": Preset(
        "nice", NICE_VOTES, 255 / 345, 0.5, True, 0.0, 0,
        "Treaty of Nice, Protocol on enlargement art. 3 with the 2005 Act of Accession art. 22 (EU-27): "
        "255 of 345 votes and a majority of members",
    ),
    "lisbon": Preset(
        "lisbon", None, 0.0, 0.55, False, 0.65, 4,
        "TEU art. 16(4) and TFEU art. 238(3): 55 % of members and 65 % of the population; a blocking "
        "minority needs at least four members",
    ),
}  # fmt: skip
"""Built-in ``weights:`` presets. Not modelled: the Nice 62 % population check (only on a member's
request), the 72 % member threshold when the Council does not act on a Commission proposal
(TFEU art. 238(2)), and the EU-15 ten-member requirement in that case (``QMV(10)`` in DEU)."""


def eu_code(actor_id: str, name: str = "") -> str | None:
    """The Council code of an actor named by its id or name (``de``, ``Germany``, ``gr``), or None."""
    for key in (actor_id.strip().lower(), name.strip().lower()):
        if key in NICE_VOTES:
            return key
        if key in EU_CODES:
            return EU_CODES[key]
    return None


# --------------------------------------------------------------------------- resolution
RULE_KINDS: tuple[str, ...] = (
    "consensus",
    "unanimity",
    "qualified_majority",
    "simple_majority",
    "unilateral",
)
FALLBACK_NOTE = "no decision rule declared: simple majority of capability assumed"


@dataclass(frozen=True, slots=True)
class Criterion:
    """Supporters' share of ``weights`` (actor -> weight; None = each actor's capability) must be
    ``>= threshold`` (``> threshold`` when ``strict``)."""

    weights: dict[str, float] | None
    threshold: float
    strict: bool
    label: str


@dataclass(frozen=True, slots=True)
class ResolvedRule:
    """An issue's rule with groups, presets and defaults resolved (docs/decision_rules.md §1)."""

    issue: str
    kind: str  # one of RULE_KINDS
    declared: bool
    voters: tuple[str, ...] | None  # actor ids that vote; None = every actor with a stance
    criteria: tuple[Criterion, ...]
    veto: tuple[str, ...]  # must be in every winning coalition
    blocking_min: int
    agenda_setter: str | None
    reversion: float | None  # issue units
    note: str

    def describe(self) -> str:
        """One line: the rule in words."""
        if self.kind == "unilateral":
            return f"unilateral: {self.veto[0]} decides"
        if self.kind in ("consensus", "unanimity"):
            who = ", ".join(self.veto) if self.voters is not None else "every actor with a stance"
            return f"{self.kind} of {who}"
        crit = " and ".join(f"{c.label} {'>' if c.strict else '≥'} {c.threshold:.0%}" for c in self.criteria)
        veto = f"; vetoes: {', '.join(self.veto)}" if self.veto else ""
        head = self.kind.replace("_", " ")
        return f"{head} ({crit}{veto})" + ("" if self.declared else f" — {self.note}")


def _expand(scenario: Scenario, names: tuple[str, ...]) -> tuple[str, ...]:
    """Actor ids and group names -> actor ids (actor ids win over equal group names), in order."""
    groups = scenario.groups()
    ids = set(scenario.actor_ids)
    out: list[str] = []
    for n in names:
        for a in (n,) if n in ids else groups.get(n, ()):
            if a not in out:
                out.append(a)
    return tuple(out)


def _preset_rule(scenario: Scenario, issue: Issue, preset: Preset, veto: tuple[str, ...]) -> ResolvedRule:
    codes = {a.id: eu_code(a.id, a.name) for a in scenario.actors}
    members = {
        a: c for a, c in codes.items() if c is not None and (preset.votes is None or c in preset.votes)
    }
    crits: list[Criterion] = []
    if preset.votes is not None:
        t = issue.threshold if issue.threshold is not None else preset.vote_share
        crits.append(Criterion({a: float(preset.votes[c]) for a, c in members.items()}, t, False, "votes"))
    if preset.member_share:
        crits.append(
            Criterion(dict.fromkeys(members, 1.0), preset.member_share, preset.member_strict, "members")
        )
    if preset.population_share:
        pop = {a: float(POPULATION_2014[c]) for a, c in members.items()}
        crits.append(Criterion(pop, preset.population_share, False, "population"))
    return ResolvedRule(
        issue.id, "qualified_majority", True, tuple(members), tuple(crits), veto,
        preset.blocking_min, issue.agenda_setter, _reversion(issue), preset.source,
    )  # fmt: skip


def _reversion(issue: Issue) -> float | None:
    return issue.reversion_point if issue.reversion_point is not None else issue.reference


def resolve_rule(scenario: Scenario, issue: Issue) -> ResolvedRule:
    """The rule of ``issue`` with group names, presets and defaults resolved."""
    veto = _expand(scenario, issue.veto_players)
    rev = _reversion(issue)
    if issue.rule is None:
        return ResolvedRule(
            issue.id, "simple_majority", False, None, (Criterion(None, 0.5, True, "capability"),),
            veto, 0, issue.agenda_setter, rev, FALLBACK_NOTE,
        )  # fmt: skip
    if issue.rule == "unilateral":
        d = issue.decider or (veto[0] if veto else "")
        return ResolvedRule(
            issue.id, "unilateral", True, (d,), (), (d,), 0, issue.agenda_setter or d, rev, ""
        )
    if issue.rule in ("consensus", "unanimity"):
        voters = veto or None  # no veto players named: every actor with a stance has a veto
        everyone = veto or scenario.actor_ids
        return ResolvedRule(issue.id, issue.rule, True, voters, (), everyone, 0, issue.agenda_setter, rev, "")
    if isinstance(issue.weights, str):
        return _preset_rule(scenario, issue, PRESETS[issue.weights], veto)
    weights = dict(issue.weights) if issue.weights else None
    majority = issue.rule == "simple_majority"
    t = issue.threshold if issue.threshold is not None else (0.5 if majority else 2 / 3)
    note = "" if majority or issue.threshold is not None else "no threshold given: two thirds assumed"
    label = "weights" if weights else "capability"
    voters = tuple(weights) if weights else None
    crit = Criterion(weights, t, majority and issue.threshold is None, label)
    return ResolvedRule(issue.id, issue.rule, True, voters, (crit,), veto, 0, issue.agenda_setter, rev, note)


def resolve_rules(scenario: Scenario) -> tuple[ResolvedRule, ...]:
    return tuple(resolve_rule(scenario, i) for i in scenario.issues)


# --------------------------------------------------------------------------- arrays
MAX_CRITERIA = 3


@dataclass(frozen=True, slots=True)
class RuleArrays:
    """The rules of a scenario as arrays (no batch axis; models broadcast them).

    ``weights`` (K, A, I) with ``use_capability`` (K, I): take the (batched) capability instead;
    ``threshold`` / ``strict`` (K, I); a criterion with threshold 0 always holds. ``voter`` and
    ``veto`` (A, I); ``blocking_min`` (I,) (0 = no clause); ``setter`` (I,) actor index or -1;
    ``reversion`` (I,) unit scale, NaN = the issue's reference (``ScenarioArrays.reference``).
    """

    kind: tuple[str, ...]
    declared: BoolArray
    voter: BoolArray
    veto: BoolArray
    weights: FloatArray
    use_capability: BoolArray
    threshold: FloatArray
    strict: BoolArray
    blocking_min: IntArray
    setter: IntArray
    reversion: FloatArray

    def subset_issues(self, idx: list[int]) -> RuleArrays:
        return RuleArrays(
            tuple(self.kind[i] for i in idx), self.declared[idx], self.voter[:, idx], self.veto[:, idx],
            self.weights[..., idx], self.use_capability[:, idx], self.threshold[:, idx], self.strict[:, idx],
            self.blocking_min[idx], self.setter[idx], self.reversion[idx],
        )  # fmt: skip


def rule_arrays(scenario: Scenario) -> RuleArrays:
    """:class:`RuleArrays` of every issue of ``scenario`` (in actor and issue order)."""
    A, I, K = len(scenario.actors), len(scenario.issues), MAX_CRITERIA
    aidx = {a: k for k, a in enumerate(scenario.actor_ids)}
    kind: list[str] = []
    declared = np.zeros(I, dtype=bool)
    voter = np.zeros((A, I), dtype=bool)
    veto = np.zeros((A, I), dtype=bool)
    w = np.zeros((K, A, I))
    use_cap = np.zeros((K, I), dtype=bool)
    thr = np.zeros((K, I))
    strict = np.zeros((K, I), dtype=bool)
    block = np.zeros(I, dtype=np.int64)
    setter = np.full(I, -1, dtype=np.int64)
    rev = np.full(I, np.nan)
    for i, (issue, r) in enumerate(zip(scenario.issues, resolve_rules(scenario), strict=True)):
        kind.append(r.kind)
        declared[i] = r.declared
        voter[:, i] = True if r.voters is None else [a in r.voters for a in scenario.actor_ids]
        for a in r.veto:
            veto[aidx[a], i] = True
        for k, c in enumerate(r.criteria[:K]):
            thr[k, i], strict[k, i] = c.threshold, c.strict
            if c.weights is None:
                use_cap[k, i] = True
            else:
                for a, v in c.weights.items():
                    w[k, aidx[a], i] = v
        block[i] = r.blocking_min
        if r.agenda_setter is not None:
            setter[i] = aidx[r.agenda_setter]
        if r.reversion is not None:
            rev[i] = issue.scale.to_unit(r.reversion)
    return RuleArrays(tuple(kind), declared, voter, veto, w, use_cap, thr, strict, block, setter, rev)


def fallback_rule_arrays(n_actors: int, n_issues: int) -> RuleArrays:
    """Simple majority of capability on every issue, no setter, reversion = the reference."""
    K, A, I = MAX_CRITERIA, n_actors, n_issues
    thr = np.zeros((K, I))
    thr[0] = 0.5
    strict = np.zeros((K, I), dtype=bool)
    strict[0] = True
    use_cap = np.zeros((K, I), dtype=bool)
    use_cap[0] = True
    return RuleArrays(
        ("simple_majority",) * I, np.zeros(I, dtype=bool), np.ones((A, I), dtype=bool),
        np.zeros((A, I), dtype=bool), np.zeros((K, A, I)), use_cap, thr, strict,
        np.zeros(I, dtype=np.int64), np.full(I, -1, dtype=np.int64), np.full(I, np.nan),
    )  # fmt: skip
