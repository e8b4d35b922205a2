"""Canonical hashes: of a scenario (sha256 of a sorted, normalised description) and of a plain
configuration (the simulator's resolved ``GameConfig``)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields, is_dataclass
from typing import Any

from detente.core.scenario import Scenario


def _plain(obj: Any) -> Any:
    """``_norm(dataclasses.asdict(obj))`` in one pass: the same values, without ``asdict``'s deep copy
    of every leaf (which made the hash of a 200-actor × 10-issue scenario cost 0.1 s).

    Dataclasses become dicts of their fields, lists and tuples lists, dict keys strings (sorted),
    floats their ``repr``; everything else is kept for ``json.dumps`` (``default=str``).
    """
    if isinstance(obj, float):
        return repr(obj)
    if obj is None or isinstance(obj, (str, int)):
        return obj
    if is_dataclass(obj) and not isinstance(obj, type):
        out = {}
        for f in fields(obj):  # the common leaves inline: one call per field is most of the cost
            v = getattr(obj, f.name)
            t = type(v)
            out[f.name] = v if t is str or v is None else repr(v) if t is float else _plain(v)
        return out
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
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
    d = {f.name: getattr(scenario, f.name) for f in fields(scenario)}
    if d.get("panel") is None:  # scenarios without a panel hash as they did before panels existed
        d.pop("panel", None)
    issues = []
    for issue in d["issues"]:  # rule details at their defaults hash as before they existed (issue #16)
        plain = _plain(issue)
        for key, empty in _RULE_DEFAULTS.items():
            if getattr(issue, key, empty) == empty:
                plain.pop(key, None)
        issues.append(plain)
    d["issues"] = issues
    d["stances"] = sorted(d["stances"], key=lambda s: (s.actor, s.issue))
    payload = json.dumps(_plain(d), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def config_hash(config: Any) -> str:
    """sha256 hex digest of a configuration made of dataclasses, lists, dicts and plain values (the
    simulator's ``GameConfig`` after the scenario's ``dynamics:``, a preset and ``--set``): the
    simulator's real input, recorded beside the scenario's hash."""
    payload = json.dumps(_plain(config), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
