"""Built-in scenarios: present, fast, provenance, honest evidence, identical to a fresh conversion."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from detente.errors import ScenarioError
from detente.io.builtin import SPECS, build_from_data, builtin_names, load_builtin

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
def test_shipped_yaml_equals_fresh_conversion(data_dir: Path, name: str) -> None:
    assert load_builtin(name) == build_from_data(name, data_dir)


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
        assert sc.meta("provenance.commit") in e.source and sc.meta("provenance.path") in e.source


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


def test_loads_are_cached_and_unknown_names_are_errors() -> None:
    """Functional only (wall-clock limits belong in benchmarks/: this one failed CI under load):
    every built-in loads, and a second load is the cached object, not a re-read."""
    load_builtin.cache_clear()
    first = {n: load_builtin(n) for n in builtin_names()}
    assert all(load_builtin(n) is sc for n, sc in first.items())
    with pytest.raises(ScenarioError, match=r"unknown built-in 'cop21' \(did you mean cop21-2015\?"):
        load_builtin("cop21")


REPO = Path(__file__).resolve().parents[2]


def _strings(sc) -> list[str]:  # type: ignore[no-untyped-def]
    """Every text of a scenario a reader sees as provenance: sources, metadata, evidence, dynamics evidence."""
    out = [sc.title, sc.description or "", *sc.sources, *(str(v) for _, v in sc.metadata)]
    for s in sc.stances:
        for e in s.evidence:
            out += [e.source or "", e.quote or "", e.note or "", getattr(e, "url", None) or ""]
    if sc.dynamics:
        for evs in dict(sc.dynamics).get("evidence", {}).values():
            out += [str(v) for e in evs for v in e.values()]
    return out


@pytest.mark.parametrize("name", builtin_names())
def test_sources_and_quotes_are_self_contained(name: str) -> None:
    """No built-in cites a path outside the repository; the repository copy it names exists."""
    for text in _strings(load_builtin(name)):
        assert "shared/" not in text and "../" not in text and "/work/" not in text, (name, text)
        assert not re.search(r"\.txt\b", text), (name, text)  # no pointer to a local text file
    copy = load_builtin(name).meta("provenance.copy")  # the repository's copy of the raw file, if any
    if copy:
        path = copy.split()[0]
        assert path.startswith("data/") and (REPO / path).is_file(), (name, copy)


# sha256 of the sorted unique quotes of ukraine-2025 (stances and dynamics), each checked verbatim against
# the column (Yakhno, June 2025) on 2026-12-07: 21 quotes. The column's text is not redistributed; if you
# change or add a quote, check it against the column and record the new digest here.
UKRAINE_QUOTES_SHA256 = "11283a6d80503e981392905571de644890b9824aa827321241ccca28e176e1e6"


def test_ukraine_quotes_are_the_verified_excerpts_and_cite_the_column() -> None:
    sc = load_builtin("ukraine-2025")
    assert any("Yakhno" in s and "NATO summit to showcase" in s and "2025" in s for s in sc.sources)
    quotes = set()
    for s in sc.stances:
        for e in s.evidence:
            if e.quote:
                quotes.add(e.quote)
                assert "Yakhno" in (e.source or ""), (s.actor, s.issue)
            else:
                assert e.assumption and e.note, (
                    s.actor,
                    s.issue,
                )  # no quote: a marked assumption with a reason
    for evs in dict(sc.dynamics)["evidence"].values():
        quotes.update(e["quote"] for e in evs if "quote" in e)
    assert len(quotes) == 21
    assert hashlib.sha256("\n".join(sorted(quotes)).encode()).hexdigest() == UKRAINE_QUOTES_SHA256
