"""KTAB SMP scenarios: CSV (one row per actor) and XML (``<Scenario>``) readers, and a CSV writer.

Layouts in ``docs/formats.md``; re-exported by :mod:`detente.io.formats`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from detente.core.scale import Scale
from detente.core.scenario import Actor, Issue, Scenario, Stance
from detente.core.text import plural
from detente.errors import ScenarioError
from detente.io.sources import (
    Source,
    _build,
    _coding,
    _Collect,
    _fail,
    _num,
    _trim,
    _unique,
    csv_records,
    slug,
    source_text,
)

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
    rows = [(n, _trim(r)) for n, r in csv_records(text, label, skipinitialspace=True)]
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
    seen: dict[str, int] = {}
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
            if aid in seen:
                raise _fail(
                    label,
                    ln,
                    "Actor",
                    f"duplicate actor {aid!r} (expected unique names; first on line {seen[aid]})",
                )
            seen[aid] = ln
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
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise ScenarioError(
            f"stances: KTAB CSV needs a stance for every actor on every issue; missing "
            f"{', '.join(missing[:5])}{more} (expected a complete actor-by-issue table; yaml, json, csv, "
            "xlsx and decide keep absent stances)"
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
        row: list[object] = [a.id, a.name, f"{a.capability:.15g}"]
        for i in scenario.issues:
            s = scenario.stance(a.id, i.id)
            assert s is not None
            p = 100.0 * i.scale.to_unit(s.position)
            row += [f"{p:.15g}", f"{100.0 * s.salience:.15g}"]
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
    seen_xml: dict[str, int] = {}
    for k, a in enumerate(actor_els):
        with col.row():
            field0 = f"Actors.Actor[{k}]"
            aid = txt(a, "name")
            if not aid:
                raise _fail(
                    label, line_of(a.find("name"), a), f"{field0}.name", "is empty (expected an actor name)"
                )
            if aid in seen_xml:
                first = seen_xml[aid]
                raise _fail(
                    label,
                    line_of(a.find("name"), a),
                    f"{field0}.name",
                    f"duplicate actor {aid!r} (expected unique names; first at Actors.Actor[{first}])",
                )
            seen_xml[aid] = k
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
