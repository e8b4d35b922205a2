"""detente.store: scenarios with versions, runs with manifests, and the forecast ledger (SQLAlchemy).

SQLite file in the user's data directory by default; PostgreSQL by URL (``--db`` or ``DETENTE_DB``).
"""

from detente.store.db import Store, open_store
from detente.store.engine import default_db_url, normalise_url
from detente.store.ledger import (
    AlreadyResolvedError,
    LedgerEntry,
    Resolution,
    check_forecast,
    score_forecast,
    when,
)
from detente.store.runs import RunRecord
from detente.store.scenarios import ScenarioVersion, diff_summary

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
