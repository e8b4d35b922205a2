"""The tidy long table of a scenario, as CSV or Excel ``.xlsx``: one row per stance (layout in docs/formats.md).

Rows that repeat an actor's or an issue's columns must agree; every problem names the file (and sheet),
the line or row, and the column. :mod:`detente.io.files` reads and writes these through
``read_scenario``/``write_scenario``.
"""

from __future__ import annotations

import difflib
import io
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from detente.core.scenario import Scenario
from detente.errors import InputFileError
from detente.io import formats as F
from detente.io.mapping import Path_, dump_scenario, parse_scenario
from detente.io.sources import _trim

# tidy long table columns (one row per stance; see docs/formats.md)
CSV_COLUMNS = (
    "scenario_id",
    "scenario_title",
    "actor",
    "actor_name",
    "actor_capability",
    "actor_groups",
    "actor_description",
    "issue",
    "issue_name",
    "issue_description",
    "scale_low",
    "scale_high",
    "low_label",
    "high_label",
    "scale_points",
    "reference",
    "rule",
    "veto_players",
    "decider",
    "threshold",
    "weights",
    "agenda_setter",
    "reversion_point",
    "rule_evidence",
    "position",
    "salience",
    "capability",
    "sd",
    "low",
    "high",
    "quote",
    "source",
    "date",
    "url",
    "note",
    "assumption",
    "more_evidence",
    "scenario_description",
    "scenario_as_of",
    "scenario_sources",
    "scenario_metadata",
    "scenario_dynamics",
)
_SCENARIO_JSON_COLS = ("sources", "metadata", "dynamics")
# the rows of a workbook's "scenario" sheet (its header row "key" first), as _xlsx_bytes writes them
_META_KEYS = ("key", "id", "title", "description", "as_of", *_SCENARIO_JSON_COLS)
# an issue's own columns, from its name to its rule evidence, in CSV_COLUMNS order
_ISSUE_COLUMNS = CSV_COLUMNS[CSV_COLUMNS.index("issue_name") : CSV_COLUMNS.index("rule_evidence") + 1]
_JSON_RULE_COLUMNS = ("weights", "rule_evidence")  # JSON in a cell (weights may also be a preset name)
_REQUIRED_CSV = ("actor", "issue", "position", "salience")
# a stance's own columns: a row with any of them is a stance row and needs both an actor and an issue
# (a row with only an actor's or only an issue's columns declares that actor or issue)
_STANCE_COLUMNS = CSV_COLUMNS[CSV_COLUMNS.index("position") : CSV_COLUMNS.index("more_evidence") + 1]


