"""Helpers shared by the uncertainty commands (sweep, levers, cohesion, sensitivity; one module each,
``cmd_<name>.py``): model selection, thresholds, noise, groups, JSON-safe numbers."""

from __future__ import annotations

import math
from typing import Any

from detente.cli.common import build_model, fail

DEFAULT_SWEEP_MODELS: tuple[str, ...] = ("compromise", "median", "eum")
DEFAULT_LEVER_MODEL = "compromise"
DEFAULT_GROUPS: tuple[str, str] = ("us", "european_allies")


def clean(obj: Any) -> Any:
    """NaN/inf -> None so the JSON stays valid."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean(v) for v in obj]
    return obj


def default_models() -> list[str]:
    """The fast baselines plus the EUM when it is installed."""
    from detente.models import MODELS, model_class

    out = []
    for n in DEFAULT_SWEEP_MODELS:
        if n not in MODELS:
            continue
        try:
            model_class(n)
        except (ImportError, AttributeError):
            continue
        out.append(n)
    return out


def parse_thresholds(items: list[str] | None, scenario: Any) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for item in items or []:
        if "=" not in item:
            fail(f"--threshold {item!r}: expected ISSUE=VALUE")
        k, v = (p.strip() for p in item.split("=", 1))
        if k not in scenario.issue_ids:
            fail(
                f"--threshold {item!r}: unknown issue {k!r} (expected one of {', '.join(scenario.issue_ids)})"
            )
        try:
            value = float(v)
        except ValueError:
            fail(f"--threshold {item!r}: expected a number after '=', received {v!r}")
        if not math.isfinite(value):
            fail(f"--threshold {item!r}: expected a finite number, received {v!r}")
        out.setdefault(k, []).append(value)
    return out


def perturbation_for(scenario: Any, **overrides: float | None) -> Any:
    from detente.core.perturb import Perturbation
    from detente.errors import DetenteError

    try:
        return Perturbation.from_metadata(scenario.metadata, **overrides)
    except DetenteError as exc:
        fail(str(exc))


def build_models(names: list[str] | None, sets: dict[str, str]) -> list[Any]:
    """The named models (default: the fast baselines and the EUM) with the --set values that belong to them."""
    from detente.errors import DetenteError
    from detente.models import parameter_names

    chosen = list(names) if names else default_models()
    known: set[str] = set()
    for n in chosen:
        try:
            known |= parameter_names(n)
        except DetenteError as exc:
            fail(str(exc))
        except ImportError as exc:
            fail(f"model {n}: cannot be imported ({exc})")
    unknown = sorted(set(sets) - known)
    if unknown:
        fail(f"--set {unknown[0]}: no model among {', '.join(chosen)} has this parameter")
    return [build_model(n, sets) for n in chosen]


def fmt_num(v: float, digits: int = 3, missing: str = "—") -> str:
    return missing if not math.isfinite(v) else f"{v:.{digits}g}"


def default_groups(scenario: Any) -> tuple[str, str] | None:
    """``us``/``european_allies`` when present, else the first two groups of the scenario, else None."""
    groups = scenario.groups()
    if all(g in groups for g in DEFAULT_GROUPS):
        return DEFAULT_GROUPS
    names = list(groups)
    return (names[0], names[1]) if len(names) >= 2 else None
