"""JSON Schema of the native scenario layout (for editors and the dashboard).

Validation itself is done by :func:`detente.io.mapping.parse_scenario` (hand-written checks that
collect every problem with its line); this schema describes the same layout for tools. Numbers
may also be given as numeric text in files (CSV cells), which the schema does not express.
"""

from __future__ import annotations

from typing import Any

from detente.core.panel import POOL_METHODS
from detente.core.scenario import DECISION_RULES, WEIGHT_PRESETS
from detente.io.mapping import (
    ACTOR_KEYS,
    EVIDENCE_KEYS,
    ISSUE_KEYS,
    POINT_KEYS,
    SCALE_KEYS,
    STANCE_KEYS,
    TOP_KEYS,
)
from detente.io.panel import ANSWER_KEYS, PANEL_KEYS
from detente.io.rule_fields import FORUM_KEYS

_TEXT: dict[str, Any] = {"type": "string"}
_NUM: dict[str, Any] = {"type": "number"}
_NONNEG: dict[str, Any] = {"type": "number", "minimum": 0}


def _obj(props: dict[str, Any], keys: tuple[str, ...], required: tuple[str, ...] = ()) -> dict[str, Any]:
    assert set(props) == set(keys), (sorted(props), sorted(keys))
    return {"type": "object", "properties": props, "required": list(required), "additionalProperties": False}


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a native scenario mapping.

    Examples
    --------
    >>> s = scenario_json_schema()
    >>> s["required"]
    ['actors', 'issues', 'stances']
    >>> s["properties"]["stances"]["items"]["properties"]["salience"]
    {'type': ['number', 'null'], 'minimum': 0, 'maximum': 1}
    """
    evidence = _obj(
        {
            "quote": _TEXT,
            "source": _TEXT,
            "date": _TEXT,
            "url": _TEXT,
            "note": _TEXT,
            "assumption": {"type": "boolean"},
        },
        EVIDENCE_KEYS,
    )
    point = _obj({"value": _NUM, "label": _TEXT}, POINT_KEYS, ("value", "label"))
    scale = _obj(
        {
            "low": _NUM,
            "high": _NUM,
            "labels": {"type": "array", "items": _TEXT, "minItems": 2, "maxItems": 2},
            "points": {"type": "array", "items": point},
        },
        SCALE_KEYS,
    )
    actor = _obj(
        {
            "id": _TEXT,
            "name": _TEXT,
            "capability": _NONNEG,
            "groups": {"type": "array", "items": _TEXT},
            "description": _TEXT,
        },
        ACTOR_KEYS,
        ("id",),
    )
    rule_props: dict[str, Any] = {
        "decider": _TEXT,
        "agenda_setter": _TEXT,
        "threshold": {"type": ["number", "null"], "exclusiveMinimum": 0, "maximum": 1},
        "weights": {
            "oneOf": [{"enum": list(WEIGHT_PRESETS)}, {"type": "object", "additionalProperties": _NONNEG}]
        },
        "rule_evidence": {"type": "array", "items": evidence},
    }
    forum = _obj(
        {
            "id": _TEXT,
            "name": _TEXT,
            "rule": {"enum": [*DECISION_RULES, None]},
            "veto_players": {"type": "array", "items": _TEXT},
            **rule_props,
        },
        FORUM_KEYS,
        ("id",),
    )
    issue = _obj(
        {
            "id": _TEXT,
            "name": _TEXT,
            "description": _TEXT,
            "scale": scale,
            "reference": {"type": ["number", "null"]},
            "rule": {"enum": [*DECISION_RULES, None]},
            "veto_players": {"type": "array", "items": _TEXT},
            **rule_props,
            "reversion_point": {"type": ["number", "null"]},
            "forum": _TEXT,
        },
        ISSUE_KEYS,
        ("id",),
    )
    stance = _obj(
        {
            "actor": _TEXT,
            "issue": _TEXT,
            "position": {"type": ["number", "null"]},
            "salience": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
            "capability": _NONNEG,
            "sd": _NONNEG,
            "low": _NUM,
            "high": _NUM,
            "evidence": {"type": "array", "items": evidence},
            "status": {"enum": ["draft", "accepted"]},
        },
        STANCE_KEYS,
        ("actor", "issue"),
    )
    # only a draft stance (docs/draft.md §4) may leave its position and salience empty
    stance["if"] = {"not": {"properties": {"status": {"const": "draft"}}, "required": ["status"]}}
    stance["then"] = {
        "required": ["position", "salience"],
        "properties": {"position": _NUM, "salience": _NUM},
    }
    unit = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
    answer = _obj(
        {
            "expert": _TEXT,
            "actor": _TEXT,
            "issue": _TEXT,
            "position": {"type": ["number", "null"]},
            "salience": unit,
            "capability": {"type": ["number", "null"], "minimum": 0},
            "confidence": unit,
            "notes": _TEXT,
        },
        ANSWER_KEYS,
        ("expert", "actor", "issue"),
    )
    panel = _obj(
        {
            "pool": {"enum": list(POOL_METHODS)},
            "scenario_hash": _TEXT,
            "experts": {"type": "array", "items": _TEXT},
            "answers": {"type": "array", "items": answer},
        },
        PANEL_KEYS,
        ("experts", "answers"),
    )
    top = _obj(
        {
            "id": _TEXT,
            "title": _TEXT,
            "description": _TEXT,
            "as_of": _TEXT,
            "sources": {"type": "array", "items": _TEXT},
            "metadata": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}},
            "actors": {"type": "array", "items": actor, "minItems": 1},
            "issues": {"type": "array", "items": issue, "minItems": 1},
            "forums": {"type": "array", "items": forum},
            "stances": {"type": "array", "items": stance},
            "dynamics": {"type": "object"},
            "panel": panel,
            "draft": {"type": "object"},
        },
        TOP_KEYS,
        ("actors", "issues", "stances"),
    )
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "detente scenario", **top}
