"""Pure data model: scales, scenarios, arrays, results, seeds, hashing (numpy only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from detente.core.arrays import ScenarioArrays, to_arrays
    from detente.core.results import Diagnostics, EventLog, Forecast, Prediction
    from detente.core.scale import Scale
    from detente.core.scenario import Actor, Evidence, Issue, Scenario, Stance

# names resolve on first use, so ``detente.core.text`` (used by the CLI's --help path) loads no numpy
_MODULES = {
    "detente.core.arrays": ("ScenarioArrays", "to_arrays"),
    "detente.core.results": ("Diagnostics", "EventLog", "Forecast", "Prediction"),
    "detente.core.scale": ("Scale",),
    "detente.core.scenario": ("Actor", "Evidence", "Issue", "Scenario", "Stance"),
}
_LAZY = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    from detente._lazy import resolve

    return resolve("detente.core", _LAZY, globals(), name)


__all__ = [
    "Actor",
    "Diagnostics",
    "EventLog",
    "Evidence",
    "Forecast",
    "Issue",
    "Prediction",
    "Scale",
    "Scenario",
    "ScenarioArrays",
    "Stance",
    "to_arrays",
]
