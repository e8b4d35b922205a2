"""Plain-language definitions of the run statuses the report shows next to dynamic models' forecasts.

Every section whose caption or tables use a status word gets the definitions of exactly those words
(``html.section_context``), so a reader never meets "capped" or "cycled" unexplained.
The statuses are those of ``detente.core.results.STATUSES`` (set by ``kernels.dynamics.classify_path``
and the SMP kernel) plus the forecast table's "status quo kept".
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Iterable

STATUS_MEANINGS: dict[str, str] = {
    "converged": "the positions stopped changing before the round limit; the forecast is where they settled.",
    "cycled": (
        "the positions came back exactly to those of a few rounds earlier and keep repeating that loop; the "
        "forecast is the last round's, one point of the loop, so read it with the range the median swings over."
    ),
    "oscillating": (
        "the positions neither settled nor repeated exactly, but over the last rounds the forecast kept swinging "
        "up and down (it changed direction at least twice); read it as a range rather than a point."
    ),
    "capped": (
        "the run reached its round limit while positions were still moving, without settling, looping or swinging "
        "back and forth; the forecast is the last round's and could drift further with more rounds."
    ),
    "closed_form": "computed in one step by a formula; there are no rounds, so nothing to settle.",
    "status quo kept": "the forecast and its whole 90% interval sit on the issue's status quo.",
}
"""Status word -> what it means for the reader (in the order they are listed)."""

_WORD = re.compile(r"(?<![\w-])(" + "|".join(re.escape(s) for s in STATUS_MEANINGS) + r")(?![\w-])")


def statuses_in(texts: Iterable[str]) -> list[str]:
    """The status words used in ``texts``, in the order of :data:`STATUS_MEANINGS`."""
    found = {m.group(1) for t in texts for m in _WORD.finditer(t)}
    return [s for s in STATUS_MEANINGS if s in found]


def status_glossary_text(statuses: Iterable[str]) -> str:
    """One plain sentence defining the given statuses ("" when there are none)."""
    items = [f"'{s}' = {STATUS_MEANINGS[s]}" for s in STATUS_MEANINGS if s in set(statuses)]
    return ("Run statuses: " + " ".join(items)) if items else ""


def status_glossary_html(statuses: Iterable[str]) -> str:
    """A small definition list of the given statuses ("" when there are none)."""
    wanted = set(statuses)
    items = "".join(
        f"<li><b>{_html.escape(s)}</b>: {_html.escape(m)}</li>"
        for s, m in STATUS_MEANINGS.items()
        if s in wanted
    )
    if not items:
        return ""
    return f'<div class="statuses"><p class="caption"><b>What the statuses mean</b></p><ul class="caption">{items}</ul></div>'