# ------------------------------------------------------------------------------------------------
# tidy long table (CSV / XLSX)
# ------------------------------------------------------------------------------------------------
def _json_cell(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def scenario_rows(scenario: Scenario) -> list[dict[str, str]]:
    """One dict per stance (plus declaration rows for actors/issues without any stance), all text."""
    d = dump_scenario(scenario)
    actors = {a["id"]: a for a in d["actors"]}
    issues = {i["id"]: i for i in d["issues"]}

    def actor_cols(a: Mapping[str, Any]) -> dict[str, str]:
        return {
            "actor": a["id"],
            "actor_name": a.get("name", ""),
            "actor_capability": _s(a.get("capability")),
            "actor_groups": "; ".join(a.get("groups", [])),
            "actor_description": a.get("description", ""),
        }

    def issue_cols(i: Mapping[str, Any]) -> dict[str, str]:
        sc = i["scale"]
        pts = sc.get("points")
        return {
            "issue": i["id"],
            "issue_name": i.get("name", ""),
            "issue_description": i.get("description", ""),
            "scale_low": _s(sc["low"]),
            "scale_high": _s(sc["high"]),
            "low_label": sc["labels"][0],
            "high_label": sc["labels"][1],
            "scale_points": json.dumps([[p["value"], p["label"]] for p in pts], ensure_ascii=False)
            if pts
            else "",
            "reference": _s(i.get("reference")),
            "rule": i.get("rule", "") or "",
            "veto_players": "; ".join(i.get("veto_players", [])),
            "decider": i.get("decider", "") or "",
            "threshold": _s(i.get("threshold")),
            "weights": _json_cell(i.get("weights")),
            "agenda_setter": i.get("agenda_setter", "") or "",
            "reversion_point": _s(i.get("reversion_point")),
            "rule_evidence": _json_cell(i.get("rule_evidence")),
        }

    base = {"scenario_id": scenario.id, "scenario_title": scenario.title}
    rows: list[dict[str, str]] = []
    for s in d["stances"]:
        ev = s.get("evidence", [])
        first = ev[0] if ev else {}
        row = dict.fromkeys(CSV_COLUMNS, "")
        row.update(base)
        row.update(actor_cols(actors[s["actor"]]))
        row.update(issue_cols(issues[s["issue"]]))
        row.update({k: _s(s.get(k)) for k in ("position", "salience", "capability", "sd", "low", "high")})
        row.update({k: str(first.get(k, "")) for k in ("quote", "source", "date", "url", "note")})
        row["assumption"] = "true" if first.get("assumption") else ""
        row["more_evidence"] = json.dumps(ev[1:], ensure_ascii=False) if len(ev) > 1 else ""
        rows.append(row)
    if rows:  # scenario-level fields on the first row only
        rows[0]["scenario_description"] = scenario.description
        rows[0]["scenario_as_of"] = scenario.as_of
        for key in _SCENARIO_JSON_COLS:
            if d.get(key):
                rows[0][f"scenario_{key}"] = json.dumps(d[key], ensure_ascii=False)
    order_a = list(dict.fromkeys([s["actor"] for s in d["stances"]] + [a for a in actors]))
    order_i = list(dict.fromkeys([s["issue"] for s in d["stances"]] + [i for i in issues]))
    if order_a != list(actors) or order_i != list(issues):
        # first appearance would reorder actors/issues: declare them all first, in order
        decl = [dict.fromkeys(CSV_COLUMNS, "") | base | actor_cols(a) for a in actors.values()]
        decl += [dict.fromkeys(CSV_COLUMNS, "") | base | issue_cols(i) for i in issues.values()]
        if rows:
            for key in ("description", "as_of", *_SCENARIO_JSON_COLS):
                decl[0][f"scenario_{key}"], rows[0][f"scenario_{key}"] = rows[0][f"scenario_{key}"], ""
        return decl + rows
    used_a = {s["actor"] for s in d["stances"]}
    used_i = {s["issue"] for s in d["stances"]}
    for aid, a in actors.items():
        if aid not in used_a:
            rows.append(dict.fromkeys(CSV_COLUMNS, "") | base | actor_cols(a))
    for iid, i in issues.items():
        if iid not in used_i:
            rows.append(dict.fromkeys(CSV_COLUMNS, "") | base | issue_cols(i))
    return rows


def _s(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v) if not v.is_integer() else str(int(v))
    return str(v)


def _rows_to_mapping(
    header: list[str], rows: list[tuple[int, list[str]]], source: str, meta: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], dict[Path_, int]]:
    """Tidy long rows -> native mapping + line map; inconsistent repeated actor/issue columns are errors."""
    cols = _csv_columns(header, source)
    problems: list[str] = []
    actors: dict[str, dict[str, Any]] = {}
    issues: dict[str, dict[str, Any]] = {}
    stances: list[dict[str, Any]] = []
    lines: dict[Path_, int] = {}
    first_line: dict[tuple[str, str, str], tuple[int, str]] = {}
    sid = title = ""
    scen: dict[str, tuple[int, str]] = {}
    rows_seen = 0

    def consistent(kind: str, key: str, col: str, value: str, ln: int) -> None:
        k = (kind, key, col)
        if k in first_line and first_line[k][1] != value and value != "":
            problems.append(
                f"{source}:{ln}: {col}: {value!r} differs from {first_line[k][1]!r} given for {kind} {key!r} "
                f"on line {first_line[k][0]} (expected the same value on every row)"
            )
        elif k not in first_line and value != "":
            first_line[k] = (ln, value)

    for ln, raw in rows:
        if len(raw) > len(cols) and any(c.strip() for c in raw[len(cols) :]):
            problems.append(f"{source}:{ln}: row: {len(raw)} fields (expected {len(cols)} as in the header)")
            continue
        stray = next((k for k, c in enumerate(cols) if not c and k < len(raw) and raw[k].strip()), None)
        if stray is not None:  # the dict below keys cells by column name: this one would be dropped
            problems.append(
                f"{source}:{ln}: column {stray + 1}: {raw[stray].strip()[:40]!r} is in a column whose header "
                "cell is empty (expected a column name in the header row, or no value in that column)"
            )
            continue
        r = {c: (raw[k].strip() if k < len(raw) else "") for k, c in enumerate(cols) if c}
        if not any(r.values()):
            continue
        rows_seen += 1
        sid = sid or r.get("scenario_id", "")
        title = title or r.get("scenario_title", "")
        for key in ("description", "as_of", *_SCENARIO_JSON_COLS):
            if r.get(f"scenario_{key}") and key not in scen:
                scen[key] = (ln, r[f"scenario_{key}"])
        aid, iid = r.get("actor", ""), r.get("issue", "")
        if bool(aid) != bool(iid):
            given = [c for c in _STANCE_COLUMNS if r.get(c)]
            if given:  # a stance row with its actor or issue cell empty: never dropped silently
                empty = "issue" if aid else "actor"
                more = ", ..." if len(given) > 3 else ""
                problems.append(
                    f"{source}:{ln}: {empty}: is empty (expected an {empty} id: the row gives a stance's "
                    f"{', '.join(given[:3])}{more})"
                )
                continue
        if aid:
            _actor_row(r, ln, aid, actors, lines, consistent)
        if iid:
            _issue_row(r, ln, iid, issues, lines, consistent, problems, source)
        if aid and iid:
            lines[("stances", len(stances))] = ln
            stances.append(_stance_row(r, ln, aid, iid, problems, source))
        elif not aid and not iid:
            problems.append(f"{source}:{ln}: actor: is empty (expected an actor id and an issue id)")
    if not rows_seen and not problems:
        raise InputFileError(
            f"{source}: rows: no rows after the header (expected one row per stance: actor, issue, "
            "position, salience)"
        )
    if problems:
        raise InputFileError(
            problems[0] if len(problems) == 1 else f"{problems[0]} (and {len(problems) - 1} more)", problems
        )
    for i in issues.values():
        if not i["scale"]:
            del i["scale"]
    mapping = _scenario_fields(sid, title, scen, meta, source)
    mapping.update({"actors": list(actors.values()), "issues": list(issues.values()), "stances": stances})
    return mapping, lines


