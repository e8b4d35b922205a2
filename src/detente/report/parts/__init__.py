"""Parts of the main job, in report order. Each module has ``build(scenario, *, seed, quick) -> Part``."""

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
