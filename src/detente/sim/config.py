"""Configuration of the bargaining-while-fighting simulator (simulator.md §3, v1 defaults).

:class:`GameConfig` holds one frozen section per mechanism (:mod:`detente.sim.mechanisms`)::

    GameConfig(run=Run(...), fighting=Fighting(...), values=Values(...), beliefs=Beliefs(...),
               offers=Offers(...), mediation=Mediation(...), sanctions=Sanctions(...),
               guarantees=Guarantees(...), ceasefire=Ceasefire(...), summit=Summit(...),
               reference=Reference(...))

Parameters keep their flat names (``h0``, ``pi_max``...: the names of a scenario's ``dynamics:`` section,
of ``--set NAME=VALUE`` and of docs/simulator.md); :data:`FLAT` maps each to its section, and
:meth:`GameConfig.get`, :meth:`GameConfig.flat` and :meth:`GameConfig.replace` read and change a config by
flat name. Field metadata: ``doc``, ``source``, ``tag``; :func:`parameter_table` lists them (one row per
parameter, its section as ``group``); ``docs/simulator.md`` lists the same.

Ways to build a config:

* ``GameConfig()``: the ukraine-2025 defaults of simulator.md §3;
* :func:`from_mapping` (a ``dynamics:`` mapping of a scenario file);
* :func:`from_scenario` (a :class:`~detente.core.scenario.Scenario`: its ``dynamics`` section,
  falling back to the defaults);
* :func:`with_overrides` (``--set NAME=VALUE`` strings, aliases ``delta_1``/``delta_2``);
* :func:`preset` (``rubinstein``, ``fearon``: the reference modes of simulator.md §6).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from detente.errors import ModelConfigError
from detente.sim.mechanisms import (
    ISSUES,
    BeliefModel,
    Beliefs,
    Ceasefire,
    Fighting,
    Guarantees,
    Mediation,
    Mode,
    Offers,
    Policy,
    Reference,
    Run,
    Sanctions,
    SettleRef,
    Summit,
    Target,
    Values,
    WarShare,
)

__all__ = [
    "ALIASES",
    "FLAT",
    "ISSUES",
    "PRESETS",
    "BeliefModel",
    "Beliefs",
    "Ceasefire",
    "Fighting",
    "GameConfig",
    "Guarantees",
    "Mediation",
    "Mode",
    "Offers",
    "Policy",
    "Reference",
    "Run",
    "Sanctions",
    "SettleRef",
    "Summit",
    "Target",
    "Values",
    "WarShare",
    "field_names",
    "from_mapping",
    "from_scenario",
    "parameter_table",
    "preset",
    "with_overrides",
]


@dataclass(frozen=True)
class GameConfig:
    """Every parameter of the simulator, one section per mechanism; defaults are the ukraine-2025 priors
    of simulator.md §3. Read a parameter as ``cfg.ceasefire.h0`` (typed) or ``cfg.get("h0")`` (flat name).
    """

    run: Run = field(default_factory=Run)
    fighting: Fighting = field(default_factory=Fighting)
    values: Values = field(default_factory=Values)
    beliefs: Beliefs = field(default_factory=Beliefs)
    offers: Offers = field(default_factory=Offers)
    mediation: Mediation = field(default_factory=Mediation)
    sanctions: Sanctions = field(default_factory=Sanctions)
    guarantees: Guarantees = field(default_factory=Guarantees)
    ceasefire: Ceasefire = field(default_factory=Ceasefire)
    summit: Summit = field(default_factory=Summit)
    reference: Reference = field(default_factory=Reference)

    def __post_init__(self) -> None:
        for name, cls in SECTIONS.items():
            if not isinstance(getattr(self, name), cls):
                raise ModelConfigError(name, f"a {cls.__name__} section", type(getattr(self, name)).__name__)

    def get(self, name: str) -> Any:
        """The value of the parameter with flat name ``name`` (aliases allowed; unknown names raise)."""
        key = _resolve(name)
        return getattr(getattr(self, FLAT[key]), key)

    def flat(self) -> dict[str, Any]:
        """Every parameter by flat name, in the order of :func:`field_names`."""
        return {name: getattr(getattr(self, section), name) for name, section in FLAT.items()}

    def replace(self, **changes: Any) -> GameConfig:
        """A copy with parameters changed by flat name (typed values; checked) or whole sections replaced."""
        by_section: dict[str, dict[str, Any]] = {}
        whole: dict[str, Any] = {}
        for name, value in changes.items():
            if name in SECTIONS:
                whole[name] = value
            else:
                key = _resolve(name)
                by_section.setdefault(FLAT[key], {})[key] = value
        for section, sub in by_section.items():
            whole[section] = dataclasses.replace(whole.get(section, getattr(self, section)), **sub)
        return dataclasses.replace(self, **whole)


SECTIONS: dict[str, type] = {f.name: f.default_factory for f in dataclasses.fields(GameConfig)}  # type: ignore[misc]
"""Section attribute of :class:`GameConfig` -> its dataclass, in order."""

FLAT: dict[str, str] = {p.name: section for section, cls in SECTIONS.items() for p in dataclasses.fields(cls)}
"""The one table from flat parameter names to sections: ``FLAT["h0"] == "ceasefire"`` (``cfg.ceasefire.h0``).

