"""``--issue`` takes an id or a name in every command that has it (explain did, levers and sensitivity
took ids only: audit 2026-12-08); one resolver, ``cli.common.match_ref``."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize(
    "args",
    [
        ("levers", "-t", ">=60", "--format", "json"),
        ("sensitivity", "--method", "knockout", "--format", "json"),
    ],
)
def test_an_issue_name_or_prefix_works_like_its_id(cli, args) -> None:
    by_id = cli(*args, "-i", "us_sanctions")
    assert by_id.exit_code == 0, by_id.output
    for ref in ("US sanctions on Russia", "us sanctions", "sanctions"):
        r = cli(*args, "-i", ref)
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout) == json.loads(by_id.stdout), ref


@pytest.mark.parametrize("command", ["levers", "sensitivity", "explain"])
def test_an_unknown_issue_is_one_line_with_the_ids(cli, command) -> None:
    extra = ("-t", ">=60") if command == "levers" else ("-a", "us") if command == "explain" else ()
    r = cli(command, "-i", "zzz", *extra)
    assert r.exit_code == 2
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert lines == [
        "error: --issue: unknown issue 'zzz' (expected an id or a name: ceasefire_sequencing, "
        "security_guarantees, line_of_separation, us_sanctions, communique_language, humanitarian_exchanges)"
    ], r.stderr
