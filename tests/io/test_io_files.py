"""Native layout: parse rules and messages, YAML line numbers, round trips, atomic writes, bad input."""

from __future__ import annotations

import copy
import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from detente.errors import InputFileError, ScenarioError
from detente.io.builtin import builtin_names, load_builtin
from detente.io.files import read_scenario, scenario_to_text, write_scenario
from detente.io.mapping import dump_scenario, parse_scenario


def _base() -> dict[str, Any]:
    return dump_scenario(load_builtin("emission-standards-1994"))


def _problems(data: Any, **kw: Any) -> list[str]:
    with pytest.raises(ScenarioError) as ei:
        parse_scenario(data, source="s.yaml", **kw)
    return ei.value.problems


# ---------------------------------------------------------------- parse rules (pure)


def test_parse_dump_round_trip_every_builtin() -> None:
    for name in builtin_names():
        sc = load_builtin(name)
        assert parse_scenario(dump_scenario(sc)) == sc, name


def test_messages_name_field_expected_and_received() -> None:
    d = _base()
    d["stances"][3]["salience"] = 1.7
    assert _problems(d) == ["s.yaml: stances[3].salience: 1.7 is above range (expected 0 to 1)"]
    d = _base()
    d["stances"][3]["salience"] = -0.2
    assert _problems(d) == ["s.yaml: stances[3].salience: -0.2 is negative (expected 0 to 1)"]
    d = _base()
    d["stances"][0]["position"] = 12
    assert _problems(d) == [
        "s.yaml: stances[0].position: 12 is outside the scale of issue 'emission' (expected 4 to 10)"
    ]


def test_all_problems_are_collected() -> None:
    d = _base()
    d["stances"][1]["actor"] = "atlantis"
    d["stances"][2]["issue"] = "fishing"
    d["stances"][4]["position"] = "soon"
    d["stances"][5]["salience"] = float("nan")
    d["stances"][6]["position"] = float("inf")
    d["actors"].append({"id": "uk", "name": "again"})
    d["stances"][7]["salinece"] = 0.3
    probs = _problems(d)
    assert len(probs) == 7
    text = "\n".join(probs)
    assert "actors[10].id: duplicate actor id 'uk'" in text
    assert "stances[1].actor: unknown actor 'atlantis' (expected one of netherlands" in text
    assert "stances[2].issue: unknown issue 'fishing' (expected one of emission)" in text
    assert "stances[4].position: 'soon' is not a number (expected 4 to 10" in text
    assert "stances[5].salience: nan is not a finite number" in text
    assert "stances[6].position: inf is not a finite number" in text
    assert "stances[7].salinece: unknown key (did you mean 'salience'?" in text


def test_other_rules() -> None:
    d = _base()
    d["stances"].append(copy.deepcopy(d["stances"][0]))
    assert "duplicate stance of 'netherlands' on 'emission'" in _problems(d)[0]
    d = _base()
    d["actors"][0]["capability"] = True
    assert _problems(d) == ["s.yaml: actors[0].capability: True is not a number (expected 0 to 1e+15)"]
    d = _base()
    d["issues"][0]["scale"]["high"] = 2
    assert "issues[0].scale.high: 2 is not above low=4 (expected high > low)" in _problems(d)[0]
    d = _base()
    d["issues"][0]["rule"] = "coin flip"
    assert "issues[0].rule: 'coin flip' is not a known rule" in _problems(d)[0]
    d = _base()
    d["stances"][0]["evidence"] = [{"assumption": True}]
    assert "stances[0].evidence[0].note: an assumption needs a one-line rationale" in _problems(d)[0]
    d = _base()
    d["stances"][0]["low"] = 5
    assert "stances[0].high: is missing (expected both low and high, or neither)" in _problems(d)[0]
    assert _problems([1, 2]) == [
        "s.yaml: (top level): a list is not a mapping (expected keys id, title, description, "
        "as_of, sources, metadata, actors, issues, stances, dynamics, panel, forums, draft)"
    ]
    d = _base()
    del d["stances"][0]["salience"]
    assert _problems(d) == ["s.yaml: stances[0].salience: is missing (expected a number from 0 to 1)"]