def _csv_columns(header: list[str], source: str) -> list[str]:
    """The header's column names, normalised; a missing required or an unknown column is an error."""
    cols = [h.strip().lower() for h in header]
    missing = [c for c in _REQUIRED_CSV if c not in cols]
    if missing:
        raise InputFileError(
            f"{source}:1: header: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(expected at least {', '.join(_REQUIRED_CSV)}; received {_short_list(header)})"
        )
    twice = next((c for k, c in enumerate(cols) if c and c in cols[:k]), None)
    if twice is not None:  # the later column's values would silently replace the earlier one's
        where = [str(k + 1) for k, c in enumerate(cols) if c == twice]
        raise InputFileError(
            f"{source}:1: header: column {twice!r} appears {len(where)} times (columns {', '.join(where)}; "
            "expected each column once)"
        )
    unknown = [h for h in cols if h and h not in CSV_COLUMNS]
    if unknown:
        raise InputFileError(
            f"{source}:1: header: unknown column {unknown[0]!r} (expected columns from {', '.join(CSV_COLUMNS)})"
        )
    return cols


_Consistent = Callable[[str, str, str, str, int], None]


def _actor_row(
    r: Mapping[str, str],
    ln: int,
    aid: str,
    actors: dict[str, dict[str, Any]],
    lines: dict[Path_, int],
    consistent: _Consistent,
) -> None:
    """Fold one row's actor columns into ``actors`` (the first non-empty value of each column wins)."""
    for c in ("actor_name", "actor_capability", "actor_groups", "actor_description"):
        consistent("actor", aid, c, r.get(c, ""), ln)
    if aid not in actors:
        actors[aid] = {"id": aid}
        lines[("actors", len(actors) - 1)] = ln
    a = actors[aid]
    if r.get("actor_name"):
        a.setdefault("name", r["actor_name"])
    if r.get("actor_capability"):
        a.setdefault("capability", r["actor_capability"])
    if r.get("actor_groups"):
        a.setdefault("groups", r["actor_groups"])
    if r.get("actor_description"):
        a.setdefault("description", r["actor_description"])


