"""``detente explain`` and the narrative behind it (EUM events -> plain sentences)."""

from __future__ import annotations

import re
import warnings

import numpy as np

from detente.core.results import EventLog
from detente.errors import ConvergenceWarning
from detente.io.builtin import load_builtin
from detente.models import forecast
from detente.models.eum import ExpectedUtility
from detente.report.narrative import actor_story, describe_event


def test_explain_belgium_names_france_and_the_compromise(cli) -> None:
    r = cli("explain", "emission-standards-1994", "--model", "eum", "--actor", "belgium", "--set", "rounds=4")
    assert r.exit_code == 0, r.output
    out = " ".join(r.stdout.split())
    assert "Round 1: Belgium compromised with France, moving from 7 to 8.42" in out
    # the expected utilities of the run log, in words
    assert "-0.115" in out and "+0.243" in out and "47% of the way" in out
    # round 4: the compromise with the Netherlands toward the early end
    assert "Round 4: Belgium compromised with Netherlands, moving from 9.96 to 4.8" in out
    # others' moves caused by Belgium are told too
    assert "Luxembourg lost a confrontation to Belgium" in out
    assert "After 4 rounds Belgium is at 4.8" in out and "status: " in out


def test_explain_actor_by_name_issue_filter_and_stays(cli) -> None:
    r = cli(
        "explain", "emission-standards-1994", "--actor", "Germany", "--issue", "emission", "--set", "rounds=3"
    )
    assert r.exit_code == 0, r.output
    out = " ".join(r.stdout.split())
    assert "Germany starts at 4" in out
    assert re.search(r"Rounds? 1(–3)?: Germany stayed at 4", out)
    assert "It moved in 0 of 3 rounds." in out


def test_explain_errors_are_one_line(cli) -> None:
    r = cli("explain", "emission-standards-1994", "--actor", "atlantis")
    assert (
        r.exit_code == 2 and "--actor" in r.output and "belgium" in r.output and "Traceback" not in r.output
    )
    r = cli("explain", "emission-standards-1994", "--actor", "belgium", "--issue", "tax")
    assert r.exit_code == 2 and "--issue" in r.output
    r = cli("explain", "emission-standards-1994", "--actor", "belgium", "--model", "compromise")
    assert r.exit_code == 2 and "dynamic" in r.output
    r = cli("explain", "emission-standards-1994", "--actor", "belgium", "--set", "q=7")
    assert r.exit_code == 2 and "q" in r.output and "Traceback" not in r.output


def test_explain_ukraine_russia_is_a_story(cli) -> None:
    r = cli("explain", "ukraine-2025", "--model", "eum", "--actor", "russia")
    assert r.exit_code == 0, r.output
    sc = load_builtin("ukraine-2025")
    out = " ".join(r.stdout.split())
    russia = sc.actor("russia").label
    for issue in sc.issues:
        if any(s.actor == "russia" and s.issue == issue.id for s in sc.stances):
            assert f"{russia} on “{issue.name}”" in out
    assert f"{russia} starts at" in out and "weighted median" in out
    assert re.search(r"Rounds? \d+", out)


def test_story_matches_event_log_and_trajectory() -> None:
    sc = load_builtin("emission-standards-1994")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fc = forecast(ExpectedUtility(rounds=10), sc)
    p = fc.prediction
    story = actor_story(
        sc,
        p.events,
        "ireland",
        "emission",
        trajectory=p.trajectory,
        round_stats=p.extras["round_stats"],
        pressure=p.extras["pressure"],
        status=str(p.diagnostics.status[0]),
        forecast=float(fc.outcome[0]),
    )
    moved = [r.round for r in story.rounds if r.moved]
    ev_rounds = sorted({r["round"] for r in p.events.rows() if sc.actor_ids[r["actor"]] == "ireland"})
    assert moved == ev_rounds == list(range(1, 11))
    assert "lost a confrontation to Luxembourg" in story.rounds[0].text()
    assert "oscillating" in story.text() and "range rather than a point" in story.text()


def test_generic_event_kinds_narrate() -> None:
    sc = load_builtin("emission-standards-1994")
    base = {
        "batch": 0,
        "round": 1,
        "actor": 0,
        "counterpart": 4,
        "issue": 0,
        "issue2": -1,
        "before": 0.0,
        "after": 0.5,
        "value": 0.25,
    }
    for kind, word in [
        ("exchange", "traded with"),
        ("bargain", "struck a bargain"),
        ("challenge", "challenged"),
        ("capitulation", "capitulated to"),
        ("confrontation", "lost a confrontation"),
    ]:
        row = {**base, "kind": kind}
        s = describe_event(row, sc, subject=0)
        assert word in s and "Netherlands" in s and "France" in s and "7" in s
        # told from the counterpart's side too
        assert "Netherlands" in describe_event(row, sc, subject=4)
    log = EventLog.from_rows([{**base, "kind": "exchange", "gain": 0.1}])
    story = actor_story(sc, log, "netherlands", "emission", model="exchange", trajectory=np.zeros((2, 10, 1)))
    assert story.rounds[0].moved and "traded with France" in story.text()


def test_perspective_sentences_without_stand_offs() -> None:
    from detente.report.narrative import perspective_sentences

    sc = load_builtin("emission-standards-1994")
    A = len(sc.actors)
    own, rival = np.zeros((A, A, 1)), np.zeros((A, A, 1))
    h = sc.actor_ids.index("france")
    own[h, :, 0] = 0.5  # France gains from challenging anyone
    rival[h, :, 0] = 0.1  # ... more than they gain from challenging France
    out = perspective_sentences(sc, {"own": own, "rival": rival}, "france", "emission")
    assert out and "France expects to come out ahead" in out[0] and "and " in out[0]
    assert not any("stand-off" in s for s in out)


def test_explain_matches_issue_by_substring(cli) -> None:
    r = cli("explain", "ukraine-2025", "--actor", "Russia", "--issue", "sanctions", "--set", "rounds=2")
    assert r.exit_code == 0, r.output
    out = " ".join(r.stdout.split())
    assert "on “US sanctions on Russia”" in out and "Ceasefire" not in out


def test_perspective_labels_do_not_overprint() -> None:
    """Allies at the same point in the quadrant chart share one label; hover keeps every name."""
    from detente.report.parts.eum import _point_labels

    assert _point_labels(["EU", "UK", "FR", "US"], [0.0, 0.0, 0.0001, 1.0], [1.0, 1.0, 1.0, 2.0]) == [
        "EU +2",
        "",
        "",
        "US",
    ]
    assert _point_labels(["A", "B"], [0.5, 0.5], [0.1, 0.1]) == ["A, B", ""]
