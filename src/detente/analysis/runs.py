"""The runs a shell starts, one function each, so that the CLI's commands, the dashboard's jobs and
the main job (:mod:`detente.analysis.main_job`) compute them the same way:

- :func:`point_forecast`: one model's forecast; statuses are recorded in it, not warned
  (:func:`detente.models.base.statuses_not_warnings`);
- :func:`predictive`: a forecast's predictive distribution (the point forecast, or a sweep's outcomes,
  with an error model's model error), as ``detente forecast --format json`` gives it;
- :func:`sweep`: a Monte Carlo sweep of one model (:func:`detente.analysis.montecarlo.run_ensemble`)
  under the scenario's own uncertainty settings (metadata ``uncertainty.*``) unless others are given;
- :func:`simulation_config` / :func:`simulate`: the ceasefire simulator (docs/simulator.md) on a
  scenario's ``dynamics:`` section; without one only ukraine-2025, whose column the simulator's
  defaults were calibrated on, runs (on those defaults).

Pure: no I/O, no printing; the shells render what these return.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from contextlib import nullcontext
from typing import Any

from detente.analysis.montecarlo import DrawSpec, Ensemble, run_ensemble
from detente.analysis.sim_job import simulation_config
from detente.core.perturb import Perturbation
from detente.core.results import Forecast
from detente.core.scenario import Scenario
from detente.errors import ScenarioError
from detente.models import forecast
from detente.models.base import statuses_not_warnings


def point_forecast(model: Any, scenario: Scenario, seed: int = 0, input_hash: str | None = None) -> Forecast:
    """``model``'s forecast of ``scenario`` (its statuses recorded in the forecast, not warned);
    ``input_hash``: the scenario's hash when the caller has it (:func:`detente.models.forecast`)."""
    with statuses_not_warnings():
        return forecast(model, scenario, seed=seed, input_hash=input_hash)


def predictive(scenario: Scenario, fc: Forecast, error: Any, draws: Any = None) -> Any:
    """``fc``'s predictive distribution (:class:`~detente.analysis.predictive.Predictive`,
    :func:`detente.analysis.intervals.predictive_of`): its point forecast, or the sweep's outcomes
    ``draws`` (n_draws, I) when given, with the model error of ``error`` (the error models, e.g. the
    shipped ones; None: none)."""
    import numpy as np

    from detente.analysis.intervals import predictive_of

    return predictive_of(scenario, fc.model, np.asarray(fc.outcome, dtype=float), draws, error)


def sweep(
    model: Any,
    source: Scenario | DrawSpec,
    perturbation: Perturbation | None = None,
    *,
    draws: int,
    seed: int = 0,
    chunk_size: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
    quiet: bool = True,
    memory: int | None = None,
) -> Ensemble:
    """``draws`` perturbed runs of ``model``; ``perturbation`` defaults to the scenario's own settings
    (:meth:`Perturbation.from_metadata`). ``quiet``: statuses recorded, not warned (as in the report).
    ``memory``: bytes the machine can give each chunk in flight (``run_ensemble``; None = the fixed
    budget)."""
    if perturbation is None:
        if not isinstance(source, Scenario):
            raise TypeError("sweep: a prepared DrawSpec needs its perturbation")
        perturbation = Perturbation.from_metadata(source.metadata)
    with statuses_not_warnings() if quiet else nullcontext():
        return run_ensemble(
            model,
            source,
            perturbation,
            n_draws=draws,
            seed=seed,
            chunk_size=chunk_size,
            executor=executor,
            progress=progress,
            memory=memory,
        )


def simulate(
    scenario: Scenario,
    *,
    runs: int,
    seed: int = 0,
    months: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Any:
    """The simulator's runs (:class:`~detente.sim.SimResult`) on :func:`simulation_config`; a
    :class:`~detente.errors.ScenarioError` if the scenario has none."""
    from detente.sim.engine import simulate as run

    cfg = simulation_config(scenario)
    if cfg is None:
        raise ScenarioError(
            f"scenario {scenario.id}: the simulator needs a 'dynamics:' section (see docs/simulator.md)"
        )
    return run(cfg, n_runs=runs, seed=seed, months=months, progress=progress)
