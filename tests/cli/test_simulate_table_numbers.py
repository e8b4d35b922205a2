"""``detente simulate``'s table: every cell a number or a word the reader can use, and the same
number as the JSON and the report show."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize("preset", ["rubinstein", "fearon"])
def test_reference_mode_terms_have_no_nan_rows(cli, preset: str) -> None:
    """The reference modes bargain over the land alone; the other terms were rows of 'nan: 100.0%'."""
    r = cli("simulate", "--preset", preset, "--draws", "50")
    assert r.exit_code == 0, r.output
    assert "nan" not in r.stdout
    assert "land under Russia" in r.stdout and "buffer zone" not in r.stdout


def test_rubinstein_share_as_in_the_json(cli) -> None:
    args = ("simulate", "--preset", "rubinstein", "--draws", "50")
    share = json.loads(cli(*args, "--format", "json").stdout)["first_mover_share"]
    table = cli(*args).stdout
    assert f"{share:g}" in table
    assert f"{share:.6f}" not in table  # 0.714280: a sixth digit the JSON does not have (5/7 = 0.714286)


def test_months_until_breakdown_as_the_report_rounds_it(cli) -> None:
    """The report's what-if table shows the median months to breakdown with one decimal (1.0); the
    table showed 0.96 for the same run."""
    doc = json.loads(cli("simulate", "--format", "json").stdout)
    median = doc["outcomes"]["ceasefires"]["duration_broken_months"]["median"]
    line = next(x for x in cli("simulate").stdout.splitlines() if "median months until breakdown" in x)
    assert f"{median:.1f}" in line and f"{median:.2f}" not in line
