"""Words for messages and captions: ``plural(1, "issue")`` is ``1 issue``, ``plural(2, "issue")`` ``2 issues``; ``either`` joins alternatives with "or"; ``shorten`` cuts a text at a word boundary."""

from __future__ import annotations

import re

NUMERIC = re.compile(r"[\d\s.,:;%/×+\-−–—()→]*\d[\d\s.,:;%/×+\-−–—()→]*|—")
"""A cell of numbers only: a number, an interval ("28.9–59.0", "12.0 – 82.9"), a pair ("2.61 / 2.61"),
a change ("0.3 → 0.5"), a share or a dash. Tables keep such a cell on one line (the report: a phone broke "28.9–" from
"59.0"; the terminal: rich cut "42.0–68.7" to "42.0–68…")."""


def is_numeric(text: str) -> bool:
    """Whether ``text`` is a cell of numbers only (:data:`NUMERIC`).

    Examples
    --------
    >>> is_numeric("28.9–59.0"), is_numeric(" 2.61 / 2.61 "), is_numeric("—"), is_numeric("inputs + model error")
    (True, True, True, False)
    """
    return NUMERIC.fullmatch(text.strip()) is not None


def plural(k: int, word: str, many: str | None = None) -> str:
    """``k`` and ``word`` in the singular for exactly one, else ``many`` (default: ``word + "s"``), with thousands separators.

    Examples
    --------
    >>> plural(1, "issue"), plural(6, "issue"), plural(2000, "draw"), plural(1, "proposal", "proposals")
    ('1 issue', '6 issues', '2,000 draws', '1 proposal')
    """
    return f"{k:,} {word if k == 1 else (many or word + 's')}"


def scenario_counts(n_actors: int, n_issues: int, n_stances: int | None = None) -> str:
    """``10 actors, 1 issue, 10 stances`` (stances left out when not given)."""
    parts = [plural(n_actors, "actor"), plural(n_issues, "issue")]
    if n_stances is not None:
        parts.append(plural(n_stances, "stance"))
    return ", ".join(parts)


def either(items: list[str]) -> str:
    """Alternatives for a message: ``a``, ``a or b``, ``a, b or c``.

    Examples
    --------
    >>> either(["yaml"]), either(["position", "salience"]), either(["'a'", "'b'", "'c'"])
    ('yaml', 'position or salience', "'a', 'b' or 'c'")
    """
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def possessive(name: str) -> str:
    """``France's``, ``United States'`` (a name ending in s takes the apostrophe alone).

    Examples
    --------
    >>> possessive("France"), possessive("United States")
    ("France's", "United States'")
    """
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def shorten(text: str, width: int) -> str:
    """``text`` on one line in at most ``width`` characters: whole words, then ``…`` when cut.

    Examples
    --------
    >>> shorten("Germany and France pledged more military aid", 24)
    'Germany and France…'
    >>> shorten("short", 10)
    'short'
    """
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    cut = flat[: max(0, width - 1)]
    head = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return head.rstrip(" ,;:—–-") + "…"


def bracket(v: tuple[float, float], digits: int = 2, sign: str = "") -> str:
    """An interval as ``[low, high]`` with ``digits`` decimals, empty when an end is not finite;
    ``sign="+"`` for a difference's interval (both ends signed, so a column of them aligns).

    Examples
    --------
    >>> bracket((14.6, 18.28)), bracket((-1.34, 0.04), sign="+"), bracket((float("nan"), 1.0))
    ('[14.60, 18.28]', '[-1.34, +0.04]', '')
    """
    import math

    if not all(math.isfinite(x) for x in v):
        return ""
    return f"[{v[0]:{sign}.{digits}f}, {v[1]:{sign}.{digits}f}]"