def _issue_row(
    r: Mapping[str, str],
    ln: int,
    iid: str,
    issues: dict[str, dict[str, Any]],
    lines: dict[Path_, int],
    consistent: _Consistent,
    problems: list[str],
    source: str,
) -> None:
    """Fold one row's issue and scale columns into ``issues`` (the first non-empty value of each column wins)."""
    for c in _ISSUE_COLUMNS:
        consistent("issue", iid, c, r.get(c, ""), ln)
    if iid not in issues:
        issues[iid] = {"id": iid, "scale": {}}
        lines[("issues", len(issues) - 1)] = ln
    i = issues[iid]
    for c, key in (
        ("issue_name", "name"),
        ("issue_description", "description"),
        ("reference", "reference"),
        ("rule", "rule"),
        ("veto_players", "veto_players"),
        ("decider", "decider"),
        ("threshold", "threshold"),
        ("agenda_setter", "agenda_setter"),
        ("reversion_point", "reversion_point"),
    ):
        if r.get(c):
            i.setdefault(key, r[c])
    for c in _JSON_RULE_COLUMNS:
        text = (r.get(c) or "").strip()
        if text and c not in i:
            try:
                i[c] = json.loads(text) if text[:1] in "[{" else text
            except json.JSONDecodeError:
                problems.append(
                    f"{source}:{ln}: {c}: not valid JSON (expected a JSON mapping/list or a preset name)"
                )
    sc = i["scale"]
    if r.get("scale_low"):
        sc.setdefault("low", r["scale_low"])
    if r.get("scale_high"):
        sc.setdefault("high", r["scale_high"])
    if r.get("low_label") or r.get("high_label"):
        sc.setdefault("labels", [r.get("low_label", ""), r.get("high_label", "")])
    if r.get("scale_points") and "points" not in sc:
        try:
            sc["points"] = json.loads(r["scale_points"])
        except json.JSONDecodeError:
            problems.append(f'{source}:{ln}: scale_points: not valid JSON (expected [[value, "label"], ...])')


def _stance_row(
    r: Mapping[str, str], ln: int, aid: str, iid: str, problems: list[str], source: str
) -> dict[str, Any]:
    """One row's stance (with its evidence) as a native mapping; empty position/salience are problems."""
    st: dict[str, Any] = {"actor": aid, "issue": iid}
    for c in ("position", "salience"):
        st[c] = r.get(c, "")
        if st[c] == "":
            problems.append(f"{source}:{ln}: {c}: is empty (expected a number)")
    for c in ("capability", "sd", "low", "high"):
        if r.get(c):
            st[c] = r[c]
    ev: list[Any] = []
    e0: dict[str, Any] = {c: r.get(c, "") for c in ("quote", "source", "date", "url", "note") if r.get(c)}
    if r.get("assumption"):
        e0["assumption"] = r["assumption"]
    if e0:
        ev.append(e0)
    if r.get("more_evidence"):
        try:
            more = json.loads(r["more_evidence"])
            ev.extend(more if isinstance(more, list) else [more])
        except json.JSONDecodeError:
            problems.append(f"{source}:{ln}: more_evidence: not valid JSON (expected a JSON list)")
    if ev:
        st["evidence"] = ev
    return st


