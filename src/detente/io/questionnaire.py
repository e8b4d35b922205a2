"""Expert questionnaires: write one per expert (XLSX or CSV), read the returned ones back (docs/panels.md).

A questionnaire has one row per actor × issue with the columns of :data:`COLUMNS`; the scale of each
issue is written beside it (XLSX: the ``scales`` sheet and the row's anchor columns; CSV: ``#``
lines). Every questionnaire says which scenario version and which expert it belongs to (XLSX: the
hidden ``_detente`` sheet; CSV: the leading ``#`` line; JSON: its top-level keys), so a returned
file is checked against the scenario before anything is pooled: a changed layout, a value off its
scale or range, a missing or repeated expert id are one :class:`~detente.errors.InputFileError`
naming the file, the sheet and the cell (or the line and column) and what was expected.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detente.core.hashing import scenario_hash
from detente.core.panel import ExpertAnswer
from detente.core.scenario import Scenario
from detente.errors import InputFileError, MissingExtraError
from detente.io.checker import FORMULA_HINT

LAYOUT = "1"
"""The questionnaire layout version; a returned file of another layout is refused."""

COLUMNS: tuple[str, ...] = (
    "expert",
    "actor",
    "issue",
    "position",
    "salience",
    "capability",
    "confidence",
    "notes",
)
"""The answer columns, in order (CSV: exactly these; XLSX: these, then the read-only help columns)."""

HELP_COLUMNS: tuple[str, ...] = (
    "actor_name",
    "issue_name",
    "scale_low",
    "low_label",
    "scale_high",
    "high_label",
)
"""Read-only columns after the answers in the XLSX form: who and what the row is about, and the scale."""

SHEET, SCALES_SHEET, META_SHEET = "questionnaire", "scales", "_detente"
_NUMBERS = ("position", "salience", "capability", "confidence")
_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Questionnaire:
    """A returned questionnaire: whose it is, which scenario version it answers, and the answers."""

    expert: str
    scenario: str
    scenario_hash: str
    answers: tuple[ExpertAnswer, ...]
    source: str


def questions_hash(scenario: Scenario) -> str:
    """sha256 of what a questionnaire asks: the actor ids, the issue ids and their scales, in order.

    A returned questionnaire must match it; the full scenario hash may differ (a stance edited after
    the export does not change the questions).
    """
    import hashlib

    asked = [
        list(scenario.actor_ids),
        [[i.id, repr(i.scale.low), repr(i.scale.high)] for i in scenario.issues],
    ]
    return hashlib.sha256(json.dumps(asked, separators=(",", ":")).encode("utf-8")).hexdigest()


# --- writing ---------------------------------------------------------------------------------------
def questionnaire_rows(scenario: Scenario, expert: str, prefill: bool = False) -> Iterator[dict[str, Any]]:
    """One row per actor × issue (issue by issue): the answer columns (empty unless ``prefill``) and
    the help columns of :data:`HELP_COLUMNS`."""
    for issue in scenario.issues:
        for actor in scenario.actors:
            row: dict[str, Any] = {"expert": expert, "actor": actor.id, "issue": issue.id}
            s = scenario.stance(actor.id, issue.id) if prefill else None
            row["position"] = s.position if s else None
            row["salience"] = s.salience if s else None
            row["capability"] = (
                (s.capability if s and s.capability is not None else actor.capability) if s else None
            )
            row["confidence"] = None
            row["notes"] = ""
            lo, hi = (issue.scale.labels + ("", ""))[:2]
            row |= {
                "actor_name": actor.name or actor.id,
                "issue_name": issue.name or issue.id,
                "scale_low": issue.scale.low,
                "low_label": lo,
                "scale_high": issue.scale.high,
                "high_label": hi,
            }
            yield row


def _meta(scenario: Scenario, ref: str, expert: str, prefill: bool) -> list[tuple[str, str]]:
    from detente._version import __version__

    return [
        ("format", "detente-questionnaire"),
        ("layout", LAYOUT),
        ("scenario", ref),
        ("scenario_id", scenario.id),
        ("scenario_hash", scenario_hash(scenario)),
        ("questions", questions_hash(scenario)),
        ("expert", expert),
        ("blind", "false" if prefill else "true"),
        ("detente", __version__),
    ]


def questionnaire_csv(scenario: Scenario, ref: str, expert: str, *, prefill: bool = False) -> str:
    """One expert's questionnaire as CSV text: a ``#`` line naming scenario, hash and expert, the
    scales as ``#`` lines, then the header :data:`COLUMNS` and one row per actor × issue."""
    buf = io.StringIO()
    meta = dict(_meta(scenario, ref, expert, prefill))
    buf.write(
        f"# detente questionnaire; scenario={meta['scenario']}; hash={meta['scenario_hash']}; "
        f"questions={meta['questions']}; expert={expert}; layout={LAYOUT}; blind={meta['blind']}\n"
    )
    buf.write(
        "# salience 0-1 (how much the actor cares), capability >= 0 (clout), confidence 0-1; empty = no answer\n"
    )
    for issue in scenario.issues:
        lo, hi = (issue.scale.labels + ("", ""))[:2]
        buf.write(
            f"# scale {issue.id}: {issue.scale.low:g} = {lo or 'low end'}; {issue.scale.high:g} = {hi or 'high end'}\n"
        )
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for row in questionnaire_rows(scenario, expert, prefill):
        w.writerow(
            [
                "" if row[c] is None else (f"{row[c]:g}" if isinstance(row[c], float) else row[c])
                for c in COLUMNS
            ]
        )
    return buf.getvalue()


