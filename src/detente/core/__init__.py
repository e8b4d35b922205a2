"""Pure data model: scales, scenarios, arrays, results, seeds, hashing (numpy only)."""

from detente.core.arrays import ScenarioArrays, to_arrays
from detente.core.results import Diagnostics, EventLog, Forecast, Prediction
from detente.core.scale import Scale
from detente.core.scenario import Actor, Evidence, Issue, Scenario, Stance

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
