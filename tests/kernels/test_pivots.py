"""Pivots and acceptable sets against hand-worked cases (docs/decision_rules.md eqs. 1-4)."""

from __future__ import annotations

import numpy as np
import pytest

from detente.core import Actor, Issue, Scenario, Stance
from detente.core.arrays import to_arrays
from detente.core.rules import NICE_VOTES, resolve_rule
from detente.core.scale import Scale
from detente.models import get_model
from detente.models.procedural import rule_pivots


def _sc(pos: dict[str, float], cap: dict[str, float] | None = None, **issue: object) -> Scenario:
    actors = tuple(Actor(id=a, capability=(cap or {}).get(a, 1.0)) for a in pos)
    st = tuple(Stance(actor=a, issue="x", position=p, salience=1.0) for a, p in pos.items())
    return Scenario(
        id="t", actors=actors, issues=(Issue(id="x", scale=Scale(low=0, high=100), **issue),), stances=st
    )  # type: ignore[arg-type]


def _run(name: str, sc: Scenario) -> float:
    return float(get_model(name).predict(to_arrays(sc), np.random.default_rng(0)).outcome[0]) * 100


def test_unanimity_with_reversion_point() -> None:
    # vetoes at 30, 60, 80; q = 10: everyone prefers moving right up to 2*30 - 10 = 50
    sc = _sc({"a": 30, "b": 60, "c": 80}, rule="unanimity", reference=10, agenda_setter="c")
    piv, _ = rule_pivots(to_arrays(sc))
    assert piv.right[0] == pytest.approx(0.3) and piv.left[0] == pytest.approx(0.8)
    assert (piv.low[0], piv.high[0]) == pytest.approx((0.1, 0.5))
    assert _run("procedural", sc) == pytest.approx(50.0)  # setter at 80 gets as far as a accepts
    # q inside the veto players' hull: gridlock, the status quo stays
    assert _run(
        "procedural", _sc({"a": 30, "b": 60, "c": 80}, rule="unanimity", reference=40)
    ) == pytest.approx(40)


def test_unanimity_without_reversion_point() -> None:
    # no q: the acceptable set is the gridlock interval [30, 80]; setter at 95 outside it -> 80
    sc = _sc(
        {"a": 30, "b": 60, "c": 80, "s": 95},
        rule="unanimity",
        veto_players=("a", "b", "c"),
        agenda_setter="s",
    )
    piv, _ = rule_pivots(to_arrays(sc))
    assert not piv.has_reversion[0]
    assert (piv.low[0], piv.high[0]) == pytest.approx((0.3, 0.8))
    assert _run("procedural", sc) == pytest.approx(80)


def test_agenda_setter_outside_the_winset() -> None:
    # simple majority of 3 equal voters at 20, 50, 70 (median 50), q = 90: winset [10, 90);
    # a setter at 0 gets 10 (the median is indifferent between 10 and 90)
    sc = _sc(
        {"a": 20, "b": 50, "c": 70, "s": 0},
        {"s": 0.0},
        rule="simple_majority",
        reference=90,
        agenda_setter="s",
    )
    assert _run("procedural", sc) == pytest.approx(10)
    # the compromise (mean of the voters with weight: s has no capability) 46.7 is inside: unchanged
    assert _run("rule_compromise", sc) == pytest.approx(_run("compromise", sc))


def test_qmv_with_the_nice_weights() -> None:
    # EU-27, Nice: 255 of 345 votes and 14 members. Positions: the six largest (29,29,29,29,27,27 = 170)
    # at 100, everyone else (175 votes, 21 members) spread 10..90; q = 0.
    names = sorted(NICE_VOTES)
    big = ["de", "fr", "it", "uk", "es", "pl"]
    rest = [c for c in names if c not in big and c != "cr"]  # EU-27: no Croatia
    pos = {c: 100.0 for c in big} | {c: 10.0 + 80.0 * k / (len(rest) - 1) for k, c in enumerate(rest)}
    sc = _sc(pos, rule="qualified_majority", weights="nice", reference=0)
    r = resolve_rule(sc, sc.issues[0])
    assert r.criteria[0].threshold == pytest.approx(255 / 345)
    # hand count: walking from the right, the coalition first has >= 255 votes and >= 14 members at
    # the actor where the cumulative votes from the right cross 255
    order = sorted(pos, key=lambda c: -pos[c])
    votes = 0
    for c in order:
        votes += NICE_VOTES[c]
        members = order.index(c) + 1
        if votes >= 255 and members > 13.5:
            pivot = pos[c]
            break
    piv, _ = rule_pivots(to_arrays(sc))
    assert piv.right[0] * 100 == pytest.approx(pivot)
    assert piv.high[0] * 100 == pytest.approx(min(100.0, 2 * pivot))


def test_lisbon_blocking_minority_clause() -> None:
    # Lisbon: 3 members against cannot block even with > 35 % of the population
    pos = {"de": 0.0, "fr": 0.0, "it": 0.0} | {
        c: 100.0 for c in ("at", "be", "nl", "se", "dk", "fi", "pt", "el")
    }
    sc = _sc(pos, rule="qualified_majority", weights="lisbon", reference=0)
    piv, _ = rule_pivots(to_arrays(sc))
    assert piv.right[0] == pytest.approx(1.0)  # the eight small members alone win: blocking needs 4


def test_unilateral_and_fallback() -> None:
    sc = _sc({"a": 20, "b": 80}, rule="unilateral", decider="a", reference=0)
    assert _run("procedural", sc) == pytest.approx(20)
    assert _run("rule_compromise", sc) == pytest.approx(40)  # mean 50, a accepts up to 2*20 - 0
    fb = _sc({"a": 20, "b": 80, "c": 60}, reference=0)
    pred = get_model("procedural").predict(to_arrays(fb), np.random.default_rng(0))
    assert bool(pred.diagnostics.flags["fallback_rule"][0])
    assert "simple majority" in pred.extras["rule_note"]
    assert float(pred.outcome[0]) * 100 == pytest.approx(60)  # median proposer, q = 0: inside [0, 120]


def test_qmv_eu15_by_hand() -> None:
    # EU-15, 62 of 87 votes. DE, FR, IT, UK (40 votes) at 100; ES (8) at 80; NL, BE, EL, PT (20) at 60;
    # AT, SE, DK, FI, IE, LU (19) at 20. From the right: 40, 48, 68 >= 62 at 60 -> pi_R = 60.
    # From the left: 19, 39, 47, 87 >= 62 at 100 -> pi_L = 100. q = 30: S = [30, 2*60 - 30] = [30, 90].
    pos = dict.fromkeys(("de", "fr", "it", "uk"), 100.0) | {"es": 80.0}
    pos |= dict.fromkeys(("nl", "be", "el", "pt"), 60.0) | dict.fromkeys(
        ("at", "se", "dk", "fi", "ie", "lu"), 20.0
    )
    pos["com"] = 100.0
    sc = _sc(pos, rule="qualified_majority", weights="eu15", reference=30, agenda_setter="com")
    piv, _ = rule_pivots(to_arrays(sc))
    assert (piv.right[0], piv.left[0]) == pytest.approx((0.6, 1.0))
    assert (piv.low[0], piv.high[0]) == pytest.approx((0.3, 0.9))
    assert _run("procedural", sc) == pytest.approx(90)  # the Commission (at 100) gets 90
    # q = 70 lies in the gridlock interval [60, 100]: nothing the Council accepts beats it
    sc70 = _sc(pos, rule="qualified_majority", weights="eu15", reference=70, agenda_setter="com")
    assert _run("procedural", sc70) == pytest.approx(70)
