"""``detente levers --target``: a target the forecast cannot reach by construction (outside the issue's
scale) or that is not a target is one line naming --target, exit 2, nothing on stdout; a target no
single change reaches prints no empty table; the actors nothing moves share one line per set of
inputs (one line each wrapped six times at 80 columns)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "target,line",
    [
        (
            ">=1e9",
            "error: --target '>=1e9': 1e+09 is outside the scale of issue 'us_sanctions' (expected 0 to 100)",
        ),
        (
            "<=-5",
            "error: --target '<=-5': -5 is outside the scale of issue 'us_sanctions' (expected 0 to 100)",
        ),
        ("60", "error: --target '60': expected '>=VALUE' or '<=VALUE' with a number, e.g. '>=60'"),
    ],
)
def test_bad_target_is_one_line(cli, target: str, line: str) -> None:
    r = cli("levers", "--issue", "us_sanctions", "--target", target)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr.strip() == line


def test_unreachable_target_prints_no_empty_table(cli) -> None:
    r = cli("levers", "--issue", "us_sanctions", "--target", ">=100")
    assert r.exit_code == 0, r.output
    assert "What would it take" not in r.stdout and "┏" not in r.stdout
    assert "Nothing within the scale reaches >= 100" in " ".join(r.stdout.split())


def test_blocked_actors_share_a_line_and_fit_80_columns(cli, monkeypatch) -> None:
    from detente.cli import common

    monkeypatch.setattr(common.console, "_width", 80)
    r = cli("levers", "--issue", "line_of_separation", "--target", ">=60")
    assert r.exit_code == 0, r.output
    out = " ".join(r.stdout.split())
    assert (
        "No change of the position or salience alone (within its range) of Ukraine, United States, "
        "European Union, United Kingdom, France or Germany reaches >= 60." in out
    )
    assert (
        "No change of Türkiye's position, salience or capability alone (within its range) reaches >= 60."
        in out
    )
    assert max(len(x) for x in r.stdout.splitlines()) <= 80
