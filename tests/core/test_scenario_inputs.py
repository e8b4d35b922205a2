"""Building a scenario in code: wrong types give a ScenarioError naming the field (not an
AttributeError or TypeError from deep inside), lists are stored as tuples, NumPy numbers as numbers."""

from __future__ import annotations

import numpy as np
import pytest

from detente import Actor, Evidence, Issue, Scale, Scenario, ScenarioError, Stance
from detente.core.hashing import scenario_hash


def _sc(**kw):  # type: ignore[no-untyped-def]
    base = {
        "id": "t",
        "actors": (Actor(id="a"), Actor(id="b")),
        "issues": (Issue(id="x"),),
        "stances": (
            Stance(actor="a", issue="x", position=10.0, salience=1.0),
            Stance(actor="b", issue="x", position=90.0, salience=0.5),
        ),
    }
    return Scenario(**{**base, **kw})


@pytest.mark.parametrize(
    ("build", "says"),
    [
        (lambda: _sc(actors=("a", "b")), r"^actors\[0\]: expected Actor, received str"),
        (lambda: _sc(actors=Actor(id="a")), r"^actors: expected a tuple of Actor, received Actor"),
        (
            lambda: _sc(stances=({"actor": "a", "issue": "x", "position": 1, "salience": 1},)),
            r"^stances\[0\]: expected Stance, received dict",
        ),
        (lambda: _sc(sources="a paper"), r"^sources: expected a tuple of texts, received str"),
        (lambda: _sc(metadata="k=v"), r"^metadata: expected \(key, value\) pairs"),
        (lambda: Actor(id="a", groups="g7"), r"^actor a: groups: expected a tuple of group names"),
        (lambda: Issue(id="x", scale=(0, 10)), r"^issue x: scale: expected a Scale"),
        (lambda: Issue(id="x", veto_players="a"), r"^issue x: veto_players: expected a tuple"),
        (lambda: Issue(id="x", weights=(("a",),)), r"^issue x: weights\[0\]: expected a \(key, value\) pair"),
        (
            lambda: Stance(actor=1, issue="x", position=1, salience=1),
            r"^stance.actor: expected a non-empty text",
        ),
        (
            lambda: Stance(actor="a", issue="x", position=1, salience=1, evidence="said so"),
            r"^stance a/x: evidence: expected a tuple of Evidence",
        ),
        (lambda: Evidence(quote=5), r"^evidence.quote: expected a text, received int"),
        (lambda: Scale(low="0", high=10), r"^scale: low: expected a finite number, received '0'"),
    ],
)
def test_wrong_types_name_the_field(build, says) -> None:  # type: ignore[no-untyped-def]
    # before: AttributeError ('str' object has no attribute 'id'), TypeError ('Actor' object is not
    # iterable, must be real number), ValueError (not enough values to unpack), or silently kept
    # (groups="g7" became the groups 'g' and '7'; scale=(0, 10) failed later)
    with pytest.raises(ScenarioError, match=says):
        build()


def test_lists_and_mappings_are_stored_as_tuples() -> None:
    sc = _sc(
        actors=[Actor(id="a", groups=["g"]), Actor(id="b")],
        issues=[Issue(id="x", weights={"a": 2.0, "b": 1.0})],
        stances=list(_sc().stances),
        metadata={"uncertainty.position_sd": "0.1"},
    )
    assert type(sc.actors) is tuple and sc.actors[0].groups == ("g",)
    assert sc.issues[0].weights == (("a", 2.0), ("b", 1.0))
    assert sc.metadata == (("uncertainty.position_sd", "0.1"),)
    assert hash(sc) == hash(sc)  # hashable: a frozen record holding lists was not
    assert scenario_hash(sc) == scenario_hash(
        _sc(
            actors=(Actor(id="a", groups=("g",)), Actor(id="b")),
            issues=(Issue(id="x", weights=(("a", 2.0), ("b", 1.0))),),
            metadata=(("uncertainty.position_sd", "0.1"),),
        )
    )


def test_numpy_numbers_are_plain_numbers() -> None:
    # before: np.int64 and np.float32 were refused as "not a finite number", np.float64 was kept
    # and hashed as 'np.float64(10.0)', so the same scenario from a pandas frame had another input hash
    sc = _sc(
        actors=(Actor(id="a", capability=np.int64(2)), Actor(id="b")),
        stances=(
            Stance(actor="a", issue="x", position=np.float64(10.0), salience=np.float32(1.0)),
            Stance(actor="b", issue="x", position=90.0, salience=0.5),
        ),
    )
    assert type(sc.actors[0].capability) is int and type(sc.stances[0].position) is float
    plain = _sc(actors=(Actor(id="a", capability=2), Actor(id="b")))
    assert scenario_hash(sc) == scenario_hash(plain)
    assert Scale(low=np.float64(0), high=np.int64(10)).high == 10
