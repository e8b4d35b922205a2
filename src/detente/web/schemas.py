"""The JSON API's request bodies (pydantic) and the deprecation headers of old field spellings.

Every body is strict (``extra="forbid"``): an unknown field is a 422 naming it. Field names are the
command line's (``detente.vocabulary.API_FIELDS``); old names are accepted for one release and
the response says so (:class:`DeprecationHeaders`).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from detente.defaults import SIM_RUNS
from detente.vocabulary import BUILTIN_PREFIX, DEPRECATED_FIELDS, deprecation
from detente.web import service as svc

MAX_DRAWS = 20000
MAX_RUNS = 5000

_DEPRECATED: ContextVar[list[str] | None] = ContextVar("detente_deprecated", default=None)
"""The old spellings a request used (``n_draws is deprecated; use draws``), for its response headers."""


def note_deprecated(old: str, new: str) -> None:
    """Remember that the request used the old spelling ``old`` of ``new`` (for its response headers)."""
    notes = _DEPRECATED.get()
    if notes is not None:
        notes.append(deprecation(old, new))


class Body(BaseModel):
    """Every request body is strict: an unknown field (``"models"`` for ``"model"``) is a 422 naming it,
    never silently ignored.

    The field names are the command line's (``detente.vocabulary.API_FIELDS``). Old names
    (``n_draws``, ``ref``, ``params``, ...) and ``builtin:NAME`` references are accepted for one
    release: the response says so in a ``Deprecation`` header and a ``Warning`` header per old spelling.
    """

    model_config = ConfigDict(extra="forbid")
    _references: ClassVar[tuple[str, ...]] = ()  # fields holding a scenario reference
    _renamed: ClassVar[dict[str, str]] = {}  # this body's own old spellings, beside DEPRECATED_FIELDS

    @model_validator(mode="before")
    @classmethod
    def _old_spellings(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for name in cls._references:  # a built-in name means the built-in, as on the command line
            if name in data:
                data[name] = reference(data[name], name)
        for old, new in {**DEPRECATED_FIELDS, **cls._renamed}.items():
            if old in data and old not in cls.model_fields and new in cls.model_fields:
                if new in data:
                    raise ValueError(f"{old} and {new}: expected {new} only ({deprecation(old, new)})")
                note_deprecated(old, new)
                value = data.pop(old)  # an old `ref` keeps its old meaning: KEY is a stored key
                data[new] = reference(value, old, translate=False) if old == "ref" else value
        return data


def reference(value: Any, field: str, *, translate: bool = True) -> Any:
    """``ukraine-2025`` -> the built-in (``builtin:ukraine-2025`` inside, for ``service.load_ref``);
    ``builtin:NAME`` is the old spelling (noted for the deprecation headers); anything else (``KEY``,
    ``KEY@VERSION``, a mapping) is kept. Request bodies, paths, queries and the dashboard's forms
    all read a scenario reference through here, so a built-in name means the built-in everywhere."""
    if not isinstance(value, str):
        return value
    if value.startswith(BUILTIN_PREFIX):
        note_deprecated(f"{field} {value!r}", repr(value[len(BUILTIN_PREFIX) :]))
        return value
    if translate and value in svc.builtin_names():
        return BUILTIN_PREFIX + value
    return value


class ScenarioSource(Body):
    """The scenario: a reference as on the command line (a built-in name such as ``ukraine-2025``,
    a stored ``KEY`` or ``KEY@VERSION``) or an inline mapping. A built-in name means the built-in;
    a stored scenario saved under a built-in's name is reached as ``KEY@VERSION``."""

    _references = ("scenario",)
    scenario: str | dict[str, Any] | None = Field(
        None,
        description="a reference (built-in name, KEY or KEY@VERSION) or a native scenario mapping "
        "(as in the YAML files)",
        examples=["emission-standards-1994"],
    )


class ForecastBody(ScenarioSource):
    model: str = Field("compromise", examples=["eum"])
    set: dict[str, Any] = Field(default_factory=dict, description="model parameters, as --set NAME=VALUE")
    seed: int = 0
    record: bool = Field(False, description="store the run (manifest + results) in the database")


class Change(Body):
    actor: str
    issue: str | None = Field(None, description="stance issue; empty = every issue of the actor")
    position: float | None = None
    salience: float | None = Field(None, ge=0, le=1)
    capability: float | None = Field(None, ge=0)


class WhatIfBody(ForecastBody):
    changes: list[Change] = Field(default_factory=list)


class CompareBody(Body):
    _references = ("a", "b")
    a: str = Field(..., examples=["emission-standards-1994"])
    b: str = Field(..., examples=["emission-standards-1994@2"])
    model: str = "compromise"
    seed: int = 0


class SweepBody(ScenarioSource):
    model: str = "compromise"
    set: dict[str, Any] = Field(default_factory=dict, description="model parameters, as --set NAME=VALUE")
    draws: int = Field(500, ge=1, le=MAX_DRAWS)
    seed: int = 0


class SimulateBody(ScenarioSource):
    draws: int = Field(SIM_RUNS, ge=1, le=MAX_RUNS)
    seed: int = 0


class SaveBody(Body):
    scenario: dict[str, Any]
    author: str = ""
    key: str | None = None


class ParseBody(Body):
    filename: str = Field(..., examples=["talks.yaml"])
    content_base64: str
    save: bool = False


class LedgerAddBody(Body):
    question: str
    value: float
    kind: Literal["binary", "numeric"] | None = None
    resolves: str = Field("", description="the resolution date, YYYY-MM-DD")
    scenario: str = Field("", description="the scenario the forecast came from, e.g. ukraine-2025@2")
    model: str = ""
    note: str = ""
    quantiles: dict[str, float] | None = Field(
        None, description='numeric forecasts: level in percent -> value, e.g. {"10": 42, "90": 71}'
    )


class ResolveBody(Body):
    outcome: float
    force: bool = Field(False, description="replace an earlier resolution (it stays in the history)")


class DeprecationHeaders:
    """ASGI middleware: a response to a request that used old spellings carries ``Deprecation: true``
    and one ``Warning: 299 detente "n_draws is deprecated; use draws"`` header per old spelling."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        notes: list[str] = []
        token = _DEPRECATED.set(notes)

        async def send_with_notes(message: Any) -> None:
            if message["type"] == "http.response.start" and notes:
                extra = [(b"deprecation", b"true")] + [
                    (b"warning", f'299 detente "{n}"'.encode("latin-1", "replace"))
                    for n in dict.fromkeys(notes)
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_notes)
        finally:
            _DEPRECATED.reset(token)
