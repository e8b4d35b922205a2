"""The one model protocol, ``ModelInfo``, parameter helpers and the ``forecast`` free function.

A model is a frozen dataclass of hyperparameters (all defaulted, checked in ``__post_init__``)
plus ``predict(arrays, rng) -> Prediction`` working on the unit scale with optional leading
batch axes (architecture.md §3).
"""

from __future__ import annotations

import contextlib
import dataclasses
import typing
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol, get_args, get_origin, runtime_checkable

import numpy as np

from detente.core.arrays import ScenarioArrays, to_arrays
from detente.core.hashing import scenario_hash
from detente.core.results import Forecast, Prediction
from detente.core.rng import as_generator, check_seed
from detente.core.scale import from_unit
from detente.core.scenario import Scenario
from detente.errors import DetenteWarning, ModelConfigError


@dataclass(frozen=True, slots=True)
class ModelInfo:
    name: str
    dynamic: bool  # returns a trajectory
    stochastic: bool  # uses rng
    batched: bool = True
    joint_issues: bool = False  # exchange, smp
    mirror_symmetric: bool = True
    description: str = ""
    uses_rules: bool = False  # reads the issues' decision rules (docs/decision_rules.md)


@runtime_checkable
class ForecastModel(Protocol):
    info: ClassVar[ModelInfo]

    def predict(self, arrays: ScenarioArrays, rng: np.random.Generator) -> Prediction: ...


def require_model(model: object) -> ForecastModel:
    """``model`` if it is a model instance (``info`` and ``predict``), else a :class:`ModelConfigError`
    saying what was received: a model's name (use :func:`get_model`) or its class (instantiate it)
    are the common slips.

    >>> require_model("median")
    Traceback (most recent call last):
    ...
    detente.errors.ModelConfigError: model: expected a model instance such as get_model('median'), received 'median'
    """
    if isinstance(model, str):
        raise ModelConfigError("model", f"a model instance such as get_model({model!r})", model)
    if isinstance(model, type):
        raise ModelConfigError(
            "model", f"a model instance, not the class: call it, {model.__name__}()", model.__name__
        )
    info = getattr(type(model), "info", None)
    if not isinstance(info, ModelInfo) or not callable(getattr(model, "predict", None)):
        raise ModelConfigError(
            "model",
            "a model instance (a ClassVar info: ModelInfo and predict(arrays, rng)), e.g. get_model('compromise')",
            type(model).__name__,
        )
    return model  # type: ignore[return-value]


def check_choice(name: str, value: object, options: tuple[object, ...]) -> None:
    """Raise ``ModelConfigError`` unless ``value`` is one of ``options``."""
    if value not in options:
        raise ModelConfigError(name, "one of " + ", ".join(repr(o) for o in options), value)


def check_literal(model: object) -> None:
    """Check every ``Literal``-typed field of a dataclass model against its allowed values."""
    hints = typing.get_type_hints(type(model))
    for f in dataclasses.fields(model):  # type: ignore[arg-type]
        tp = hints.get(f.name)
        if get_origin(tp) is Literal:
            check_choice(f.name, getattr(model, f.name), get_args(tp))


def check_range(
    name: str, value: object, low: float | None = None, high: float | None = None, *, integer: bool = False
) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(float(value))
    if ok and integer and not float(value).is_integer():  # type: ignore[arg-type]
        ok = False
    if ok and low is not None and float(value) < low:  # type: ignore[arg-type]
        ok = False
    if ok and high is not None and float(value) > high:  # type: ignore[arg-type]
        ok = False
    if not ok:
        kind = "an integer" if integer else "a number"
        rng = f" in [{low if low is not None else '-inf'}, {high if high is not None else 'inf'}]"
        raise ModelConfigError(name, kind + rng, value)


def model_params(model: object) -> dict[str, Any]:
    """The hyperparameters of a model as a plain dict (its dataclass fields; none for a model that is
    not a dataclass)."""
    if not dataclasses.is_dataclass(model):
        return {}
    return {f.name: getattr(model, f.name) for f in dataclasses.fields(model)}


