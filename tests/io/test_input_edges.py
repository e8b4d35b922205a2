"""Bad scenario files a user meets in practice (QA pass on the input formats): each gives one line that
names the file, the line and the field and says what was expected, and nothing is read silently wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.errors import InputFileError
from detente.io.files import read_scenario

HEADER = "actor,issue,position,salience"


def _error(path: Path) -> str:
    with pytest.raises(InputFileError) as ei:
        read_scenario(path)
    msg = str(ei.value)
    assert "\n" not in msg and msg.startswith(str(path)), msg
    return msg


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# ---------------------------------------------------------------- native long CSV


def test_csv_truncated_row_is_refused_not_read_as_empty_cells(tmp_path: Path) -> None:
    # the last line lost its salience cell: it used to read as a row whose later cells are empty
    p = _write(tmp_path, "s.csv", f"{HEADER},quote\na,x,1,0.5,said so\nb,x,3,0.5\n")
    assert _error(p) == (f"{p}:3: row: 4 fields (expected 5 as in the header; the line may be truncated)")


def test_csv_trailing_empty_header_cells_do_not_require_more_fields(tmp_path: Path) -> None:
    p = _write(tmp_path, "s.csv", f"{HEADER},\na,x,1,0.5\nb,x,3,0.5\n")
    assert len(read_scenario(p).stances) == 2


def test_csv_value_under_an_empty_header_cell_is_not_dropped(tmp_path: Path) -> None:
    p = _write(tmp_path, "s.csv", "actor,issue,,position,salience\na,x,zz,1,0.5\nb,x,,3,0.5\n")
    msg = _error(p)
    assert msg.startswith(f"{p}:2: column 3: 'zz' is in a column whose header cell is empty"), msg
    assert "(expected a column name in the header row" in msg


def test_csv_repeated_column_is_refused(tmp_path: Path) -> None:
    # the second 'position' column used to replace the first one's values silently
    p = _write(tmp_path, "s.csv", f"{HEADER},position\na,x,1,0.5,7\nb,x,3,0.5,8\n")
    assert _error(p) == (
        f"{p}:1: header: column 'position' appears 2 times (columns 3, 5; expected each column once)"
    )


def test_csv_unclosed_quote_names_its_line(tmp_path: Path) -> None:
    # the quote swallowed the rest of the file into one cell: "issues: is empty" named no line
    p = _write(tmp_path, "s.csv", f'{HEADER}\na,x,1,0.5\n"b,x,3,0.5\nc,x,4,0.5\n')
    assert _error(p) == (
        f'{p}:3: CSV: a " opened in this record is never closed (expected a closing " before the end '
        "of the file)"
    )


def test_csv_line_numbers_count_lines_of_multi_line_cells(tmp_path: Path) -> None:
    text = f'{HEADER},actor_description\na,x,1,0.5,"line one\nline two\nline three"\nb,x,3,zz,\n'
    p = _write(tmp_path, "s.csv", text)
    assert _error(p).startswith(f"{p}:5: stances[1].salience: 'zz' is not a number")


def test_csv_only_a_header_says_there_are_no_rows(tmp_path: Path) -> None:
    p = _write(tmp_path, "s.csv", HEADER + "\n")
    assert _error(p) == (
        f"{p}: rows: no rows after the header (expected one row per stance: actor, issue, position, salience)"
    )


def test_csv_missing_salience_is_named_as_a_long_table_column(tmp_path: Path) -> None:
    # actor and issue columns make it the native long table, not a Bueno de Mesquita table
    p = _write(tmp_path, "s.csv", "actor,issue,position\na,x,1\n")
    msg = _error(p)
    assert msg.startswith(f"{p}:1: header: missing column salience (expected at least actor, issue"), msg


def test_xlsx_value_beyond_the_header_is_not_dropped(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "stances"
    for row in (HEADER.split(","), ["a", "x", 2, 0.5, None, "stray"], ["b", "x", 3, 0.5]):
        ws.append(row)
    p = tmp_path / "s.xlsx"
    wb.save(p)
    msg = _error(p)
    assert msg.startswith(f"{p}[stances]:2: column 6: 'stray' is in a column whose header cell is empty")


def test_xlsx_with_another_extension_is_read_by_content(tmp_path: Path) -> None:
    # it used to say "not an Excel workbook (.xlsx): the name ends in '.csv'" about a workbook
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "stances"
    for row in (HEADER.split(","), ["a", "x", 2, 0.5], ["b", "x", "=C2*2", 0.5]):
        ws.append(row)
    p = tmp_path / "s.csv"
    wb.save(p)
    msg = _error(p)  # the formula has no saved value: the usual message, not a wrong-format one
    assert msg.startswith(f"{p}[stances]:3: stances[1].position: '=C2*2' is not a number"), msg


# ---------------------------------------------------------------- encodings, YAML


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_utf16_and_utf32_files_are_named_as_such(tmp_path: Path, encoding: str) -> None:
    p = tmp_path / "s.yaml"
    p.write_text("id: t\nactors: []\n", encoding=encoding)  # Python writes the byte-order mark
    enc = encoding.upper()
    assert _error(p) == (
        f"{p}:1: encoding: the file is {enc} (it starts with a {enc} byte-order mark; expected a UTF-8 "
        "text file: re-save it as UTF-8)"
    )


def test_yaml_tab_indentation_is_named(tmp_path: Path) -> None:
    p = _write(tmp_path, "s.yaml", "id: t\nactors:\n\t- {id: a}\n")
    assert _error(p) == (
        f"{p}:3: YAML: a tab character at column 1 (expected spaces: YAML indents with spaces, never tabs)"
    )


# ---------------------------------------------------------------- third-party formats


def test_bdm_extra_field_is_refused(tmp_path: Path) -> None:
    p = _write(tmp_path, "s.csv", "Actor,Capability,Position,Salience\na,1,10,0.5,7\nb,2,90,0.8\n")
    assert _error(p) == f"{p}:2: row: 5 fields (expected 4 as in the header)"


def test_ktab_csv_duplicate_actor_names_its_line(tmp_path: Path) -> None:
    text = "T,,2,1\nActor,Description,Influence,x Position,x Salience\na,a,1,20,50\na,a,2,80,50\n"
    p = _write(tmp_path, "s.csv", text)
    assert _error(p) == f"{p}:4: Actor: duplicate actor 'a' (expected unique names; first on line 3)"


def test_ktab_xml_duplicate_actor_names_its_line(data_dir: Path, tmp_path: Path) -> None:
    t = (data_dir / "ktab/smpExample.xml").read_text(encoding="utf-8")
    i, j = t.index("<Actor>"), t.index("</Actor>") + len("</Actor>")
    p = _write(tmp_path, "s.xml", t[:j] + t[i:j] + t[j:])
    msg = _error(p)
    assert msg.startswith(f"{p}:") and "Actors.Actor[1].name: duplicate actor 'Alice'" in msg, msg
    assert msg.endswith("(expected unique names; first at Actors.Actor[0])")


DECIDE = "#O;T;;;;\n#A;a;a;;;\n#A;b;b;;;\n#P;x;x;;;\n#M;x;0;;;\n#M;x;10;;;\n#D;a;x;2;0.5;1\n#D;b;x;8;0.5;2\n"


def test_decide_duplicate_actor_and_row_name_their_lines(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.csv", DECIDE.replace("#A;b;b;;;", "#A;a;b;;;"))
    assert _error(p).startswith(
        f"{p}:3: #A actor id: duplicate actor 'a' (expected unique ids; first on line 2)"
    )
    p = _write(tmp_path, "d.csv", DECIDE + "#D;b;x;8;0.5;2\n")
    assert _error(p) == (
        f"{p}:9: #D b/x: duplicate row for this actor and issue (expected one; first on line 8)"
    )


def test_unreadable_file_is_named_as_the_input(tmp_path: Path, refuse_open) -> None:
    # root reads any file, so refuse the open itself
    p = _write(tmp_path, "s.yaml", "id: t\n")
    refuse_open(p)
    assert _error(p) == f"{p}: cannot read file (Permission denied)"
