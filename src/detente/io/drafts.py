"""Draft stances in scenario files (``detente draft``, docs/draft.md §4): ``status: draft`` and the ``draft`` section.

A stance with ``status: draft`` is checked like any other (known actor and issue, numbers in range when
given, evidence, no duplicate) but its ``position`` and ``salience`` may be empty, and it is left out of
the :class:`~detente.core.scenario.Scenario` until the analyst accepts it (removes the status or sets
``status: accepted``). A valid file with draft stances raises one :class:`~detente.errors.DetenteWarning`
that lists what still needs numbers. The top-level ``draft`` mapping (provenance, text, suggestions) is
kept in the file and ignored by the models.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from detente.errors import DetenteWarning
from detente.io.checker import Path_, _Checker, _fmt

STATUSES = ("draft", "accepted")


def stance_status(ck: _Checker, m: Mapping[str, Any], p: Path_) -> str | None:
    """``draft``, ``accepted`` or None (no status); anything else is a problem (and None)."""
    st = m.get("status")
    if st is None:
        return None
    if not isinstance(st, str) or st.strip().lower() not in STATUSES:
        ck.add((*p, "status"), f"{_fmt(st)} is not a stance status (expected {' or '.join(STATUSES)})")
        return None
    return st.strip().lower()


def check_draft_section(ck: _Checker, top: Mapping[str, Any]) -> None:
    if "draft" in top and top["draft"] is not None and not isinstance(top["draft"], Mapping):
        ck.add(("draft",), "expected a mapping (the draft's provenance, text and suggestions)")


def pending(top: Mapping[str, Any]) -> list[str]:
    """``actor/issue: position, salience`` for every draft stance (what still needs numbers or review)."""
    stances = top.get("stances") if isinstance(top, Mapping) else None
    if not isinstance(stances, list) or not any(
        isinstance(s, Mapping) and s.get("status") == "draft" for s in stances
    ):
        return []  # no draft stance: every load would otherwise import the drafting package (~45 ms)
    from detente.analysis.draft.document import needs_numbers

    return needs_numbers(top)


def warn_drafts(top: Mapping[str, Any], source: str) -> None:
    """One warning listing the draft stances of a valid file (none when there are none)."""
    todo = pending(top)
    if todo:
        shown = "; ".join(todo[:12]) + (f"; … {len(todo) - 12} more" if len(todo) > 12 else "")
        warnings.warn(
            f"{source}: {len(todo)} draft stance(s) left out until accepted; still need numbers: {shown}",
            DetenteWarning,
            stacklevel=3,
        )
