"""`detente sweep`'s table shows the P(≥ threshold) column only when --threshold asks for one (QA: a
column of dashes cut every issue name at 80 columns, "Ceasefi…", "sequenc…")."""

from __future__ import annotations


def test_no_threshold_column_without_threshold_and_names_whole_at_80_columns(cli, monkeypatch) -> None:
    from detente.cli import common

    monkeypatch.setattr(common.console, "_width", 80)
    r = cli("sweep", "ukraine-2025", "-m", "eum", "--draws", "50", "--seed", "7")
    assert r.exit_code == 0, r.output
    assert "P(≥" not in r.stdout
    assert "Ceasefire" in r.stdout and "sequencing" in r.stdout and "…" not in r.stdout
    assert max(len(line) for line in r.stdout.splitlines()) <= 80


def test_threshold_column_with_threshold(cli) -> None:
    r = cli("sweep", "ukraine-2025", "--draws", "50", "--threshold", "us_sanctions=50")
    assert r.exit_code == 0, r.output
    assert "P(≥" in r.stdout and "≥50:" in r.stdout
