"""parse_scenario(mapping) / dump_scenario(scenario): all parse rules for the native layout, pure.

(Provisional minimal version; the io work extends validation and messages.)
"""

from __future__ import annotations

from typing import Any

from detente.core.scale import Scale
from detente.core.scenario import Actor, Evidence, Issue, Scenario, Stance


def _evidence(items: Any) -> tuple[Evidence, ...]:
    return tuple(Evidence(**e) for e in (items or []))


def parse_scenario(data: dict[str, Any]) -> Scenario:
    actors = tuple(Actor(id=str(a["id"]), name=str(a.get("name", "")), capability=float(a.get("capability", 1.0)),
                         groups=tuple(a.get("groups", ())), description=str(a.get("description", ""))) for a in data["actors"])
    issues = []
    for i in data["issues"]:
        sc = i.get("scale", {})
        scale = Scale(low=float(sc.get("low", 0)), high=float(sc.get("high", 100)), labels=tuple(sc.get("labels", ("", ""))),
                      points=tuple((float(p["value"]), str(p["label"])) for p in sc.get("points", [])))
        issues.append(Issue(id=str(i["id"]), name=str(i.get("name", "")), scale=scale, reference=i.get("reference"),
                            rule=i.get("rule"), veto_players=tuple(i.get("veto_players", ())), description=str(i.get("description", ""))))
    stances = tuple(
        Stance(actor=str(s["actor"]), issue=str(s["issue"]), position=float(s["position"]), salience=float(s["salience"]),
               capability=s.get("capability"), sd=s.get("sd"), low=s.get("low"), high=s.get("high"),
               evidence=_evidence(s.get("evidence")))
        for s in data["stances"]
    )
    return Scenario(id=str(data["id"]), title=str(data.get("title", "")), description=str(data.get("description", "")),
                    as_of=str(data.get("as_of", "")), sources=tuple(data.get("sources", ())), actors=actors,
                    issues=tuple(issues), stances=stances,
                    metadata=tuple((str(k), str(v)) for k, v in (data.get("metadata") or {}).items()),
                    dynamics=tuple((data.get("dynamics") or {}).items()))
