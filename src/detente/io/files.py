"""read_scenario / write_scenario: files in every supported format; errors name file, line/row and field.

Formats: native YAML (``.yaml``/``.yml``), JSON (same mapping), a tidy long CSV and Excel ``.xlsx`` (one
row per stance; :mod:`detente.io.table`), and the importers of :mod:`detente.io.formats` (KTAB CSV/XML, Decide, Bueno de
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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from detente.core.scenario import Scenario
from detente.errors import InputFileError, ScenarioError
from detente.io import formats as F
from detente.io.mapping import Path_, dump_scenario, parse_scenario
from detente.io.paths import output_problem, write_atomic
from detente.io.sources import file_head
from detente.io.table import CSV_COLUMNS, NOT_XLSX, _read_csv_text, _read_xlsx, _xlsx_bytes, scenario_rows

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


_BaseSafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present; safe either way
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Refused(yaml.constructor.ConstructorError):
    """Content the loader refuses; :func:`load_yaml` reports ``FILE:LINE: message`` (``problem_mark``'s line)."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(None, None, message, mark)
        self.message = message


class DuplicateKeyError(_Refused):
    """A mapping of the YAML document repeats a key (``problem_mark``: the repeat; ``first_line``: 1-based)."""

    def __init__(self, key: Any, first_line: int, mark: Any) -> None:
        super().__init__(
            f"duplicate key {str(key)[:60]!r} (first on line {first_line}; expected each key once per mapping)",
            mark,
        )
        self.key = key
        self.first_line = first_line


class SafeLoader(_BaseSafeLoader):  # type: ignore[misc]
    """The project's YAML loader: the safe loader (C when present) that refuses a key repeated in one
    mapping (PyYAML would keep the last value and silently drop the others). Keys brought in by a
    ``<<`` merge may still be overridden, as YAML specifies."""

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        # SafeConstructor.construct_mapping flattens every mapping (and, recursively, what it merges)
        # before building it: check the mapping's own keys here, before merged keys are added to it
        checked: set[int] = self.__dict__.setdefault("_dup_checked", set())
        if id(node) not in checked:
            checked.add(id(node))
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                    continue
                key = self.construct_object(key_node)
                try:
                    if key in seen:
                        raise DuplicateKeyError(key, seen[key], key_node.start_mark)
                    seen[key] = key_node.start_mark.line + 1
                except TypeError:  # an unhashable key: construct_mapping reports it
                    continue
        super().flatten_mapping(node)


def _construct_int(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_int(node)
    except ValueError:  # more digits than int() converts (sys.get_int_max_str_digits, 4300)
        digits = sum(c.isdigit() for c in str(node.value))
        raise _Refused(
            f"an integer of {digits} digits is too large (expected a finite number)", node.start_mark
        ) from None


SafeLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def load_yaml(text: str, source: str = "<text>") -> tuple[Any, dict[Path_, int]]:
    """Safe-load one YAML document; return ``(data, lines)`` or raise a one-line InputFileError."""
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputFileError(f"{source}: file is empty (expected a scenario)")
        lines = _node_lines(node, source)
        data = loader.construct_document(node)
    except _Refused as exc:
        at = f":{exc.problem_mark.line + 1}" if exc.problem_mark is not None else ""
        raise InputFileError(f"{source}{at}: {exc.message}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        what = " ".join(str(exc.problem or exc.context or "syntax error").split())
        hint = " (the file may be truncated)" if mark is not None and mark.index >= len(text) - 2 else ""
        if mark is not None and text[mark.index : mark.index + 1] == "\t":
            raise InputFileError(
                f"{source}{line}: YAML: a tab character at column {mark.column + 1} "
                "(expected spaces: YAML indents with spaces, never tabs)"
            ) from None
        raise InputFileError(f"{source}{line}: YAML: {what}{hint} (expected valid YAML)") from None
    except yaml.YAMLError as exc:
        raise InputFileError(f"{source}: YAML: {' '.join(str(exc).split())} (expected valid YAML)") from None
    except RecursionError:
        raise InputFileError(f"{source}: YAML: nesting too deep (expected a plain scenario)") from None
    finally:
        loader.dispose()
    return data, lines


class _DuplicateJSONKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateJSONKey(k)
        out[k] = v
    return out


def _json_int(digits: str) -> int | float:
    # beyond int()'s digit limit (4300) the number is ±inf: the scenario checks then name its field
    return int(digits) if len(digits) < 4000 else float(digits)


def _json_load(text: str, source: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_json_object, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{source}:{exc.lineno}: JSON: {exc.msg} (expected valid JSON)") from None
    except _DuplicateJSONKey as exc:
        try:  # JSON is (nearly) YAML: the YAML loader names the line of the repeat
            load_yaml(text, source)
        except InputFileError as yexc:
            if "duplicate key" in str(yexc):
                raise yexc from None
        raise InputFileError(
            f"{source}: duplicate key {exc.key[:60]!r} (expected each key once per mapping)"
        ) from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits (int_max_str_digits)
        raise InputFileError(
            f"{source}: JSON: {' '.join(str(exc).split())[:120]} (expected valid JSON)"
        ) from None
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
# public API
# ------------------------------------------------------------------------------------------------
def detect_file_format(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The format of a file from its content (see :func:`detente.io.formats.detect_format`)."""
    p = F.check_file(path, max_bytes=max_bytes)
    if file_head(p).startswith(b"PK\x03\x04"):
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
    if not isinstance(path, (str, os.PathLike)):
        raise InputFileError(
            f"path: expected a file path (a str or pathlib.Path), received {type(path).__name__}"
        )
    source = str(path)
    if format is not None and format not in READ_FORMATS:
        raise InputFileError(
            f"{source}: format: {format!r} is not a readable format (expected one of {', '.join(READ_FORMATS)})"
        )
    p = F.check_file(path, max_bytes=max_bytes)
    is_zip = file_head(p).startswith(b"PK\x03\x04")
    named_xlsx = format is None and p.suffix.lower() in (".xlsx", ".xlsm")
    if format == "xlsx" or (format is None and is_zip) or named_xlsx:
        if not is_zip:
            raise InputFileError(f"{source}: {NOT_XLSX}: {_not_zip(p)}")
        try:
            return _read_xlsx(p, source)
        except ScenarioError as exc:
            raise _with_source(exc, source) from None
    if is_zip:  # format= names a text format: the bytes would fail as 'not valid UTF-8' at some offset
        raise InputFileError(
            f"{source}: format: the file is a zip archive such as an .xlsx workbook, not {format} text "
            "(expected a text file for this format, or read it as xlsx)"
        )
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


def _not_zip(p: Path) -> str:
    """Why a file that should be a workbook is not one (its first bytes tell: text, old .xls, other)."""
    head = file_head(p, 4096)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old-style Excel .xls file, or another OLE2 document (save it as .xlsx)"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            return "a text file, not a zip archive (name a text scenario .yaml, .json or .csv)"
        except UnicodeDecodeError:
            pass
    return "not a zip archive (an .xlsx file is a zip archive)"


def _read_yaml_text(text: str, source: str) -> Scenario:
    data, lines = load_yaml(text, source)
    return parse_scenario(_top_mapping(data, source), source=source, lines=lines)


def _read_json_text(text: str, source: str) -> Scenario:
    data = _json_load(text, source)
    try:  # a valid file needs no line numbers (composing a big file as YAML costs more than the model)
        return parse_scenario(_top_mapping(data, source), source=source)
    except ScenarioError:
        pass
    try:  # JSON is (nearly) YAML: compose it only to learn the line of each key path for the messages
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
            "(expected .yaml, .yml, .json, .csv or .xlsx)"
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


def write_scenario(scenario: Scenario, path: str | os.PathLike[str], *, format: str | None = None) -> Path:
    """Write ``scenario`` to ``path`` atomically (temp file + ``os.replace``); nothing is written on error.

    ``format`` defaults to the one implied by the extension (:func:`format_for_path`).
    """
    if not isinstance(scenario, Scenario):
        raise ScenarioError(f"scenario: expected a Scenario, received {type(scenario).__name__}")
    fmt = format or format_for_path(Path(path))
    if fmt not in WRITE_FORMATS:
        raise InputFileError(
            f"{path}: format: {fmt!r} cannot be written (expected one of {', '.join(WRITE_FORMATS)})"
        )
    problem = output_problem(path)  # a directory, a missing folder, a device or pipe (io/paths.py)
    if problem is not None:
        raise InputFileError(problem)
    try:
        data = _xlsx_bytes(scenario) if fmt == "xlsx" else scenario_to_text(scenario, fmt).encode("utf-8")
    except InputFileError:
        raise
    except ScenarioError as exc:  # what the format cannot hold (e.g. KTAB CSV: absent stances)
        raise InputFileError(f"{path}: {exc}", [f"{path}: {p}" for p in exc.problems]) from None
    return write_atomic(path, data)  # through a symbolic link: the link stays (io/paths.py)
