"""The store: scenarios with versions, runs with their manifest, and a forecast ledger.

One SQLAlchemy 2 (Core) code path for SQLite (default: a file in the user's data directory) and
PostgreSQL (``postgresql+psycopg://`` URL, ``postgres`` extra).

* **Scenarios** are kept as their native mapping (the layout of ``detente.io.mapping``, a plain
  JSON-able dict; the store never parses scenarios itself, so it does not depend on ``io``).
  Every save is a new version with who, when and what changed (a short diff summary).
* **Runs** keep the manifest (model, variant, parameters, seed, input hash, detente version) and
  small results as JSON; bulk arrays (Monte Carlo draws) go to a ``.npz`` file beside the
  database, the row keeps its path.
* **Forecast ledger**: a timestamped forecast (question, kind, value, resolution date); later the
  resolved outcome and its score: the Brier score ``(p - o)^2`` for a binary event forecast with
  probability ``p`` and outcome ``o`` in {0, 1} (Brier 1950, Monthly Weather Review 78(1), p. 1,
  the two-category case of his score divided by 2), the absolute error ``|x - o|`` for a number.

Writes are transactional. SQLite runs in WAL mode with ``synchronous=FULL`` and every write in a
``BEGIN IMMEDIATE`` transaction, so a process killed (even with SIGKILL) during a save loses only
the uncommitted version and leaves the file readable.

Examples
--------
>>> st = Store("sqlite://")
>>> v = st.save_scenario({"id": "toy", "title": "Toy", "actors": [], "issues": [], "stances": []}, author="me")
>>> (v.key, v.version, v.summary)
('toy', 1, 'created')
>>> e = st.ledger_add("Ceasefire by 2026-01-01?", 0.3, resolution_date="2026-01-01")
>>> round(st.ledger_resolve(e.id, 1.0).score, 2)
0.49
"""

from __future__ import annotations

import threading
import time  # noqa: F401  (tests patch detente.store.db.time.sleep, the sleep between retries)

from detente.store.engine import (  # noqa: F401  (re-exported: tests and older imports use detente.store.db)
    _BUSY_TIMEOUT_S,
    _RETRY_ATTEMPTS,
    _backoff,
    default_db_url,
    normalise_url,
)
from detente.store.ledger import (  # noqa: F401  (re-exported for older imports of detente.store.db)
    AlreadyResolvedError,
    LedgerEntry,
    LedgerMixin,
    Resolution,
    check_forecast,
    score_forecast,
    when,
)
from detente.store.panels import PanelMixin
from detente.store.runs import RunMixin, RunRecord  # noqa: F401
from detente.store.scenarios import ScenarioMixin, ScenarioVersion, diff_summary  # noqa: F401

# the package (detente.store) lists the public names once, in its __all__


# --------------------------------------------------------------------------------------------- store
class Store(ScenarioMixin, RunMixin, LedgerMixin, PanelMixin):
    """Scenarios, runs, the forecast ledger and expert panels in one database (thread-safe; one engine per store).

    ``url``: a SQLAlchemy URL or a file path; ``None`` = :func:`default_db_url`.
    ``data_dir``: where ``.npz`` arrays of runs go (default: beside a SQLite file, else the user
    data directory).
    """


_STORES: dict[str, Store] = {}
_STORES_LOCK = threading.Lock()


def open_store(url: str | None = None) -> Store:
    """A shared :class:`Store` per URL (``--db`` / ``DETENTE_DB`` / default file)."""
    key = normalise_url(url) if url else default_db_url()
    with _STORES_LOCK:
        if key not in _STORES:
            _STORES[key] = Store(key)
        return _STORES[key]
