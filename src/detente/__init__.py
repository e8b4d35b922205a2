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
    "Issue",
    "ModelConfigError",
    "Prediction",
    "Scale",
    "Scenario",
    "ScenarioArrays",
    "ScenarioError",
    "Stance",
    "__version__",
    "available_models",
    "forecast",
    "get_model",
    "load_builtin",
    "read_scenario",
    "to_arrays",
    "write_scenario",
]
