"""Canonical scenario hash (sha256 of a sorted, normalised description)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

from detente.core.scenario import Scenario


def _norm(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _norm(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, (list, tuple)):
        return [_norm(v) for v in obj]
    if isinstance(obj, float):
        return repr(obj)
    return obj


_RULE_DEFAULTS: dict[str, Any] = {
    "decider": None,
    "threshold": None,
    "weights": (),
    "agenda_setter": None,
    "reversion_point": None,
    "rule_evidence": (),
}


# the last few scenarios hashed, by identity: a Scenario is frozen all the way down (tuples of frozen
# dataclasses), so one object always has one hash; ``detente run`` asks for it a dozen times (0.1 s)
_RECENT: dict[int, tuple[Scenario, str]] = {}
_RECENT_MAX = 8


def scenario_hash(scenario: Scenario) -> str:
    """sha256 hex digest of the scenario's content (order of stances does not matter)."""
    hit = _RECENT.get(id(scenario))
    if hit is not None and hit[0] is scenario:
        return hit[1]
    digest = _scenario_hash(scenario)
    if len(_RECENT) >= _RECENT_MAX:
        _RECENT.pop(next(iter(_RECENT)))
    _RECENT[id(scenario)] = (scenario, digest)  # the reference held keeps the id from being reused
    return digest


def _scenario_hash(scenario: Scenario) -> str:
    d = asdict(scenario)
    if d.get("panel") is None:  # scenarios without a panel hash as they did before panels existed
        d.pop("panel", None)
    for issue in d["issues"]:  # rule details at their defaults hash as before they existed (issue #16)
        for key, empty in _RULE_DEFAULTS.items():
            if issue.get(key, empty) == empty:
                issue.pop(key, None)
    d["stances"] = sorted(d["stances"], key=lambda s: (s["actor"], s["issue"]))
    payload = json.dumps(_norm(d), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