def coerce_param(model_cls: type, name: str, text: str) -> Any:
    """Parse a ``--set NAME=VALUE`` text into the type of the model's field ``name``."""
    fields = {f.name: f for f in dataclasses.fields(model_cls)}
    if name not in fields:
        raise ModelConfigError(name, "one of the parameters " + ", ".join(sorted(fields)), name)
    tp = typing.get_type_hints(model_cls)[name]
    origin = get_origin(tp)
    args = get_args(tp)
    if origin is Literal:
        for a in args:
            if str(a) == text or (isinstance(a, bool) and text.lower() == str(a).lower()):
                return a
        raise ModelConfigError(name, "one of " + ", ".join(repr(a) for a in args), text)
    candidates = [a for a in args if a is not type(None)] if args else [tp]
    for t in candidates:
        try:
            if t is bool:
                low = text.strip().lower()
                if low in ("true", "1", "yes", "on"):
                    return True
                if low in ("false", "0", "no", "off"):
                    return False
                raise ValueError(text)
            if t is int:
                v = float(text)
                if not v.is_integer():
                    raise ValueError(text)
                return int(v)
            if t is float:
                return float(text)
            if t is str:
                return text
        except ValueError:
            continue
    if text.lower() in ("none", "null") and type(None) in args:
        return None
    raise ModelConfigError(name, " or ".join(getattr(t, "__name__", str(t)) for t in candidates), text)


@contextlib.contextmanager
def statuses_not_warnings() -> Iterator[None]:
    """Inside: detente's own model warnings (``ConvergenceWarning`` and other ``DetenteWarning`` s)
    are not shown, for callers that report the statuses the forecasts record instead.

    Only those: a NumPy ``RuntimeWarning``, a ``DeprecationWarning`` or any other warning still
    shows (the ignore-everything filters this replaces hid them too). Like
    :class:`warnings.catch_warnings` it changes process-wide state while it is open.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DetenteWarning)
        yield


def forecast(
    model: ForecastModel,
    scenario: Scenario,
    *,
    seed: int = 0,
    version: str | None = None,
    input_hash: str | None = None,
) -> Forecast:
    """Run ``model`` on ``scenario`` and return a :class:`Forecast` in the issues' units.

    ``seed``: an integer >= 0, the only randomness (stochastic models draw from it); a float, a text
    or ``None`` raises :class:`ModelConfigError`, as does a ``model`` that is a name or a class.
    The forecast's arrays are read-only (a result is a record; copy one to change it).

    ``input_hash``: ``scenario_hash(scenario)`` when the caller already has it (the main job hashes
    the scenario once for its ten forecasts instead of once per forecast).

    Examples
    --------
    >>> from detente.models import get_model
    >>> from detente.io.builtin import load_builtin
    >>> f = forecast(get_model("compromise"), load_builtin("emission-standards-1994"))
    >>> round(float(f.outcome[0]), 5)
    7.38996
    """
    if version is None:
        from detente._version import __version__

        version = __version__
    model = require_model(model)
    seed = check_seed(seed)
    arrays = to_arrays(scenario)
    pred = model.predict(arrays, as_generator(seed))
    empty = ~np.asarray(arrays.present).any(axis=-2)  # issues no actor takes a position on
    if empty.any() and "no_stances" not in pred.diagnostics.flags:
        # the reason a reader is given for their missing forecast (core.results.NO_FORECAST_REASONS)
        flags = {
            **pred.diagnostics.flags,
            "no_stances": np.broadcast_to(empty, np.shape(pred.outcome)).copy(),
        }
        pred = dataclasses.replace(pred, diagnostics=dataclasses.replace(pred.diagnostics, flags=flags))
    scales = tuple((i.scale.low, i.scale.high) for i in scenario.issues)
    unit = np.array(pred.outcome, dtype=np.float64)  # a copy: the record is read-only, the model's array not
    raw = from_unit(unit, scales)
    unit.setflags(write=False)
    raw.setflags(write=False)
    return Forecast(
        scenario_id=scenario.id,
        scenario_hash=scenario_hash(scenario) if input_hash is None else input_hash,
        model=type(model).info.name,
        # a model that resolves presets reports the values it used (extras["settings"]): record those
        params={**model_params(model), **dict(pred.extras.get("settings") or {})},
        seed=seed,
        version=version,
        actor_ids=scenario.actor_ids,
        issue_ids=scenario.issue_ids,
        outcome=raw,
        unit_outcome=unit,
        scales=scales,
        prediction=pred,
    )
