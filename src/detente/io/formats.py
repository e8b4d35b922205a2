"""Importers (and a few exporters) for third-party negotiation data formats.

Every reader takes a path **or** the file's text (a ``str`` containing a newline, or ``bytes``)
and returns a valid :class:`~detente.core.scenario.Scenario`. Errors are
:class:`~detente.errors.InputFileError` with one line ``FILE[:LINE]: FIELD: what is wrong (expected ...)``.

Formats (layouts documented in ``docs/formats.md`` and ``data/README.md``):

- KTAB CSV: line 1 ``name, description, n_actors, n_dims``; line 2 header
  ``Actor, Description, Influence|Power, <dim> Position, <dim> Salience, ...``; one row per actor.
  Positions on 0-100, saliences 0-100 (divided by 100), capability = Influence/Power.
- KTAB XML: ``<Scenario>`` with ``name, desc, prngSeed, ModelParameters, Dimensions/dName,
  Actors/Actor(name, description, capability, Position/dCoord, Salience/dSal)``. Model parameters
  are kept as ``ktab.<Name>`` metadata. An empty ``dCoord`` means the actor is absent on that issue.
- Decide (exchange model) ``#A/#P/#M/#D`` rows, semicolon dialect or tab dialect with ``'``-quoted
  fields. ``#M`` anchors become named scale points; the power of each ``#D`` row becomes the stance
  capability.
- Bueno de Mesquita tables: header with ``Actor|Stakeholder|Name``, ``Capability|Resources|Clout|Power``,
  ``Position``, ``Salience`` (0-1, or 0-100 detected and divided by 100).

Data from these formats are expert codings, not quotes: each stance carries
``Evidence(assumption=True, note="expert coding ...")``.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import math
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from detente.core.scale import Scale
from detente.core.scenario import Actor, Evidence, Issue, Scenario, Stance
from detente.core.text import plural
from detente.errors import InputFileError, ScenarioError

DEFAULT_MAX_BYTES = 10_000_000

Source = str | os.PathLike[str] | bytes

FormatName = Literal["yaml", "json", "csv", "xlsx", "ktab-csv", "ktab-xml", "decide", "bdm", "deu"]


# ----------------------------------------------------------------------------------------------
# safe text loading
# ----------------------------------------------------------------------------------------------
def check_file(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Path:
    """Check that ``path`` is a readable regular file no larger than ``max_bytes``; return it as a Path."""
    p = Path(path)
    name = str(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputFileError(f"{name}: file not found (expected an existing scenario file)") from None
    except OSError as exc:
        raise InputFileError(f"{name}: cannot read file ({exc.strerror or exc})") from None
    if p.is_dir():
        raise InputFileError(f"{name}: is a directory (expected a scenario file)")
    if st.st_size > max_bytes:
        raise InputFileError(
            f"{name}: file is too large ({st.st_size / 1e6:.1f} MB; expected at most {max_bytes / 1e6:.1f} MB)"
        )
    if st.st_size == 0:
        raise InputFileError(f"{name}: file is empty (expected a scenario)")
    return p


def decode_bytes(data: bytes, name: str) -> str:
    """UTF-8 (optional BOM) -> str, or a one-line error naming the file and byte offset."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputFileError(
            f"{name}:{line}: encoding: byte 0x{bad} at offset {exc.start} is not valid UTF-8 "
            "(expected a UTF-8 text file; re-save it as UTF-8)"
        ) from None
    if "\x00" in text:
        raise InputFileError(f"{name}: encoding: file contains NUL bytes (expected a text file, not binary)")
    return text


