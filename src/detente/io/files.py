"""read_scenario / write_scenario: files in every supported format; errors name file, line/row and field.

Formats: native YAML (``.yaml``/``.yml``), JSON (same mapping), a tidy long CSV and Excel ``.xlsx`` (one
row per stance), and the importers of :mod:`detente.io.formats` (KTAB CSV/XML, Decide, Bueno de
Mesquita tables). The format is detected **from the content** (the extension only breaks ties);
``format=`` forces one.

Safety: YAML is loaded with the safe loader only, alias expansion is bounded (a "billion laughs"
document fails at once), files above ``max_bytes`` (default 10 MB) are refused before reading,
non-UTF-8 bytes are reported with their offset, and writes are atomic (temp file + ``os.replace``):
nothing is written when the scenario or the format is bad.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from detente.core.scenario import Scenario
from detente.errors import InputFileError, ScenarioError
from detente.io import formats as F
from detente.io.mapping import Path_, dump_scenario, parse_scenario

DEFAULT_MAX_BYTES = F.DEFAULT_MAX_BYTES
MAX_YAML_NODES = 2_000_000  # expanded node count (aliases counted each time they are used)

READ_FORMATS = ("yaml", "json", "csv", "xlsx", "ktab-csv", "ktab-xml", "decide", "bdm")
WRITE_FORMATS = ("yaml", "json", "csv", "xlsx", "ktab-csv", "decide")
_EXT = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".xml": "ktab-xml",
}

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
_REQUIRED_CSV = ("actor", "issue", "position", "salience")


# ------------------------------------------------------------------------------------------------
# YAML with line numbers and bounded aliases
# ------------------------------------------------------------------------------------------------
def _node_lines(root: yaml.Node, source: str) -> dict[Path_, int]:
    """Key path -> 1-based line, and a check that alias expansion stays bounded."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        k = id(node)
        if k in active:
            raise InputFileError(
                f"{source}:{node.start_mark.line + 1}: YAML: an alias refers to a node that contains it "
                "(expected a tree-shaped document, no recursive aliases)"
            )
        if k in sizes:
            return sizes[k]
        active.add(k)
        total = 1
        if isinstance(node, yaml.MappingNode):
            for kn, vn in node.value:
                total += size(kn) + size(vn)
        elif isinstance(node, yaml.SequenceNode):
            for vn in node.value:
                total += size(vn)
        sizes[k] = total
        active.discard(k)
        if total > MAX_YAML_NODES:
            raise InputFileError(
                f"{source}: YAML: aliases expand to more than {MAX_YAML_NODES:,} nodes "
                "(expected a plain scenario; alias bombs are refused)"
            )
        return total

    size(root)
    lines: dict[Path_, int] = {}
    visited: set[int] = set()

    def walk(node: yaml.Node, path: Path_) -> None:
        lines[path] = node.start_mark.line + 1
        if id(node) in visited:  # an alias: do not descend twice
            return
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for kn, vn in node.value:
                key = kn.value if isinstance(kn, yaml.ScalarNode) else str(kn.start_mark.line)
                lines[(*path, key)] = kn.start_mark.line + 1
                walk(vn, (*path, key))
                lines[(*path, key)] = kn.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, vn in enumerate(node.value):
                walk(vn, (*path, i))

    walk(root, ())
    return lines


_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present; safe either way


def load_yaml(text: str, source: str = "<text>") -> tuple[Any, dict[Path_, int]]:
    """Safe-load one YAML document; return ``(data, lines)`` or raise a one-line InputFileError."""
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputFileError(f"{source}: file is empty (expected a scenario)")
        lines = _node_lines(node, source)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        what = " ".join(str(exc.problem or exc.context or "syntax error").split())
        hint = " (the file may be truncated)" if mark is not None and mark.index >= len(text) - 2 else ""
        raise InputFileError(f"{source}{line}: YAML: {what}{hint} (expected valid YAML)") from None
    except yaml.YAMLError as exc:
        raise InputFileError(f"{source}: YAML: {' '.join(str(exc).split())} (expected valid YAML)") from None
    except RecursionError:
        raise InputFileError(f"{source}: YAML: nesting too deep (expected a plain scenario)") from None
    finally:
        loader.dispose()
    return data, lines


