"""The main job's simulator in a second process (``detente.parallel.side_process``): the same numbers
as in-process, and in-process wherever a second process cannot pay."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest

from detente.analysis.main_job import MainJobOptions, main_job, simulation_job, start_simulation
from detente.io.builtin import load_builtin
from detente.parallel import ENV_SIDE_PROCESS, side_process, usable_cpus

SIM_ONLY = MainJobOptions(seed=3, quick=True, parts=("simulator",))
needs_two_cpus = pytest.mark.skipif(usable_cpus() < 2, reason="one CPU: side_process computes in-process")


@pytest.fixture(scope="module")
def inline():
    """ukraine-2025's simulator read-out computed in this process: what the side process must equal."""
    sc = load_builtin("ukraine-2025")
    return sc, main_job(sc, SIM_ONLY)


def _same(a, b, where):
    """Exactly equal, nested: mappings, sequences, arrays and numbers (NaN equals NaN)."""
    if isinstance(a, Mapping):
        assert isinstance(b, Mapping) and list(a) == list(b), where
        for k in a:
            _same(a[k], b[k], f"{where}/{k}")
    elif isinstance(a, (list, tuple, np.ndarray)):
        a, b = np.asarray(a), np.asarray(b)
        assert a.shape == b.shape, where
        if a.dtype.kind in "fc":
            np.testing.assert_array_equal(a, b, err_msg=where)  # NaN in the same places counts as equal
        else:
            for x, y in zip(a.tolist(), b.tolist(), strict=True):
                _same(x, y, where)
    elif isinstance(a, float) and a != a:
        assert isinstance(b, float) and b != b, where
    else:
        assert type(a) is type(b) and a == b, where


def _assert_same(sim_a, sim_b):
    """Every summary the read-outs take from the six run sets equal, float bits included."""
    assert [r.label for r in sim_a.what_if] == [r.label for r in sim_b.what_if]
    for ra, rb in zip((sim_a.base, *sim_a.what_if), (sim_b.base, *sim_b.what_if), strict=True):
        for name in ("headline", "ceasefire", "settled", "terms"):
            _same(getattr(ra, name), getattr(rb, name), f"{ra.label}/{name}")
    _same(sim_a.outcomes, sim_b.outcomes, "outcomes")
    _same(sim_a.survival, sim_b.survival, "survival")


@needs_two_cpus
def test_simulator_in_a_side_process_gives_the_same_numbers(monkeypatch, inline):
    monkeypatch.delenv(ENV_SIDE_PROCESS, raising=False)
    sc, here = inline
    with side_process(True) as ex:
        assert ex is not None
        side = main_job(sc, SIM_ONLY, ex)
    _assert_same(here.simulation, side.simulation)
    assert [r.label for r in side.simulation.what_if] == [r.label for r in here.simulation.what_if]
    assert dict(side.simulation.outcomes) == dict(here.simulation.outcomes)


def test_side_process_stays_in_process_when_it_cannot_pay(monkeypatch):
    with side_process(False) as ex:
        assert ex is None
    monkeypatch.setenv(ENV_SIDE_PROCESS, "0")
    with side_process(True) as ex:
        assert ex is None
    monkeypatch.delenv(ENV_SIDE_PROCESS)
    monkeypatch.setattr("detente.parallel.usable_cpus", lambda: 1)
    with side_process(True) as ex:
        assert ex is None


@needs_two_cpus
def test_a_broken_side_process_is_made_good_in_process(monkeypatch, inline):
    """The worker killed mid-run (e.g. by the OOM killer): the simulator runs here instead."""
    import os
    import signal

    monkeypatch.delenv(ENV_SIDE_PROCESS, raising=False)
    sc, here = inline
    with side_process(True) as ex:
        for proc in list(ex._processes.values()):  # type: ignore[union-attr]
            os.kill(proc.pid, signal.SIGKILL)
            proc.join(5)
        side = main_job(sc, SIM_ONLY, ex)
    _assert_same(here.simulation, side.simulation)