Derived from the section dataclasses, so a parameter is declared once (with its default and documentation)."""

_FIELDS: dict[str, dataclasses.Field[Any]] = {
    p.name: p for cls in SECTIONS.values() for p in dataclasses.fields(cls)
}
if len(_FIELDS) != sum(len(dataclasses.fields(cls)) for cls in SECTIONS.values()):  # pragma: no cover
    raise RuntimeError("a parameter name is declared in two sections of GameConfig")


# ---------------------------------------------------------------------------------------
ALIASES: dict[str, str] = {"delta_1": "delta_R", "delta_2": "delta_U", "months": "horizon", "K": "substeps"}
"""``--set`` aliases: ``delta_1``/``delta_2`` are the first/second mover of the Rubinstein mode (R, U)."""

PRESETS: dict[str, dict[str, Any]] = {
    # simulator.md §6.1: two parties, complete information, no fighting, R proposes first
    "rubinstein": {"mode": "rubinstein", "policy": "equilibrium", "delta_R": 0.9, "delta_U": 0.8},
    # simulator.md §6.2: complete information, costly war, take-it-or-leave-it offer by R
    "fearon": {
        "mode": "fearon",
        "policy": "equilibrium",
        "p_war": 0.6,
        "c_R": 0.10,
        "c_U": 0.15,
        "delta_R": 0.9,
        "delta_U": 0.9,
    },
}


def field_names() -> tuple[str, ...]:
    """Every parameter's flat name, section by section (the order of docs/simulator.md)."""
    return tuple(FLAT)


def _coerce(name: str, raw: Any) -> Any:
    """Coerce a raw value (string from --set or YAML scalar) to the type of field ``name``."""
    t = str(_FIELDS[name].type)
    try:
        if t == "bool":
            if isinstance(raw, bool):
                return raw
            s = str(raw).strip().lower()
            if s in ("1", "true", "yes", "on"):
                return True
            if s in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if t == "int":
            if isinstance(raw, bool):
                raise ValueError
            v = float(raw)
            if v != int(v):
                raise ValueError
            return int(v)
        if t == "float":
            if isinstance(raw, bool):
                raise ValueError
            return float(raw)
        if t.startswith("tuple"):
            if isinstance(raw, (list, tuple)):
                return tuple(float(x) for x in raw)
            s = str(raw).strip().strip("()[]")
            return tuple(float(x) for x in s.split(",") if x.strip())
        return str(raw)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int('inf')
        raise ModelConfigError(name, f"a value of type {t}", raw) from None


