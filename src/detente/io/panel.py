"""The ``panel`` section of the native scenario layout (docs/panels.md): the experts' raw answers.

::

    panel:
      pool: median            # how the stances were pooled (median, mean, trimmed, weighted)
      scenario_hash: 5924...  # the scenario version the questionnaires were exported from
      experts: [e1, e2, e3]
      answers:
        - {expert, actor, issue, position, salience, capability, confidence, notes}

Parsing goes through the same checker as the rest of the scenario, so a bad cell is one line
naming the field (``panel.answers[4].salience: 1.4 is above range (expected 0 to 1)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from detente.core.panel import POOL_METHODS, ExpertAnswer, Panel
from detente.errors import ScenarioError
from detente.io.checker import _MISSING, _Checker

PANEL_KEYS = ("pool", "scenario_hash", "experts", "answers")
ANSWER_KEYS = ("expert", "actor", "issue", "position", "salience", "capability", "confidence", "notes")
_RANGES: dict[str, tuple[float | None, float | None]] = {
    "position": (None, None),
    "salience": (0.0, 1.0),
    "capability": (0.0, None),
    "confidence": (0.0, 1.0),
}


def parse_panel(ck: _Checker, value: Any) -> Panel | None:
    """The panel section, checked (problems go to ``ck``); None when absent or invalid."""
    if value is None:
        return None
    m = ck.mapping(value, ("panel",), PANEL_KEYS)
    if m is None:
        return None
    pool = ck.text(m.get("pool", "median"), ("panel", "pool"))
    if pool is not _MISSING and pool not in POOL_METHODS:
        ck.add(
            ("panel", "pool"), f"{pool!r} is not a pooling method (expected one of {', '.join(POOL_METHODS)})"
        )
        pool = _MISSING
    digest = ck.text(m.get("scenario_hash"), ("panel", "scenario_hash"))
    experts = ck.text_list(m.get("experts"), ("panel", "experts"))
    answers: list[ExpertAnswer] = []
    ok = True
    for k, a in enumerate(ck.seq(m.get("answers"), ("panel", "answers"), "answer mappings")):
        ans = _answer(ck, a, ("panel", "answers", k))
        if ans is None:
            ok = False
        else:
            answers.append(ans)
    if not ok or _MISSING in (pool, digest):
        return None
    try:
        return Panel(experts=experts, answers=tuple(answers), pool=pool, scenario_hash=digest)
    except ScenarioError as exc:
        ck.add(("panel",), str(exc).removeprefix("panel: "))
        return None


def _answer(ck: _Checker, value: Any, p: tuple[Any, ...]) -> ExpertAnswer | None:
    m = ck.mapping(value, p, ANSWER_KEYS)
    if m is None:
        return None
    ids = {k: ck.text(m.get(k, _MISSING), (*p, k), required=True) for k in ("expert", "actor", "issue")}
    nums: dict[str, Any] = {}
    for key, (low, high) in _RANGES.items():
        v = m.get(key)
        nums[key] = None if v is None or v == "" else ck.number(v, (*p, key), low=low, high=high)
    notes = ck.text(m.get("notes"), (*p, "notes"))
    if _MISSING in (*ids.values(), *nums.values(), notes):
        return None
    return ExpertAnswer(**ids, **nums, notes=notes)


def _num(v: float) -> int | float:
    return int(v) if float(v).is_integer() else float(v)


def answer_mapping(a: ExpertAnswer) -> dict[str, Any]:
    """One answer as a plain mapping (empty numbers and notes left out)."""
    out: dict[str, Any] = {"expert": a.expert, "actor": a.actor, "issue": a.issue}
    for key in ("position", "salience", "capability", "confidence"):
        v = getattr(a, key)
        if v is not None:
            out[key] = _num(v)
    if a.notes:
        out["notes"] = a.notes
    return out


def dump_panel(panel: Panel) -> Mapping[str, Any]:
    """The panel section (inverse of :func:`parse_panel`)."""
    return {
        "pool": panel.pool,
        "scenario_hash": panel.scenario_hash,
        "experts": list(panel.experts),
        "answers": [answer_mapping(a) for a in panel.answers],
    }
