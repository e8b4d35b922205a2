"""Every fixed set of choices an option takes, as an ``Enum`` (typer turns them into click choices).

Help shows the choices; a value outside them is one line (``error: --format: expected table, json
or csv, received 'xml'``, see ``detente.cli.app``). Members are ``StrEnum``: they compare equal to
their value, so ``fmt == "json"`` holds for ``Format.json``.
"""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    """How a command prints its result on standard output (``--format``)."""

    table = "table"
    json = "json"
    csv = "csv"


class Method(StrEnum):
    """``detente sensitivity --method``."""

    tornado = "tornado"
    knockout = "knockout"
    sobol = "sobol"


class Preset(StrEnum):
    """``detente simulate --preset``: the simulator's reference modes (``detente.sim.config.PRESETS``)."""

    rubinstein = "rubinstein"
    fearon = "fearon"


class Capability(StrEnum):
    """``detente backtest --capability``: how a DEU member state's capability is measured."""

    votes = "votes"
    ssi = "ssi"
    banzhaf = "banzhaf"
    equal = "equal"


class MissingSalience(StrEnum):
    """``detente backtest --missing-salience``."""

    impute = "impute"
    drop = "drop"


class Kind(StrEnum):
    """``detente ledger add --kind``."""

    binary = "binary"
    numeric = "numeric"


ReadFormat = StrEnum(  # type: ignore[misc]
    "ReadFormat",
    {n: n for n in ("yaml", "json", "csv", "xlsx", "ktab-csv", "ktab-xml", "decide", "bdm")},
)
"""``--from``: the scenario file formats detente reads (``detente.io.files.READ_FORMATS``)."""

WriteFormat = StrEnum(  # type: ignore[misc]
    "WriteFormat", {n: n for n in ("yaml", "json", "csv", "xlsx", "ktab-csv", "decide")}
)
"""``convert --to``: the scenario file formats detente writes (``detente.io.files.WRITE_FORMATS``)."""


class QuestionnaireFormat(StrEnum):
    """``detente elicit export --to``: the questionnaire's file type."""

    xlsx = "xlsx"
    csv = "csv"


class Pool(StrEnum):
    """``detente elicit import --pool``: how the experts' answers are pooled (``detente.core.panel.POOL_METHODS``)."""

    median = "median"
    mean = "mean"
    trimmed = "trimmed"
    weighted = "weighted"


class ErrorModelKind(StrEnum):
    """``detente backtest/calibrate --error-model``: the error model fitted (``analysis.calibration.KINDS``;
    docs/calibration.md §2)."""

    hurdle = "hurdle"
    quantile_regression = "quantile_regression"
