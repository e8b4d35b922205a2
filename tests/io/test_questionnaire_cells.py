"""Questionnaire cells (io/questionnaire.py): a value that is no number is named as the user sees it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from detente.errors import InputFileError
from detente.io.builtin import load_builtin
from detente.io.questionnaire import questionnaire_xlsx, read_questionnaire


def _questionnaire_with(tmp_path: Path, column: str, value: object) -> tuple[Any, Path, str]:
    """An exported emission-standards questionnaire with ``value`` in ``column`` of its row 3."""
    openpyxl = pytest.importorskip("openpyxl")
    sc = load_builtin("emission-standards-1994")
    p = tmp_path / "q.xlsx"
    p.write_bytes(questionnaire_xlsx(sc, "emission-standards-1994", "ana"))
    wb = openpyxl.load_workbook(p)
    ws = wb["questionnaire"]
    col = next(c.column_letter for c in ws[1] if c.value == column)
    ws[f"{col}3"] = value
    wb.save(p)
    return sc, p, col


@pytest.mark.parametrize(("value", "shown"), [(True, "TRUE"), (False, "FALSE")])
def test_xlsx_boolean_in_a_number_cell_is_not_a_number(tmp_path: Path, value: bool, shown: str) -> None:
    sc, p, col = _questionnaire_with(tmp_path, "salience", value)
    with pytest.raises(InputFileError) as ei:
        read_questionnaire(p, sc)
    assert (
        str(ei.value)
        == f"{p}: sheet questionnaire, cell {col}3: salience: {shown} is not a number (expected 0 to 1)"
    )


def test_non_finite_and_huge_numbers_are_named(tmp_path: Path) -> None:
    from detente.io.questionnaire import _number

    with pytest.raises(
        InputFileError, match=r"^here: salience: nan is not a finite number \(expected 0 to 1\)$"
    ):
        _number("nan", "here", "salience", 0.0, 1.0)
    with pytest.raises(
        InputFileError,
        match=r"^here: capability: an integer of 401 digits is too large \(expected a finite number, a number >= 0\)$",
    ):
        _number(10**400, "here", "capability", 0.0, None)


def test_a_formula_without_a_saved_value_is_named_not_dropped(tmp_path: Path) -> None:
    """QA audit: a questionnaire cell holding a formula that no program computed (no cached value)
    read as empty, so the expert's answer was dropped with exit 0. Now its text is named, with what to
    do; a formula with a saved value reads as that value (openpyxl writes formulas without one)."""
    sc, p, col = _questionnaire_with(tmp_path, "position", "=5*2")
    with pytest.raises(InputFileError) as ei:
        read_questionnaire(p, sc)
    assert str(ei.value) == (
        f"{p}: sheet questionnaire, cell {col}3: position: '=5*2' is not a number (expected 4 to 10; "
        "a formula without a saved value: open the file in Excel or LibreOffice and save it)"
    )


def test_a_scenario_workbook_names_a_formula_without_a_saved_value(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from detente.io.files import read_scenario, write_scenario

    p = tmp_path / "s.xlsx"
    write_scenario(load_builtin("emission-standards-1994"), p)
    wb = openpyxl.load_workbook(p)
    ws = wb["stances"]
    col = next(c.column_letter for c in ws[1] if c.value == "position")
    ws[f"{col}2"] = "=A1+5"
    wb.save(p)
    with pytest.raises(
        InputFileError,
        match=r"stances\[0\]\.position: '=A1\+5' is not a number .*a formula without a saved value",
    ):
        read_scenario(p)
