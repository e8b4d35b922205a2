"""What every JSON document model shares: ``Num``, the ``_Doc`` base that forbids unknown keys, and
the provenance header (``detente_version``, ``scenario``) of the analysis documents."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from detente._version import __version__

Num = float | None
"""A number, or ``null`` where it is undefined (no forecast, no draw with a value, NaN)."""


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScenarioRef(_Doc):
    id: str
    title: str
    sha256: str


class _ScenarioDoc(_Doc):
    """A document about one scenario: the version that wrote it and the scenario it read."""

    detente_version: str
    scenario: ScenarioRef


class _ModelDoc(_ScenarioDoc):
    """A document of one model on one scenario: also the model, its parameters and the seed."""

    model: str
    params: dict[str, Any] = Field(description="The model's resolved parameters (variant included).")
    seed: int


def scenario_header(scenario: Any) -> dict[str, Any]:
    """``{detente_version, scenario: {id, title, sha256}}``: what every analysis document starts with
    (the project's provenance rule; ``sha256`` is ``core.hashing.scenario_hash``, the input hash)."""
    from detente.core.hashing import scenario_hash

    ref = {"id": scenario.id, "title": scenario.title, "sha256": scenario_hash(scenario)}
    return {"detente_version": __version__, "scenario": ref}


def model_header(scenario: Any, model: Any, seed: int) -> dict[str, Any]:
    """:func:`scenario_header` plus the ``model`` (registry name), its ``params``
    (``models.base.model_params``: the dataclass fields) and the ``seed``."""
    from detente.models.base import model_params

    return {
        **scenario_header(scenario),
        "model": type(model).info.name,
        "params": model_params(model),
        "seed": seed,
    }
