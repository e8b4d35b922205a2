"""`detente validate` and `detente convert`: summaries, one line per problem, exit 2, nothing written on error."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "io"))
from test_io_files import BAD, _bad_cases  # noqa: E402


def test_validate_builtin_and_file(cli, data_dir: Path) -> None:
    r = cli("validate", "emission-standards-1994")
    assert r.exit_code == 0
    assert r.stdout.strip() == (
        "valid: 10 actors, 1 issue, 10 stances (EC emission standards for medium-sized cars (Bueno de Mesquita 1994))"
    )
    r = cli("validate", str(data_dir / "ktab/smpExample.xml"))
    assert r.exit_code == 0 and r.stdout.startswith("valid: 5 actors, 3 issues, 14 stances")


def test_validate_lists_every_problem(cli, tmp_path: Path) -> None:
    from importlib import resources

    y = (resources.files("detente.io.builtin") / "emission-standards-1994.yaml").read_text(encoding="utf-8")
    y = y.replace("position: 7, salience: 0.7", "position: 70, salience: 1.7").replace(
        "actor: uk,", "actor: ukk,"
    )
    p = tmp_path / "bad.yaml"
    p.write_text(y, encoding="utf-8")
    r = cli("validate", str(p))
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 3
    assert all(
        re.match(rf"{re.escape(str(p))}:\d+: stances\[\d\]\.\w+: .*\(expected .*\)$", ln) for ln in lines
    ), lines
    assert "stances[9].salience: 1.7 is above range (expected 0 to 1)" in r.stderr
    assert "Traceback" not in r.output


@pytest.mark.parametrize("case", BAD)
def test_bad_input_cli(cli, tmp_path: Path, case: str) -> None:
    path, pattern = _bad_cases(tmp_path)[case]
    r = cli("validate", str(path))
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert r.stdout == ""
    first = r.stderr.strip().splitlines()[0]
    assert path.name in first and re.search(pattern, first), first
    out = tmp_path / "out" / "converted.yaml"
    out.parent.mkdir()
    r = cli("convert", str(path), str(out))
    assert r.exit_code == 2
    assert "Traceback" not in r.output
    err = r.stderr.strip().splitlines()
    assert (
        len(err) == 1 and err[0].startswith("error: ") and path.name in err[0] and re.search(pattern, err[0])
    )
    assert list(out.parent.iterdir()) == []  # nothing written, no temp file left


@pytest.mark.parametrize("ext", ["yaml", "json", "csv", "xlsx"])
def test_convert_builtin_round_trip(cli, tmp_path: Path, ext: str) -> None:
    from detente.io.builtin import load_builtin
    from detente.io.files import read_scenario

    out = tmp_path / f"cop.{ext}"
    r = cli("convert", "cop21-2015", str(out))
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == f"wrote {out} ({ext}: 15 actors, 13 issues, 181 stances)"
    assert read_scenario(out) == load_builtin("cop21-2015")
    r = cli("validate", str(out))
    assert r.exit_code == 0 and r.stdout.startswith("valid: 15 actors, 13 issues, 181 stances")


def test_convert_ktab_and_decide_formats(cli, data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "soe.txt"
    r = cli("convert", str(data_dir / "ktab/SOE-Pol-Comp.csv"), str(out), "--to", "ktab-csv")
    assert r.exit_code == 0, r.output
    assert (
        out.read_text(encoding="utf-8")
        .splitlines()[1]
        .startswith("Actor,Description,Influence,Policy Position")
    )
    r = cli("validate", str(out))  # detected as KTAB from content despite .txt
    assert r.exit_code == 0 and r.stdout.startswith("valid: 13 actors, 2 issues, 26 stances")
    dec = tmp_path / "cph.dat"
    r = cli("convert", "copenhagen-2009", str(dec), "--to", "decide")
    assert r.exit_code == 0 and dec.read_text(encoding="utf-8").startswith("#O;")


def test_convert_bad_arguments_write_nothing(cli, tmp_path: Path) -> None:
    r = cli("convert", "emission-standards-1994", str(tmp_path / "x.pdf"))
    assert r.exit_code == 2 and "cannot tell the output format from extension '.pdf'" in r.stderr
    assert "or give the format with --to yaml|json" in r.stderr  # the hint belongs to convert only
    r = cli("elicit", "import", str(tmp_path / "q.csv"), "--out", str(tmp_path / "pooled"))
    assert r.exit_code == 2 and "--to" not in r.stderr  # elicit import has no --to
    r = cli("convert", "emission-standards-1994", str(tmp_path / "x.yaml"), "--to", "pdf")
    assert (
        r.exit_code == 2
        and "--to: expected yaml, json, csv, xlsx, ktab-csv or decide, received 'pdf'" in r.stderr
    )
    r = cli("convert", "ktab-smp-example", str(tmp_path / "k.csv"), "--to", "ktab-csv")
    assert r.exit_code == 2 and "needs a stance for every actor on every issue" in r.stderr
    r = cli("convert", str(tmp_path / "missing.yaml"), str(tmp_path / "y.yaml"))
    assert r.exit_code == 2 and r.stderr.startswith("error: ") and "missing.yaml: file not found" in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_deu_file_points_to_backtest(cli, data_dir: Path) -> None:
    r = cli("validate", str(data_dir / "deu/deu3_dev.tsv"))
    assert r.exit_code == 2 and "detente backtest" in r.stderr and "deu3_dev.tsv" in r.stderr


# ---------------------------------------------------------------- values off the declared scale (issue #12)
OFF_SCALE = {
    "decide-semicolon": (
        "dec.csv",
        "#A;a;A;;;\n#A;b;B;;;\n#P;x;X;;;\n#M;x;0;none;;\n#M;x;10;all;;\n#D;a;x;5;0.5;1\n#D;b;x;50;0.5;1\n",
        ":7: #D b/x position: 50 is outside the scale of issue 'x' declared by its #M lines (expected 0 to 10)",
    ),
    "decide-tab": (
        "dec.txt",
        "'#A'\t'a'\t'A'\n'#P'\t'x'\t'X'\n'#M'\t'x'\t0\t'none'\n'#M'\t'x'\t100\t'all'\n'#D'\t'a'\t'x'\t-20\t0.5\t1\n",
        ":5: #D a/x position: -20 is outside the scale of issue 'x' declared by its #M lines (expected 0 to 100)",
    ),
    "ktab-xml": (
        "k.xml",
        "<Scenario><name>T</name><Dimensions><dName>D</dName></Dimensions>\n<Actors><Actor><name>a</name>\n"
        "<capability>1</capability><Position><dCoord>120</dCoord></Position>\n"
        "<Salience><dSal>50</dSal></Salience></Actor></Actors></Scenario>\n",
        ":3: Actors.Actor[0].Position.dCoord[0] (a): 120 is outside the scale (expected 0 to 100)",
    ),
    "yaml-range": (
        "band.yaml",
        "actors: [{id: a}]\nissues: [{id: x, scale: {low: 0, high: 10}}]\nstances:\n"
        "  - {actor: a, issue: x, position: 5, salience: 0.5, low: 2, high: 30}\n",
        ":4: stances[0].high: 30 is outside the scale of issue 'x' (expected 0 to 10)",
    ),
    "csv-range": (
        "band.csv",
        "actor,issue,scale_low,scale_high,position,salience,low,high\na,x,0,10,5,0.5,-1,6\n",
        ":2: stances[0].low: -1 is outside the scale of issue 'x' (expected 0 to 10)",
    ),
}


@pytest.mark.parametrize("case", OFF_SCALE)
def test_off_scale_values_fail_validate_convert_and_forecast(cli, tmp_path: Path, case: str) -> None:
    name, text, expected = OFF_SCALE[case]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    r = cli("validate", str(path))
    assert (r.exit_code, r.stdout, r.stderr) == (2, "", f"{path}{expected}\n")
    out = tmp_path / "out.yaml"
    r = cli("convert", str(path), str(out))
    assert (r.exit_code, r.stderr) == (2, f"error: {path}{expected}\n")
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == [name]
    r = cli("forecast", str(path))
    assert (r.exit_code, r.stdout, r.stderr) == (2, "", f"error: {path}{expected}\n")


def test_convert_writes_the_normal_mode_for_the_umask(cli, tmp_path: Path) -> None:
    import os
    import stat

    old = os.umask(0o022)
    try:
        r = cli("convert", "emission-standards-1994", str(tmp_path / "em.yaml"))
    finally:
        os.umask(old)
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE((tmp_path / "em.yaml").stat().st_mode) == 0o644  # was 0600 (mkstemp's mode)


def test_convert_names_what_the_target_format_does_not_hold(cli, tmp_path):
    """QA audit: converting to Decide dropped the dynamics, evidence quotes, as-of date and rules
    without a word. Now one warning line says what did not survive (from reading the file back)."""
    r = cli("convert", "ukraine-2025", str(tmp_path / "u.dec.csv"), "--to", "decide")
    assert r.exit_code == 0, r.output
    warn = [ln for ln in r.stderr.splitlines() if ln.startswith("warning: ")]
    assert len(warn) == 1, r.stderr
    for lost in ("dynamics", "stance evidence", "as of", "issue rule", "stance sd"):
        assert lost in warn[0], warn[0]
    for ext in ("yaml", "json", "csv", "xlsx"):
        r = cli("convert", "ukraine-2025", str(tmp_path / f"u.{ext}"))
        assert r.exit_code == 0 and "warning" not in r.stderr, (ext, r.stderr)


def test_lost_fields_sees_a_dropped_quote():
    from dataclasses import replace

    from detente.io.builtin import load_builtin
    from detente.io.roundtrip import lost_fields

    sc = load_builtin("ukraine-2025")
    assert lost_fields(sc, sc) == []
    st = list(sc.stances)
    st[3] = replace(st[3], evidence=())
    assert lost_fields(sc, replace(sc, stances=tuple(st), as_of="")) == ["as_of", "stance evidence"]
    assert lost_fields(sc, replace(sc, stances=sc.stances[1:])) == ["some stances"]