def questionnaire_xlsx(scenario: Scenario, ref: str, expert: str, *, prefill: bool = False) -> bytes:
    """One expert's questionnaire as an XLSX workbook with data validation on every answer cell."""
    try:
        import openpyxl
        from openpyxl.worksheet.datavalidation import DataValidation
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise MissingExtraError("writing .xlsx needs openpyxl: pip install openpyxl") from None
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws.append([*COLUMNS, *HELP_COLUMNS])
    rows = list(questionnaire_rows(scenario, expert, prefill))
    for row in rows:
        ws.append([row[c] for c in (*COLUMNS, *HELP_COLUMNS)])
    ws.freeze_panes = "D2"
    col = {c: openpyxl.utils.get_column_letter(k + 1) for k, c in enumerate(COLUMNS)}
    last = len(rows) + 1

    def rule(low: float, high: float | None, cells: str, what: str) -> None:
        dv = DataValidation(
            type="decimal",
            operator="between" if high is not None else "greaterThanOrEqual",
            formula1=f"{low:g}",
            formula2=None if high is None else f"{high:g}",
            allow_blank=True,
            showErrorMessage=True,
            error=f"expected {what}",
            errorTitle="detente",
        )
        dv.add(cells)
        ws.add_data_validation(dv)

    for issue in scenario.issues:  # the rows of one issue are contiguous
        ks = [k + 2 for k, r in enumerate(rows) if r["issue"] == issue.id]
        if ks:
            sc = issue.scale
            rule(
                sc.low,
                sc.high,
                f"{col['position']}{ks[0]}:{col['position']}{ks[-1]}",
                f"a position from {sc.low:g} to {sc.high:g}",
            )
    rule(0, 1, f"{col['salience']}2:{col['salience']}{last}", "a salience from 0 to 1")
    rule(0, None, f"{col['capability']}2:{col['capability']}{last}", "a capability >= 0")
    rule(0, 1, f"{col['confidence']}2:{col['confidence']}{last}", "a confidence from 0 to 1")
    scales = wb.create_sheet(SCALES_SHEET)
    scales.append(["issue", "name", "low", "low_label", "high", "high_label", "points"])
    for issue in scenario.issues:
        lo, hi = (issue.scale.labels + ("", ""))[:2]
        pts = "; ".join(f"{v:g} = {lab}" for v, lab in issue.scale.points)
        scales.append([issue.id, issue.name, issue.scale.low, lo, issue.scale.high, hi, pts])
    meta = wb.create_sheet(META_SHEET)
    for k, v in _meta(scenario, ref, expert, prefill):
        meta.append([k, v])
    meta.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- reading ---------------------------------------------------------------------------------------
class _Where:
    """Names a cell in messages: ``FILE: sheet S, cell J7`` (XLSX) or ``FILE: line 12`` (CSV; the field follows)."""

    def __init__(self, source: str, sheet: str | None) -> None:
        self.source, self.sheet = source, sheet

    def __call__(self, row: int, column: int | str | None) -> str:
        if self.sheet is None:  # the field's name follows in the message
            return f"{self.source}: line {row}"
        from openpyxl.utils import get_column_letter

        cell = f"cell {get_column_letter(column)}{row}" if isinstance(column, int) else f"row {row}"
        return f"{self.source}: sheet {self.sheet}, {cell}"


