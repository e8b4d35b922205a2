"""The simulator part of ``detente run`` / the report (report/parts/simulator.py)."""

from __future__ import annotations

import time

import pytest

from detente.analysis.main_job import MainJobOptions, main_job
from detente.io.builtin import load_builtin
from detente.report.parts import simulator as part

ONLY = MainJobOptions(seed=0, quick=True, parts=("simulator",))


@pytest.fixture(scope="module")
def built():
    t0 = time.perf_counter()
    p = part.build(main_job(load_builtin("ukraine-2025"), ONLY))
    return p, time.perf_counter() - t0


def test_quick_mode_is_fast(built):
    assert built[1] < 10.0


def test_headline_and_sections(built):
    p, _ = built
    assert p.name == "simulator"
    head = p.tables[0]
    labels = [r[0] for r in head.rows]
    assert labels[:2] == ["first ceasefire within 6 months", "first ceasefire within 12 months"]
    # one wording with detente simulate and the dashboard (sim.words), the horizon named
    assert "US sanctions within 24 months" in labels and "comprehensive settlement within 24 months" in labels
    assert any("sanctions" in x for x in labels) and any("alignment" in x for x in labels)
    ids = [s.id for s in p.sections]
    assert ids == ["sim-survival", "sim-terms", "sim-what-if"]
    assert p.sections[0].figures and p.sections[1].figures
    what_if = p.sections[2].tables[0]
    assert len(what_if.rows) == len(part.WHAT_IF)
    by = {r[0]: r for r in what_if.rows}
    # sanctions early: everyone sanctioned; guarantees off never gives a guarantee-2 ceasefire
    assert by["sanctions early (month 1)"][4] == "100%"
    for s in p.sections:
        assert s.caption


def test_survival_is_non_increasing(built):
    p, _ = built
    for trace in p.sections[0].figures[0].data:
        y = list(trace["y"])
        assert y[0] == 1.0 and all(a >= b for a, b in zip(y, y[1:], strict=False))


def test_other_scenarios_are_skipped():
    p = part.build(main_job(load_builtin("cop21-2015"), ONLY))
    assert not p.tables and p.notes


def test_terms_chart_falls_back_to_the_late_phase_when_few_runs_settle(built):
    """Default: comprehensive settlements come 8-13 months after a late first ceasefire, so few within 24 months."""
    p, _ = built
    terms = p.sections[1]
    n = int(terms.tables[0].title.split("(")[1].split()[0].replace(",", ""))  # "1,239 runs"
    assert n >= part.MIN_SETTLEMENTS
    assert "late-phase" in terms.caption