def _json_load(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{source}:{exc.lineno}: JSON: {exc.msg} (expected valid JSON)") from None
    except RecursionError:
        raise InputFileError(f"{source}: JSON: nesting too deep (expected a plain scenario)") from None


def _top_mapping(data: Any, source: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        kind = "a list" if isinstance(data, list) else f"{type(data).__name__} {str(data)[:30]!r}"
        raise InputFileError(
            f"{source}: (top level): {kind} (expected a mapping with actors, issues and stances)"
        )
    return data


def _with_source(exc: ScenarioError, source: str) -> ScenarioError:
    if isinstance(exc, InputFileError):
        return exc
    probs = [p if p.startswith(source) else f"{source}: {p}" for p in exc.problems]
    msg = probs[0] if len(probs) == 1 else f"{probs[0]} (and {len(probs) - 1} more)"
    return InputFileError(msg, probs)


# ------------------------------------------------------------------------------------------------
# tidy long table (CSV / XLSX)
# ------------------------------------------------------------------------------------------------
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
        r = {c: (raw[k].strip() if k < len(raw) else "") for k, c in enumerate(cols)}
        if not any(r.values()):
            continue
        sid = sid or r.get("scenario_id", "")
        title = title or r.get("scenario_title", "")
        for key in ("description", "as_of", *_SCENARIO_JSON_COLS):
            if r.get(f"scenario_{key}") and key not in scen:
                scen[key] = (ln, r[f"scenario_{key}"])
        aid, iid = r.get("actor", ""), r.get("issue", "")
        if aid:
            _actor_row(r, ln, aid, actors, lines, consistent)
        if iid:
            _issue_row(r, ln, iid, issues, lines, consistent, problems, source)
        if aid and iid:
            lines[("stances", len(stances))] = ln
            stances.append(_stance_row(r, ln, aid, iid, problems, source))
        elif not aid and not iid:
            problems.append(f"{source}:{ln}: actor: is empty (expected an actor id and an issue id)")
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
    for c in (
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
    ):
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
    ):
        if r.get(c):
            i.setdefault(key, r[c])
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
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        all_rows = [(n + 1, r) for n, r in enumerate(reader)]
    except csv.Error as exc:
        raise InputFileError(f"{source}:{reader.line_num}: CSV: {exc} (expected a valid CSV file)") from None
    header = all_rows[0][1]
    mapping, lines = _rows_to_mapping(header, all_rows[1:], source)
    return parse_scenario(mapping, source=source, lines=lines)


def _read_xlsx(path: Path, source: str) -> Scenario:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - depends on the environment
        from detente.errors import MissingExtraError

        raise MissingExtraError("reading .xlsx needs openpyxl: pip install openpyxl") from None
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zip, xml, key errors)
        raise InputFileError(
            f"{source}: xlsx: cannot open workbook ({type(exc).__name__}) (expected an .xlsx file)"
        ) from None
    try:
        names = wb.sheetnames
        sheet = wb["stances"] if "stances" in names else wb[names[0]]
        rows = [
            (n + 1, ["" if c is None else _cell(c) for c in r])
            for n, r in enumerate(sheet.iter_rows(values_only=True))
        ]
        meta: dict[str, str] = {}
        if "scenario" in names:
            for r in wb["scenario"].iter_rows(values_only=True):
                if r and r[0] is not None:
                    meta[str(r[0])] = "" if len(r) < 2 or r[1] is None else str(r[1])
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


