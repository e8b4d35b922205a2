"""`detente forecast`'s table has no interval column; it says where the intervals are whenever
--calibration (default: the shipped error models) or --draws gives them (QA), and not otherwise."""

from __future__ import annotations


def test_table_points_to_the_intervals(cli) -> None:
    r = cli("forecast", "emission-standards-1994", "-m", "compromise")
    assert r.exit_code == 0, r.output
    flat = " ".join(r.stdout.split())
    assert "50/80/90 % intervals" in flat and "--format json" in flat and "--draws" not in flat
    r = cli("forecast", "emission-standards-1994", "-m", "compromise", "--draws", "20")
    assert "input uncertainty from --draws" in " ".join(r.stdout.split())


def test_no_pointer_without_any_interval(cli) -> None:
    r = cli("forecast", "emission-standards-1994", "-m", "compromise", "--calibration", "none")
    assert r.exit_code == 0, r.output
    assert "How sure" not in r.stdout
