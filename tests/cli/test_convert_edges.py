"""`detente convert` and `detente validate` at their edges (QA pass): which file a message names when
reading or writing fails, and an existing output file surviving a failed conversion."""

from __future__ import annotations

from pathlib import Path

import pytest

GOOD = (
    "id: t\nactors:\n- {id: a, capability: 1}\n- {id: b, capability: 2}\n"
    "issues:\n- {id: x, scale: {low: 0, high: 10}}\nstances:\n"
    "- {actor: a, issue: x, position: 2, salience: 0.5}\n"
    "- {actor: b, issue: x, position: 8, salience: 0.5}\n"
)


def _one_error_line(r) -> str:  # type: ignore[no-untyped-def]
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.output, r.stderr
    return lines[0]


def test_convert_names_the_output_when_the_format_cannot_hold_the_scenario(cli, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("precious\n", encoding="utf-8")
    r = cli("convert", "ukraine-2025", str(out), "--to", "ktab-csv")
    line = _one_error_line(r)
    assert line.startswith(f"error: {out}: stances: KTAB CSV needs a stance for every actor"), line
    assert "(expected a complete actor-by-issue table" in line
    assert out.read_text(encoding="utf-8") == "precious\n"


def test_convert_unreadable_input_is_not_blamed_on_the_output(cli, tmp_path: Path, refuse_open) -> None:
    # it used to say "error: OUT: [Errno 13] Permission denied: 'IN'" (root reads anything: refuse the open)
    src = tmp_path / "in.yaml"
    src.write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out.json"
    refuse_open(src)
    line = _one_error_line(cli("convert", str(src), str(out)))
    assert line == f"error: {src}: cannot read file (Permission denied)"
    assert not out.exists()


def test_convert_unwritable_folder_says_cannot_write(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # it used to print "[Errno 13] Permission denied: PosixPath('.')"; chmod does not stop root
    import tempfile

    src = tmp_path / "in.yaml"
    src.write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out.yaml"
    out.write_text("precious\n", encoding="utf-8")

    def deny(*a, **k):  # type: ignore[no-untyped-def]
        raise PermissionError(13, "Permission denied", str(tmp_path))

    monkeypatch.setattr(tempfile, "mkstemp", deny)
    line = _one_error_line(cli("convert", str(src), str(out)))
    assert line == (
        f"error: {out}: cannot write (Permission denied; expected a writable folder; nothing was written)"
    )
    assert out.read_text(encoding="utf-8") == "precious\n"


def test_empty_names_say_what_is_empty(cli, tmp_path: Path) -> None:
    src = tmp_path / "in.yaml"
    src.write_text(GOOD, encoding="utf-8")
    line = _one_error_line(cli("convert", str(src), ""))
    assert line == "error: out: the output path is empty (expected a file name such as scenario.yaml)"
    line = _one_error_line(cli("validate", " "))
    assert line == "scenario: the name is empty (expected a built-in name or a scenario file)"
    for cmd in ("forecast", "run", "sweep", "cohesion"):  # every command that takes a scenario
        r = cli(cmd, "")
        assert r.exit_code == 2
        assert (
            _one_error_line(r)
            == "error: scenario: the name is empty (expected a built-in name or a scenario file)"
        )


def test_convert_warns_when_the_name_keeps_the_file_from_being_read_back(cli, tmp_path: Path) -> None:
    src = tmp_path / "in.yaml"
    src.write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out.xlsx"
    r = cli("convert", str(src), str(out), "--to", "csv")
    assert r.exit_code == 0
    assert r.stderr.strip() == (
        f"warning: {out}: written as csv, but its name says otherwise: reading it back needs --from csv "
        "(expected a name ending as the format does)"
    )
    assert (
        cli("convert", str(src), str(tmp_path / "out.json"), "--to", "yaml").stderr == ""
    )  # read by content


def test_text_format_forced_on_a_workbook_says_it_is_a_zip(tmp_path: Path, cli) -> None:
    src = tmp_path / "in.yaml"
    src.write_text(GOOD, encoding="utf-8")
    book = tmp_path / "s.xlsx"
    assert cli("convert", str(src), str(book)).exit_code == 0
    line = _one_error_line(cli("validate", str(book), "--from", "csv"))
    assert line == (
        f"{book}: format: the file is a zip archive such as an .xlsx workbook, not csv text "
        "(expected a text file for this format, or read it as xlsx)"
    )