# ------------------------------------------------------------------------------------------------
# public API
# ------------------------------------------------------------------------------------------------
def detect_file_format(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The format of a file from its content (see :func:`detente.io.formats.detect_format`)."""
    p = F.check_file(path, max_bytes=max_bytes)
    with p.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    return _detect_text(F.read_text_file(p, max_bytes=max_bytes), str(path))


def _detect_text(text: str, source: str) -> str:
    fmt = F.detect_format(text, source)
    if fmt == "deu":
        raise F.read_deu_refusal(source)
    ext = Path(source).suffix.lower()
    if fmt == "yaml" and ext in (".csv", ".tsv", ".txt"):
        first = text.lstrip("\ufeff").splitlines()[0][:80]
        raise InputFileError(
            f"{source}:1: header: unrecognised table {first!r} (expected a native long CSV with columns "
            "actor, issue, position, salience; or a KTAB, Decide or Bueno de Mesquita file)"
        )
    return fmt


def read_scenario(
    path: str | os.PathLike[str], *, format: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Scenario:
    """Read a scenario file of any supported format (detected from content unless ``format`` is given).

    Raises :class:`~detente.errors.InputFileError` (a :class:`ScenarioError`) with ``problems``:
    one line each, ``FILE[:LINE]: FIELD: what is wrong (expected ...)``.
    """
    source = str(path)
    if format is not None and format not in READ_FORMATS:
        raise InputFileError(
            f"{source}: format: {format!r} is not a readable format (expected one of {', '.join(READ_FORMATS)})"
        )
    p = F.check_file(path, max_bytes=max_bytes)
    with p.open("rb") as fh:
        head = fh.read(4)
    is_zip = head.startswith(b"PK\x03\x04")
    if format == "xlsx" or (format is None and is_zip):
        if not is_zip:
            raise InputFileError(f"{source}: xlsx: not an Excel workbook (expected an .xlsx file)")
        try:
            return _read_xlsx(p, source)
        except ScenarioError as exc:
            raise _with_source(exc, source) from None
    text = F.read_text_file(p, max_bytes=max_bytes)
    fmt = format or _detect_text(text, source)
    try:
        return _READERS[fmt](text, source)
    except ScenarioError as exc:
        raise _with_source(exc, source) from None


def read_scenario_text(text: str, *, format: str | None = None, source: str = "<text>") -> Scenario:
    """Like :func:`read_scenario` for a text already in memory (uploads, tests)."""
    fmt = format or _detect_text(text, source)
    if fmt == "xlsx":
        raise InputFileError(f"{source}: format: xlsx needs a file (expected a path)")
    try:
        return _READERS[fmt](text, source)
    except ScenarioError as exc:
        raise _with_source(exc, source) from None


def _read_yaml_text(text: str, source: str) -> Scenario:
    data, lines = load_yaml(text, source)
    return parse_scenario(_top_mapping(data, source), source=source, lines=lines)


def _read_json_text(text: str, source: str) -> Scenario:
    data = _json_load(text, source)
    try:  # JSON is (nearly) YAML: compose it only to learn the line of each key path
        lines = load_yaml(text, source)[1]
    except InputFileError:
        lines = {}
    return parse_scenario(_top_mapping(data, source), source=source, lines=lines)


_READERS: dict[str, Callable[[str, str], Scenario]] = {
    "yaml": _read_yaml_text,
    "json": _read_json_text,
    "csv": _read_csv_text,
    "ktab-csv": lambda t, s: F.read_ktab_csv(t if "\n" in t else t + "\n", name=s),
    "ktab-xml": lambda t, s: F.read_ktab_xml(t if "\n" in t else t + "\n", name=s),
    "decide": lambda t, s: F.read_decide(t if "\n" in t else t + "\n", name=s),
    "bdm": lambda t, s: F.read_bdm_table(t if "\n" in t else t + "\n", name=s),
}


def format_for_path(path: str | os.PathLike[str]) -> str:
    """The output format implied by a file name (``.yaml`` -> yaml, ``.xlsx`` -> xlsx, ...)."""
    ext = Path(path).suffix.lower()
    if ext not in _EXT or _EXT[ext] not in WRITE_FORMATS:
        raise InputFileError(
            f"{path}: format: cannot tell the output format from extension {ext or '(none)'!r} "
            f"(expected .yaml, .yml, .json, .csv or .xlsx, or --to {'|'.join(WRITE_FORMATS)})"
        )
    return _EXT[ext]


class _Dumper(yaml.SafeDumper):
    """Safe dumper: no aliases; short all-scalar mappings and lists on one line (flow), the rest as blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _short(items: list[Any]) -> bool:
    return all(isinstance(v, str | int | float | bool) or v is None for v in items) and (
        sum(len(str(v)) + 4 for v in items) < 100
    )


def _repr_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    flow = _short([*data.keys(), *data.values()])
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _repr_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    return dumper.represent_sequence(
        "tag:yaml.org,2002:seq", data, flow_style=_short(data) and len(data) <= 4
    )


_Dumper.add_representer(dict, _repr_dict)
_Dumper.add_representer(list, _repr_list)


def dump_yaml_mapping(data: Mapping[str, Any]) -> str:
    """Native YAML text for a mapping (safe dumper, readable layout)."""
    return yaml.dump(dict(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def scenario_to_text(scenario: Scenario, format: str) -> str:
    """Serialise to a text format: yaml, json, csv, ktab-csv or decide."""
    if format == "yaml":
        return dump_yaml_mapping(dump_scenario(scenario))
    if format == "json":
        return json.dumps(dump_scenario(scenario), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if format == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
        w.writeheader()
        w.writerows(scenario_rows(scenario))
        return buf.getvalue()
    if format == "ktab-csv":
        return F.write_ktab_csv(scenario)
    if format == "decide":
        return F.write_decide(scenario)
    raise InputFileError(
        f"format: {format!r} is not a text format (expected one of yaml, json, csv, ktab-csv, decide)"
    )


def dump_yaml(scenario: Scenario) -> str:
    """The scenario as native YAML text."""
    return scenario_to_text(scenario, "yaml")


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


def _umask() -> int:
    """The process umask, read without changing it where the system allows (os.umask(0) is not thread-safe)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _new_file_mode(target: Path) -> int:
    """Permission bits for ``target``: those of the file it replaces, else 0o666 minus the umask."""
    try:
        st = target.stat()
    except OSError:
        return 0o666 & ~_umask()
    return st.st_mode & 0o7777 if target.is_file() else 0o666 & ~_umask()


def write_scenario(scenario: Scenario, path: str | os.PathLike[str], *, format: str | None = None) -> Path:
    """Write ``scenario`` to ``path`` atomically (temp file + ``os.replace``); nothing is written on error.

    ``format`` defaults to the one implied by the extension (:func:`format_for_path`).
    """
    if not isinstance(scenario, Scenario):
        raise ScenarioError(f"scenario: expected a Scenario, received {type(scenario).__name__}")
    target = Path(path)
    fmt = format or format_for_path(target)
    if fmt not in WRITE_FORMATS:
        raise InputFileError(
            f"{path}: format: {fmt!r} cannot be written (expected one of {', '.join(WRITE_FORMATS)})"
        )
    if target.is_dir():
        raise InputFileError(f"{path}: is a directory (expected a file name to write)")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise InputFileError(f"{path}: folder {str(parent)!r} does not exist (expected an existing folder)")
    data = _xlsx_bytes(scenario) if fmt == "xlsx" else scenario_to_text(scenario, fmt).encode("utf-8")
    mode = _new_file_mode(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)  # mkstemp creates 0600; give the file the mode a plain open() would
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target
