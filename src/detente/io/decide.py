"""Decide exchange-model files (``#A/#P/#M/#D`` rows, semicolon or tab dialect): reader and writer.

Layout in ``docs/formats.md``; re-exported by :mod:`detente.io.formats`.
"""

from __future__ import annotations

import dataclasses
import re
import warnings
from pathlib import Path
from typing import Literal

from detente.core.scale import Scale
from detente.core.scenario import Actor, Issue, Scenario, Stance
from detente.core.text import plural
from detente.errors import DetenteWarning
from detente.io.sources import (
    Source,
    _build,
    _coding,
    _Collect,
    _fail,
    _num,
    _salience_divisor,
    csv_records,
    mixed_salience_coding,
    slug,
    source_text,
)


# ----------------------------------------------------------------------------------------------
# Decide (exchange model) #A/#P/#M/#D files
# ----------------------------------------------------------------------------------------------
def decide_dialect(text: str) -> Literal["semicolon", "tab"] | None:
    """``"tab"`` for ``'#A'\\t...`` rows, ``"semicolon"`` for ``#A;...`` rows, else None."""
    for line in text.splitlines()[:50]:
        t = line.strip()
        if not t:
            continue
        if re.match(r"^'#[APMDO/]'\t", t):
            return "tab"
        if re.match(r"^#[APMDO/];", t):
            return "semicolon"
    return None


def read_decide(source: Source, *, name: str | None = None) -> Scenario:
    """Read a Decide exchange-model file (``#A`` actors, ``#P`` issues, ``#M`` anchors, ``#D`` data).

    Both dialects: semicolon-separated, or tab-separated with ``'``-quoted fields. Positions are on
    0-100; saliences on 0-1 (0-100 detected and divided by 100); the power of each ``#D`` row becomes
    the stance capability and the actor's default capability is the mean of its powers. Issues without
    any ``#D`` row are dropped (listed in metadata ``decide.dropped_issues``).
    """
    text, label = source_text(source, name=name)
    dialect = decide_dialect(text)
    if dialect is None:
        raise _fail(
            label, 1, "Decide file", "no '#A'/'#P'/'#D' rows found (expected a Decide #A/#P/#M/#D file)"
        )
    if dialect == "tab":
        rows = csv_records(text, label, delimiter="\t", quotechar="'")
    else:
        rows = csv_records(text, label, delimiter=";")
    d = _DecideRows()
    col = _Collect()
    for n, raw in rows:
        with col.row():
            _decide_row(d, [c.strip() for c in raw], n, label)
    if not d.actor_rows or not d.issue_rows or not d.data:
        col.raise_if_any()
        raise _fail(label, None, "Decide file", "expected at least one #A, one #P and one #D row")
    declared, div = _decide_check(d, label, col)
    col.raise_if_any()
    powers: dict[str, list[float]] = {}
    for _, a, _, _, _, w in d.data:
        powers.setdefault(a, []).append(w)
    actors = tuple(
        Actor(id=a, name=nm, capability=round(sum(powers.get(a, [1.0])) / len(powers.get(a, [1.0])), 12))
        for _, a, nm in d.actor_rows
    )
    used = {x[2] for x in d.data}
    ev = _coding("Decide", label)
    issues = _decide_issues(d, declared, used)
    stances = tuple(
        Stance(actor=a, issue=i, position=p, salience=s / div, capability=w, evidence=ev)
        for _n, a, i, p, s, w in d.data
    )
    meta: list[tuple[str, str]] = [("format", f"decide-{dialect}")]
    dropped = [iid for _, iid, _ in d.issue_rows if iid not in used]
    if dropped:
        meta.append(("decide.dropped_issues", ", ".join(dropped)))
    title = d.title or Path(label).stem
    return _build(
        label,
        id=slug(title),
        title=title,
        description=" ".join(d.comments),
        sources=(f"Decide exchange-model file {Path(label).name}",),
        actors=actors,
        issues=issues,
        stances=stances,
        metadata=tuple(meta),
    )


@dataclasses.dataclass
class _DecideRows:
    """What the rows of a Decide file say, gathered row by row (``(line, ...)`` tuples)."""

    title: str = ""
    comments: list[str] = dataclasses.field(default_factory=list)
    actor_rows: list[tuple[int, str, str]] = dataclasses.field(default_factory=list)
    issue_rows: list[tuple[int, str, str]] = dataclasses.field(default_factory=list)
    anchors: dict[str, list[tuple[float, str]]] = dataclasses.field(default_factory=dict)
    anchor_lines: dict[str, int] = dataclasses.field(default_factory=dict)
    data: list[tuple[int, str, str, float, float, float]] = dataclasses.field(default_factory=list)
    seen_actor: bool = False


