"""``detente sensitivity``'s tables at 80 columns: the heading line is whole (as a table title it was
wrapped to the table's width: "…; without" / "each actor"), and a line under the tables names the
model and says what the numbers are."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "method,heading,note",
    [
        (
            "tornado",
            "US sanctions on Russia: forecast 30; inputs that move it most",
            "median model; each input set alone to the 5th and the 95th percentile",
        ),
        (
            "knockout",
            "US sanctions on Russia: forecast 30; without each actor",
            "median model, run again with each actor left out",
        ),
        ("sobol", "US sanctions on Russia: sd of the forecast", "Sobol indices of the median model"),
    ],
)
def test_heading_whole_and_model_named(cli, monkeypatch, method: str, heading: str, note: str) -> None:
    from detente.cli import common

    monkeypatch.setattr(common.console, "_width", 80)
    r = cli(
        "sensitivity",
        "--issue",
        "us_sanctions",
        "--method",
        method,
        "-m",
        "median",
        "--draws",
        "16",
        "--top",
        "3",
    )
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert any(x.startswith(heading) for x in lines), lines[:2]
    assert note in " ".join(r.stdout.split())
    assert max(len(x) for x in lines) <= 80


@pytest.mark.parametrize("method", ["tornado", "knockout"])
def test_draws_given_to_a_method_that_does_not_sample_is_said_to_be_ignored(cli, method: str) -> None:
    """Audit: ``--draws`` changed nothing for tornado and knockout, without a word."""
    r = cli("sensitivity", "--method", method, "-i", "us_sanctions", "-n", "100", "--format", "json")
    assert r.exit_code == 0, r.output
    assert f"warning: --draws is used by --method sobol only; {method} ignores it" in r.stderr
    quiet = cli("sensitivity", "--method", method, "-i", "us_sanctions", "--format", "json")
    assert "warning" not in quiet.stderr
