"""The JSON outputs: unchanged against the golden files, and valid against the published models.

Golden files (tests/golden/json/, written by ``python tests/io/json_cases.py``) hold every command's
``--format json`` and the web service's JSON results for fixed seeds; parsed JSON must be equal,
floats exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from json_cases import CLI_CASES, WEB_CASES, backtest_output, cli_output, golden, ledger_outputs, web_output


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return ledger_outputs(tmp_path_factory.mktemp("ledger"))


@pytest.fixture(scope="module")
def backtest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return backtest_output(tmp_path_factory.mktemp("backtest"))


@pytest.mark.parametrize("name", list(CLI_CASES))
def test_cli_json_unchanged(name: str) -> None:
    assert cli_output(name) == golden(name)


@pytest.mark.parametrize("name", list(WEB_CASES))
def test_web_json_unchanged(name: str) -> None:
    assert web_output(name) == golden(name)


def test_backtest_json_unchanged(backtest: dict) -> None:
    assert backtest == golden("backtest_subset")


def test_ledger_json_unchanged(ledger: dict) -> None:
    for name, (_kind, doc) in ledger.items():
        assert doc == golden(name), name


def test_golden_files_are_all_used() -> None:
    names = {p.stem for p in (Path(__file__).resolve().parents[1] / "golden" / "json").glob("*.json")}
    used = set(CLI_CASES) | set(WEB_CASES) | {"backtest_subset"} | {n for n in names if n.startswith("ledger_")}
    assert names == used