def _decide_row(d: _DecideRows, r: list[str], n: int, label: str) -> None:
    """Add one (stripped) row of a Decide file to ``d``; a malformed row raises its one-line problem."""
    if not r or not any(r):
        return
    tag = r[0]
    if tag == "#O":
        d.title = d.title or (r[1] if len(r) > 1 else "")
    elif tag == "#/":
        if not d.seen_actor and len(r) > 1 and len(r[1]) > 20:
            d.comments.append(r[1])
    elif tag == "#A":
        d.seen_actor = True
        if len(r) < 2 or not r[1]:
            raise _fail(label, n, "#A actor id", "is empty (expected '#A; id; name')")
        d.actor_rows.append((n, r[1], r[2] if len(r) > 2 and r[2] else r[1]))
    elif tag == "#P":
        if len(r) < 2 or not r[1]:
            raise _fail(label, n, "#P issue id", "is empty (expected '#P; id; name')")
        d.issue_rows.append((n, r[1], r[2] if len(r) > 2 and r[2] else r[1]))
    elif tag == "#M":
        if len(r) < 3:
            raise _fail(label, n, "#M", "too few fields (expected '#M; issue; position; meaning')")
        v = _num(r[2], label, n, f"#M {r[1]} position")
        assert v is not None
        d.anchors.setdefault(r[1], []).append((v, r[3] if len(r) > 3 else ""))
        d.anchor_lines.setdefault(r[1], n)
    elif tag == "#D":
        d.data.append(_decide_data_row(r, n, label))
    elif tag.startswith("#"):
        if re.fullmatch(r"#[A-Za-z]\w*", tag):  # a tag detente does not read (a comment line is kept quiet)
            warnings.warn(
                f"{label}:{n}: row tag {tag[:20]!r} is not one detente reads (#A, #P, #M, #D, #O, #/); "
                "the line is skipped",
                DetenteWarning,
                stacklevel=2,
            )
        return
    else:
        raise _fail(label, n, "row tag", f"{tag[:20]!r} (expected #A, #P, #M, #D, #O or #/)")


def _decide_data_row(r: list[str], n: int, label: str) -> tuple[int, str, str, float, float, float]:
    """One ``#D; actor; issue; position; salience; power`` row, checked."""
    if len(r) < 6:
        raise _fail(
            label,
            n,
            "#D",
            f"{plural(len(r), 'field')} (expected '#D; actor; issue; position; salience; power')",
        )
    pos = _num(r[3], label, n, f"#D {r[1]}/{r[2]} position")
    sal = _num(r[4], label, n, f"#D {r[1]}/{r[2]} salience")
    pw = _num(r[5], label, n, f"#D {r[1]}/{r[2]} power")
    assert pos is not None and sal is not None and pw is not None
    if sal < 0:
        raise _fail(
            label,
            n,
            f"#D {r[1]}/{r[2]} salience",
            f"{sal:g} is negative (expected 0 to 1 or 0 to 100)",
        )
    if pw < 0:
        raise _fail(label, n, f"#D {r[1]}/{r[2]} power", f"{pw:g} is negative (expected a number >= 0)")
    return (n, r[1], r[2], pos, sal, pw)


