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


def scenario_hash(scenario: Scenario) -> str:
    """sha256 hex digest of the scenario's content (order of stances does not matter).

    Not cached (issue #13: no module-level caches): callers that need it often keep the value, as the
    main job does in its provenance."""
    return _scenario_hash(scenario)


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
