"""Parts of the main job, in report order. Each module has ``build(result) -> Part``: it renders the
:class:`~detente.analysis.main_job.MainJobResult` (tables, figures, sentences) and computes nothing;
for one part alone, compute ``main_job(scenario, MainJobOptions(parts=(name,)))`` first."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

PART_MODULES: tuple[tuple[str, str], ...] = (
    ("forecasts", "detente.report.parts.forecasts"),
    ("eum", "detente.report.parts.eum"),
    ("exchange", "detente.report.parts.exchange"),
    ("smp", "detente.report.parts.smp"),
    ("uncertainty", "detente.report.parts.uncertainty"),
    ("levers", "detente.report.parts.levers"),
    ("cohesion", "detente.report.parts.cohesion"),
    ("simulator", "detente.report.parts.simulator"),
    ("panel", "detente.report.parts.panel"),
    ("rules", "detente.report.parts.rules"),
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


def computed(value: T | None, part: str) -> T:
    """``value``, a sub-result of the main job; a clear error if the job did not compute it (it was run
    without ``part`` in ``MainJobOptions.parts``)."""
    if value is None:
        raise ValueError(f"part {part}: the main job was run without it (MainJobOptions.parts)")
    return value
