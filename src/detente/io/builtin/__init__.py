"""Packaged scenarios (provisional loader; the io work extends it)."""

from __future__ import annotations

from importlib import resources

import yaml

from detente.core.scenario import Scenario
from detente.io.mapping import parse_scenario


def builtin_names() -> tuple[str, ...]:
    return tuple(sorted(p.name[:-5] for p in resources.files(__name__).iterdir() if p.name.endswith(".yaml")))


def load_builtin(name: str) -> Scenario:
    text = (resources.files(__name__) / f"{name}.yaml").read_text(encoding="utf-8")
    return parse_scenario(yaml.safe_load(text))
