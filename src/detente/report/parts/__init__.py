"""Parts of the main job, in report order. Each module has ``build(result) -> Part``: it renders the
:class:`~detente.analysis.main_job.MainJobResult` (tables, figures, sentences) and computes nothing.
Given a scenario instead (``build(scenario, seed=, quick=)``, for one part alone), it runs
:func:`~detente.analysis.main_job.main_job` for that part first."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

PART_MODULES: tuple[tuple[str, str], ...] = (
    ("forecasts", "detente.report.parts.forecasts"),
    ("eum", "detente.report.parts.eum"),
    ("exchange", "detente.report.parts.exchange"),
    ("smp", "detente.report.parts.smp"),
    ("uncertainty", "detente.report.parts.uncertainty"),
    ("levers", "detente.report.parts.levers"),
    ("cohesion", "detente.report.parts.cohesion"),
    ("simulator", "detente.report.parts.simulator"),
)


def part_builders() -> list[tuple[str, Callable[..., Any]]]:
    """(name, build) for every part whose module exists (missing ones are skipped)."""
    out = []
    for name, mod in PART_MODULES:
        try:
            m = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name == mod:
                continue
            raise
        out.append((name, m.build))
    return out


def job_result(source: Any, name: str, *, seed: int = 0, quick: bool = True) -> Any:
    """``source`` if it is a main-job result, else the main job of scenario ``source`` for part ``name`` alone."""
    from detente.analysis.main_job import MainJobOptions, MainJobResult, main_job

    if isinstance(source, MainJobResult):
        return source
    return main_job(source, MainJobOptions(seed=seed, quick=quick, parts=(name,)))
