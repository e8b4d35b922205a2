"""The ceasefire simulator's share of the main job (``analysis.main_job``), light enough to import
before a worker is forked for it.

``detente run`` works out the :class:`SimJob` from the scenario (:func:`job_for`), forks the simulator's worker
(``detente.parallel.side_process``) and submits the job's run sets (:func:`start_simulation`)
*before* it imports the models, the analyses or the simulator itself: this module imports only the
data model, and the worker imports the simulator on its first run set. The main job reads the run
sets back with :func:`collect` and computes those the worker has not started itself (both
processes then finish about together). The numbers do not depend on where a run set is computed:
each is ``detente.sim.simulate`` of its own configuration with the job's seed (tested in
``tests/analysis/test_main_job_side_process.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor, Future
from dataclasses import dataclass
from typing import Any

from detente.core.scenario import Scenario
from detente.defaults import SIM_RUNS

DEFAULTS_SCENARIO = "ukraine-2025"
"""The one scenario the simulator runs without a ``dynamics:`` section (on its defaults)."""
MONTHS = 24
RUNS_QUICK, RUNS_FULL = SIM_RUNS, 5000
WHAT_IF: tuple[tuple[str, dict[str, Any]], ...] = (
    ("as configured", {}),
    ("guarantees off (no EU offer)", {"eu_guarantee": False}),
    ("binding guarantee offered", {"binding_guarantee": True}),
    ("sanctions early (month 1)", {"sanctions_at": 1}),
    ("sanctions late (month 12)", {"sanctions_at": 12}),
    ("costs since 2022 counted", {"C0_R": 0.4, "C0_U": 0.6}),
)
"""Simulator what-ifs: one switch per row, everything else as configured (the first is the base run)."""

RunSummaries = tuple[str, dict[str, Any], dict[str, Any], float, dict[str, Any]]
"""What the read-out keeps of one run set: label, headline, ceasefire statistics, share settled by
the last month, settlement terms (``detente.sim.summary``), as plain picklable values."""
TaskResult = tuple[RunSummaries, dict[str, Any], dict[str, Any]]


def has_simulation(scenario: Scenario) -> bool:
    """Whether the simulator runs on ``scenario``: it has a ``dynamics:`` section, or it is
    :data:`DEFAULTS_SCENARIO`."""
    return bool(scenario.dynamics) or scenario.id == DEFAULTS_SCENARIO


def simulation_config(scenario: Scenario) -> Any | None:
    """The simulator's :class:`~detente.sim.config.GameConfig` for ``scenario``: its ``dynamics:``
    section, the defaults for :data:`DEFAULTS_SCENARIO`, else ``None`` (no simulation)."""
    if not has_simulation(scenario):
        return None
    return _config(scenario.dynamics)


def _config(dynamics: tuple[tuple[str, object], ...]) -> Any:
    from detente.sim.config import GameConfig, from_mapping

    return from_mapping(dict(dynamics)) if dynamics else GameConfig()


@dataclass(frozen=True)
class SimJob:
    """The simulator's runs of one main job: ``runs`` runs over :data:`MONTHS` of the configuration
    of ``dynamics`` (a scenario's ``dynamics:`` section; empty: the simulator's defaults), then one
    per what-if switch. Picklable, for a worker process."""

    dynamics: tuple[tuple[str, object], ...]
    runs: int
    seed: int
    what_if: tuple[tuple[str, dict[str, Any]], ...]

    def config(self) -> Any:
        """The configured runs' ``GameConfig`` (imports the simulator; a bad ``dynamics:`` section
        raises its error here)."""
        return _config(self.dynamics)

    @property
    def sets(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        """The run sets to compute, ``(label, overrides)``: set 0 the configured runs, then one per
        what-if with overrides (a what-if without any reads set 0)."""
        return (("as configured", {}), *((label, over) for label, over in self.what_if if over))

    @property
    def n_sets(self) -> int:
        return len(self.sets)

    def tasks(self) -> tuple[int | None, ...]:
        """Per what-if, the number of its own run set in :attr:`sets`, or None when it has no
        overrides (it reads the configured runs, run set 0)."""
        out: list[int | None] = []
        n = 0
        for _label, over in self.what_if:
            n += bool(over)
            out.append(n if over else None)
        return tuple(out)


def job_for(
    scenario: Scenario,
    *,
    seed: int,
    quick: bool,
    what_if: tuple[tuple[str, dict[str, Any]], ...] | None = None,
) -> SimJob | None:
    """The simulator's runs of the main job on ``scenario`` (None: it has no simulation). Cheap: it
    neither imports nor configures the simulator (:meth:`SimJob.config` does)."""
    if not has_simulation(scenario):
        return None
    return SimJob(
        tuple(scenario.dynamics),
        RUNS_QUICK if quick else RUNS_FULL,
        seed,
        WHAT_IF if what_if is None else what_if,
    )


def _run_summaries(label: str, r: Any) -> RunSummaries:
    from detente.sim import summary as S

    return (
        label,
        dict(S.headline(r)),
        dict(S.ceasefire_stats(r)),
        float(S.cumulative_by_month(r.settlement_month, r.months)[-1]),
        dict(S.terms(r)),
    )


def simulation_task(job: SimJob, k: int) -> TaskResult:
    """Run set ``k`` of ``job`` summarised: 0 the configured runs, ``k > 0`` the ``k``-th what-if
    with overrides. Returns its :data:`RunSummaries` and, for the configured runs, their outcome
    shares and survival curves (else two empty dicts). Pure and picklable both ways: a worker
    process sends back a kilobyte of summaries per run set instead of its arrays (2.5 MB)."""
    from detente.sim import simulate, with_overrides
    from detente.sim import summary as S

    cfg = job.config()
    label, over = job.sets[k]
    if over:
        cfg = with_overrides(cfg, over)
    r = simulate(cfg, n_runs=job.runs, seed=job.seed, months=MONTHS)
    if k:
        return _run_summaries(label, r), {}, {}
    return _run_summaries(label, r), dict(S.outcomes(r)), dict(S.survival(r))


@dataclass(frozen=True)
class PendingSimulation:
    """The run sets of a :class:`SimJob` submitted one by one to a worker (:func:`start_simulation`),
    in order: ``futures[k]`` is run set ``k``."""

    futures: tuple[Future[TaskResult], ...]

    def done(self) -> bool:
        return all(f.done() for f in self.futures)


def start_simulation(job: SimJob | None, executor: Executor | None) -> PendingSimulation | None:
    """Every run set of ``job`` (:func:`simulation_task`) submitted to ``executor``, the configured
    runs first; None when there is nothing to submit or nowhere (no job, no executor, or a broken
    one: :func:`collect` then computes the run sets in-process)."""
    if job is None or executor is None:
        return None
    try:
        return PendingSimulation(tuple(executor.submit(simulation_task, job, k) for k in range(job.n_sets)))
    except BrokenExecutor:  # its worker is gone
        return None


def collect(
    job: SimJob, pending: PendingSimulation | None, idle: Callable[[], object] | None = None
) -> list[TaskResult]:
    """Every run set's :func:`simulation_task` result, in order. With ``pending``: ``idle`` first if
    the worker is not done, then the run sets it has not started are computed here, from the last
    one back (each one still waiting in the worker's queue is cancelled there), and the rest are
    read from the worker (a pool that broke on the way, e.g. its worker killed, is made good
    in-process)."""
    if pending is None:
        return [simulation_task(job, k) for k in range(job.n_sets)]
    if idle is not None and not pending.done():
        idle()
    got: dict[int, TaskResult] = {}
    for k in reversed(range(job.n_sets)):  # the queue is first in, first out: stop at the first started
        if not pending.futures[k].cancel():
            break
        got[k] = simulation_task(job, k)
    for k in range(job.n_sets):
        if k not in got:
            try:
                got[k] = pending.futures[k].result()
            except BrokenExecutor:
                got[k] = simulation_task(job, k)
    return [got[k] for k in range(job.n_sets)]
