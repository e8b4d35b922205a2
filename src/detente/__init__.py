"""detente: make multi-party negotiations computable.

Scenarios of actors, issues and stances; stakeholder models behind one protocol; a
war-bargaining simulator; uncertainty, levers and backtests.
"""

from __future__ import annotations

from typing import Any

from detente._version import __version__
from detente.core import (
    Actor,
    Evidence,
    Forecast,
    Issue,
    Prediction,
    Scale,
    Scenario,
    ScenarioArrays,
    Stance,
    to_arrays,
)
from detente.errors import DetenteError, ModelConfigError, ScenarioError
from detente.models import available_models, forecast, get_model

_LAZY = {
    "read_scenario": "detente.io.files",
    "write_scenario": "detente.io.files",
    "load_builtin": "detente.io.builtin",
    "Perturbation": "detente.core.perturb",
    "run_ensemble": "detente.analysis.montecarlo",
    "knockout": "detente.analysis.sensitivity",
    "tornado": "detente.analysis.sensitivity",
    "what_it_takes": "detente.analysis.inverse",
    "cohesion": "detente.analysis.coalitions",
    "simulate": "detente.sim",
    "GameConfig": "detente.sim",
    "render_report": "detente.report.html",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'detente' has no attribute {name!r}")


__all__ = [
    "Actor",
    "DetenteError",
    "Evidence",
    "Forecast",
    "GameConfig",
    "Issue",
    "ModelConfigError",
    "Perturbation",
    "Prediction",
    "Scale",
    "Scenario",
    "ScenarioArrays",
    "ScenarioError",
    "Stance",
    "__version__",
    "available_models",
    "cohesion",
    "forecast",
    "get_model",
    "knockout",
    "load_builtin",
    "read_scenario",
    "render_report",
    "run_ensemble",
    "simulate",
    "to_arrays",
    "tornado",
    "what_it_takes",
    "write_scenario",
]
