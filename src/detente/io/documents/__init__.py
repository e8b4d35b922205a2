"""The JSON documents detente writes, in one place: a pydantic model and one builder per document.

The CLI's ``--format json`` and the web service build their JSON with the functions here, so a
shape is written once; the models describe the same shapes for tools and tests (every model
forbids keys it does not name, so an unexpected key fails validation). ``python -m
detente.io.documents [FOLDER]`` writes their JSON Schemas (default ``docs/schema/``); docs/json.md
explains each document.

=========================  ==================================  ======================================
document                   written by                          builder
=========================  ==================================  ======================================
``ForecastDocument``       ``detente forecast --format json``  :func:`forecast_document`
``SweepDocument``          ``detente sweep --format json``     :func:`sweep_document`
``LeversDocument``         ``detente levers --format json``    :func:`levers_document`
``CohesionDocument``       ``detente cohesion --format json``  :func:`cohesion_document`
``SensitivityDocument``    ``detente sensitivity --format json``  :func:`sensitivity_document`
``SimulateDocument``       ``detente simulate --format json``  :func:`simulate_document`
``BacktestDocument``       ``detente backtest --format json``  :func:`backtest_document`
``LedgerEntryDocument``    ``detente ledger add/resolve``      :func:`ledger_entry_document`
``LedgerListDocument``     ``detente ledger list``             :func:`ledger_list_document`
``LedgerHistoryDocument``  ``detente ledger history``          :func:`ledger_history_document`
``LedgerScoreDocument``    ``detente ledger score``            :func:`ledger_score_document`
``DraftDocument``          ``detente draft --format json``     :func:`draft_summary_document`
``WebForecast``            API forecast, what-if sides         :func:`web_forecast`
``WebSweep``               API sweep job result                :func:`web_sweep`
``WebSimulate``            API simulate job result             :func:`web_simulate`
=========================  ==================================  ======================================

Numbers that are not finite (NaN, inf) are written as ``null``. The analysis documents start with
:func:`scenario_header` (version, scenario id/title/sha256), the model-based ones with
:func:`model_header` (also the model, its ``params`` and the ``seed``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from detente.io.documents._base import Num, ScenarioRef, model_header, scenario_header
from detente.io.documents.analysis import (
    CohesionDocument,
    CohesionIssue,
    ExchangeRecord,
    ForecastDocument,
    ForecastIssue,
    ForecastResult,
    KnockoutDocument,
    KnockoutIssue,
    Lever,
    LeversDocument,
    SensitivityDocument,
    SobolDocument,
    SobolInput,
    SobolIssue,
    SweepDocument,
    SweepIssue,
    SweepResult,
    Target,
    TornadoDocument,
    TornadoInput,
    TornadoIssue,
    TrajectoryEntry,
    cohesion_document,
    cohesion_rows,
    forecast_document,
    knockout_rows,
    lever_rows,
    levers_document,
    sensitivity_document,
    sobol_rows,
    sweep_document,
    tornado_rows,
)
from detente.io.documents.draft import DraftDocument, draft_summary_document
from detente.io.documents.runs import (
    Agreements,
    BacktestDocument,
    BacktestSettings,
    Ceasefires,
    Durations,
    Fearon,
    LeaderboardRow,
    LedgerEntryDocument,
    LedgerHistoryDocument,
    LedgerListDocument,
    LedgerScoreDocument,
    ModelSettings,
    MonthRow,
    Outcomes,
    PairedDifference,
    ResolutionDocument,
    Sanctions,
    SimulateDocument,
    Summit,
    Terms,
    backtest_document,
    leaderboard_row,
    ledger_entry_document,
    ledger_history_document,
    ledger_list_document,
    ledger_score_document,
    simulate_document,
)
from detente.io.documents.web import (
    SimHeadline,
    WebForecast,
    WebForecastIssue,
    WebSimulate,
    WebSweep,
    WebSweepIssue,
    WebWhatIf,
    web_forecast,
    web_simulate,
    web_sweep,
)

__all__ = [
    "Agreements",
    "BacktestDocument",
    "BacktestSettings",
    "Ceasefires",
    "CohesionDocument",
    "CohesionIssue",
    "DOCUMENTS",
    "DraftDocument",
    "Durations",
    "ExchangeRecord",
    "Fearon",
    "ForecastDocument",
    "ForecastIssue",
    "ForecastResult",
    "KnockoutDocument",
    "KnockoutIssue",
    "LeaderboardRow",
    "LedgerEntryDocument",
    "LedgerHistoryDocument",
    "LedgerListDocument",
    "LedgerScoreDocument",
    "Lever",
    "LeversDocument",
    "ModelSettings",
    "MonthRow",
    "Num",
    "Outcomes",
    "PairedDifference",
    "ResolutionDocument",
    "Sanctions",
    "ScenarioRef",
    "SensitivityDocument",
    "SimHeadline",
    "SimulateDocument",
    "SobolDocument",
    "SobolInput",
    "SobolIssue",
    "Summit",
    "SweepDocument",
    "SweepIssue",
    "SweepResult",
    "Target",
    "Terms",
    "TornadoDocument",
    "TornadoInput",
    "TornadoIssue",
    "TrajectoryEntry",
    "WebForecast",
    "WebForecastIssue",
    "WebSimulate",
    "WebSweep",
    "WebSweepIssue",
    "WebWhatIf",
    "backtest_document",
    "cohesion_document",
    "cohesion_rows",
    "draft_summary_document",
    "forecast_document",
    "json_schema",
    "knockout_rows",
    "leaderboard_row",
    "ledger_entry_document",
    "ledger_history_document",
    "ledger_list_document",
    "ledger_score_document",
    "lever_rows",
    "levers_document",
    "main",
    "model_header",
    "scenario_header",
    "schema_text",
    "sensitivity_document",
    "simulate_document",
    "sobol_rows",
    "sweep_document",
    "tornado_rows",
    "web_forecast",
    "web_simulate",
    "web_sweep",
    "write_schemas",
]


# ================================================================================ schema files
DOCUMENTS: dict[str, type[BaseModel]] = {
    "forecast": ForecastDocument,
    "sweep": SweepDocument,
    "levers": LeversDocument,
    "cohesion": CohesionDocument,
    "sensitivity": SensitivityDocument,
    "simulate": SimulateDocument,
    "backtest": BacktestDocument,
    "ledger_entry": LedgerEntryDocument,
    "ledger_list": LedgerListDocument,
    "ledger_history": LedgerHistoryDocument,
    "ledger_score": LedgerScoreDocument,
    "draft": DraftDocument,
    "web_forecast": WebForecast,
    "web_whatif": WebWhatIf,
    "web_sweep": WebSweep,
    "web_simulate": WebSimulate,
}
"""Schema file name (``docs/schema/<name>.json``) -> model."""


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of document ``name`` (a key of :data:`DOCUMENTS`), with its ``$schema`` and ``title``."""
    model = DOCUMENTS[name]
    schema = model.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": model.__name__}


def schema_text(name: str) -> str:
    """The committed text of ``docs/schema/<name>.json``."""
    return json.dumps(json_schema(name), indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: str | Path) -> list[Path]:
    """Write ``<folder>/<name>.json`` for every document; returns the paths."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in DOCUMENTS:
        p = out / f"{name}.json"
        p.write_text(schema_text(name), encoding="utf-8")
        paths.append(p)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    folder = args[0] if args else "docs/schema"
    for p in write_schemas(folder):
        sys.stdout.write(f"{p}\n")
    return 0