def test_numeric_text_is_accepted_and_dates_become_text() -> None:
    d = _base()
    d["stances"][0]["salience"] = "0.25"
    import datetime

    d["as_of"] = datetime.date(2025, 6, 15)
    sc = parse_scenario(d)
    assert sc.stances[0].salience == 0.25 and sc.as_of == "2025-06-15"


def test_absent_actor_is_not_zero() -> None:
    d = _base()
    del d["stances"][0]
    sc = parse_scenario(d)
    assert sc.stance("netherlands", "emission") is None


# ---------------------------------------------------------------- YAML line numbers


def test_yaml_line_numbers(tmp_path: Path) -> None:
    lines = _good_yaml().splitlines()
    k = next(n for n, ln in enumerate(lines) if "actor: uk" in ln)
    lines[k] = lines[k].replace("salience: 0.9", "salience: 1.7")
    assert "1.7" in lines[k]
    p = tmp_path / "s.yaml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputFileError) as ei:
        read_scenario(p)
    assert ei.value.problems == [f"{p}:{k + 1}: stances[6].salience: 1.7 is above range (expected 0 to 1)"]


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv", "xlsx"])
@pytest.mark.parametrize(
    "name", ["emission-standards-1994", "ukraine-2025", "ktab-smp-example", "cop21-2015"]
)
def test_round_trip_lossless(tmp_path: Path, fmt: str, name: str) -> None:
    if name not in builtin_names():
        pytest.fail(f"built-in {name} missing")
    sc = load_builtin(name)
    p = write_scenario(sc, tmp_path / f"out.{fmt}")
    back = read_scenario(p)
    assert back == sc


def test_round_trip_keeps_multiple_evidence_uncertainty_and_unused_actor(tmp_path: Path) -> None:
    d = _base()
    d["actors"].append({"id": "observer", "name": "Observer", "capability": 0.01, "groups": ["x", "y"]})
    d["issues"][0]["reference"] = 7
    d["issues"][0]["rule"] = "qualified_majority"
    d["issues"][0]["veto_players"] = ["uk"]
    d["issues"][0]["scale"]["points"] = [{"value": 7, "label": "middle, with a comma"}]
    d["stances"][0].update({"sd": 0.5, "low": 4, "high": 5, "capability": 0.2})
    d["stances"][0]["evidence"].append({"assumption": True, "note": "second, reason"})
    d["dynamics"] = {"rounds": 3, "nested": {"a": [1, 2]}}
    sc = parse_scenario(d)
    for fmt in ("yaml", "json", "csv", "xlsx"):
        assert read_scenario(write_scenario(sc, tmp_path / f"x.{fmt}")) == sc, fmt


# ---------------------------------------------------------------- writing


def test_write_is_atomic_and_writes_nothing_on_error(tmp_path: Path) -> None:
    sc = load_builtin("emission-standards-1994")
    target = tmp_path / "keep.yaml"
    target.write_text("old content", encoding="utf-8")
    with pytest.raises(InputFileError, match="format: 'pdf' cannot be written"):
        write_scenario(sc, target, format="pdf")
    assert target.read_text(encoding="utf-8") == "old content"
    with pytest.raises(InputFileError, match=r"cannot tell the output format from extension '.doc'"):
        write_scenario(sc, tmp_path / "x.doc")
    smp = load_builtin("ktab-smp-example")
    with pytest.raises(ScenarioError, match="KTAB CSV needs a stance for every actor"):
        write_scenario(smp, tmp_path / "k.csv", format="ktab-csv")
    with pytest.raises(InputFileError, match="does not exist"):
        write_scenario(sc, tmp_path / "no" / "where.yaml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.yaml"]  # no partial or temp files


