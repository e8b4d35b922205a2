"""The scenario hash (core/hashing.py) equals its readable definition: sha256 of the sorted JSON of
``dataclasses.asdict`` with floats as ``repr`` (the hash is recorded in provenance and golden files,
so a faster implementation must give the same digests)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

import pytest

from detente.core.hashing import _RULE_DEFAULTS, scenario_hash
from detente.core.panel import ExpertAnswer, Panel
from detente.core.scale import Scale
from detente.core.scenario import Actor, Evidence, Issue, Scenario, Stance
from detente.io.builtin import builtin_names, load_builtin
from detente.testing.inputs import synthetic_scenario


def _norm(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _norm(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, (list, tuple)):
        return [_norm(v) for v in obj]
    if isinstance(obj, float):
        return repr(obj)
    return obj


def reference_hash(scenario: Scenario) -> str:
    """The definition: asdict, no panel key without a panel, rule details at their defaults left out,
    stances sorted by (actor, issue)."""
    d = dataclasses.asdict(scenario)
    if d.get("panel") is None:
        d.pop("panel", None)
    for issue in d["issues"]:
        for key, empty in _RULE_DEFAULTS.items():
            if issue.get(key, empty) == empty:
                issue.pop(key, None)
    d["stances"] = sorted(d["stances"], key=lambda s: (s["actor"], s["issue"]))
    payload = json.dumps(_norm(d), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _with_rules(sc: Scenario) -> Scenario:
    ids = [a.id for a in sc.actors]
    issues = tuple(
        dataclasses.replace(
            i,
            rule="qualified_majority",
            threshold=0.6,
            weights=tuple((a, 2.0) for a in ids[:2]),
            rule_evidence=(Evidence(assumption=True, note="stated"),),
        )
        for i in sc.issues
    )
    return dataclasses.replace(sc, issues=issues, metadata=(*sc.metadata, ("k", "v")))


def _with_panel() -> Scenario:
    panel = Panel(
        experts=("e1", "e2"),
        answers=(
            ExpertAnswer(
                expert="e1", actor="a", issue="x", position=20, salience=0.4, confidence=0.9, notes="n"
            ),
            ExpertAnswer(expert="e2", actor="a", issue="x", position=30.5, salience=0.6),
        ),
    )
    return Scenario(
        id="toy",
        actors=(Actor(id="a"), Actor(id="b", capability=2)),
        issues=(Issue(id="x", scale=Scale(low=0, high=100)),),
        stances=(
            Stance(actor="b", issue="x", position=90, salience=0.5),
            Stance(actor="a", issue="x", position=10, salience=0.5, evidence=(Evidence(quote="q"),)),
        ),
        dynamics=(("rate", 0.25), ("steps", 3), ("table", {"b": [1.5, None], "a": True})),
        panel=panel,
    )


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_scenarios_hash_as_defined(name: str) -> None:
    sc = load_builtin(name)
    assert scenario_hash(sc) == reference_hash(sc)
    ruled = _with_rules(sc)
    assert scenario_hash(ruled) == reference_hash(ruled) != scenario_hash(sc)


def test_panel_dynamics_and_synthetic_hash_as_defined() -> None:
    for sc in (_with_panel(), synthetic_scenario(30, 4)):
        assert scenario_hash(sc) == reference_hash(sc)
    sc = _with_panel()
    assert scenario_hash(dataclasses.replace(sc, stances=sc.stances[::-1])) == scenario_hash(sc)
    assert scenario_hash(dataclasses.replace(sc, panel=None)) != scenario_hash(sc)
