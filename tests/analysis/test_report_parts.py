"""The uncertainty, levers and cohesion parts of `detente run` on the built-in column scenario."""

from __future__ import annotations

import time

import pytest

from detente.analysis.main_job import MainJobOptions, MainJobResult, main_job
from detente.io.builtin import load_builtin
from detente.report.base import Part
from detente.report.parts import cohesion, levers, uncertainty

UKRAINE = load_builtin("ukraine-2025")
PARTS = ("uncertainty", "levers", "cohesion")


@pytest.fixture(scope="module")
def job() -> MainJobResult:
    return main_job(UKRAINE, MainJobOptions(seed=0, quick=True, parts=PARTS))


def test_uncertainty_part_quick_intervals() -> None:
    t0 = time.perf_counter()
    part = uncertainty.build(main_job(UKRAINE, MainJobOptions(seed=0, quick=True, parts=("uncertainty",))))
    assert time.perf_counter() - t0 < 10  # a few seconds on two cores
    assert isinstance(part, Part) and part.name == "uncertainty" and not part.notes
    assert len(part.tables) == len(UKRAINE.issues)
    for table in part.tables:
        models = [row[0] for row in table.rows]
        assert models[:2] == ["compromise", "median"]
        for row in table.rows:
            if row[2] == "—":  # no forecast (nbs where no status quo is given): the row says why
                assert row[0] == "nbs" and row[4] == "no status quo given"
                continue
            lo, hi = (float(v) for v in row[2].split(" – "))
            assert lo <= hi
    assert part.manifest["draws"] == uncertainty.QUICK_DRAWS and part.sections[0].figures
    again = uncertainty.build(main_job(UKRAINE, MainJobOptions(seed=0, quick=True, parts=PARTS)))
    assert [t.rows for t in again.tables] == [t.rows for t in part.tables]  # one seed, same numbers


def test_levers_part_top_levers_per_issue(job: MainJobResult) -> None:
    part = levers.build(job)
    top, ko, take = part.tables
    issues_named = [row[0] for row in top.rows if row[0]]
    assert issues_named == [i.name for i in UKRAINE.issues]
    assert all(row[1] in {"1", "2", "3"} for row in top.rows)
    assert len(ko.rows) == len(UKRAINE.issues) and len(take.rows) == len(UKRAINE.issues)
    assert part.sections[0].figures


def test_cohesion_part_us_europe(job: MainJobResult) -> None:
    part = cohesion.build(job)
    assert part.manifest["groups"] == ["us", "european_allies"]
    assert 0 <= part.manifest["index"] <= 1
    assert "Cohesion us – european_allies" in part.tables[0].title
    assert len(part.sections[0].figures) == 2


@pytest.mark.parametrize("name", ["emission-standards-1994", "ktab-dummy-3dim"])
def test_parts_on_other_scenarios(name: str) -> None:
    sc = load_builtin(name)
    job = main_job(sc, MainJobOptions(seed=1, quick=True, parts=PARTS))
    for mod in (uncertainty, levers, cohesion):
        part = mod.build(job)
        assert part.tables


def test_intervals_helper_matches_the_part(job: MainJobResult) -> None:
    assert job.sweep is not None
    iv = job.sweep.intervals()
    part = uncertainty.build(job)
    first = part.tables[0].rows[0]  # compromise on the first issue
    q = iv[first[0]][UKRAINE.issue_ids[0]]
    assert first[2] == f"{q['5']:.1f} – {q['95']:.1f}"
    assert q["5"] <= q["25"] <= q["50"] <= q["75"] <= q["95"]