def _resolve(name: str) -> str:
    key = ALIASES.get(name, name)
    if key not in FLAT:
        import difflib

        close = difflib.get_close_matches(key, field_names(), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ModelConfigError(name, "a simulator parameter" + hint, name)
    return key


def with_overrides(config: GameConfig, sets: dict[str, Any]) -> GameConfig:
    """Apply ``NAME=VALUE`` overrides (strings or typed values) to ``config``; unknown names raise."""
    changes = {}
    for name, raw in sets.items():
        key = _resolve(name)
        changes[key] = _coerce(key, raw)
    return config.replace(**changes)


def preset(name: str, base: GameConfig | None = None) -> GameConfig:
    """A reference-mode preset (simulator.md §6) applied on ``base`` (default config)."""
    if name not in PRESETS:
        raise ModelConfigError("preset", "one of " + ", ".join(PRESETS), name)
    return with_overrides(base if base is not None else GameConfig(), PRESETS[name])


DOC_KEYS = ("evidence", "notes", "description")  # keys of a dynamics: section that document, not set


def from_mapping(data: Any) -> GameConfig:
    """Build a config from a scenario's ``dynamics:`` mapping.

    Layout (every key optional)::

        dynamics:
          parameters: {h0: 0.35, pi_max: 0.6, ...}
          evidence:   {pi_max: {quote: "...", source: "..."}, h0: {assumption: "..."}}

    A flat mapping of parameter names is accepted too. ``evidence`` and other documentation keys
    are not read here (they document the values).
    """
    if data is None:
        return GameConfig()
    if isinstance(data, tuple):
        data = dict(data)
    if not isinstance(data, dict):
        raise ModelConfigError("dynamics", "a mapping", type(data).__name__)
    params = data.get("parameters", None)
    if params is None:
        params = {k: v for k, v in data.items() if k not in DOC_KEYS}
    else:
        extra = sorted(str(k) for k in data if k not in ("parameters", *DOC_KEYS))
        if extra:  # beside 'parameters' only documentation keys: a typo would be dropped silently
            raise ModelConfigError(
                f"dynamics.{extra[0]}", "one of parameters, " + ", ".join(DOC_KEYS), extra[0]
            )
    if not isinstance(params, dict):
        raise ModelConfigError("dynamics.parameters", "a mapping of parameter: value", type(params).__name__)
    evidence = data.get("evidence")
    if evidence is not None:
        if not isinstance(evidence, dict):
            raise ModelConfigError(
                "dynamics.evidence", "a mapping of parameter: {quote, source, date} or {assumption}", evidence
            )
        for name, ev in evidence.items():
            if str(name) not in FLAT:
                raise ModelConfigError(f"dynamics.evidence.{name}", "a simulator parameter", name)
            items = ev if isinstance(ev, list) else [ev]
            if not items or not all(isinstance(x, (dict, str)) for x in items):
                raise ModelConfigError(
                    f"dynamics.evidence.{name}",
                    "{quote, source, date} or {assumption: true, note} (or a list of them, or a text)",
                    ev,
                )
    try:
        return with_overrides(GameConfig(), params)
    except ModelConfigError as exc:
        raise ModelConfigError(f"dynamics.parameters.{exc.parameter}", exc.allowed, exc.received) from None


def from_scenario(scenario: Any) -> GameConfig:
    """The config of a scenario: its ``dynamics`` section, else the ukraine-2025 defaults."""
    dyn = getattr(scenario, "dynamics", ()) or ()
    return from_mapping(dict(dyn)) if dyn else GameConfig()


def parameter_table() -> list[dict[str, str]]:
    """One row per parameter: name, group (its section of :class:`GameConfig`), default, tag, meaning, source."""
    rows = []
    for name, section in FLAT.items():
        f = _FIELDS[name]
        d = f.default
        rows.append(
            {
                "name": f.name,
                "group": section,
                "default": repr(d),
                "tag": f.metadata["tag"],
                "doc": f.metadata["doc"],
                "source": f.metadata["source"],
            }
        )
    return rows
