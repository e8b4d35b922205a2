"""Pure data model: scales, scenarios, arrays, results, seeds, hashing (numpy only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from detente.core.arrays import ScenarioArrays, to_arrays
    from detente.core.results import Diagnostics, EventLog, Forecast, Prediction
    from detente.core.scale import Scale
    from detente.core.scenario import Actor, Evidence, Issue, Scenario, Stance

# names resolve on first use, so ``detente.core.text`` (used by the CLI's --help path) loads no numpy
_LAZY = {
    "ScenarioArrays": "detente.core.arrays",
    "to_arrays": "detente.core.arrays",
    "Diagnostics": "detente.core.results",
    "EventLog": "detente.core.results",
    "Forecast": "detente.core.results",
    "Prediction": "detente.core.results",
    "Scale": "detente.core.scale",
    "Actor": "detente.core.scenario",
    "Evidence": "detente.core.scenario",
    "Issue": "detente.core.scenario",
    "Scenario": "detente.core.scenario",
    "Stance": "detente.core.scenario",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'detente.core' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # resolved once
    return value


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
