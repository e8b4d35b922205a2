"""Model registry: a read-only mapping of names to lazily imported classes, plus entry points."""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from detente.errors import UnknownModelError

# name -> "module:Class" (imported on first use)
_BUILTIN: dict[str, str] = {
    "mean": "detente.models.mean:Mean",
    "compromise": "detente.models.mean:Compromise",
    "median": "detente.models.median:Median",
    "nbs": "detente.models.nbs:NashBargaining",
    "status_quo": "detente.models.mean:StatusQuo",
    "eum": "detente.models.eum:ExpectedUtility",
    "exchange": "detente.models.exchange:Exchange",
    "smp": "detente.models.smp:SpatialModel",
    "anchored": "detente.models.anchored:Anchored",
    "calibrated": "detente.models.calibrated:Calibrated",
    "mixture": "detente.models.mixture:Mixture",
}

MODELS: Mapping[str, str] = MappingProxyType(_BUILTIN)
_loaded: dict[str, type] = {}
_plugins: dict[str, Any] | None = None


def _plugin_entries() -> dict[str, Any]:
    global _plugins
    if _plugins is None:
        from importlib.metadata import entry_points

        _plugins = {ep.name: ep for ep in entry_points(group="detente.models")}
    return _plugins


def available_models() -> tuple[str, ...]:
    """Names of built-in models whose module imports, plus installed plugins."""
    names = []
    for n in _BUILTIN:
        try:
            model_class(n)
        except (ImportError, AttributeError):
            continue
        names.append(n)
    names += [n for n in _plugin_entries() if n not in _BUILTIN]
    return tuple(names)


def model_class(name: str) -> type:
    if name in _loaded:
        return _loaded[name]
    obj: type
    if name in _BUILTIN:
        mod, cls = _BUILTIN[name].split(":")
        obj = getattr(importlib.import_module(mod), cls)
    elif name in _plugin_entries():
        obj = _plugin_entries()[name].load()
    else:
        close = difflib.get_close_matches(name, list(_BUILTIN) + list(_plugin_entries()), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UnknownModelError(f"unknown model {name!r} (expected one of {', '.join(_BUILTIN)}){hint}")
    _loaded[name] = obj
    return obj


def get_model(name: str, **params: Any) -> Any:
    """Instantiate a model by name with hyperparameters (validated by the model).

    >>> get_model("median").tie
    'lower'
    """
    return model_class(name)(**params)