@needs_two_cpus
def test_runs_submitted_before_the_job_give_the_same_numbers(monkeypatch, inline):
    """``detente run`` submits the simulator's runs (``simulation_job``, ``start_simulation``) before
    the main job starts, and hands them in as ``pending``."""
    monkeypatch.delenv(ENV_SIDE_PROCESS, raising=False)
    sc, here = inline
    job = simulation_job(sc, SIM_ONLY)
    assert job is not None and job.seed == SIM_ONLY.seed
    with side_process(True) as ex:
        side = main_job(sc, SIM_ONLY, ex, pending=start_simulation(job, ex))
    _assert_same(here.simulation, side.simulation)


def test_no_worker_is_forked_for_a_scenario_without_a_simulation(monkeypatch):
    import detente.parallel
    from detente.cli.cmd_core import build_parts

    sc = load_builtin("emission-standards-1994")  # no dynamics: nothing for the simulator to run
    assert simulation_job(sc, SIM_ONLY) is None
    assert start_simulation(None, None) is None
    wanted: list[bool] = []
    real = detente.parallel.side_process

    def spy(want: bool = True):
        wanted.append(want)
        return real(want)

    monkeypatch.setattr(detente.parallel, "side_process", spy)
    parts = build_parts(sc, seed=0, quick=True, only=["simulator"])
    assert wanted == [False]
    assert [p.name for p in parts] == ["simulator"]


@needs_two_cpus
def test_the_caller_works_while_the_worker_runs(monkeypatch, inline):
    """``idle`` is called once when the models are done and the simulator's worker is not (only the
    simulator is asked for here, so the worker is still running), and changes no number."""
    monkeypatch.delenv(ENV_SIDE_PROCESS, raising=False)
    sc, here = inline
    calls: list[int] = []
    job = simulation_job(sc, SIM_ONLY)
    with side_process(True) as ex:
        pending = start_simulation(job, ex)
        side = main_job(sc, SIM_ONLY, ex, pending=pending, idle=lambda: calls.append(1))
    assert calls == [1]
    _assert_same(here.simulation, side.simulation)


@needs_two_cpus
def test_this_process_takes_the_run_sets_the_worker_has_not_started(monkeypatch, inline):
    """With nothing else to compute, the main job runs the last run sets itself (their futures are
    cancelled in the worker's queue) while the worker runs the first ones; the same numbers."""
    monkeypatch.delenv(ENV_SIDE_PROCESS, raising=False)
    sc, here = inline
    job = simulation_job(sc, SIM_ONLY)
    with side_process(True) as ex:
        pending = start_simulation(job, ex)
        side = main_job(sc, SIM_ONLY, ex, pending=pending)
    assert pending is not None and len(pending.futures) == 6  # the configured runs + 5 what-ifs
    taken = [f.cancelled() for f in pending.futures]
    assert not taken[0] and taken[-1]  # the worker starts at the front, this process at the back
    assert taken == sorted(taken)  # one cut: the worker's share, then this process's
    _assert_same(here.simulation, side.simulation)


def test_no_idle_call_without_a_worker(monkeypatch):
    """In-process there is nothing to wait for: ``idle`` is not called."""
    calls: list[int] = []
    sc = load_builtin("ukraine-2025")
    main_job(sc, MainJobOptions(seed=3, quick=True, parts=("simulator",)), None, idle=lambda: calls.append(1))
    assert calls == []


def test_the_worker_is_forked_before_the_models_are_imported() -> None:
    """``detente run`` forks the simulator's worker right after importing the simulator, before it
    imports the main job, the models and the report's parts (the worker needs none of them; see
    docs/performance.md "The worker's share and an earlier fork"). Checked in a fresh interpreter:
    which modules are loaded when ``side_process`` is entered."""
    import json
    import subprocess
    import sys

    probe = """
import json, sys
import detente.parallel as par
from detente.cli.cmd_core import build_parts
from detente.io.builtin import load_builtin
names = ("detente.analysis.main_job", "detente.models", "detente.report.parts.forecasts", "detente.sim.engine")
seen = {}
real = par.side_process
def spy(want=True):
    seen.update({m: m in sys.modules for m in names})
    return real(want)
par.side_process = spy
build_parts(load_builtin("ukraine-2025"), seed=0, quick=True, only=["simulator"])
print(json.dumps(seen))
"""
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen == {
        "detente.analysis.main_job": False,
        "detente.models": False,
        "detente.report.parts.forecasts": False,
        "detente.sim.engine": True,  # imported before the fork: the worker inherits it
    }
