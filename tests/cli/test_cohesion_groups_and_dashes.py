"""``detente cohesion``: a group against itself is refused; an unknown name lists the actor ids as
well as the groups (either will do); every "—" in the table is explained."""

from __future__ import annotations


def test_same_group_twice_is_one_line(cli) -> None:
    r = cli("cohesion", "--groups", "us,us")
    assert r.exit_code == 2 and r.stdout == ""
    assert (
        r.stderr.strip() == "error: --groups: expected two different groups or actors A,B, received 'us,us'"
    )


def test_unknown_name_lists_actor_ids(cli) -> None:
    r = cli("cohesion", "cop21-2015", "--groups", "usa,China")
    assert r.exit_code == 2 and r.stdout == ""
    assert "unknown group or actor 'usa' (groups in the scenario: none; actor ids: Africangrp," in r.stderr
    assert "USA" in r.stderr


def test_dashes_are_explained(cli) -> None:
    r = cli("cohesion", "cop21-2015", "--groups", "USA,China")
    assert r.exit_code == 0, r.output
    out = " ".join(r.stdout.split())
    assert "within USA: — (one member), within China: — (one member)" in out
    assert "—: no member of that group has a stance on the issue." in out  # China on ambition 2050


def test_no_dash_note_without_dashes(cli) -> None:
    r = cli("cohesion")
    assert r.exit_code == 0, r.output
    assert "no member of that group has a stance" not in r.stdout
    assert "within european_allies: 0.98" in " ".join(r.stdout.split())