def _number(text: Any, where: str, name: str, low: float, high: float | None) -> float | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    rng = f"{low:g} to {high:g}" if high is not None else f"a number >= {low:g}"
    if isinstance(text, bool):  # an Excel TRUE/FALSE cell
        raise InputFileError(f"{where}: {name}: {str(text).upper()} is not a number (expected {rng})")
    try:
        v = float(text)
    except OverflowError:  # an integer beyond the float range (a JSON questionnaire)
        digits = len(str(abs(text))) if isinstance(text, int) and text.bit_length() < 14_000 else None
        size = f"{digits} digits" if digits else "too many digits"
        raise InputFileError(
            f"{where}: {name}: an integer of {size} is too large (expected a finite number, {rng})"
        ) from None
    except (TypeError, ValueError):
        why = f"; {FORMULA_HINT}" if str(text).startswith("=") else ""  # io.table.show_uncached_formulas
        raise InputFileError(
            f"{where}: {name}: {str(text)[:40]!r} is not a number (expected {rng}{why})"
        ) from None
    if not math.isfinite(v):
        raise InputFileError(f"{where}: {name}: {v:g} is not a finite number (expected {rng})")
    if v < low or (high is not None and v > high):
        raise InputFileError(f"{where}: {name}: {v:g} is outside the range (expected {rng})")
    return v


def _answers(
    scenario: Scenario, expert: str, body: Sequence[tuple[int, Sequence[Any]]], where: _Where, xlsx: bool
) -> tuple[ExpertAnswer, ...]:
    """Check every row against the scenario (known actor and issue, each once, all present) and read it."""
    issues = {i.id: i for i in scenario.issues}
    expected = [(a, i) for i in scenario.issue_ids for a in scenario.actor_ids]
    seen: dict[tuple[str, str], int] = {}
    out = []
    for line, cells in body:
        cells = [*cells, *[None] * (len(COLUMNS) - len(cells))]
        row = dict(zip(COLUMNS, cells, strict=False))

        def at(c: str, line: int = line) -> str:
            return where(line, COLUMNS.index(c) + 1 if xlsx else c)

        if not any(str(v).strip() for v in cells[: len(COLUMNS)] if v is not None):
            continue
        who = str(row["expert"] or "").strip()
        if who != expert:
            raise InputFileError(
                f"{at('expert')}: expert: {who!r} (expected {expert!r}, this questionnaire's expert)"
            )
        actor, issue = str(row["actor"] or "").strip(), str(row["issue"] or "").strip()
        if actor not in scenario.actor_ids:
            raise InputFileError(
                f"{at('actor')}: actor: unknown actor {actor!r} (expected one of {', '.join(scenario.actor_ids)})"
            )
        if issue not in issues:
            raise InputFileError(
                f"{at('issue')}: issue: unknown issue {issue!r} (expected one of {', '.join(issues)})"
            )
        if (actor, issue) in seen:
            raise InputFileError(
                f"{at('actor')}: {actor}/{issue} appears twice (first on row {seen[(actor, issue)]})"
            )
        seen[(actor, issue)] = line
        sc = issues[issue].scale
        vals = {
            "position": _number(row["position"], at("position"), "position", sc.low, sc.high),
            "salience": _number(row["salience"], at("salience"), "salience", 0.0, 1.0),
            "capability": _number(row["capability"], at("capability"), "capability", 0.0, None),
            "confidence": _number(row["confidence"], at("confidence"), "confidence", 0.0, 1.0),
        }
        notes = "" if row["notes"] is None else str(row["notes"]).strip()
        out.append(ExpertAnswer(expert=expert, actor=actor, issue=issue, notes=notes, **vals))
    missing = [f"{a}/{i}" for a, i in expected if (a, i) not in seen]
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise InputFileError(
            f"{where.source}: the row for {missing[0]}{more} is missing "
            f"(expected the questionnaire's {len(expected)} rows, one per actor and issue)"
        )
    return tuple(out)


def _check_header(header: Sequence[Any], where: _Where, line: int, xlsx: bool) -> None:
    got = [("" if h is None else str(h).strip()) for h in header[: len(COLUMNS)]]
    for k, name in enumerate(COLUMNS):
        have = got[k] if k < len(got) else ""
        if have != name:
            at = where(line, k + 1 if xlsx else name)
            raise InputFileError(
                f"{at}: header {have!r} where {name!r} belongs "
                f"(expected the columns {', '.join(COLUMNS)}: the questionnaire's layout was changed)"
            )


