"""detente.store: scenarios with versions, runs with manifests, and the forecast ledger (SQLAlchemy).

SQLite file in the user's data directory by default; PostgreSQL by URL (``--db`` or ``DETENTE_DB``).
"""

from detente.store.db import (
    AlreadyResolvedError,
    LedgerEntry,
    Resolution,
    RunRecord,
    ScenarioVersion,
    Store,
    check_forecast,
    default_db_url,
    diff_summary,
    normalise_url,
    open_store,
    score_forecast,
    when,
)

__all__ = [
    "AlreadyResolvedError",
    "LedgerEntry",
    "Resolution",
    "RunRecord",
    "ScenarioVersion",
    "Store",
    "check_forecast",
    "default_db_url",
    "diff_summary",
    "normalise_url",
    "open_store",
    "score_forecast",
    "when",
]