def _decide_check(d: _DecideRows, label: str, col: _Collect) -> tuple[dict[str, tuple[float, float]], float]:
    """Cross-row checks (known ids, positions on declared scales, saliences in range) into ``col``.

    Returns the scales declared by the ``#M`` lines and the salience divisor (1 or 100)."""
    actor_ids = {a for _, a, _ in d.actor_rows}
    issue_ids = {i for _, i, _ in d.issue_rows}
    for tag, what, rows in (("#A", "actor", d.actor_rows), ("#P", "issue", d.issue_rows)):
        first: dict[str, int] = {}
        for n, x, _ in rows:
            if x in first:
                col.problems.append(
                    f"{label}:{n}: {tag} {what} id: duplicate {what} {x!r} (expected unique ids; first on line "
                    f"{first[x]})"
                )
            first.setdefault(x, n)
    first_d: dict[tuple[str, str], int] = {}
    for n, a, i, *_ in d.data:
        if (a, i) in first_d:
            col.problems.append(
                f"{label}:{n}: #D {a}/{i}: duplicate row for this actor and issue (expected one; first on line "
                f"{first_d[(a, i)]})"
            )
        first_d.setdefault((a, i), n)
    for n, a, i, *_ in d.data:
        if a not in actor_ids:
            col.problems.append(f"{label}:{n}: #D actor: unknown actor {a!r} (expected one of the #A ids)")
        if i not in issue_ids:
            col.problems.append(f"{label}:{n}: #D issue: unknown issue {i!r} (expected one of the #P ids)")
    for i, n in d.anchor_lines.items():
        if i not in issue_ids:
            col.problems.append(f"{label}:{n}: #M issue: unknown issue {i!r} (expected one of the #P ids)")
    declared = _decide_scales(d.anchors)
    for n, a, i, p, *_ in d.data:
        if i in declared and not declared[i][0] <= p <= declared[i][1]:
            lo, hi = declared[i]
            col.problems.append(
                f"{label}:{n}: #D {a}/{i} position: {p:g} is outside the scale of issue {i!r} declared by its "
                f"#M lines (expected {lo:g} to {hi:g})"
            )
    odd = mixed_salience_coding([x[4] for x in d.data])
    if odd is not None:
        n, a, i, _p, sal, _w = d.data[odd]
        col.problems.append(
            f"{label}:{n}: #D {a}/{i} salience: {sal:g} reads as the 0-100 coding, but most saliences of the "
            "file are between 0 and 1 (expected one coding for the whole file: 0 to 1 or 0 to 100)"
        )
    div = _salience_divisor([x[4] for x in d.data])
    for n, a, i, _p, s, _w in d.data:
        if s / div > 1:
            col.problems.append(
                f"{label}:{n}: #D {a}/{i} salience: {s:g} is above range (expected 0 to 1 or 0 to 100)"
            )
    return declared, div


def _decide_issues(
    d: _DecideRows, declared: dict[str, tuple[float, float]], used: set[str]
) -> tuple[Issue, ...]:
    """The issues with at least one ``#D`` row, their scales from the ``#M`` anchors (or 0-100 widened)."""
    issues: list[Issue] = []
    for _, iid, nm in d.issue_rows:
        if iid not in used:
            continue
        pts = sorted(d.anchors.get(iid, []))
        if iid in declared:
            lo, hi = declared[iid]
        else:  # no declared range: the Decide convention 0-100, widened to the values given
            values = [x[3] for x in d.data if x[2] == iid] + [v for v, _ in pts]
            lo, hi = min([0.0, *values]), max([100.0, *values])
        lo_label = next((m for v, m in pts if v == lo and m), f"{lo:g}")
        hi_label = next((m for v, m in pts if v == hi and m), f"{hi:g}")
        inner = tuple((v, m) for v, m in pts if m and lo < v < hi)
        issues.append(
            Issue(id=iid, name=nm, scale=Scale(low=lo, high=hi, labels=(lo_label, hi_label), points=inner))
        )
    return tuple(issues)


def _decide_scales(anchors: dict[str, list[tuple[float, str]]]) -> dict[str, tuple[float, float]]:
    """Issue -> (low, high) declared by its ``#M`` lines: lowest to highest anchor, when there are two or more
    distinct anchor values (one anchor, or none, declares no range)."""
    out: dict[str, tuple[float, float]] = {}
    for iid, pts in anchors.items():
        values = [v for v, _ in pts]
        if len(set(values)) >= 2:
            out[iid] = (min(values), max(values))
    return out


def write_decide(scenario: Scenario) -> str:
    """Decide semicolon-dialect text (``#O/#A/#P/#M/#D``). Positions are written in issue units."""
    lines = [f"#O;{_semi(scenario.title or scenario.id)};;;;"]
    if scenario.description:
        lines.append(f"#/;{_semi(scenario.description)};;;;")
    lines += [f"#A;{_semi(a.id)};{_semi(a.name)};;;" for a in scenario.actors]
    lines += [f"#P;{_semi(i.id)};{_semi(i.name)};;;" for i in scenario.issues]
    for i in scenario.issues:
        pts = [(i.scale.low, i.scale.labels[0]), *i.scale.points, (i.scale.high, i.scale.labels[1])]
        lines += [f"#M;{_semi(i.id)};{v:.15g};{_semi(m)};;" for v, m in pts]
    caps = {a.id: a.capability for a in scenario.actors}
    for s in scenario.stances:
        cap = caps[s.actor] if s.capability is None else s.capability
        lines.append(f"#D;{_semi(s.actor)};{_semi(s.issue)};{s.position:.15g};{s.salience:.15g};{cap:.15g}")
    return "\n".join(lines) + "\n"


def _semi(text: str) -> str:
    return " ".join(str(text).replace(";", ",").split())
