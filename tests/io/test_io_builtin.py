"""Built-in scenarios: present, fast, provenance, honest evidence, identical to a fresh conversion."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from detente.errors import ScenarioError
from detente.io.builtin import SPECS, build_from_shared, builtin_names, load_builtin

REAL_DATA = [
    "ktab-soe-policy",
    "ktab-soe-competitive",
    "ktab-soe-pol-comp",
    "ktab-dummy-3dim",
    "ktab-smp-example",
    "cop21-2015",
    "copenhagen-2009",
    "bdm-sultan-1997",
    "china-1989",
]


def test_names() -> None:
    names = builtin_names()
    for n in [*REAL_DATA, "emission-standards-1994"]:
        assert n in names
    assert sorted(SPECS) == sorted(REAL_DATA)


@pytest.mark.parametrize("name", REAL_DATA)
def test_shipped_yaml_equals_fresh_conversion(shared: Path, name: str) -> None:
    assert load_builtin(name) == build_from_shared(name, shared)


@pytest.mark.parametrize("name", REAL_DATA)
def test_provenance_and_honest_evidence(name: str) -> None:
    sc = load_builtin(name)
    for key in (
        "provenance.repository",
        "provenance.path",
        "provenance.commit",
        "provenance.licence",
        "citation",
    ):
        assert sc.meta(key), key
    assert len(sc.sources) == 2
    for s in sc.stances:
        assert len(s.evidence) == 1
        e = s.evidence[0]
        assert e.assumption and e.note.startswith("expert coding") and "not a quote" in e.note
        assert e.source.startswith("shared/data/")


def test_sizes_and_specific_content() -> None:
    counts = {
        n: (len(load_builtin(n).actors), len(load_builtin(n).issues), len(load_builtin(n).stances))
        for n in REAL_DATA
    }
    assert counts == {
        "ktab-soe-policy": (26, 1, 26),
        "ktab-soe-competitive": (34, 1, 34),
        "ktab-soe-pol-comp": (13, 2, 26),
        "ktab-dummy-3dim": (7, 3, 21),
        "ktab-smp-example": (5, 3, 14),
        "cop21-2015": (15, 13, 181),
        "copenhagen-2009": (11, 7, 77),
        "bdm-sultan-1997": (17, 1, 17),
        "china-1989": (24, 1, 24),
    }
    pol = load_builtin("ktab-soe-policy").issue("policy")
    assert pol.reference == 15.0 and (30.0, "ad hoc approval") in pol.scale.points
    cop = load_builtin("cop21-2015")
    assert "\ufffd" not in str(cop.issues) and cop.meta("repairs")
    assert cop.issue("differentiation").scale.labels[1] == "Annexes I and II of the Convention"
    assert load_builtin("ktab-smp-example").meta("ktab.VictoryProbModel") == "Linear"
    china = load_builtin("china-1989").issue("democratisation")
    assert china.scale.labels == ("no democratisation", "full democratisation")


def test_load_is_fast_and_unknown_names_are_errors() -> None:
    load_builtin.cache_clear()
    t0 = time.perf_counter()
    for n in builtin_names():
        load_builtin(n)
    assert time.perf_counter() - t0 < 2.0
    with pytest.raises(ScenarioError, match=r"unknown built-in 'cop21' \(did you mean cop21-2015\?"):
        load_builtin("cop21")
