"""What a written scenario file does not hold: the original against the file read back.

The exchange formats of other tools hold less than detente's own (KTAB CSV and Decide have no
evidence quotes, no ``dynamics:`` section, no decision rules, ...). ``detente convert`` reads what it
wrote and names the fields that did not survive (:func:`lost_fields`), so a user knows before
relying on the converted file; YAML, JSON, long CSV and XLSX keep everything (tested).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from detente.core.scenario import Scenario


def _differs(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return False
        return not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return bool(a != b)


def lost_fields(original: Scenario, back: Scenario) -> list[str]:
    """The fields of ``original`` that ``back`` (the written file, read again) does not have as they
    were: ``"as_of"``, ``"dynamics"``, ``"stance evidence"``, ``"issue rule"``, ``"some stances"``, ...
    (scenario fields by name, those of actors, issues and stances prefixed with their kind; ``some
    actors``/``issues``/``stances`` when ids did not come back). Sorted, each named once."""
    out: set[str] = set()
    for f in dataclasses.fields(original):
        if f.name not in ("id", "actors", "issues", "stances") and _differs(
            getattr(original, f.name), getattr(back, f.name)
        ):
            out.add(f.name)
    kinds: tuple[tuple[str, Any], ...] = (
        ("actors", lambda x: x.id),
        ("issues", lambda x: x.id),
        ("stances", lambda x: (x.actor, x.issue)),
    )
    for kind, key in kinds:
        there = {key(x): x for x in getattr(back, kind)}
        for x in getattr(original, kind):
            y = there.get(key(x))
            if y is None:
                out.add(f"some {kind}")
                continue
            out.update(
                f"{kind[:-1]} {f.name}"
                for f in dataclasses.fields(x)
                if _differs(getattr(x, f.name), getattr(y, f.name))
            )
    return sorted(out)