def _scenario_fields(
    sid: str, title: str, scen: Mapping[str, tuple[int, str]], meta: Mapping[str, str] | None, source: str
) -> dict[str, Any]:
    """The scenario's own fields from the scenario_* columns, ``meta`` (e.g. a workbook sheet) winning."""
    mapping: dict[str, Any] = {"id": sid or F.slug(Path(source).stem), "title": title}
    meta = {**(meta or {})}
    for key, (_ln, val) in scen.items():
        meta.setdefault(key, val)
    for key in ("description", "as_of"):
        if meta and meta.get(key):
            mapping[key] = meta[key]
    for key in _SCENARIO_JSON_COLS:
        if meta and meta.get(key):
            try:
                mapping[key] = json.loads(meta[key])
            except json.JSONDecodeError:
                bad_ln = scen[key][0] if key in scen else None
                raise InputFileError(
                    f"{source}{f':{bad_ln}' if bad_ln else ''}: scenario_{key}: not valid JSON (expected a JSON value)"
                ) from None
    return mapping


def _short_list(items: list[str], n: int = 8) -> str:
    shown = ", ".join(str(x) for x in items[:n])
    return shown + (f", ... ({len(items)} columns)" if len(items) > n else "")


def _read_csv_text(text: str, source: str) -> Scenario:
    first = text.lstrip("\ufeff").splitlines()[0]
    F.check_delimiter(first, source)
    all_rows = F.csv_records(text, source)
    header = all_rows[0][1]
    width = len(_trim(header))  # the named columns (empty header cells at the end do not count)
    for ln, raw in all_rows[1:]:
        if len(raw) < width and any(
            c.strip() for c in raw
        ):  # a truncated line: its missing cells would read as empty
            raise InputFileError(
                f"{source}:{ln}: row: {len(raw)} fields (expected {width} as in the header; "
                "the line may be truncated)"
            )
    mapping, lines = _rows_to_mapping(header, all_rows[1:], source)
    return parse_scenario(mapping, source=source, lines=lines)


def open_workbook(path: Path, source: str, *, data_only: bool = True) -> Any:
    """An .xlsx workbook opened read-only with cached values (``data_only=False``: formulas), or one
    InputFileError naming ``source`` (the one home of opening workbooks: scenario tables and
    questionnaires). Opened from its bytes, so a workbook is read whatever its name ends in (the
    content decides the format; openpyxl itself refuses a path not ending in .xlsx)."""
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - depends on the environment
        from detente.errors import MissingExtraError

        raise MissingExtraError("reading .xlsx needs openpyxl: pip install openpyxl") from None
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{source}: file not found (expected an .xlsx file)") from None
    except OSError as exc:
        raise InputFileError(f"{source}: cannot read file ({exc.strerror or exc})") from None
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds (zip, xml, key errors)
        raise InputFileError(f"{source}: {NOT_XLSX}: {_workbook_problem(exc)}") from None


NOT_XLSX = "not an Excel workbook (.xlsx)"


