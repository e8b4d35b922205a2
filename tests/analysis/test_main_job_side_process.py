"""The main job's simulator in a second process (``detente.parallel.side_process``): the same numbers
as in-process, and in-process wherever a second process cannot pay."""

from __future__ import annotations

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


def _arrays(sim):
    out = {}
    for run in (sim.base, *sim.what_if):
        r = run.result
        for name in ("outcome", "end_month", "first_ceasefire", "settlement_month", "n_ceasefires", "q"):
            out[(run.label, name)] = np.asarray(getattr(r, name))
        out[(run.label, "headline")] = dict(run.headline)
    return out


def _assert_same(sim_a, sim_b):
    """Every array and headline of the six runs equal."""
    a, b = _arrays(sim_a), _arrays(sim_b)
    assert a.keys() == b.keys()
    for k in a:
        if isinstance(a[k], dict):
            assert a[k] == b[k], k
        else:
            np.testing.assert_array_equal(a[k], b[k], err_msg=str(k))


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
    np.testing.assert_array_equal(side.simulation.base.result.outcome, here.simulation.base.result.outcome)


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
