"""Display data shared by the HTML report, the CLI read-out of ``detente run`` and the dashboard.

A *part* of the main job (forecasts, EUM, exchange, uncertainty, levers, cohesion, simulator,
SMP) returns a :class:`Part`: terminal tables for ``detente run`` and report :class:`Section` s
(figures: :class:`detente.report.figure.Figure` + plain-language captions). Templates hold no logic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from detente.report.figure import Figure


@dataclass
class Table:
    """A small table: ``rows`` are lists of already formatted strings."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class Section:
    """A report section: a title, a plain-language caption, figures (:class:`~detente.report.figure.Figure`) and tables."""

    id: str
    title: str
    caption: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    html: str = ""  # extra trusted HTML built by detente itself (never user text unescaped)


@dataclass
class Part:
    """One part of ``detente run``: terminal tables, report sections and its manifest entries."""

    name: str
    tables: list[Table] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    headline: list[str] = field(default_factory=list)  # plain sentences for the "In brief" summary
    # the same in numbers for the terminal's brief (e.g. analysis.summary.IssueBrief per issue); not in the report
    brief: list[Any] = field(default_factory=list)