# ---------------------------------------------------------------- bad input (issue 2), Python API


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    p = tmp_path / name
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


def _good_yaml() -> str:
    """The packaged emission YAML (one flow mapping per stance line)."""
    from importlib import resources

    return (resources.files("detente.io.builtin") / "emission-standards-1994.yaml").read_text(
        encoding="utf-8"
    )


def _good_csv() -> str:
    return scenario_to_text(load_builtin("emission-standards-1994"), "csv")


def _bad_cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, regex the one-line message must match). Shared with the CLI tests."""
    y = _good_yaml()
    cases: dict[str, tuple[Path, str]] = {}
    cases["missing"] = (tmp_path / "missing.yaml", r"missing\.yaml: file not found")
    cases["empty"] = (_write(tmp_path, "empty.yaml", ""), r"empty\.yaml: file is empty")
    d = tmp_path / "adir.yaml"
    d.mkdir()
    cases["directory"] = (d, r"adir\.yaml: is a directory")
    cases["delimiter"] = (
        _write(tmp_path, "semi.csv", _good_csv().replace(",", ";")),
        r"semi\.csv:1: delimiter: the header is separated by semicolons \(expected a comma-separated file",
    )
    cases["unknown_actor"] = (
        _write(tmp_path, "ua.yaml", y.replace("actor: greece", "actor: grease")),
        r"ua\.yaml:\d+: stances\[9\]\.actor: unknown actor 'grease'",
    )
    cases["unknown_issue"] = (
        _write(
            tmp_path, "ui.yaml", y.replace("actor: greece, issue: emission", "actor: greece, issue: taxes")
        ),
        r"ui\.yaml:\d+: stances\[9\]\.issue: unknown issue 'taxes'",
    )
    cases["duplicate_actor"] = (
        _write(tmp_path, "da.yaml", y.replace("id: belgium", "id: netherlands")),
        r"da\.yaml:\d+: actors\[1\]\.id: duplicate actor id 'netherlands'",
    )
    cases["position_outside"] = (
        _write(
            tmp_path,
            "po.yaml",
            y.replace(
                "actor: greece, issue: emission, position: 7", "actor: greece, issue: emission, position: 70"
            ),
        ),
        r"po\.yaml:\d+: stances\[9\]\.position: 70 is outside the scale of issue 'emission' \(expected 4 to 10\)",
    )
    cases["salience_negative"] = (
        _write(tmp_path, "sn.yaml", y.replace("position: 7, salience: 0.7", "position: 7, salience: -0.7")),
        r"sn\.yaml:\d+: stances\[9\]\.salience: -0.7 is negative \(expected 0 to 1\)",
    )
    cases["salience_above"] = (
        _write(tmp_path, "sa.yaml", y.replace("position: 7, salience: 0.7", "position: 7, salience: 7")),
        r"sa\.yaml:\d+: stances\[9\]\.salience: 7 is above range \(expected 0 to 1\)",
    )
    cases["nan"] = (
        _write(
            tmp_path, "nan.yaml", y.replace("position: 7, salience: 0.7", "position: .nan, salience: 0.7")
        ),
        r"nan\.yaml:\d+: stances\[9\]\.position: nan is not a finite number",
    )
    cases["inf"] = (
        _write(tmp_path, "inf.yaml", y.replace("position: 7, salience: 0.7", "position: 7, salience: .inf")),
        r"inf\.yaml:\d+: stances\[9\]\.salience: inf is not a finite number",
    )
    cases["text_in_number"] = (
        _write(tmp_path, "tn.csv", _good_csv().replace(",0.16,", ",lots,", 1)),
        r"tn\.csv:\d+: actors\[\d\]\.capability: 'lots' is not a number",
    )
    cases["non_utf8"] = (
        _write(tmp_path, "latin.yaml", y.replace("Greece", "Gr\u00e8ce").encode("latin-1")),
        r"latin\.yaml:\d+: encoding: byte 0xe8 at offset \d+ is not valid UTF-8",
    )
    cases["truncated"] = (
        _write(tmp_path, "trunc.yaml", y[: y.index("actor: greece") + 30]),
        r"trunc\.yaml:\d+: YAML: .*truncated",
    )
    bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    cases["alias_bomb"] = (
        _write(tmp_path, "bomb.yaml", bomb),
        r"bomb\.yaml: YAML: aliases expand to more than",
    )
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:  # 50 MB, sparse-ish: written in one seek
        fh.seek(50 * 1024 * 1024 - 1)
        fh.write(b"\n")
    cases["50MB"] = (big, r"big\.yaml: file is too large \(52\.4 MB; expected at most 10\.0 MB\)")
    return cases


BAD = [
    "missing",
    "empty",
    "directory",
    "delimiter",
    "unknown_actor",
    "unknown_issue",
    "duplicate_actor",
    "position_outside",
    "salience_negative",
    "salience_above",
    "nan",
    "inf",
    "text_in_number",
    "non_utf8",
    "truncated",
    "alias_bomb",
    "50MB",
]


@pytest.mark.parametrize("case", BAD)
def test_bad_input_api(tmp_path: Path, case: str) -> None:
    path, pattern = _bad_cases(tmp_path)[case]
    t0 = time.perf_counter()
    with pytest.raises(InputFileError) as ei:
        read_scenario(path)
    # refused up front, not after parsing 50 MB or expanding an alias bomb (that takes minutes); the
    # limit is loose so a loaded CI machine does not fail it (an idle one needs well under 1 s)
    assert time.perf_counter() - t0 < 10.0
    msg = str(ei.value)
    assert "\n" not in msg and all("\n" not in p for p in ei.value.problems)
    import re

    assert re.search(pattern, msg), msg


def test_alias_bomb_is_refused_by_the_loader_not_by_luck() -> None:
    from detente.io.files import load_yaml

    small = "base: &b {x: 1}\nuse: [*b, *b]\n"
    data, lines = load_yaml(small)
    assert data["use"][1] == {"x": 1} and lines[("use",)] == 2
    bomb = (
        "a: &a ["
        + ", ".join(["x"] * 50)
        + "]\n"
        + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 50)}]\n" for p, c in zip("abcd", "bcde", strict=True))
    )
    with pytest.raises(InputFileError, match="alias bombs are refused"):
        load_yaml(bomb, "b.yaml")
    assert yaml.safe_load(small)  # sanity: same text is plain YAML


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    p = _write(tmp_path, "rec.yaml", _good_yaml() + "dynamics: &d {self: *d}\n")
    with pytest.raises(
        InputFileError, match=r"rec\.yaml:\d+: YAML: an alias refers to a node that contains it"
    ):
        read_scenario(p)


def test_dynamics_must_be_plain_data(tmp_path: Path) -> None:
    p = _write(
        tmp_path, "dyn.yaml", _good_yaml() + "dynamics: {when: 2025-06-15, tags: !!set {a: null}, x: .inf}\n"
    )
    with pytest.raises(InputFileError) as ei:
        read_scenario(p)
    assert [q.split(": ", 1)[1] for q in ei.value.problems] == [
        "dynamics.tags: a value of type set (expected text, numbers, lists or mappings)",
        "dynamics.x: inf is not a finite number (expected a finite number)",
    ]
    ok = _write(tmp_path, "ok.yaml", _good_yaml() + "dynamics: {when: 2025-06-15, rounds: [1, 2]}\n")
    sc = read_scenario(ok)
    assert dict(sc.dynamics) == {"when": "2025-06-15", "rounds": [1, 2]}
    assert read_scenario(write_scenario(sc, tmp_path / "o.json")) == sc


def test_json_errors(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "l.json",
        scenario_to_text(load_builtin("emission-standards-1994"), "json").replace(
            '"salience": 0.4', '"salience": 4'
        ),
    )
    with pytest.raises(InputFileError) as ei:
        read_scenario(p)
    (prob,) = ei.value.problems
    line = int(prob.split(":")[1])
    assert '"salience": 4' in p.read_text(encoding="utf-8").splitlines()[line - 1]
    assert prob.endswith("stances[1].salience: 4 is above range (expected 0 to 1)")
    p = _write(tmp_path, "s.json", '{"id": "x", "actors": [\n')
    with pytest.raises(InputFileError, match=r"s\.json:2: JSON: "):
        read_scenario(p)
    p = _write(
        tmp_path,
        "n.json",
        '{"id": "x", "actors": [{"id": "a"}], "issues": [{"id": "i"}],\n'
        '"stances": [{"actor": "a", "issue": "i", "position": NaN, "salience": 0.5}]}\n',
    )
    with pytest.raises(
        InputFileError, match=r"n\.json:2: stances\[0\]\.position: nan is not a finite number"
    ):
        read_scenario(p)


def test_csv_inconsistent_actor_columns(tmp_path: Path) -> None:
    two = "actor,issue,position,salience,actor_capability\na,x,1,0.5,1\na,y,2,0.5,2\n"
    p = _write(tmp_path, "two.csv", two)
    with pytest.raises(
        InputFileError,
        match=r"two\.csv:3: actor_capability: '2' differs from '1' given for actor 'a' on line 2",
    ):
        read_scenario(p)


def test_size_limit_is_a_parameter(tmp_path: Path) -> None:
    p = _write(tmp_path, "s.yaml", _good_yaml())
    with pytest.raises(InputFileError, match="file is too large"):
        read_scenario(p, max_bytes=100)
    assert read_scenario(p, max_bytes=10**6).id == "emission-standards-1994"


def test_xlsx_bad_cells_and_bad_workbooks(tmp_path: Path, data_dir: Path) -> None:
    import openpyxl

    p = write_scenario(load_builtin("emission-standards-1994"), tmp_path / "e.xlsx")
    wb = openpyxl.load_workbook(p)
    ws = wb["stances"]
    header = [c.value for c in ws[1]]
    ws.cell(row=4, column=header.index("salience") + 1, value="high")
    wb.save(p)
    with pytest.raises(
        InputFileError, match=r"e\.xlsx\[stances\]:4: stances\[2\]\.salience: 'high' is not a number"
    ):
        read_scenario(p)
    fake = _write(tmp_path, "fake.xlsx", b"PK\x03\x04 not really a zip file")
    with pytest.raises(InputFileError, match=r"fake\.xlsx: not an Excel workbook \(\.xlsx\): "):
        read_scenario(fake)
    with pytest.raises(
        InputFileError, match=r"SOE-data-from-paper\.xlsx\[SOE-data-v2\]:1: header: missing columns"
    ):
        read_scenario(data_dir / "ktab/SOE-data-from-paper.xlsx")


# ---------------------------------------------------------------- file mode of written files (issue #12)


@pytest.mark.parametrize(
    ("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)], ids=["022", "077", "002"]
)
def test_write_gives_the_normal_mode_for_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    import os
    import stat

    sc = load_builtin("emission-standards-1994")
    old = os.umask(umask)
    try:
        for ext in ("yaml", "csv", "xlsx"):
            out = write_scenario(sc, tmp_path / f"new.{ext}")
            assert stat.S_IMODE(out.stat().st_mode) == mode, ext  # mkstemp alone gives 0600
    finally:
        os.umask(old)


def test_write_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    import os
    import stat

    target = tmp_path / "shared.yaml"
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o640)
    write_scenario(load_builtin("emission-standards-1994"), target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_write_atomic_is_the_one_writer_of_scenarios_and_command_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One home for atomic writes of the files users name (io.paths.write_atomic): the CLI's writer
    keeps the replaced file's mode too, and an error leaves the old file and no temporary."""
    import os
    import stat

    from detente.cli import common
    from detente.io import paths

    report = tmp_path / "report.html"
    report.write_text("old", encoding="utf-8")
    os.chmod(report, 0o640)
    common.write_bytes_atomic(report, b"new")
    assert report.read_bytes() == b"new" and stat.S_IMODE(report.stat().st_mode) == 0o640

    def broken_replace(src: str, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(paths.os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space"):
        paths.write_atomic(report, b"lost")
    assert report.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]  # no temporary left


# ---------------------------------------------------------------- values off the declared scale (issue #12)


def test_uncertainty_range_must_lie_on_the_issue_scale(tmp_path: Path) -> None:
    y = tmp_path / "band.yaml"
    y.write_text(
        "actors: [{id: a}, {id: b}]\nissues: [{id: x, scale: {low: 0, high: 10}}]\nstances:\n"
        "  - {actor: a, issue: x, position: 5, salience: 0.5, low: 0, high: 10}\n"
        "  - {actor: b, issue: x, position: 5, salience: 0.5, low: -3, high: 30}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as ei:
        read_scenario(y)
    assert ei.value.problems == [
        f"{y}:5: stances[1].low: -3 is outside the scale of issue 'x' (expected 0 to 10)",
        f"{y}:5: stances[1].high: 30 is outside the scale of issue 'x' (expected 0 to 10)",
    ]
    c = tmp_path / "band.csv"
    c.write_text(
        "actor,issue,scale_low,scale_high,position,salience,low,high\n"
        "a,x,0,10,5,0.5,4,6\nb,x,0,10,5,0.5,4,12\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as ei:
        read_scenario(c)
    assert ei.value.problems == [
        f"{c}:3: stances[1].high: 12 is outside the scale of issue 'x' (expected 0 to 10)"
    ]
    j = tmp_path / "band.json"
    j.write_text(
        '{"actors": [{"id": "a"}], "issues": [{"id": "x", "scale": {"low": 0, "high": 10}}],\n'
        ' "stances": [\n  {"actor": "a", "issue": "x", "position": 5, "salience": 0.5, "low": -1, "high": 6}]}\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as ei:
        read_scenario(j)
    assert ei.value.problems == [
        f"{j}:3: stances[0].low: -1 is outside the scale of issue 'x' (expected 0 to 10)"
    ]
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "stances"
    ws.append(["actor", "issue", "scale_low", "scale_high", "position", "salience", "low", "high"])
    ws.append(["a", "x", 0, 10, 5, 0.5, 4, 6])
    ws.append(["b", "x", 0, 10, 5, 0.5, -2, 6])
    x = tmp_path / "band.xlsx"
    wb.save(x)
    with pytest.raises(ScenarioError) as ei:
        read_scenario(x)
    assert ei.value.problems == [
        f"{x}[stances]:3: stances[1].low: -2 is outside the scale of issue 'x' (expected 0 to 10)"
    ]


# ---------------------------------------------------------------- audit: bad input never crashes


def _one_line_cli(cli: Any, *args: str) -> str:
    """Run the CLI; it must fail with exit 2 and one line, no traceback; return that line."""
    r = cli(*args)
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.output, r.output
    return lines[0]


def test_integer_too_large_for_a_float_is_named(tmp_path: Path, cli: Any) -> None:
    huge = "9" * 400
    y = _write(tmp_path, "big.yaml", _good_yaml().replace("capability: 0.16", f"capability: {huge}", 1))
    assert f"capability: {huge}" in y.read_text(encoding="utf-8")
    with pytest.raises(InputFileError) as ei:
        read_scenario(y)
    (prob,) = ei.value.problems
    assert re.fullmatch(
        rf"{re.escape(str(y))}:\d+: actors\[\d+\]\.capability: an integer of 400 digits is too large "
        r"\(expected a finite number, 0 to 1e\+15\)",
        prob,
    ), prob
    assert "expected a finite number" in _one_line_cli(cli, "validate", str(y))
    text = scenario_to_text(load_builtin("emission-standards-1994"), "json")
    j = _write(tmp_path, "big.json", text.replace('"position": 7,', f'"position": -{huge},', 1))
    with pytest.raises(
        InputFileError, match=r"big\.json:\d+: stances\[\d+\]\.position: an integer of 400 digits"
    ):
        read_scenario(j)
    # beyond int()'s 4300-digit limit: still one line naming the file, line or field
    y5 = _write(
        tmp_path, "big5.yaml", _good_yaml().replace("capability: 0.16", f"capability: {'9' * 5000}", 1)
    )
    with pytest.raises(InputFileError, match=r"big5\.yaml:\d+: an integer of 5000 digits is too large"):
        read_scenario(y5)
    j5 = _write(tmp_path, "big5.json", text.replace('"position": 7,', f'"position": {"9" * 5000},', 1))
    with pytest.raises(
        InputFileError, match=r"big5\.json: stances\[\d+\]\.position: inf is not a finite number"
    ):
        read_scenario(j5)


def test_yaml_duplicate_keys_are_refused(tmp_path: Path, cli: Any) -> None:
    y = _good_yaml()
    first = y.splitlines().index("stances:") + 1
    two = _write(
        tmp_path, "two.yaml", y + "stances:\n  - {actor: uk, issue: emission, position: 5, salience: 0.5}\n"
    )
    last = len(two.read_text(encoding="utf-8").splitlines()) - 1
    msg = f"{two}:{last}: duplicate key 'stances' (first on line {first}; expected each key once per mapping)"
    with pytest.raises(InputFileError) as ei:
        read_scenario(two)
    assert str(ei.value) == msg
    assert _one_line_cli(cli, "validate", str(two)).endswith(msg)
    k = next(n for n, ln in enumerate(y.splitlines()) if "actor: greece" in ln)
    rep = _write(
        tmp_path,
        "rep.yaml",
        y.replace("position: 7, salience: 0.7", "position: 7, salience: 0.7, position: 9"),
    )
    with pytest.raises(
        InputFileError, match=rf"rep\.yaml:{k + 1}: duplicate key 'position' \(first on line {k + 1}"
    ):
        read_scenario(rep)
    block = _write(
        tmp_path,
        "block.yaml",
        "actors: [{id: a}]\nissues: [{id: x}]\nstances:\n  - actor: a\n    issue: x\n    position: 10\n"
        "    salience: 0.5\n    position: 90\n",
    )
    with pytest.raises(InputFileError, match=r"block\.yaml:8: duplicate key 'position' \(first on line 6;"):
        read_scenario(block)
    # a << merge may still be overridden (YAML's own rule), and the alias-bomb check still runs first
    from detente.io.files import load_yaml

    data, _ = load_yaml("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  x: 3\n")
    assert data["use"] == {"x": 3, "y": 2}
    # JSON objects too (the YAML loader names the line of the repeat)
    j = _write(tmp_path, "dup.json", '{"actors": [{"id": "a"}],\n "issues": [{"id": "x"}],\n "actors": []}\n')
    with pytest.raises(InputFileError, match=r"dup\.json:3: duplicate key 'actors' \(first on line 1;"):
        read_scenario(j)


def test_every_yaml_load_goes_through_the_project_loader() -> None:
    """No module loads YAML with PyYAML's own loaders (they keep the last of repeated keys)."""
    src = Path(__file__).resolve().parents[2] / "src" / "detente"
    offenders = []
    for p in src.rglob("*.py"):
        text = p.read_text(encoding="utf-8")
        for bad in (
            "yaml.safe_load(",
            "yaml.load(",
            "yaml.full_load(",
            "yaml.unsafe_load(",
            "yaml.load_all(",
        ):
            for m in re.finditer(re.escape(bad), text):
                call = text[m.start() : text.find("\n", m.start())]
                if "Loader=SafeLoader" not in call:
                    offenders.append(f"{p.relative_to(src)}: {call.strip()}")
    assert offenders == []
    from detente.io.draft.tables import packaged_templates

    assert packaged_templates()  # the packaged issues.yaml loads through load_yaml


@pytest.mark.parametrize(("col", "other"), [("actor", "issue"), ("issue", "actor")])
def test_csv_stance_row_with_an_empty_actor_or_issue_is_an_error(
    tmp_path: Path, cli: Any, col: str, other: str
) -> None:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(_good_csv())))
    k = rows[0].index(col)
    rows[2][k] = ""  # file line 3
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    p = _write(tmp_path, "hole.csv", buf.getvalue())
    with pytest.raises(InputFileError) as ei:
        read_scenario(p)
    assert str(ei.value) == (
        f"{p}:3: {col}: is empty (expected an {col} id: the row gives a stance's position, salience, quote, ...)"
    )
    out = tmp_path / "out.yaml"
    assert col in _one_line_cli(cli, "convert", str(p), str(out)) and not out.exists()
    # declaration rows (only an actor's or only an issue's columns) stay valid
    decl = "actor,issue,actor_name,issue_name,position,salience\na,,Ann,,,\n,x,,Ex,,\na,x,,,5,0.5\n"
    sc = read_scenario(_write(tmp_path, "decl.csv", decl))
    assert sc.actors[0].name == "Ann" and sc.issues[0].name == "Ex" and len(sc.stances) == 1


def test_xlsx_that_is_not_a_workbook_says_why(tmp_path: Path, cli: Any) -> None:
    import zipfile

    cases: dict[str, tuple[bytes | None, str]] = {
        "text.xlsx": (b"not a zip at all", "a text file, not a zip archive"),
        "fake.xlsx": (
            b"PK\x03\x04 not really a zip file",
            "not a zip archive, or a damaged or truncated one",
        ),
        "old.xlsx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "an old-style Excel .xls file"),
        "noxl.xlsx": (None, "a zip archive without the parts of a workbook"),
    }
    for name, (data, why) in cases.items():
        p = tmp_path / name
        if data is None:
            with zipfile.ZipFile(p, "w") as z:
                z.writestr("hello.txt", "hi")
        else:
            p.write_bytes(data)
        with pytest.raises(InputFileError) as ei:
            read_scenario(p)
        msg = str(ei.value)
        assert msg.startswith(f"{p}: not an Excel workbook (.xlsx): {why}"), msg
        assert "Error" not in msg and "Exception" not in msg and "BadZip" not in msg
        assert _one_line_cli(cli, "validate", str(p)).endswith(msg)


def test_xlsx_boolean_cell_in_a_number_column(tmp_path: Path) -> None:
    import openpyxl

    p = write_scenario(load_builtin("emission-standards-1994"), tmp_path / "b.xlsx")
    wb = openpyxl.load_workbook(p)
    ws = wb["stances"]
    header = [c.value for c in ws[1]]
    ws.cell(row=4, column=header.index("salience") + 1, value=True)
    wb.save(p)
    with pytest.raises(
        InputFileError, match=r"b\.xlsx\[stances\]:4: stances\[2\]\.salience: 'true' is not a number"
    ):
        read_scenario(p)


def test_xlsx_scenario_sheet_refuses_an_unknown_key(tmp_path: Path) -> None:
    """QA audit: a misspelt key in the workbook's scenario sheet ('as of' for 'as_of') was dropped."""
    import openpyxl

    from detente.io.builtin import load_builtin

    p = tmp_path / "s.xlsx"
    write_scenario(load_builtin("emission-standards-1994"), p)
    wb = openpyxl.load_workbook(p)
    wb["scenario"].append(["as of", "1994"])
    wb.save(p)
    with pytest.raises(
        InputFileError,
        match=r"\[scenario\]:\d+: key 'as of' is not a scenario field \(did you mean 'as_of'\?",
    ):
        read_scenario(p)
