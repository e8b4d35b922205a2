"""The simulator's codes in words, for every shell that shows them (``detente simulate``, the
report's simulator part): the issue codes of a package (``terr``, ``buf``, ``cap``, ``align``,
``guar``; docs/simulator.md, "Packages"), what their values mean and how a run ends
(``detente.sim.state.OUTCOME_NAMES``; R is Russia and U Ukraine, docs/simulator.md). The JSON and
CSV keep the codes; only what a reader sees is worded here.
"""

from __future__ import annotations

ISSUE_TITLES = {
    "terr": "Line of separation: share of the contested land under Russia",
    "buf": "Buffer zone (Ukraine withdraws)",
    "cap": "Limits on Ukraine's forces",
    "align": "Alignment",
    "guar": "Security guarantees",
}
"""Titles of the issues (the report's chart panels); the issue codes are never shown to a reader."""

ISSUE_LABELS = {
    "terr": "land under Russia",
    "buf": "buffer zone",
    "cap": "Ukraine's force limits",
    "align": "alignment",
    "guar": "security guarantee",
}
"""Short names of the issues for a terminal table (80 columns)."""

VALUE_WORDS: dict[str, dict[float, str]] = {
    "buf": {0.0: "none", 0.5: "partial", 1.0: "full"},
    "cap": {0.0: "none", 0.5: "partial", 1.0: "full"},
    "align": {0.0: "NATO path", 1.0: "neutrality"},
    "guar": {0.0: "none", 1.0: "on paper", 2.0: "EU monitoring", 3.0: "binding"},
}
"""What each value of an indivisible issue means (docs/simulator.md, packages)."""

ENDING_WORDS = {
    "war_ongoing": "war ongoing",
    "settlement": "settlement",
    "frozen_ceasefire": "frozen ceasefire",
    "decision_R": "military decision for Russia",
    "decision_U": "military decision for Ukraine",
    "ceasefire_ongoing": "ceasefire ongoing",
}
"""How a run ends, by its code in ``outcomes.shares``."""


HEADLINE_WORDS: dict[str, tuple[str, bool]] = {
    "p_ceasefire_6": ("first ceasefire within 6 months", True),
    "p_ceasefire_12": ("first ceasefire within 12 months", True),
    "p_sanctions": ("US sanctions {within}", True),
    "alignment_mean": ("US–Europe alignment at the summit (0–1, mean)", False),
    "p_strong_communique": ("strong summit communiqué", True),
    "p_settlement": ("comprehensive settlement {within}", True),
}
"""The numbers of ``summary.headline`` in words (``{within}``: the runs' horizon, see
:func:`headline_words`), and whether each is a share of the runs (shown as a percentage) rather
than a value on its own scale. The one wording of these numbers: the report, ``detente simulate``
and the dashboard all read it."""


def headline_words(code: str, months: int | None = None) -> tuple[str, bool]:
    """A headline number's words and whether it is a share of runs (an unknown code: its underscores
    as spaces, not a share); ``months``: the runs' horizon, named where the words need it.

    >>> headline_words("p_sanctions"), headline_words("p_sanctions", 24)[0], headline_words("new_number")
    (('US sanctions by the end', True), 'US sanctions within 24 months', ('new number', False))
    """
    words, share = HEADLINE_WORDS.get(code, (code.replace("_", " "), False))
    within = "by the end" if months is None else f"within {months} months"
    return words.format(within=within), share


def value_word(issue: str, value: str) -> str:
    """A settlement term in words: ``terr`` as a percentage of the contested land, the other
    issues by :data:`VALUE_WORDS` (a value without a word stays as written).

    >>> value_word("terr", "0.05"), value_word("guar", "2"), value_word("align", "1.0")
    ('5%', 'EU monitoring', 'neutrality')
    """
    v = float(value)
    if issue == "terr":
        return f"{v:.0%}"
    return VALUE_WORDS.get(issue, {}).get(v, value)


def ending_word(code: str) -> str:
    """How a run ends in words (an unknown code with its underscores as spaces).

    >>> ending_word("decision_U"), ending_word("something_new")
    ('military decision for Ukraine', 'something new')
    """
    return ENDING_WORDS.get(code, code.replace("_", " "))