def _checked_meta(meta: Mapping[str, str], where: str) -> tuple[str, str, str, str]:
    if meta.get("format", "detente-questionnaire") != "detente-questionnaire" or not meta:
        raise InputFileError(
            f"{where}: not a detente questionnaire (expected one written by detente elicit export)"
        )
    if meta.get("layout", LAYOUT) != LAYOUT:
        raise InputFileError(f"{where}: layout {meta.get('layout')!r} (expected {LAYOUT})")
    expert = meta.get("expert", "").strip()
    if not expert:
        raise InputFileError(
            f"{where}: expert: the expert id is missing (expected the id the questionnaire was exported for)"
        )
    digest = meta.get("scenario_hash", "").strip()
    asked = meta.get("questions", "").strip()
    if not digest or not asked:
        missing = "scenario_hash" if not digest else "questions"
        raise InputFileError(
            f"{where}: {missing}: missing (expected the hashes written by detente elicit export)"
        )
    return expert, meta.get("scenario", "").strip(), digest, asked


def read_questionnaire_meta(path: str | Path) -> tuple[str, str, str]:
    """``(expert, scenario reference, scenario hash)`` of a returned questionnaire, without its answers."""
    q = _read(Path(path), None)
    return q.expert, q.scenario, q.scenario_hash


def read_questionnaire(path: str | Path, scenario: Scenario) -> Questionnaire:
    """A returned questionnaire (.xlsx, .csv or .json), checked against ``scenario``.

    Raises :class:`InputFileError` naming the file and cell on a changed layout, a value off its
    scale or range, an unknown or repeated row, a missing expert id, or a questionnaire exported
    from another version of the scenario.
    """
    return _read(Path(path), scenario)


def _read(path: Path, scenario: Scenario | None) -> Questionnaire:
    source = str(path)
    if path.is_dir():
        raise InputFileError(f"{source}: is a folder (expected a questionnaire file: .xlsx, .csv or .json)")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputFileError(f"{source}: file not found (expected an existing questionnaire file)") from None
    except OSError as exc:
        raise InputFileError(f"{source}: cannot read ({exc.strerror or exc})") from None
    if size > _MAX_BYTES:
        raise InputFileError(
            f"{source}: {size} bytes (expected a questionnaire under {_MAX_BYTES // 2**20} MB)"
        )
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path, scenario)
    if suffix in (".csv", ".json"):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputFileError(
                f"{source}: byte {exc.start} is not UTF-8 (expected a UTF-8 text file)"
            ) from None
        except OSError as exc:
            raise InputFileError(f"{source}: cannot read ({exc.strerror or exc})") from None
        return (_read_csv if suffix == ".csv" else _read_json)(text, source, scenario)
    raise InputFileError(
        f"{source}: unknown questionnaire type {suffix or '(none)'!r} (expected .xlsx, .csv or .json)"
    )


def _check_version(meta: tuple[str, str, str, str], scenario: Scenario | None, where: str) -> None:
    """The questionnaire asks what ``scenario`` would ask (same actors, issues and scales)."""
    if scenario is None:
        return
    now = questions_hash(scenario)
    if meta[3] != now:
        asked = meta[1] or "another scenario"
        why = (
            f"'{scenario.id}' has changed its actors, issues or scales since this questionnaire was exported"
            if asked == scenario.id
            else f"it was exported from '{asked}', not from '{scenario.id}'"
        )
        raise InputFileError(
            f"{where}: {why} (questions {meta[3][:12]}… against {now[:12]}…; expected a questionnaire "
            "exported from a scenario with the same actors, issues and scales)"
        )


def _done(
    meta: tuple[str, str, str, str],
    scenario: Scenario | None,
    body: Sequence[tuple[int, Sequence[Any]]],
    where: _Where,
    xlsx: bool,
) -> Questionnaire:
    expert, ref, digest, _ = meta
    got = _answers(scenario, expert, body, where, xlsx) if scenario is not None else ()
    return Questionnaire(expert=expert, scenario=ref, scenario_hash=digest, answers=got, source=where.source)


