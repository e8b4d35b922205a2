"""Parse and dump an issue's decision-rule fields and the scenario's forums (docs/decision_rules.md §1).

On an issue (YAML/JSON; CSV/XLSX columns of the same names)::

    rule: consensus | unanimity | qualified_majority | simple_majority | unilateral
    veto_players: [actor id or group name]     decider: actor id     agenda_setter: actor id
    threshold: share in (0, 1]                 reversion_point: number on the issue's scale
    weights: {actor id: weight} | eu15 | nice_eu25 | nice | lisbon
    rule_evidence: [{quote, source, date, url, note, assumption}]
    forum: forum id

A forum (top-level ``forums: [{id, name, rule, veto_players, decider, threshold, weights,
agenda_setter, rule_evidence}]``) lends its rule to every issue that names it and does not set the
field itself; the issues keep the resolved fields (a dumped scenario lists them per issue).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from detente.core.scale import Scale
from detente.core.scenario import DECISION_RULES, WEIGHT_PRESETS, Issue
from detente.io.checker import _MISSING, _Checker, _fmt
from detente.io.checker import Path_ as Path_

RULE_KEYS = (
    "decider",
    "threshold",
    "weights",
    "agenda_setter",
    "reversion_point",
    "rule_evidence",
    "forum",
)
"""Issue keys of the rule details (``rule`` and ``veto_players`` are older issue keys)."""
FORUM_KEYS = (
    "id",
    "name",
    "rule",
    "veto_players",
    "decider",
    "threshold",
    "weights",
    "agenda_setter",
    "rule_evidence",
)

EvidenceParser = Callable[[_Checker, Any, Path_], Any]


def _actor(ck: _Checker, value: Any, path: Path_, actors: Mapping[str, int]) -> Any:
    if value is None:
        return None
    a = ck.text(value, path, required=True)
    if a is not _MISSING and a not in actors:
        ck.add(path, f"unknown actor {a!r} (expected one of the actor ids)")
        return _MISSING
    return a


def _weights(ck: _Checker, value: Any, path: Path_, actors: Mapping[str, int]) -> Any:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        name = value.strip().lower()
        if name not in WEIGHT_PRESETS:
            ck.add(
                path,
                f"{_fmt(value)} is not a known weighting (expected actor weights or one of {', '.join(WEIGHT_PRESETS)})",
            )
            return _MISSING
        return name
    if not isinstance(value, Mapping):
        ck.add(path, f"{_fmt(value)} is not a mapping (expected actor id: weight, or a preset name)")
        return _MISSING
    out: list[tuple[str, float]] = []
    ok = True
    for a, v in value.items():
        if str(a) not in actors:
            ck.add((*path, str(a)), f"unknown actor {str(a)!r} (expected one of the actor ids)")
            ok = False
            continue
        w = ck.number(v, (*path, str(a)), low=0.0)
        if w is _MISSING:
            ok = False
            continue
        out.append((str(a), w))
    return tuple(out) if ok else _MISSING


def parse_rule_fields(
    ck: _Checker,
    m: Mapping[str, Any],
    p: Path_,
    *,
    scale: Scale | None,
    actors: Mapping[str, int],
    groups: set[str],
    evidence: EvidenceParser,
) -> dict[str, Any]:
    """The rule fields of an issue or forum mapping ``m`` (only the keys given), _MISSING on a problem."""
    out: dict[str, Any] = {}
    if m.get("rule") is not None:
        rule: Any = str(m["rule"]).strip().lower().replace(" ", "_").replace("-", "_")
        if rule not in DECISION_RULES:
            ck.add(
                (*p, "rule"),
                f"{_fmt(m['rule'])} is not a known rule (expected one of {', '.join(DECISION_RULES)})",
            )
            rule = _MISSING
        out["rule"] = rule
    if m.get("veto_players") is not None:
        vetoes = ck.text_list(m.get("veto_players"), (*p, "veto_players"))
        for k, v in enumerate(vetoes):
            if v not in actors and v not in groups:
                ck.add(
                    (*p, "veto_players", k),
                    f"unknown actor or group {v!r} (expected actor ids or group names)",
                )
        out["veto_players"] = vetoes
    for key in ("decider", "agenda_setter"):
        if m.get(key) not in (None, ""):
            out[key] = _actor(ck, m.get(key), (*p, key), actors)
    if m.get("threshold") not in (None, ""):
        t = ck.number(m["threshold"], (*p, "threshold"), low=0.0, high=1.0, expected="a share in (0, 1]")
        if t is not _MISSING and t <= 0:
            ck.add((*p, "threshold"), f"{t:g} is not above 0 (expected a share in (0, 1])")
            t = _MISSING
        out["threshold"] = t
    if m.get("weights") not in (None, ""):
        out["weights"] = _weights(ck, m.get("weights"), (*p, "weights"), actors)
    if m.get("reversion_point") not in (None, "") and scale is not None:
        out["reversion_point"] = ck.number(
            m["reversion_point"], (*p, "reversion_point"), low=scale.low, high=scale.high
        )
    if m.get("rule_evidence") is not None:
        ev = evidence(ck, m.get("rule_evidence"), (*p, "rule_evidence"))
        out["rule_evidence"] = _MISSING if ev is None else ev
    if out.get("rule") == "unilateral" and not out.get("decider") and not m.get("decider"):
        ck.add((*p, "decider"), "is missing (expected the actor who decides under a unilateral rule)")
        out["decider"] = _MISSING
    return out


def parse_forums(
    ck: _Checker,
    top: Mapping[str, Any],
    actors: Mapping[str, int],
    groups: set[str],
    evidence: EvidenceParser,
) -> dict[str, dict[str, Any]]:
    """Forum id -> its rule fields (``forums:`` at the top of a scenario)."""
    out: dict[str, dict[str, Any]] = {}
    for k, f in enumerate(ck.seq(top.get("forums"), ("forums",), "forum mappings", required=False)):
        p: Path_ = ("forums", k)
        m = ck.mapping(f, p, FORUM_KEYS)
        if m is None:
            continue
        fid = ck.text(m.get("id", _MISSING), (*p, "id"), required=True)
        ck.text(m.get("name"), (*p, "name"))
        fields = parse_rule_fields(ck, m, p, scale=None, actors=actors, groups=groups, evidence=evidence)
        if fid is not _MISSING:
            out[fid] = fields
    return out


def inherit(
    ck: _Checker, m: Mapping[str, Any], p: Path_, own: dict[str, Any], forums: Mapping[str, dict[str, Any]]
) -> dict[str, Any]:
    """``own`` fields completed by the issue's forum (``forum: id``)."""
    if m.get("forum") in (None, ""):
        return own
    fid = str(m["forum"]).strip()
    if fid not in forums:
        ck.add(
            (*p, "forum"),
            f"unknown forum {fid!r} (expected one of {', '.join(forums) or 'no forums declared'})",
        )
        return {**own, "rule": _MISSING}
    return {**forums[fid], **own}


def dump_rule_fields(issue: Issue, evidence: Callable[[Any], list[dict[str, Any]]]) -> dict[str, Any]:
    """The rule details of ``issue`` that differ from their defaults, for YAML/JSON."""
    d: dict[str, Any] = {}
    for key in ("decider", "threshold", "agenda_setter", "reversion_point"):
        v = getattr(issue, key)
        if v is not None:
            d[key] = v
    if isinstance(issue.weights, str):
        d["weights"] = issue.weights
    elif issue.weights:
        d["weights"] = dict(issue.weights)
    if issue.rule_evidence:
        d["rule_evidence"] = evidence(issue.rule_evidence)
    return d
