"""`detente elicit export|import`: the round trip (export -> fill by script -> import -> pool -> sweep)
for XLSX and CSV, and every bad questionnaire as one line naming file, sheet and cell, exit 2,
nothing written."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from detente.io.builtin import load_builtin
from detente.io.files import read_scenario

REPO = Path(__file__).resolve().parents[2]
EXPERTS = ("ana", "ben", "chloe")
# each expert's reading: a shift of every answered position (issue units), and a confidence
SHIFT = {"ana": 0.0, "ben": 6.0, "chloe": -12.0}


def _answer(actor: str, issue: str, expert: str) -> tuple[float, float, float] | None:
    s = load_builtin("ukraine-2025").stance(actor, issue)
    if s is None:
        return None
    return float(np.clip(s.position + SHIFT[expert], 0, 100)), s.salience, 0.8


def _fill_xlsx(path: Path, expert: str) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["questionnaire"]
    head = [c.value for c in ws[1]]
    col = {h: k + 1 for k, h in enumerate(head)}
    for r in range(2, ws.max_row + 1):
        got = _answer(ws.cell(r, col["actor"]).value, ws.cell(r, col["issue"]).value, expert)
        if got is not None:
            for name, v in zip(("position", "salience", "confidence"), got, strict=True):
                ws.cell(r, col[name]).value = v
    ws.cell(2, col["notes"]).value = f"{expert}'s note"
    wb.save(path)


def _fill_csv(path: Path, expert: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    head = [ln for ln in lines if ln.startswith("#")]
    rows = list(csv.DictReader([ln for ln in lines if not ln.startswith("#")]))
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    for k, r in enumerate(rows):
        got = _answer(r["actor"], r["issue"], expert)
        if got is not None:
            r["position"], r["salience"], r["confidence"] = (f"{v:g}" for v in got)
        if k == 0:
            r["notes"] = f"{expert}'s note"
        w.writerow(r)
    path.write_text("\n".join(head) + "\n" + out.getvalue(), encoding="utf-8")


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_round_trip_export_fill_import_pool_sweep(cli, tmp_path: Path, kind: str) -> None:
    r = cli(
        "elicit",
        "export",
        "ukraine-2025",
        "--experts",
        ",".join(EXPERTS),
        "--out",
        str(tmp_path / "q"),
        "--to",
        kind,
    )
    assert r.exit_code == 0, r.stderr
    assert "wrote 3 questionnaires (blind, 60 rows each)" in r.stdout
    files = sorted((tmp_path / "q").glob(f"*.{kind}"))
    assert [f.name for f in files] == [f"ukraine-2025-{e}.{kind}" for e in EXPERTS]
    for f, e in zip(files, EXPERTS, strict=True):
        (_fill_xlsx if kind == "xlsx" else _fill_csv)(f, e)
    out = tmp_path / "pooled.yaml"
    r = cli("elicit", "import", *map(str, files), "--out", str(out))
    assert r.exit_code == 0, r.stderr
    assert "pooled 3 experts (median) on 52 stances" in r.stdout
    pooled = read_scenario(out)
    base = load_builtin("ukraine-2025")
    s, b = pooled.stance("russia", "us_sanctions"), base.stance("russia", "us_sanctions")
    assert s is not None and b is not None
    # positions 0, 6, 0 (chloe's -12 clipped at 0): median 0, SD of the three answers
    assert s.position == 0 and s.sd == pytest.approx(float(np.std([0, 6, 0], ddof=1)))
    u = pooled.stance("united_states", "ceasefire_sequencing")
    assert u is not None and u.position == 25 and u.sd == pytest.approx(float(np.std([25, 31, 13], ddof=1)))
    # every expert's raw answers are kept in the pooled scenario
    assert pooled.panel is not None and pooled.panel.experts == EXPERTS
    assert len(pooled.panel.answers) == 3 * 60
    assert [a.notes for a in pooled.panel.answers if a.notes] == [f"{e}'s note" for e in EXPERTS]
    assert cli("validate", str(out)).exit_code == 0
    r = cli("sweep", str(out), "--model", "compromise", "--draws", "50", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["draws"] == 50


def test_xlsx_has_validation_hidden_identity_and_scales(cli, tmp_path: Path) -> None:
    assert cli("elicit", "export", "--experts", "ana", "--out", str(tmp_path)).exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "ukraine-2025-ana.xlsx")
    assert wb["_detente"].sheet_state == "hidden"
    meta = {r[0]: r[1] for r in wb["_detente"].iter_rows(values_only=True)}
    assert meta["expert"] == "ana" and meta["scenario"] == "ukraine-2025" and meta["blind"] == "true"
    ws = wb["questionnaire"]
    assert [c.value for c in ws[1]][:8] == [
        "expert",
        "actor",
        "issue",
        "position",
        "salience",
        "capability",
        "confidence",
        "notes",
    ]
    assert all(ws.cell(r, 4).value is None for r in range(2, ws.max_row + 1))  # blind: no positions shown
    rules = {(dv.formula1, dv.formula2) for dv in ws.data_validations.dataValidation}
    assert ("0", "100") in rules and ("0", "1") in rules
    scales = list(wb["scales"].iter_rows(values_only=True))
    assert scales[1][0] == "ceasefire_sequencing" and "unconditional ceasefire" in scales[1][3]


def test_prefill_shows_current_values(cli, tmp_path: Path) -> None:
    assert (
        cli(
            "elicit", "export", "--experts", "ana", "--out", str(tmp_path), "--to", "csv", "--prefill"
        ).exit_code
        == 0
    )
    text = (tmp_path / "ukraine-2025-ana.csv").read_text(encoding="utf-8")
    assert text.startswith("# detente questionnaire; scenario=ukraine-2025; hash=")
    assert "blind=false" in text and "ana,ukraine,ceasefire_sequencing,5,0.95,1,," in text


def _exported(cli, tmp_path: Path, kind: str, experts: str = "ana") -> list[Path]:
    r = cli("elicit", "export", "--experts", experts, "--out", str(tmp_path / "q"), "--to", kind)
    assert r.exit_code == 0, r.stderr
    return sorted((tmp_path / "q").glob(f"*.{kind}"))


def _fails(cli, tmp_path: Path, *files: Path, expect: str) -> None:
    out = tmp_path / "pooled.yaml"
    r = cli("elicit", "import", *map(str, files), "--out", str(out))
    assert r.exit_code == 2, r.stdout
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0], lines
    assert "Traceback" not in r.stderr and not out.exists()


def test_bad_xlsx_cells_are_named(cli, tmp_path: Path) -> None:
    (f,) = _exported(cli, tmp_path, "xlsx")
    wb = openpyxl.load_workbook(f)
    wb["questionnaire"]["D5"] = 140
    wb.save(f)
    _fails(
        cli,
        tmp_path,
        f,
        expect=f"{f}: sheet questionnaire, cell D5: position: 140 is outside the range (expected 0 to 100)",
    )
    wb["questionnaire"]["D5"] = None
    wb["questionnaire"]["E3"] = "very"
    wb.save(f)
    _fails(cli, tmp_path, f, expect="cell E3: salience: 'very' is not a number (expected 0 to 1)")
    wb["questionnaire"]["E3"] = None
    wb["questionnaire"]["D1"] = "pos"
    wb.save(f)
    _fails(cli, tmp_path, f, expect="cell D1: header 'pos' where 'position' belongs")
    wb["questionnaire"]["D1"] = "position"
    meta = wb["_detente"]
    for row in meta.iter_rows():
        if row[0].value == "expert":
            row[1].value = None
    wb.save(f)
    _fails(cli, tmp_path, f, expect=f"{f}: sheet _detente: expert: the expert id is missing")


def test_bad_csv_rows_and_layouts(cli, tmp_path: Path) -> None:
    (f,) = _exported(cli, tmp_path, "csv")
    good = f.read_text(encoding="utf-8")
    f.write_text(
        good.replace("ana,russia,ceasefire_sequencing,,", "ana,russia,ceasefire_sequencing,50,2"),
        encoding="utf-8",
    )
    _fails(cli, tmp_path, f, expect="line 11: salience: 2 is outside the range (expected 0 to 1)")
    f.write_text(
        good.replace("ana,russia,ceasefire_sequencing,,", "ana,kremlin,ceasefire_sequencing,,"),
        encoding="utf-8",
    )
    _fails(cli, tmp_path, f, expect="line 11: actor: unknown actor 'kremlin'")
    lines = good.splitlines()
    f.write_text(
        "\n".join(ln for ln in lines if "ana,russia,ceasefire_sequencing" not in ln) + "\n", encoding="utf-8"
    )
    _fails(cli, tmp_path, f, expect="the row for russia/ceasefire_sequencing is missing")
    f.write_text(good.replace("; expert=ana;", "; expert=;"), encoding="utf-8")
    _fails(cli, tmp_path, f, expect="line 1: expert: the expert id is missing")
    f.write_text(
        good.replace("ana,ukraine,ceasefire_sequencing", "ben,ukraine,ceasefire_sequencing"), encoding="utf-8"
    )
    _fails(cli, tmp_path, f, expect="line 10: expert: 'ben' (expected 'ana'")


def test_same_expert_twice_and_other_scenarios_are_refused(cli, tmp_path: Path) -> None:
    (f,) = _exported(cli, tmp_path, "csv")
    twin = tmp_path / "copy.csv"
    shutil.copy(f, twin)
    _fails(cli, tmp_path, f, twin, expect=f"{twin}: expert 'ana' was already read from {f}")
    other = tmp_path / "other"
    assert (
        cli(
            "elicit",
            "export",
            "emission-standards-1994",
            "--experts",
            "ben",
            "--out",
            str(other),
            "--to",
            "csv",
        ).exit_code
        == 0
    )
    r = cli(
        "elicit",
        "import",
        str(next(other.glob("*.csv"))),
        "--scenario",
        "ukraine-2025",
        "--out",
        str(tmp_path / "x.yaml"),
    )
    assert (
        r.exit_code == 2
        and "expected a questionnaire exported from a scenario with the same actors" in r.stderr
    )
    # the line names both scenarios, not only two hash prefixes
    assert "it was exported from 'emission-standards-1994', not from 'ukraine-2025'" in " ".join(
        r.stderr.split()
    )
    # the same scenario edited since the export: said as such
    edited = tmp_path / "ukraine-2025.yaml"
    assert cli("convert", "ukraine-2025", str(edited)).exit_code == 0
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("humanitarian_exchanges", "prisoner_exchanges"), encoding="utf-8")
    r = cli("elicit", "import", str(f), "--scenario", str(edited), "--out", str(tmp_path / "y.yaml"))
    assert r.exit_code == 2
    assert (
        "'ukraine-2025' has changed its actors, issues or scales since this questionnaire was exported"
        in " ".join(r.stderr.split())
    )
    notq = tmp_path / "n.txt"
    notq.write_text("hello", encoding="utf-8")
    _fails(cli, tmp_path, notq, expect="unknown questionnaire type '.txt' (expected .xlsx, .csv or .json)")


def test_export_bad_input(cli, tmp_path: Path) -> None:
    for args, expect in [
        (("--experts", "ana,ana"), "'ana' is named twice"),
        (("--experts", "a b"), "'a b' is not a usable id"),
        (("--experts", ""), "--experts: missing"),
        (("--experts", "ana", "--out", str(tmp_path / "no" / "such")), "does not exist"),
    ]:
        full = args if "--out" in args else (*args, "--out", str(tmp_path / "q"))
        r = cli("elicit", "export", *full)
        assert r.exit_code == 2 and expect in r.stderr, (args, r.stderr)
    assert not (tmp_path / "q").exists()
    _exported(cli, tmp_path, "xlsx")
    r = cli("elicit", "export", "--experts", "ana", "--out", str(tmp_path / "q"))
    assert r.exit_code == 2 and "exists (expected a new file" in r.stderr


def test_the_example_panel_pools(cli, tmp_path: Path) -> None:
    files = sorted((REPO / "examples" / "panel").glob("*.csv"))
    assert len(files) == 3
    r = cli("elicit", "import", *map(str, files), "--out", str(tmp_path / "pooled.yaml"), "--pool", "trimmed")
    assert r.exit_code == 0, r.stderr
    assert "most disputed positions" in r.stdout
    row = next(line for line in r.stdout.splitlines() if line.strip().startswith("united_states"))
    assert row.split()[:4] == ["united_states", "us_sanctions", "27.5", "0–100"], row


def test_json_questionnaires_are_read_like_files(cli, tmp_path: Path) -> None:
    """A questionnaire as JSON (the dashboard's answers, or a script's) pools like a CSV one."""
    from detente.core.hashing import scenario_hash
    from detente.io.questionnaire import questions_hash

    sc = load_builtin("ukraine-2025")
    rows = [
        {
            "actor": a,
            "issue": i,
            "position": 40 if a == "russia" else None,
            "salience": 0.5 if a == "russia" else None,
        }
        for i in sc.issue_ids
        for a in sc.actor_ids
    ]
    head = {
        "format": "detente-questionnaire",
        "layout": "1",
        "scenario": "ukraine-2025",
        "scenario_hash": scenario_hash(sc),
        "questions": questions_hash(sc),
    }
    for e in ("ana", "ben"):
        (tmp_path / f"{e}.json").write_text(
            json.dumps(head | {"expert": e, "answers": rows}), encoding="utf-8"
        )
    out = tmp_path / "pooled.yaml"
    r = cli("elicit", "import", str(tmp_path / "ana.json"), str(tmp_path / "ben.json"), "--out", str(out))
    assert r.exit_code == 0, r.stderr
    s = read_scenario(out).stance("russia", "us_sanctions")
    assert s is not None and s.position == 40 and s.sd == 0
    out.unlink()
    rows[3]["salience"] = 3
    (tmp_path / "ben.json").write_text(
        json.dumps(head | {"expert": "ben", "answers": rows}), encoding="utf-8"
    )
    _fails(
        cli,
        tmp_path,
        tmp_path / "ana.json",
        tmp_path / "ben.json",
        expect="ben.json: answers[3]: salience: 3 is outside",
    )


def test_blank_folders_format_and_older_exports(cli, tmp_path: Path) -> None:
    (f,) = _exported(cli, tmp_path, "xlsx")
    _fails(cli, tmp_path, f, expect=f"{f}: no answers (every position, salience and capability is empty")
    _fails(cli, tmp_path, tmp_path / "q", expect="is a folder (expected a questionnaire file")
    _fails(
        cli,
        tmp_path,
        tmp_path / "gone.csv",
        expect="gone.csv: file not found (expected an existing questionnaire",
    )
    # issue #18 spelled the file type --format; it works, with the one deprecation line
    r = cli("elicit", "export", "--experts", "ben", "--out", str(tmp_path / "q2"), "--format", "csv")
    assert r.exit_code == 0 and "--format is deprecated; use --to" in r.stderr
    assert (tmp_path / "q2" / "ukraine-2025-ben.csv").exists()
    # questionnaires exported from an earlier version of ukraine-2025 (same questions): one note; the
    # example panel, stamped with the current version, imports without it
    files = sorted((REPO / "examples" / "panel").glob("*.csv"))
    r = cli("elicit", "import", *map(str, files), "--out", str(tmp_path / "p0.yaml"))
    assert r.exit_code == 0 and "earlier version" not in r.stderr, r.stderr
    old = []
    for f in files:
        text = f.read_text(encoding="utf-8")
        first, rest = text.split("\n", 1)
        head = re.sub(r"hash=[0-9a-f]{64}", "hash=" + "5" * 64, first)
        old.append(tmp_path / f.name)
        old[-1].write_text(head + "\n" + rest, encoding="utf-8")
    r = cli("elicit", "import", *map(str, old), "--out", str(tmp_path / "p.yaml"))
    assert r.exit_code == 0, r.stderr
    assert "exported from an earlier version of ukraine-2025" in r.stderr
