"""What the rules change on ukraine-2025, the features for the error model, and pivot moves."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from detente.analysis.rule_effects import pivot_moves, rule_effects, rule_features
from detente.core.arrays import to_arrays
from detente.io.builtin import load_builtin

UK = load_builtin("ukraine-2025")


def test_consensus_bounds_the_communique() -> None:
    eff = {e.issue: e for e in rule_effects(UK)}
    c = eff["communique_language"]
    assert c.declared and "consensus" in c.rule and c.compromise > c.high
    assert c.constrained == pytest.approx(c.high) and c.binding == "united_states"
    assert c.text.startswith("Under consensus") and "can go no further than" in c.text
    assert "NATO decisions are made by consensus" in c.evidence
    assert not eff["security_guarantees"].declared and "simple majority" in eff["security_guarantees"].text


def test_features_shapes_and_codes() -> None:
    f = rule_features(to_arrays(UK))
    assert all(np.shape(v) == (len(UK.issues),) for v in f.values())
    assert f["rule_code"][UK.issue_ids.index("security_guarantees")] == 0
    assert f["compromise_outside"][UK.issue_ids.index("communique_language")] > 0


def test_pivot_moves_name_the_veto_players() -> None:
    moves = pivot_moves(UK, "communique_language", 80)
    assert [m.actor for m in moves] == ["turkey", "united_states"]
    assert all(m.to == pytest.approx(65.0) for m in moves)  # (q + t) / 2 = (50 + 80) / 2
    assert pivot_moves(UK, "communique_language", 50) == ()  # the status quo is always acceptable


def test_run_shows_rule_effects(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from detente.cli.app import app

    res = CliRunner().invoke(
        app, ["run", "ukraine-2025", "--report", str(tmp_path / "r.html")], env={"COLUMNS": "200"}
    )
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())  # the terminal: every binding rule in one bullet
    assert "• Decision rules move the compromise on 4 issues (who holds the line):" in said
    assert "Language on Russia in summit and G7 communiqués 62.7→50 (United States)" in said
    html = (tmp_path / "r.html").read_text(encoding="utf-8")  # the report: one sentence per rule
    assert "What the decision rules change" in html
    assert (
        "Under consensus, Language on Russia in summit and G7 communiqués can go no further than 50" in html
    )


def test_levers_report_the_pivot_that_must_move() -> None:
    from detente.analysis.inverse import what_it_takes
    from detente.models import get_model

    res = what_it_takes(get_model("rule_compromise"), UK, "communique_language", ">=", 75.0, grid=9, refine=1)
    assert [m.actor for m in res.pivot_moves] == ["turkey", "united_states"]
    assert res.pivot_moves[1].move == pytest.approx(27.5)  # from 35 to (50 + 75) / 2
    plain = what_it_takes(get_model("compromise"), UK, "communique_language", ">=", 75.0, grid=9, refine=1)
    assert plain.pivot_moves == ()  # a model that ignores rules reports no pivots


def test_forecast_says_where_it_assumed_a_rule() -> None:
    from detente.cli.app import app

    res = CliRunner().invoke(app, ["forecast", "ukraine-2025", "-m", "procedural"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert (
        "procedural: security_guarantees: no decision rule declared: simple majority of capability assumed"
        in (" ".join(res.output.split()))
    )
