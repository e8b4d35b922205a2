"""Bueno de Mesquita style tables (one actor per row, one issue), and the CSV delimiter check.

Layout in ``docs/formats.md``; re-exported by :mod:`detente.io.formats`.
"""

from __future__ import annotations

from pathlib import Path

from detente.core.scale import Scale
from detente.core.scenario import Actor, Issue, Scenario, Stance
from detente.io.sources import (
    Source,
    _build,
    _coding,
    _Collect,
    _fail,
    _num,
    _salience_divisor,
    _trim,
    csv_records,
    mixed_salience_coding,
    slug,
    source_text,
)

# ----------------------------------------------------------------------------------------------
# Bueno de Mesquita style tables
# ----------------------------------------------------------------------------------------------
BDM_ACTOR = ("actor", "stakeholder", "name", "player")
BDM_CAP = ("capability", "resources", "clout", "power", "influence")


def _header_index(header: list[str], names: tuple[str, ...]) -> int | None:
    low = [h.strip().lower() for h in header]
    for n in names:
        if n in low:
            return low.index(n)
    return None


def check_delimiter(first_line: str, label: str, expected: str = ",") -> None:
    """Raise a clear error when a CSV header uses ``;`` or tabs where commas are expected."""
    if expected in first_line:
        return
    for d, word in ((";", "semicolons"), ("\t", "tabs"), ("|", "'|' characters")):
        if d in first_line:
            raise _fail(
                label,
                1,
                "delimiter",
                f"the header is separated by {word} (expected a comma-separated file; "
                f"re-save it with ',' as delimiter)",
            )


def read_bdm_table(source: Source, *, name: str | None = None, issue: str = "issue") -> Scenario:
    """Read a Bueno de Mesquita style table: one actor per row, one issue.

    Header (case-insensitive): ``Actor|Stakeholder|Name|Player``, ``Capability|Resources|Clout|Power``,
    ``Position``, ``Salience``. Salience on 0-1, or on 0-100 (detected: any value above 1) and divided by
    100. The scale is 0-100 when positions lie in [0, 100] and reach above 50, else [min, max] of the
    positions.
    """
    text, label = source_text(source, name=name)
    first = text.lstrip("\ufeff").splitlines()[0]
    check_delimiter(first, label)
    rows = [(n, _trim(r)) for n, r in csv_records(text, label, skipinitialspace=True)]
    rows = [(n, r) for n, r in rows if r]
    ln_h, header = rows[0]
    ia, ic = _header_index(header, BDM_ACTOR), _header_index(header, BDM_CAP)
    ip, isal = _header_index(header, ("position",)), _header_index(header, ("salience",))
    for idx, what in (
        (ia, "Actor|Stakeholder|Name"),
        (ic, "Capability|Resources|Clout|Power"),
        (ip, "Position"),
        (isal, "Salience"),
    ):
        if idx is None:
            raise _fail(
                label,
                ln_h,
                "header",
                f"no {what} column (expected Actor, Capability, Position, Salience; "
                f"received {', '.join(header)})",
            )
    assert ia is not None and ic is not None and ip is not None and isal is not None
    recs: list[tuple[int, str, float, float, float]] = []
    seen: dict[str, int] = {}
    col = _Collect()
    for ln, r in rows[1:]:
        with col.row():
            if len(r) > len(header):  # a value without a column: it would be dropped silently
                raise _fail(label, ln, "row", f"{len(r)} fields (expected {len(header)} as in the header)")
            if len(r) < len(header):
                r = r + [""] * (len(header) - len(r))
            aid = r[ia]
            if not aid:
                raise _fail(label, ln, header[ia], "is empty (expected an actor name)")
            if aid in seen:
                raise _fail(
                    label,
                    ln,
                    header[ia],
                    f"duplicate actor {aid!r} (expected unique names; first on line {seen[aid]})",
                )
            seen[aid] = ln
            cap = _num(r[ic], label, ln, header[ic])
            pos = _num(r[ip], label, ln, header[ip])
            sal = _num(r[isal], label, ln, header[isal])
            assert cap is not None and pos is not None and sal is not None
            if cap < 0:
                raise _fail(label, ln, header[ic], f"{cap:g} is negative (expected a number >= 0)")
            if sal < 0:
                raise _fail(label, ln, header[isal], f"{sal:g} is negative (expected 0 to 1 or 0 to 100)")
            recs.append((ln, aid, cap, pos, sal))
    col.raise_if_any()
    if not recs:
        raise _fail(label, None, "rows", "no actor rows (expected one row per actor)")
    odd = mixed_salience_coding([r[4] for r in recs])
    if odd is not None:
        ln, aid, *_r, sal = recs[odd]
        raise _fail(
            label,
            ln,
            header[isal],
            f"{sal:g} reads as the 0-100 coding, but most saliences of the file are between 0 and 1 "
            "(expected one coding for the whole file: 0 to 1 or 0 to 100)",
        )
    div = _salience_divisor([r[4] for r in recs])
    for ln, _a, _c, _p, s in recs:
        if s / div > 1:
            col.problems.append(
                f"{label}:{ln}: {header[isal]}: {s:g} is above range (expected 0 to 1 or 0 to 100)"
            )
    col.raise_if_any()
    positions = [r[3] for r in recs]
    lo, hi = min(positions), max(positions)
    if lo >= 0 and hi <= 100 and hi > 50:
        lo, hi = 0.0, 100.0
    if hi <= lo:
        hi = lo + 1.0
    ev = _coding("Bueno de Mesquita", label)
    stem = Path(label).stem if not label.startswith("<") else "bdm-table"
    return _build(
        label,
        id=slug(stem),
        title=stem,
        sources=(f"Bueno de Mesquita style table {Path(label).name}",),
        actors=tuple(Actor(id=a, name=a, capability=c) for _, a, c, _, _ in recs),
        issues=(Issue(id=issue, name=issue, scale=Scale(low=lo, high=hi, labels=(f"{lo:g}", f"{hi:g}"))),),
        stances=tuple(
            Stance(actor=a, issue=issue, position=p, salience=s / div, evidence=ev) for _, a, _, p, s in recs
        ),
        metadata=(("format", "bdm"), ("bdm.salience_scale", "0-100" if div == 100 else "0-1")),
    )
