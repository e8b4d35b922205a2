"""Model registry: a read-only mapping of names to lazily imported classes, plus entry points.

The one place that builds a model from its name and ``NAME=VALUE`` settings (:func:`parse_settings`,
:func:`build_model`): the CLI's ``--set`` and the web service's parameters both go through it.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from detente.errors import ModelConfigError, UnknownModelError
from detente.models.base import coerce_param

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
    "ensemble": "detente.models.ensemble:Ensemble",
    "procedural": "detente.models.procedural:Procedural",
    "rule_compromise": "detente.models.procedural:RuleCompromise",
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
    """The class of model ``name``; :class:`UnknownModelError` (with close matches) if there is none."""
    if not isinstance(name, str):
        raise UnknownModelError(
            f"model: expected a model name (one of {', '.join(_BUILTIN)}), received {name!r}"
        )
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

    A parameter the model does not have raises :class:`ModelConfigError` naming it and the ones it has.

    >>> get_model("median").tie
    'lower'
    >>> get_model("median", rounds=3)
    Traceback (most recent call last):
    ...
    detente.errors.ModelConfigError: rounds: expected one of the parameters method, tie, weighting, received 'rounds'
    """
    cls = model_class(name)
    if dataclasses.is_dataclass(cls):
        names = {f.name for f in dataclasses.fields(cls)}
        for k in params:
            if k not in names:
                raise ModelConfigError(k, "one of the parameters " + ", ".join(sorted(names)), k)
    return cls(**params)


class SettingSyntaxError(ValueError):
    """A setting is not of the form ``NAME=VALUE``; ``item`` is the offending text."""

    def __init__(self, item: str) -> None:
        super().__init__(f"expected NAME=VALUE, received {item!r}")
        self.item = item


def parse_settings(items: Iterable[str]) -> dict[str, str]:
    """``NAME=VALUE`` texts -> ``{NAME: VALUE}`` (both stripped, the later of two equal names wins).

    Values stay text: :func:`build_model` parses each by the type the model declares for it.
    Raises :class:`SettingSyntaxError` for an item without ``=``.

    >>> parse_settings(["rounds=20", " variant = bdm1994"])
    {'rounds': '20', 'variant': 'bdm1994'}
    """
    out: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise SettingSyntaxError(item)
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def parameter_names(name: str) -> frozenset[str]:
    """The settable parameters of model ``name`` (its dataclass fields)."""
    return frozenset(f.name for f in dataclasses.fields(model_class(name)))


def build_model(name: str, settings: Mapping[str, Any] | None = None, *, ignore_unknown: bool = False) -> Any:
    """Model ``name`` built with ``settings``: texts are parsed by the parameter's declared type
    (:func:`detente.models.base.coerce_param`), other values passed as given; the model validates them.

    A setting the model does not have raises :class:`ModelConfigError` naming it, unless
    ``ignore_unknown`` (settings shared by several models, each taking its own).

    >>> build_model("median", {"tie": "upper"}).tie
    'upper'
    >>> build_model("median", {"rounds": "3"})
    Traceback (most recent call last):
    ...
    detente.errors.ModelConfigError: rounds: expected one of the parameters method, tie, weighting, received 'rounds'
    """
    cls = model_class(name)
    names = parameter_names(name)
    kw: dict[str, Any] = {}
    for k, v in (settings or {}).items():
        if k not in names:
            if ignore_unknown:
                continue
            raise ModelConfigError(k, "one of the parameters " + ", ".join(sorted(names)), k)
        kw[k] = coerce_param(cls, k, v) if isinstance(v, str) else v
    return cls(**kw)