def show_uncached_formulas(path: Path, sheet: str, rows: list[list[Any]]) -> None:
    """Put a formula's text (``'=B2*2'``) into the cells of ``rows`` (the values of sheet ``sheet``,
    read with cached values) whose value is missing because the workbook holds a formula without a
    saved result (written by a program that does not compute formulas). Such a cell read as empty: a
    stance's "position: is empty", and in a questionnaire an expert's answer dropped without a word
    (QA audit, 2026-12-07); its text now reaches the reader's "is not a number" message."""
    if not any(v is None for r in rows for v in r):
        return
    wb = open_workbook(path, str(path), data_only=False)
    try:
        for i, r in enumerate(wb[sheet].iter_rows(values_only=True)):
            if i >= len(rows):
                break
            for j, v in enumerate(r):
                if j < len(rows[i]) and rows[i][j] is None and isinstance(v, str) and v.startswith("="):
                    rows[i][j] = v
    finally:
        wb.close()


def _workbook_problem(exc: Exception) -> str:
    """A short human reason why openpyxl could not open a workbook (never the exception's class name)."""
    import zipfile

    if isinstance(exc, zipfile.BadZipFile | zipfile.LargeZipFile | EOFError):
        return "not a zip archive, or a damaged or truncated one (an .xlsx file is a zip archive)"
    if isinstance(exc, KeyError):
        return "a zip archive without the parts of a workbook (no [Content_Types].xml or xl/ folder)"
    if isinstance(exc, OSError) and "workbook part" in str(exc):
        return "a zip archive without a workbook part (no xl/workbook.xml)"
    return "its contents are damaged or not a workbook's (expected a file saved by Excel or LibreOffice as .xlsx)"


def _read_xlsx(path: Path, source: str) -> Scenario:
    wb = open_workbook(path, source)
    try:
        names = wb.sheetnames
        sheet = wb["stances"] if "stances" in names else wb[names[0]]
        values = [list(r) for r in sheet.iter_rows(values_only=True)]
        show_uncached_formulas(path, sheet.title, values)
        rows = [(n + 1, ["" if c is None else _cell(c) for c in r]) for n, r in enumerate(values)]
        meta: dict[str, str] = {}
        if "scenario" in names:
            for n, r in enumerate(wb["scenario"].iter_rows(values_only=True), start=1):
                if r and r[0] is not None:
                    key = str(r[0]).strip()
                    if key not in _META_KEYS:  # a misspelt key was dropped silently
                        close = difflib.get_close_matches(key, _META_KEYS, n=1)
                        hint = f"did you mean {close[0]!r}? " if close else ""
                        raise InputFileError(
                            f"{source}[scenario]:{n}: key {key[:40]!r} is not a scenario field "
                            f"({hint}expected one of {', '.join(_META_KEYS[1:])})"
                        )
                    meta[key] = "" if len(r) < 2 or r[1] is None else str(r[1])
    finally:
        wb.close()
    if not rows:
        raise InputFileError(
            f"{source}: xlsx: the sheet is empty (expected a header row and one row per stance)"
        )
    mapping, lines = _rows_to_mapping(rows[0][1], rows[1:], f"{source}[{sheet.title}]", meta)
    return parse_scenario(mapping, source=f"{source}[{sheet.title}]", lines=lines)


def _cell(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v) if not v.is_integer() else str(int(v))
    if hasattr(v, "isoformat"):
        return str(v.isoformat())
    return str(v)


def _xlsx_bytes(scenario: Scenario) -> bytes:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover
        from detente.errors import MissingExtraError

        raise MissingExtraError("writing .xlsx needs openpyxl: pip install openpyxl") from None
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "stances"
    ws.append(list(CSV_COLUMNS))
    for row in scenario_rows(scenario):
        ws.append([row[c] for c in CSV_COLUMNS])
    meta = wb.create_sheet("scenario")
    d = dump_scenario(scenario)
    meta.append(["key", "value"])
    meta.append(["id", scenario.id])
    meta.append(["title", scenario.title])
    meta.append(["description", scenario.description])
    meta.append(["as_of", scenario.as_of])
    for key in ("sources", "metadata", "dynamics"):
        if d.get(key):
            meta.append([key, json.dumps(d[key], ensure_ascii=False)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
