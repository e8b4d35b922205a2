"""detente: make multi-party negotiations computable.

Scenarios of actors, issues and stances; stakeholder models behind one protocol; a
war-bargaining simulator; uncertainty, levers and backtests.

The public API is ``__all__`` (and ``dir(detente)`` shows exactly it); docs/api.md describes each
name and the error tree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from detente._version import __version__
from detente.errors import (
    ConvergenceWarning,
    DetenteError,
    DetenteWarning,
    InputFileError,
    MissingExtraError,
    ModelConfigError,
    ScenarioError,
    StoreError,
    UnknownModelError,
)

if TYPE_CHECKING:  # for type checkers only; at run time these resolve on first use (see _LAZY)
    from detente.analysis.coalitions import cohesion
    from detente.analysis.inverse import what_it_takes
    from detente.analysis.montecarlo import run_ensemble
    from detente.analysis.sensitivity import knockout, tornado
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
    from detente.core.perturb import Perturbation
    from detente.io.builtin import load_builtin
    from detente.io.files import read_scenario, write_scenario
    from detente.models import available_models, forecast, get_model
    from detente.report.html import render_report
    from detente.sim import GameConfig, simulate

# names whose modules load only when first used: ``import detente`` stays light (architecture.md §8)
_LAZY = {
    **dict.fromkeys(
        (
            "Actor",
            "Evidence",
            "Forecast",
            "Issue",
            "Prediction",
            "Scale",
            "Scenario",
            "ScenarioArrays",
            "Stance",
        ),
        "detente.core",
    ),
    "to_arrays": "detente.core",
    "available_models": "detente.models",
    "forecast": "detente.models",
    "get_model": "detente.models",
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
    from detente._lazy import resolve

    return resolve("detente", _LAZY, globals(), name)


def __dir__() -> list[str]:
    """The public API, exactly: ``dir(detente)`` lists ``__all__`` (docs/api.md)."""
    return sorted(__all__)


# the public API (docs/api.md; tests/test_public_api.py lists it literally)
__all__ = [
    "Actor",
    "ConvergenceWarning",
    "DetenteError",
    "DetenteWarning",
    "Evidence",
    "Forecast",
    "GameConfig",
    "InputFileError",
    "Issue",
    "MissingExtraError",
    "ModelConfigError",
    "Perturbation",
    "Prediction",
    "Scale",
    "Scenario",
    "ScenarioArrays",
    "ScenarioError",
    "Stance",
    "StoreError",
    "UnknownModelError",
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