def read_text_file(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read a whole text file safely: existence, not a directory, size cap, UTF-8, not empty."""
    p = check_file(path, max_bytes=max_bytes)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    text = decode_bytes(data, str(path))
    if not text.strip():
        raise InputFileError(f"{path}: file is empty (expected a scenario)")
    return text


def source_text(
    source: Source, *, name: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[str, str]:
    """``(text, display name)`` from a path, a text (a str with a newline) or bytes."""
    if isinstance(source, bytes):
        label = name or "<bytes>"
        if len(source) > max_bytes:
            raise InputFileError(f"{label}: input is too large (expected at most {max_bytes / 1e6:.1f} MB)")
        text = decode_bytes(source, label)
    elif isinstance(source, str) and ("\n" in source or "\r" in source):
        label = name or "<text>"
        text = source
    else:
        label = name or str(source)
        text = read_text_file(source, max_bytes=max_bytes)
    if not text.strip():
        raise InputFileError(f"{label}: input is empty (expected a scenario)")
    return text, label


# ----------------------------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------------------------
def _fail(name: str, line: int | None, field: str, what: str) -> InputFileError:
    where = f"{name}:{line}" if line else name
    return InputFileError(f"{where}: {field}: {what}")


class _Collect:
    """Collect one-line row problems so a reader reports all of them at once."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    @contextlib.contextmanager
    def row(self) -> Iterator[None]:
        try:
            yield
        except InputFileError as exc:
            self.problems.extend(exc.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            p = self.problems
            raise InputFileError(p[0] if len(p) == 1 else f"{p[0]} (and {len(p) - 1} more)", p)


def _num(text: str, name: str, line: int | None, field: str, *, allow_empty: bool = False) -> float | None:
    t = text.strip().strip("'\"").strip()
    if not t:
        if allow_empty:
            return None
        raise _fail(name, line, field, "is empty (expected a number)")
    try:
        v = float(t)
    except ValueError:
        raise _fail(name, line, field, f"{t!r} is not a number (expected a number)") from None
    if not math.isfinite(v):
        raise _fail(name, line, field, f"{t} is not a finite number (expected a finite number)")
    return v


def slug(text: str) -> str:
    """Lower-case identifier from free text (``"Policy"`` -> ``"policy"``)."""
    s = re.sub(r"[^0-9A-Za-z]+", "_", text.strip()).strip("_").lower()
    return s or "x"


def _unique(ids: Sequence[str]) -> list[str]:
    out: list[str] = []
    seen: dict[str, int] = {}
    for i in ids:
        if i in seen:
            seen[i] += 1
            out.append(f"{i}_{seen[i]}")
        else:
            seen[i] = 1
            out.append(i)
    return out


def _build(name: str, **kwargs: Any) -> Scenario:
    """Scenario(...) with a ScenarioError turned into a one-line InputFileError naming the file."""
    try:
        return Scenario(**kwargs)
    except InputFileError:
        raise
    except ScenarioError as exc:
        problems = [f"{name}: {p}" for p in exc.problems]
        raise InputFileError(problems[0] if len(problems) == 1 else f"{name}: {exc}", problems) from None


def _coding(fmt: str, label: str) -> tuple[Evidence, ...]:
    src = Path(label).name if not label.startswith("<") else label
    return (
        Evidence(source=src, note=f"expert coding from a {fmt} data table, not a quote", assumption=True),
    )


def _salience_divisor(values: Sequence[float]) -> float:
    """1 if saliences look like 0-1, 100 if any exceeds 1 (0-100 coding)."""
    return 100.0 if any(v > 1.0 for v in values) else 1.0


def _csv_rows(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True))


def _trim(row: list[str]) -> list[str]:
    r = [c.strip() for c in row]
    while r and r[-1] == "":
        r.pop()
    return r


# ----------------------------------------------------------------------------------------------
# KTAB CSV
# ----------------------------------------------------------------------------------------------
_KTAB_CAP = ("influence", "power", "capability")
_POS_RE = re.compile(
    r"^(?:(?P<name>.*?)\s*(?:position|pstn|pos)\s*(?P<num>\d*)|(?:pstn|pos)(?P<n2>\d+))$", re.I
)


def _ktab_dim_name(header: str, k: int) -> str:
    h = header.strip()
    m = re.match(r"^(?:pstn|pos|position)\s*(\d+)$", h, re.I)
    if m:
        return f"Dim {m.group(1)}"
    m = re.match(r"^(.*?)\s*(?:position|pstn)$", h, re.I)
    if m and m.group(1).strip():
        return m.group(1).strip()
    return h or f"Dim {k + 1}"


def read_ktab_csv(source: Source, *, name: str | None = None) -> Scenario:
    """Read a KTAB SMP CSV file (path or text) into a Scenario: one issue per dimension on 0-100.

    Examples
    --------
    >>> text = "Toy,toy scenario,2,1,\\nActor,Description,Influence,Pos,Sal\\na,A,10,20,50\\nb,B,5,80,100\\n"
    >>> sc = read_ktab_csv(text)
    >>> [(s.actor, s.position, s.salience) for s in sc.stances]
    [('a', 20.0, 0.5), ('b', 80.0, 1.0)]
    """
    text, label = source_text(source, name=name)
    rows = [(n + 1, _trim(r)) for n, r in enumerate(_csv_rows(text))]
    rows = [(n, r) for n, r in rows if r]
    if len(rows) < 3:
        raise _fail(
            label, None, "KTAB CSV", "expected a title line, a header line and at least one actor row"
        )
    ln0, first = rows[0]
    if len(first) < 3:
        raise _fail(label, ln0, "title line", "expected 'name, description, n_actors, n_dims'")
    n_actors_f = _num(first[-2], label, ln0, "title line n_actors")
    n_dims_f = _num(first[-1], label, ln0, "title line n_dims")
    assert n_actors_f is not None and n_dims_f is not None
    for what, v, counts in (("n_actors", n_actors_f, "actor rows"), ("n_dims", n_dims_f, "dimensions")):
        if v < 1 or not v.is_integer():
            raise _fail(
                label,
                ln0,
                f"title line {what}",
                f"{v:g} is not a count (expected the number of {counts}, >= 1)",
            )
    n_actors, n_dims = int(n_actors_f), int(n_dims_f)
    title = first[0]
    description = ", ".join(first[1:-2])
    ln1, header = rows[1]
    if len(header) < 5 or header[2].strip().lower() not in _KTAB_CAP:
        raise _fail(
            label,
            ln1,
            "header",
            f"expected 'Actor, Description, Influence|Power, position, salience, ...', "
            f"received {', '.join(header[:5])!r}",
        )
    if len(header) != 3 + 2 * n_dims:
        raise _fail(
            label,
            ln1,
            "header",
            f"{len(header) - 3} position/salience columns for n_dims={n_dims} (expected {2 * n_dims})",
        )
    dim_names = [_ktab_dim_name(header[3 + 2 * k], k) for k in range(n_dims)]
    dim_ids = _unique([slug(d) for d in dim_names])
    body = rows[2:]
    if len(body) != n_actors:
        raise _fail(
            label,
            None,
            "actor rows",
            f"{plural(len(body), 'row')} (expected n_actors={n_actors} from line {ln0})",
        )
    actors: list[Actor] = []
    stances: list[Stance] = []
    raw: list[tuple[int, str, list[float], list[float]]] = []
    col = _Collect()
    for ln, r in body:
        with col.row():
            if len(r) != len(header):
                raise _fail(
                    label, ln, "row", f"{plural(len(r), 'field')} (expected {len(header)} as in the header)"
                )
            aid = r[0]
            if not aid:
                raise _fail(label, ln, "Actor", "is empty (expected an actor name)")
            cap = _num(r[2], label, ln, header[2])
            assert cap is not None
            if cap < 0:
                raise _fail(label, ln, header[2], f"{cap:g} is negative (expected a number >= 0)")
            pos: list[float] = []
            sal: list[float] = []
            for k in range(n_dims):
                p = _num(r[3 + 2 * k], label, ln, header[3 + 2 * k])
                s = _num(r[4 + 2 * k], label, ln, header[4 + 2 * k])
                assert p is not None and s is not None
                if not 0 <= p <= 100:
                    raise _fail(
                        label, ln, header[3 + 2 * k], f"{p:g} is outside the scale (expected 0 to 100)"
                    )
                if not 0 <= s <= 100:
                    raise _fail(label, ln, header[4 + 2 * k], f"{s:g} is out of range (expected 0 to 100)")
                pos.append(p)
                sal.append(s)
            actors.append(Actor(id=aid, name=r[1] or aid, capability=cap))
            raw.append((ln, aid, pos, sal))
    col.raise_if_any()
    ev = _coding("KTAB", label)
    for _ln, aid, pos, sal in raw:
        for k in range(n_dims):
            stances.append(
                Stance(actor=aid, issue=dim_ids[k], position=pos[k], salience=sal[k] / 100.0, evidence=ev)
            )
    issues = tuple(
        Issue(id=dim_ids[k], name=dim_names[k], scale=Scale(low=0.0, high=100.0, labels=("0", "100")))
        for k in range(n_dims)
    )
    return _build(
        label,
        id=slug(title),
        title=title,
        description=description,
        sources=(f"KTAB CSV file {Path(label).name}",),
        actors=tuple(actors),
        issues=issues,
        stances=tuple(stances),
        metadata=(("format", "ktab-csv"), ("ktab.capability_column", header[2])),
    )


def write_ktab_csv(scenario: Scenario) -> str:
    """KTAB CSV text for a scenario. Positions are rescaled to 0-100, saliences to 0-100.

    KTAB has no absent actors, per-issue capabilities, scales or evidence: every actor needs a stance on
    every issue (else ScenarioError); per-stance capabilities are dropped.
    """
    missing = [
        f"{a.id}/{i.id}"
        for a in scenario.actors
        for i in scenario.issues
        if scenario.stance(a.id, i.id) is None
    ]
    if missing:
        raise ScenarioError(
            f"stances: KTAB CSV needs a stance for every actor on every issue; missing {', '.join(missing[:5])}"
            + (" ..." if len(missing) > 5 else "")
        )
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    desc = scenario.description.replace("\n", " ")
    w.writerow([scenario.title or scenario.id, desc, len(scenario.actors), len(scenario.issues)])
    cap_col = scenario.meta("ktab.capability_column", "Influence")
    header = ["Actor", "Description", cap_col]
    for i in scenario.issues:
        header += [f"{i.name} Position", f"{i.name} Salience"]
    w.writerow(header)
    for a in scenario.actors:
        row: list[object] = [a.id, a.name, f"{a.capability:g}"]
        for i in scenario.issues:
            s = scenario.stance(a.id, i.id)
            assert s is not None
            p = 100.0 * i.scale.to_unit(s.position)
            row += [f"{p:.10g}", f"{100.0 * s.salience:.10g}"]
        w.writerow(row)
    return buf.getvalue()


# ----------------------------------------------------------------------------------------------
# KTAB XML
# ----------------------------------------------------------------------------------------------
def read_ktab_xml(source: Source, *, name: str | None = None) -> Scenario:
    """Read a KTAB SMP XML scenario (path or text). Model parameters go to ``ktab.<Name>`` metadata.

    DTDs and entities are refused (no entity expansion attacks).
    """
    import xml.etree.ElementTree as ET

    text, label = source_text(source, name=name)
    head = text[:4096].upper()
    if "<!DOCTYPE" in head or "<!ENTITY" in text.upper():
        raise _fail(
            label, None, "XML", "DOCTYPE/ENTITY declarations are not allowed (expected a plain KTAB XML file)"
        )
    try:
        root = ET.fromstring(text.lstrip("\ufeff").encode("utf-8"))
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise _fail(label, line, "XML", f"not well-formed ({exc}) (expected a KTAB XML scenario)") from None
    if root.tag != "Scenario":
        raise _fail(label, None, "XML root", f"<{root.tag}> (expected <Scenario>)")
    line_of = _xml_lines(root, text)

    def txt(el: Any, tag: str, default: str = "") -> str:
        e = el.find(tag)
        return (e.text or "").strip() if e is not None else default

    title = txt(root, "name") or "KTAB scenario"
    desc = txt(root, "desc")
    meta: list[tuple[str, str]] = [("format", "ktab-xml")]
    seed = txt(root, "prngSeed")
    if seed:
        meta.append(("ktab.prngSeed", seed))
    mp = root.find("ModelParameters")
    if mp is not None:
        for child in mp:
            meta.append((f"ktab.{child.tag}", (child.text or "").strip()))
    dims = root.find("Dimensions")
    dim_names = [(d.text or "").strip() for d in (dims.findall("dName") if dims is not None else [])]
    if not dim_names:
        raise _fail(label, None, "Dimensions", "no <dName> found (expected at least one dimension)")
    dim_ids = _unique([slug(d) for d in dim_names])
    actors_el = root.find("Actors")
    actor_els = actors_el.findall("Actor") if actors_el is not None else []
    if not actor_els:
        raise _fail(label, None, "Actors", "no <Actor> found (expected at least one actor)")
    actors: list[Actor] = []
    stances: list[Stance] = []
    ev = _coding("KTAB", label)
    col = _Collect()
    for k, a in enumerate(actor_els):
        with col.row():
            field0 = f"Actors.Actor[{k}]"
            aid = txt(a, "name")
            if not aid:
                raise _fail(
                    label, line_of(a.find("name"), a), f"{field0}.name", "is empty (expected an actor name)"
                )
            cap_el = a.find("capability")
            cap_ln = line_of(cap_el, a)
            cap = _num(txt(a, "capability"), label, cap_ln, f"{field0}.capability ({aid})")
            assert cap is not None
            if cap < 0:
                raise _fail(
                    label, cap_ln, f"{field0}.capability ({aid})", f"{cap:g} is negative (expected >= 0)"
                )
            pos_el, sal_el = a.find("Position"), a.find("Salience")
            coord_els = pos_el.findall("dCoord") if pos_el is not None else []
            sal_els = sal_el.findall("dSal") if sal_el is not None else []
            if len(coord_els) != len(dim_names) or len(sal_els) != len(dim_names):
                raise _fail(
                    label,
                    line_of(a),
                    f"{field0} ({aid})",
                    f"{len(coord_els)} dCoord and {len(sal_els)} dSal values (expected {len(dim_names)} each)",
                )
            row: list[Stance] = []
            for d in range(len(dim_names)):
                p_ln, s_ln = line_of(coord_els[d], a), line_of(sal_els[d], a)
                p_field = f"{field0}.Position.dCoord[{d}] ({aid})"
                s_field = f"{field0}.Salience.dSal[{d}] ({aid})"
                p = _num(coord_els[d].text or "", label, p_ln, p_field, allow_empty=True)
                if p is None:  # empty coordinate: no stance -> absent on that issue
                    continue
                s = _num(sal_els[d].text or "", label, s_ln, s_field)
                assert s is not None
                if not 0 <= p <= 100:  # KTAB's fixed position scale
                    raise _fail(label, p_ln, p_field, f"{p:g} is outside the scale (expected 0 to 100)")
                if not 0 <= s <= 100:
                    raise _fail(label, s_ln, s_field, f"{s:g} is out of range (expected 0 to 100)")
                row.append(Stance(actor=aid, issue=dim_ids[d], position=p, salience=s / 100.0, evidence=ev))
            actors.append(Actor(id=aid, name=aid, capability=cap, description=txt(a, "description")))
            stances.extend(row)
    col.raise_if_any()
    ia = root.find("IdealAdjustment")
    if ia is not None:
        pairs = [
            {
                "adjusting": txt(p, "adjustingIdeal"),
                "reference": txt(p, "referencePos"),
                "adjust": txt(p, "adjust"),
            }
            for p in ia.findall("iaPair")
        ]
        if pairs:
            meta.append(("ktab.IdealAdjustment", json.dumps(pairs, separators=(",", ":"))))
    issues = tuple(
        Issue(id=dim_ids[d], name=dim_names[d], scale=Scale(low=0.0, high=100.0, labels=("0", "100")))
        for d in range(len(dim_names))
    )
    return _build(
        label,
        id=slug(title),
        title=title,
        description=desc,
        sources=(f"KTAB XML file {Path(label).name}",),
        actors=tuple(actors),
        issues=issues,
        stances=tuple(stances),
        metadata=tuple(meta),
    )


def _xml_lines(root: Any, text: str) -> Any:
    """``line_of(element, fallback=None)``: the line of an element's start tag (None if unknown).

    ElementTree keeps no line numbers; a second, expat-only pass records the line of every start tag in
    document order, which is the order of ``root.iter()``.
    """
    from xml.parsers import expat

    starts: list[int] = []
    parser = expat.ParserCreate()
    parser.StartElementHandler = lambda _tag, _attrs: starts.append(parser.CurrentLineNumber)
    try:
        parser.Parse(text.lstrip("\ufeff").encode("utf-8"), True)
    except expat.ExpatError:  # pragma: no cover - the document was already parsed once
        starts = []
    elements = list(root.iter())
    lines = (
        {id(e): ln for e, ln in zip(elements, starts, strict=False)} if len(starts) == len(elements) else {}
    )

    def line_of(element: Any, fallback: Any = None) -> int | None:
        if element is not None and id(element) in lines:
            return lines[id(element)]
        return lines.get(id(fallback)) if fallback is not None else None

    return line_of


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
        rows = list(csv.reader(io.StringIO(text), delimiter="\t", quotechar="'"))
    else:
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    d = _DecideRows()
    col = _Collect()
    for n, raw in enumerate(rows, start=1):
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
        lines += [f"#M;{_semi(i.id)};{v:.10g};{_semi(m)};;" for v, m in pts]
    caps = {a.id: a.capability for a in scenario.actors}
    for s in scenario.stances:
        cap = caps[s.actor] if s.capability is None else s.capability
        lines.append(f"#D;{_semi(s.actor)};{_semi(s.issue)};{s.position:.10g};{s.salience:.10g};{cap:.10g}")
    return "\n".join(lines) + "\n"


def _semi(text: str) -> str:
    return " ".join(str(text).replace(";", ",").split())


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
    rows = [(n + 1, _trim(r)) for n, r in enumerate(_csv_rows(text))]
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


# ----------------------------------------------------------------------------------------------
# detection from content
# ----------------------------------------------------------------------------------------------
def detect_format(text: str, name: str = "<text>") -> FormatName:
    """Guess a text file's format from its content (extension not used).

    XML root -> ``ktab-xml``; ``#A``/``'#A'`` rows -> ``decide``; a KTAB title line followed by an
    ``Actor, Description, Influence|Power`` header -> ``ktab-csv``; a header with ``isnr``/``prnr`` ->
    ``deu`` (also ``issue_id``: the derived DEU tables); a header with actor, issue, position, salience -> ``csv`` (native long table); a header with
    an actor column and ``Position`` -> ``bdm``; ``{``/``[`` -> ``json``; anything else -> ``yaml``.
    """
    t = text.lstrip("\ufeff \t\r\n")
    if t.startswith("<"):
        return "ktab-xml"
    if t.startswith("{") or t.startswith("["):
        return "json"
    if decide_dialect(t) is not None:
        return "decide"
    lines = [ln for ln in t.splitlines()[:3]]
    if not lines:
        return "yaml"
    first = lines[0]
    low_first = re.split(r"[,;\t|]", first.lower())
    low_first = [c.strip().strip('"') for c in low_first]
    if {"isnr", "prnr", "isnrnmc", "issue_id"} & set(low_first):
        return "deu"
    if len(lines) >= 2:
        second = [c.strip().lower() for c in _trim(next(csv.reader([lines[1]], skipinitialspace=True), []))]
        head1 = _trim(next(csv.reader([first], skipinitialspace=True), []))
        if (
            len(second) >= 3
            and second[0] == "actor"
            and second[2] in _KTAB_CAP
            and len(head1) >= 3
            and re.fullmatch(r"\d+", head1[-1].strip())
            and re.fullmatch(r"\d+", head1[-2].strip())
        ):
            return "ktab-csv"
    cols = set(low_first)
    if {"actor", "issue", "position", "salience"} <= cols:
        return "csv"
    if cols & set(BDM_ACTOR) and "position" in cols:
        return "bdm"
    return "yaml"


def read_deu_refusal(name: str) -> InputFileError:
    """The error for a DEU dataset given where a scenario is expected."""
    return _fail(
        name,
        1,
        "format",
        "this is a DEU (Decision-making in the EU) dataset with many issues and outcomes, not one scenario "
        "(expected a scenario file; use `detente backtest` for DEU data)",
    )