def _read_csv(text: str, source: str, scenario: Scenario | None) -> Questionnaire:
    lines = text.splitlines()
    first = lines[0] if lines else ""
    if not first.startswith("# detente questionnaire"):
        raise InputFileError(
            f"{source}: line 1: not a detente questionnaire (expected '# detente questionnaire; scenario=…; hash=…; expert=…')"
        )
    meta = {"format": "detente-questionnaire"}
    for part in first.removeprefix("# detente questionnaire").split(";"):
        k, _, v = part.strip().partition("=")
        if k:
            meta[{"hash": "scenario_hash"}.get(k.strip(), k.strip())] = v.strip()
    checked = _checked_meta(meta, f"{source}: line 1")
    _check_version(checked, scenario, f"{source}: line 1")
    where = _Where(source, None)
    rows = [(n + 1, line) for n, line in enumerate(lines) if not line.startswith("#")]
    if not rows:
        raise InputFileError(f"{source}: no header row (expected the columns {', '.join(COLUMNS)})")
    try:
        parsed = [(n, next(csv.reader([line]), [])) for n, line in rows]
    except csv.Error as exc:
        raise InputFileError(f"{source}: CSV: {exc} (expected a valid CSV file)") from None
    _check_header(parsed[0][1], where, parsed[0][0], False)
    return _done(checked, scenario, parsed[1:], where, False)


def _read_json(text: str, source: str, scenario: Scenario | None) -> Questionnaire:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"{source}:{exc.lineno}: JSON: {exc.msg} (expected a JSON questionnaire)"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("answers"), list):
        raise InputFileError(
            f"{source}: expected a mapping with 'expert', 'scenario_hash' and an 'answers' list"
        )
    meta = {k: str(v) for k, v in data.items() if k != "answers" and v is not None}
    checked = _checked_meta(meta, source)
    _check_version(checked, scenario, source)
    expert = checked[0]
    got = answers_from_mappings(scenario, expert, data["answers"], source) if scenario is not None else ()
    return Questionnaire(
        expert=expert, scenario=checked[1], scenario_hash=checked[2], answers=got, source=source
    )


def answers_from_mappings(
    scenario: Scenario, expert: str, answers: Sequence[Any], source: str = ""
) -> tuple[ExpertAnswer, ...]:
    """Answers given as mappings (a JSON questionnaire, the dashboard's form), checked like a file's
    rows: one per actor × issue, each known, numbers in range (``answers[3].salience: …``)."""
    body = []
    where = _JsonWhere(source)
    for k, a in enumerate(answers):
        if not isinstance(a, Mapping):
            raise InputFileError(f"{where(k, None)}: expected a mapping of {', '.join(COLUMNS)}")
        body.append((k, [expert if c == "expert" else a.get(c) for c in COLUMNS]))
    return _answers(scenario, expert, body, where, False)


class _JsonWhere(_Where):
    def __init__(self, source: str) -> None:
        super().__init__(source, None)

    def __call__(self, row: int, column: int | str | None) -> str:
        return f"{self.source}: answers[{row}]" if self.source else f"answers[{row}]"  # the field follows


def _read_xlsx(path: Path, scenario: Scenario | None) -> Questionnaire:
    from detente.io.table import open_workbook, show_uncached_formulas

    source = str(path)
    wb = open_workbook(path, source)
    try:
        names = wb.sheetnames
        for need in (META_SHEET, SHEET):
            if need not in names:
                raise InputFileError(
                    f"{source}: sheet {need!r} is missing (expected a questionnaire written by detente elicit export)"
                )
        meta = {
            str(r[0]).strip(): "" if len(r) < 2 or r[1] is None else str(r[1]).strip()
            for r in wb[META_SHEET].iter_rows(values_only=True)
            if r and r[0] is not None
        }
        values = [list(r) for r in wb[SHEET].iter_rows(values_only=True)]
        show_uncached_formulas(path, SHEET, values)
        rows = [(n + 1, r) for n, r in enumerate(values)]
    finally:
        wb.close()
    checked = _checked_meta(meta, f"{source}: sheet {META_SHEET}")
    _check_version(checked, scenario, f"{source}: sheet {META_SHEET}")
    where = _Where(source, SHEET)
    if not rows:
        raise InputFileError(
            f"{source}: sheet {SHEET} is empty (expected a header row and one row per actor and issue)"
        )
    _check_header(rows[0][1], where, 1, True)
    return _done(checked, scenario, rows[1:], where, True)
