"""``detente explain --set``: a parameter the model does not have is refused (it was silently ignored,
so a typo such as ``--set round=3`` told the story of the default 10 rounds)."""

from __future__ import annotations


def test_unknown_parameter_is_one_line_and_exit_2(cli) -> None:
    r = cli("explain", "emission-standards-1994", "--actor", "belgium", "--set", "round=3")
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr.strip() == "error: --set round: no model among eum has this parameter"


def test_known_parameter_still_applies(cli) -> None:
    r = cli("explain", "emission-standards-1994", "--actor", "belgium", "--set", "rounds=3")
    assert r.exit_code == 0, r.output
    assert "rounds=3" in r.stdout and "After 3 rounds" in " ".join(r.stdout.split())
