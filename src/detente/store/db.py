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

import datetime as _dt
import json
import math
import os
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from detente.errors import MissingExtraError, StoreError

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

KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,79}$")
LEDGER_KINDS = ("binary", "numeric")
_T = TypeVar("_T")

# Busy databases: SQLite waits up to _BUSY_TIMEOUT_S for a lock itself (busy_timeout); what still
# comes back as "database is locked" (the timeout ran out, a lock upgrade SQLite refuses to wait
# for, the switch to WAL on a new file) and PostgreSQL's deadlock / serialisation failures are
# retried: _RETRY_ATTEMPTS transactions in all, with the waits of _backoff in between.
_BUSY_TIMEOUT_S = 30
_RETRY_ATTEMPTS = 10
# pg_advisory_xact_lock key that serialises schema creation on PostgreSQL (any fixed 64-bit value)
_SCHEMA_LOCK_KEY = 0x64E7E47E


def _backoff(attempt: int) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based): 25 ms doubling to at most 1 s,
    times a jitter factor in [0.5, 1.5) that spreads competing processes apart.

    The jitter is a hash of the process id and the attempt number, not a random draw: it touches
    no random state (a seeded simulation in the same process gives the same numbers) and only
    changes when a write happens, never what is written.

    >>> 0.0125 <= _backoff(1) < 0.0375 and _backoff(9) == _backoff(9) and _backoff(20) < 1.5
    True
    """
    base = min(1.0, 0.025 * 2.0 ** (attempt - 1))
    jitter = zlib.crc32(f"{os.getpid()}:{attempt}".encode()) / 2**32
    return base * (0.5 + jitter)


def _transient(exc: BaseException) -> bool:
    """Worth retrying: a busy/locked SQLite database, a PostgreSQL deadlock or serialisation failure."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED (+ extended codes)
        return True
    if getattr(orig, "sqlstate", None) in ("40001", "40P01", "55P03"):
        return True
    text = str(orig).lower()
    return "database is locked" in text or "database table is locked" in text or "database is busy" in text


def _already_exists(exc: BaseException) -> bool:
    """A concurrent CREATE TABLE got there first (the next attempt finds the table and skips it)."""
    orig = getattr(exc, "orig", None) or exc
    if getattr(orig, "sqlstate", None) in ("42P07", "23505"):  # duplicate table; pg_type name race
        return True
    return "already exists" in str(orig).lower()


# --------------------------------------------------------------------------------------------- URLs
def default_db_url() -> str:
    """``DETENTE_DB`` if set, else a SQLite file in the user's data directory (platformdirs)."""
    env = os.environ.get("DETENTE_DB", "").strip()
    if env:
        return normalise_url(env)
    import platformdirs

    base = Path(platformdirs.user_data_dir("detente", appauthor=False))
    return "sqlite:///" + str(base / "detente.sqlite")


def normalise_url(url: str) -> str:
    """A database URL from a URL or a plain file path (``*.sqlite`` path -> SQLite URL).

    >>> normalise_url("postgresql://u@h/db")
    'postgresql+psycopg://u@h/db'
    >>> normalise_url("/tmp/x.sqlite")
    'sqlite:////tmp/x.sqlite'
    """
    url = url.strip()
    if "://" not in url:
        return "sqlite:///" + str(Path(url).expanduser().absolute())
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


# --------------------------------------------------------------------------------------------- records
@dataclass(frozen=True)
class ScenarioVersion:
    key: str
    version: int
    author: str
    created_at: str
    summary: str
    title: str
    content_hash: str
    data: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.key}@{self.version}"


@dataclass(frozen=True)
class RunRecord:
    id: int
    created_at: str
    scenario_ref: str
    model: str
    variant: str
    params: dict[str, Any]
    seed: int | None
    input_hash: str
    version: str
    results: dict[str, Any]
    arrays_path: str | None = None


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    created_at: str
    question: str
    kind: str
    value: float
    resolution_date: str
    scenario_ref: str
    model: str
    note: str
    resolved_at: str | None = None
    outcome: float | None = None
    score: float | None = None
    earlier_resolutions: int = 0  # resolutions replaced by a forced re-resolve (see ledger_history)


@dataclass(frozen=True)
class Resolution:
    """One resolution of a forecast; ``replaced_at`` is when a forced re-resolve replaced it."""

    entry_id: int
    resolved_at: str
    outcome: float
    score: float
    replaced_at: str | None = None


def when(ts: str | None) -> str:
    """A stored UTC timestamp for people: ``2025-06-01T12:00:00+00:00`` -> ``2025-06-01 12:00 UTC``."""
    if not ts:
        return "—"
    text = ts.replace("T", " ")[:16]
    return text + " UTC" if ts.endswith("+00:00") else text


class AlreadyResolvedError(StoreError):
    """``ledger_resolve`` on a forecast that already has an outcome, without ``force``."""

    def __init__(self, entry: LedgerEntry) -> None:
        self.entry = entry
        what = "Brier score" if entry.kind == "binary" else "absolute error"
        super().__init__(
            f"ledger entry {entry.id}: already resolved on {when(entry.resolved_at)} with outcome "
            f"{entry.outcome:g} ({what} {entry.score:.3f}); resolving it again needs force, and the "
            "earlier resolution stays in its history"
        )


def _percent_hint(value: float) -> str:
    return f" ({value:g} % is written {value / 100:g})" if 2.0 <= value <= 100.0 else ""


def check_forecast(
    question: str, value: Any, *, kind: str | None = None, resolution_date: str = ""
) -> tuple[str, float, str]:
    """A forecast checked before anything is written: (question stripped, value, kind).

    ``kind`` 'binary' (the value is a probability in [0, 1]) or 'numeric'. Without a kind, a
    question ending with '?' is a yes/no question, so binary, and a value outside [0, 1] is
    refused (it is not silently stored as a number); any other question is numeric.

    >>> check_forecast("Deal by June?", 0.7)
    ('Deal by June?', 0.7, 'binary')
    >>> check_forecast("Tariff rate in 2026", 17)
    ('Tariff rate in 2026', 17.0, 'numeric')
    >>> check_forecast("Deal by June?", 1.7)
    Traceback (most recent call last):
    ...
    detente.errors.StoreError: value: expected a probability in [0, 1] for a yes/no question (it ends with '?'), received 1.7; for a question answered by a number use kind 'numeric'
    """
    if not question or not str(question).strip():
        raise StoreError("question: expected a non-empty text")
    question = str(question).strip()
    try:
        value = float(value)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"value: expected a number, received {value!r}") from exc
    if not math.isfinite(value):
        raise StoreError(f"value: expected a finite number, received {value!r}")
    if kind is None:
        kind = "binary" if question.endswith("?") else "numeric"
        if kind == "binary" and not 0.0 <= value <= 1.0:
            raise StoreError(
                "value: expected a probability in [0, 1] for a yes/no question (it ends with '?'), "
                f"received {value:g}{_percent_hint(value)}; for a question answered by a number use "
                "kind 'numeric'"
            )
    if kind not in LEDGER_KINDS:
        raise StoreError(f"kind: expected one of {', '.join(LEDGER_KINDS)}, received {kind!r}")
    if kind == "binary" and not 0.0 <= value <= 1.0:
        raise StoreError(
            f"value: expected a probability in [0, 1] for a binary question, received {value:g}"
            + _percent_hint(value)
        )
    if resolution_date:
        try:
            _dt.date.fromisoformat(resolution_date)
        except ValueError as exc:
            raise StoreError(f"resolution date: expected YYYY-MM-DD, received {resolution_date!r}") from exc
    return question, value, kind


def score_forecast(kind: str, value: float, outcome: float) -> float:
    """Brier score for ``binary`` (probability ``value``, outcome 0/1), absolute error for ``numeric``.

    Brier (1950), Monthly Weather Review 78(1): ``(p - o)^2`` for one binary event.

    >>> round(score_forecast("binary", 0.8, 1), 6)
    0.04
    >>> score_forecast("numeric", 7.0, 8.5)
    1.5
    """
    if kind == "binary":
        if outcome not in (0, 1, 0.0, 1.0):
            raise StoreError(f"outcome: expected 0 or 1 for a binary question, received {outcome!r}")
        return float((value - outcome) ** 2)
    if kind == "numeric":
        return float(abs(value - outcome))
    raise StoreError(f"kind: expected one of {', '.join(LEDGER_KINDS)}, received {kind!r}")


# --------------------------------------------------------------------------------------------- diff
def _index(items: Any, key: Any) -> dict[Any, dict[str, Any]]:
    out: dict[Any, dict[str, Any]] = {}
    for it in items or []:
        if isinstance(it, Mapping):
            out[key(it)] = dict(it)
    return out


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (dict, list)):
        return "…"
    return str(v)


def diff_summary(old: Mapping[str, Any] | None, new: Mapping[str, Any], limit: int = 12) -> str:
    """A one-line summary of what changed between two native scenario mappings.

    >>> a = {"actors": [{"id": "x"}], "stances": [{"actor": "x", "issue": "i", "salience": 0.5}]}
    >>> b = {"actors": [{"id": "x"}, {"id": "y"}], "stances": [{"actor": "x", "issue": "i", "salience": 0.7}]}
    >>> diff_summary(a, b)
    'added actor y; stance x/i salience 0.5 → 0.7'
    """
    if old is None:
        return "created"
    changes: list[str] = []
    for top in ("id", "title", "description", "as_of"):
        if old.get(top) != new.get(top):
            changes.append(f"{top} changed")
    groups = (
        ("actor", "actors", lambda d: str(d.get("id"))),
        ("issue", "issues", lambda d: str(d.get("id"))),
        ("stance", "stances", lambda d: f"{d.get('actor')}/{d.get('issue')}"),
    )
    for label, name, key in groups:
        a, b = _index(old.get(name), key), _index(new.get(name), key)
        for k in b.keys() - a.keys():
            changes.append(f"added {label} {k}")
        for k in a.keys() - b.keys():
            changes.append(f"removed {label} {k}")
        for k in sorted(a.keys() & b.keys(), key=str):
            for fld in sorted(set(a[k]) | set(b[k])):
                va, vb = a[k].get(fld), b[k].get(fld)
                if va != vb:
                    if isinstance(va, (int, float, str, type(None))) and isinstance(
                        vb, (int, float, str, type(None))
                    ):
                        changes.append(f"{label} {k} {fld} {_fmt(va)} → {_fmt(vb)}")
                    else:
                        changes.append(f"{label} {k} {fld} changed")
    for top in ("sources", "metadata", "dynamics"):
        if old.get(top) != new.get(top):
            changes.append(f"{top} changed")
    if not changes:
        return "no change"
    if len(changes) > limit:
        return "; ".join(changes[:limit]) + f"; and {len(changes) - limit} more"
    return "; ".join(changes)


def _canonical(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False, default=str)


def _hash(data: Mapping[str, Any]) -> str:
    import hashlib

    return hashlib.sha256(_canonical(data).encode("utf-8")).hexdigest()


def _json_safe(obj: Any) -> Any:
    """Plain JSON (numpy scalars/arrays to Python, NaN/inf to None)."""
    if isinstance(obj, Mapping):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    if hasattr(obj, "tolist") and callable(obj.tolist):
        return _json_safe(obj.tolist())
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, (str, int, bool)) or obj is None:
        return obj
    return str(obj)


# --------------------------------------------------------------------------------------------- schema
def _tables() -> Any:
    import sqlalchemy as sa

    md = sa.MetaData()
    scenarios = sa.Table(
        "scenarios",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(80), nullable=False, unique=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("latest", sa.Integer, nullable=False, default=0),
    )
    versions = sa.Table(
        "scenario_versions",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "scenario_id", sa.Integer, sa.ForeignKey("scenarios.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.UniqueConstraint("scenario_id", "version", name="uq_scenario_version"),
    )
    runs = sa.Table(
        "runs",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("scenario_ref", sa.String(200), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("variant", sa.String(100), nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=True),
        sa.Column("input_hash", sa.String(64), nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("results", sa.Text, nullable=False),
        sa.Column("arrays_path", sa.Text, nullable=True),
    )
    ledger = sa.Table(
        "ledger",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("resolution_date", sa.String(40), nullable=False),
        sa.Column("scenario_ref", sa.String(200), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("resolved_at", sa.String(40), nullable=True),
        sa.Column("outcome", sa.Float, nullable=True),
        sa.Column("score", sa.Float, nullable=True),
    )
    # resolutions that a forced re-resolve replaced (the current one stays in the ledger row)
    resolutions = sa.Table(
        "ledger_resolution_history",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("ledger.id", ondelete="CASCADE"), nullable=False),
        sa.Column("resolved_at", sa.String(40), nullable=False),
        sa.Column("outcome", sa.Float, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("replaced_at", sa.String(40), nullable=False),
    )
    return md, scenarios, versions, runs, ledger, resolutions


# --------------------------------------------------------------------------------------------- store
class Store:
    """Scenarios, runs and the forecast ledger in one database (thread-safe; one engine per store).

    ``url``: a SQLAlchemy URL or a file path; ``None`` = :func:`default_db_url`.
    ``data_dir``: where ``.npz`` arrays of runs go (default: beside a SQLite file, else the user
    data directory).
    """

    def __init__(self, url: str | None = None, *, data_dir: str | Path | None = None) -> None:
        try:
            import sqlalchemy as sa
        except ImportError as exc:  # pragma: no cover - sqlalchemy is a core dependency
            raise MissingExtraError("the store needs sqlalchemy: pip install detente") from exc
        self.url = normalise_url(url) if url else default_db_url()
        self._sa = sa
        self.is_sqlite = self.url.startswith("sqlite")
        kwargs: dict[str, Any] = {"future": True}
        if self.is_sqlite:
            path = self.url.split(":///", 1)[1] if ":///" in self.url else ""
            memory = path in ("", ":memory:") or self.url in ("sqlite://", "sqlite:///:memory:")
            if not memory:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.file = None if memory else Path(path)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": _BUSY_TIMEOUT_S}
            if memory:
                from sqlalchemy.pool import StaticPool

                kwargs["poolclass"] = StaticPool
        else:
            self.file = None
            kwargs["pool_pre_ping"] = True
        try:
            self.engine = sa.create_engine(self.url, **kwargs)
        except ImportError as exc:
            raise MissingExtraError(
                f"database driver for {self.url.split('://', 1)[0]} is missing: pip install 'detente[postgres]'"
            ) from exc
        except sa.exc.ArgumentError as exc:
            raise StoreError(f"--db: expected a database URL or a file path, received {url!r}") from exc
        if self.is_sqlite:
            self._sqlite_setup()
        self._md, self.t_scenarios, self.t_versions, self.t_runs, self.t_ledger, self.t_resolutions = (
            _tables()
        )
        if data_dir is not None:
            self.data_dir = Path(data_dir)
        elif self.file is not None:
            self.data_dir = self.file.parent / (self.file.stem + "-runs")
        else:
            import platformdirs

            self.data_dir = Path(platformdirs.user_data_dir("detente", appauthor=False)) / "runs"
        self._lock = threading.Lock()
        self._create_schema()

    def _create_schema(self) -> None:
        """Create missing tables, safely when many processes open a new database at once.

        Tables that exist are left alone (a quick read, no lock). Otherwise, on SQLite, every
        table is created with ``CREATE TABLE IF NOT EXISTS`` in one transaction: the first
        process takes the write lock and creates them, and a process that looks after that
        commit finds them and writes nothing (so it does not queue for the lock); one that looked
        before it gets "database is locked" (a stale snapshot) and retries. On PostgreSQL the
        transaction first takes an advisory lock, so creations run one after the other and the
        later ones find the schema complete. A busy database or a lost race ("already exists")
        is retried.
        """
        sa = self._sa
        wanted = set(self._md.tables)
        for attempt in range(1, _RETRY_ATTEMPTS + 1):
            try:
                with self.engine.connect() as conn:
                    if wanted <= set(sa.inspect(conn).get_table_names()):
                        return
                with self.engine.connect() as conn, conn.begin():
                    if conn.dialect.name == "sqlite":
                        from sqlalchemy.schema import CreateIndex, CreateTable

                        for table in self._md.sorted_tables:
                            conn.execute(CreateTable(table, if_not_exists=True))
                            for index in table.indexes:
                                conn.execute(CreateIndex(index, if_not_exists=True))
                    else:
                        if conn.dialect.name == "postgresql":
                            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SCHEMA_LOCK_KEY})
                        self._md.create_all(conn, checkfirst=True)
                return
            except sa.exc.SQLAlchemyError as exc:
                if attempt < _RETRY_ATTEMPTS and (_transient(exc) or _already_exists(exc)):
                    time.sleep(_backoff(attempt))
                    continue
                raise StoreError(f"database {self._safe_url()}: cannot open ({_short(exc)})") from exc

    # -- engine details ---------------------------------------------------------------------
    def _safe_url(self) -> str:
        return self._sa.engine.make_url(self.url).render_as_string(hide_password=True)

    @property
    def safe_url(self) -> str:
        """The database URL with any password hidden (for messages)."""
        return self._safe_url()

    def _sqlite_setup(self) -> None:
        from sqlalchemy import event

        @event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
            # let SQLAlchemy emit BEGIN itself (pysqlite's implicit transactions are off)
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            # wait for locks first: even the switch to WAL on a new file needs one
            cur.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_S * 1000}")
            if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(self.engine, "begin")
        def _on_begin(conn: Any) -> None:
            mode = "IMMEDIATE" if conn.get_execution_options().get("detente_write") else "DEFERRED"
            conn.exec_driver_sql(f"BEGIN {mode}")

    def _transact(self, work: Callable[[Any], _T]) -> _T:
        """Run ``work(conn)`` in one write transaction (committed on return, rolled back on error).

        On SQLite the transaction takes the write lock up front (``BEGIN IMMEDIATE``, waiting up to
        the busy timeout). A transaction that still fails because the database is busy or locked
        (or, on PostgreSQL, a deadlock or serialisation failure) is rolled back and run again from
        the start, at most ``_RETRY_ATTEMPTS`` times; ``work`` must therefore only depend on
        what it reads through ``conn``.
        """
        sa = self._sa
        for attempt in range(1, _RETRY_ATTEMPTS + 1):
            try:
                with self.engine.connect() as conn:
                    conn = conn.execution_options(detente_write=True)
                    with conn.begin():
                        return work(conn)
            except sa.exc.SQLAlchemyError as exc:
                if attempt < _RETRY_ATTEMPTS and _transient(exc):
                    time.sleep(_backoff(attempt))
                    continue
                raise StoreError(f"database {self._safe_url()}: write failed ({_short(exc)})") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def _read(self) -> Iterator[Any]:
        """A read transaction; connecting to a busy database is retried like a write."""
        sa = self._sa
        for attempt in range(1, _RETRY_ATTEMPTS + 1):
            try:
                conn = self.engine.connect()
                break
            except sa.exc.SQLAlchemyError as exc:
                if attempt < _RETRY_ATTEMPTS and _transient(exc):
                    time.sleep(_backoff(attempt))
                    continue
                raise StoreError(f"database {self._safe_url()}: read failed ({_short(exc)})") from exc
        try:
            with conn, conn.begin():
                yield conn
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"database {self._safe_url()}: read failed ({_short(exc)})") from exc

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- scenarios -------------------------------------------------------------------------------
    def save_scenario(
        self, data: Mapping[str, Any], *, author: str = "", key: str | None = None, summary: str | None = None
    ) -> ScenarioVersion:
        """Save ``data`` (native scenario mapping) as a new version of ``key`` (default ``data['id']``)."""
        sa = self._sa
        key = str(key if key is not None else data.get("id", ""))
        if not KEY_RE.match(key):
            raise StoreError(f"scenario key: expected 1-80 letters, digits, '_', '.', '-', received {key!r}")
        clean = _json_safe(dict(data))
        try:
            content = _canonical(clean)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"scenario {key}: content is not JSON-serialisable ({exc})") from exc
        author = (author or os.environ.get("USER", "") or "unknown")[:200]
        for attempt in range(5):
            try:
                return self._save_once(key, clean, content, author, summary)
            except StoreError as exc:
                # two first saves of one key raced (unique key); the loser retries as version 2
                if attempt == 4 or not isinstance(exc.__cause__, sa.exc.IntegrityError):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _save_once(
        self, key: str, clean: dict[str, Any], content: str, author: str, summary: str | None
    ) -> ScenarioVersion:
        sa = self._sa
        sv, vv = self.t_scenarios, self.t_versions

        def work(conn: Any) -> ScenarioVersion:
            ts = _now()
            row = conn.execute(
                sa.select(sv.c.id, sv.c.latest).where(sv.c.key == key).with_for_update()
            ).first()
            if row is None:
                sid = conn.execute(sv.insert().values(key=key, created_at=ts, latest=0)).inserted_primary_key[
                    0
                ]
                latest, previous = 0, None
            else:
                sid, latest = row
                prev = conn.execute(
                    sa.select(vv.c.content).where(vv.c.scenario_id == sid, vv.c.version == latest)
                ).scalar_one_or_none()
                previous = json.loads(prev) if prev else None
            version = latest + 1
            text = summary if summary is not None else diff_summary(previous, clean)
            title = str(clean.get("title") or clean.get("id") or key)
            h = _hash(clean)
            conn.execute(
                vv.insert().values(
                    scenario_id=sid,
                    version=version,
                    author=author,
                    created_at=ts,
                    summary=text[:4000],
                    title=title,
                    content_hash=h,
                    content=content,
                )
            )
            conn.execute(sv.update().where(sv.c.id == sid).values(latest=version))
            return ScenarioVersion(key, version, author, ts, text[:4000], title, h, clean)

        return self._transact(work)

    def get_scenario(self, key: str, version: int | None = None) -> ScenarioVersion:
        """A stored version (latest if ``version`` is None); ``StoreError`` if absent."""
        sa = self._sa
        sv, vv = self.t_scenarios, self.t_versions
        with self._read() as conn:
            sid = conn.execute(sa.select(sv.c.id, sv.c.latest).where(sv.c.key == key)).first()
            if sid is None:
                raise StoreError(f"scenario {key!r}: not in the store")
            v = sid[1] if version is None else int(version)
            row = (
                conn.execute(sa.select(vv).where(vv.c.scenario_id == sid[0], vv.c.version == v))
                .mappings()
                .first()
            )
        if row is None:
            raise StoreError(f"scenario {key!r}: no version {v} (latest is {sid[1]})")
        return self._version(key, row, with_data=True)

    def _version(self, key: str, row: Mapping[str, Any], *, with_data: bool) -> ScenarioVersion:
        data = json.loads(row["content"]) if with_data else {}
        return ScenarioVersion(
            key,
            int(row["version"]),
            row["author"],
            row["created_at"],
            row["summary"],
            row["title"],
            row["content_hash"],
            data,
        )

    def versions(self, key: str) -> list[ScenarioVersion]:
        """All versions of ``key``, oldest first (without content)."""
        sa = self._sa
        sv, vv = self.t_scenarios, self.t_versions
        cols = [vv.c.version, vv.c.author, vv.c.created_at, vv.c.summary, vv.c.title, vv.c.content_hash]
        with self._read() as conn:
            rows = (
                conn.execute(
                    sa.select(*cols)
                    .join(sv, sv.c.id == vv.c.scenario_id)
                    .where(sv.c.key == key)
                    .order_by(vv.c.version)
                )
                .mappings()
                .all()
            )
        if not rows:
            raise StoreError(f"scenario {key!r}: not in the store")
        return [self._version(key, r, with_data=False) for r in rows]

    def list_scenarios(self) -> list[ScenarioVersion]:
        """The latest version of every stored scenario (without content), by key."""
        sa = self._sa
        sv, vv = self.t_scenarios, self.t_versions
        cols = [
            sv.c.key,
            vv.c.version,
            vv.c.author,
            vv.c.created_at,
            vv.c.summary,
            vv.c.title,
            vv.c.content_hash,
        ]
        with self._read() as conn:
            rows = (
                conn.execute(
                    sa.select(*cols)
                    .join(vv, (sv.c.id == vv.c.scenario_id) & (vv.c.version == sv.c.latest))
                    .order_by(sv.c.key)
                )
                .mappings()
                .all()
            )
        return [self._version(r["key"], r, with_data=False) for r in rows]

    # -- runs ---------------------------------------------------------------------------------
    def save_run(
        self,
        *,
        scenario_ref: str,
        model: str,
        params: Mapping[str, Any] | None = None,
        seed: int | None = None,
        input_hash: str = "",
        version: str = "",
        results: Mapping[str, Any] | None = None,
        variant: str = "",
        arrays: Mapping[str, Any] | None = None,
    ) -> RunRecord:
        """Record a run; ``arrays`` (name -> numpy array) are written to ``<data_dir>/run-<id>.npz``."""
        ts = _now()
        p, r = _json_safe(dict(params or {})), _json_safe(dict(results or {}))

        def work(conn: Any) -> tuple[int, str | None]:
            rid = conn.execute(
                self.t_runs.insert().values(
                    created_at=ts,
                    scenario_ref=scenario_ref[:200],
                    model=model[:100],
                    variant=variant[:100],
                    params=json.dumps(p, sort_keys=True),
                    seed=seed,
                    input_hash=input_hash,
                    version=version,
                    results=json.dumps(r, sort_keys=True),
                    arrays_path=None,
                )
            ).inserted_primary_key[0]
            path: str | None = None
            if arrays:
                path = str(self._write_npz(int(rid), arrays))
                conn.execute(self.t_runs.update().where(self.t_runs.c.id == rid).values(arrays_path=path))
            return int(rid), path

        rid, path = self._transact(work)
        return RunRecord(int(rid), ts, scenario_ref, model, variant, p, seed, input_hash, version, r, path)

    def _write_npz(self, rid: int, arrays: Mapping[str, Any]) -> Path:
        import numpy as np

        self.data_dir.mkdir(parents=True, exist_ok=True)
        final = self.data_dir / f"run-{rid}.npz"
        tmp = self.data_dir / f".run-{rid}.{os.getpid()}.tmp.npz"
        np.savez_compressed(tmp, **{str(k): np.asarray(v) for k, v in arrays.items()})  # type: ignore[arg-type]
        os.replace(tmp, final)
        return final

    def load_arrays(self, run: RunRecord) -> dict[str, Any]:
        import numpy as np

        if not run.arrays_path:
            return {}
        with np.load(run.arrays_path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}

    def get_run(self, run_id: int) -> RunRecord:
        with self._read() as conn:
            row = (
                conn.execute(self._sa.select(self.t_runs).where(self.t_runs.c.id == int(run_id)))
                .mappings()
                .first()
            )
        if row is None:
            raise StoreError(f"run {run_id}: not in the store")
        return _run(row)

    def list_runs(self, scenario_ref: str | None = None, limit: int = 100) -> list[RunRecord]:
        sa, t = self._sa, self.t_runs
        q = sa.select(t).order_by(t.c.id.desc()).limit(limit)
        if scenario_ref:
            q = q.where(t.c.scenario_ref == scenario_ref)
        with self._read() as conn:
            return [_run(r) for r in conn.execute(q).mappings().all()]

    # -- ledger ---------------------------------------------------------------------------------
    def ledger_add(
        self,
        question: str,
        value: float,
        *,
        kind: str | None = None,
        resolution_date: str = "",
        scenario_ref: str = "",
        model: str = "",
        note: str = "",
    ) -> LedgerEntry:
        """Record a forecast now (checked first by :func:`check_forecast`; nothing is written if
        it is refused)."""
        question, value, kind = check_forecast(question, value, kind=kind, resolution_date=resolution_date)
        ts = _now()

        def work(conn: Any) -> int:
            return int(
                conn.execute(
                    self.t_ledger.insert().values(
                        created_at=ts,
                        question=question,
                        kind=kind,
                        value=value,
                        resolution_date=resolution_date,
                        scenario_ref=scenario_ref[:200],
                        model=model[:100],
                        note=note,
                    )
                ).inserted_primary_key[0]
            )

        lid = self._transact(work)
        return LedgerEntry(lid, ts, question, kind, value, resolution_date, scenario_ref, model, note)

    def ledger_resolve(self, entry_id: int, outcome: float, *, force: bool = False) -> LedgerEntry:
        """Record the outcome of a forecast and its score (Brier or absolute error).

        A forecast that is already resolved raises :class:`AlreadyResolvedError` unless ``force``;
        with ``force`` the new outcome replaces the current one and the earlier resolution is kept
        in :meth:`ledger_history`.
        """
        sa, t, h = self._sa, self.t_ledger, self.t_resolutions
        try:
            outcome = float(outcome)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"outcome: expected a number, received {outcome!r}") from exc
        if not math.isfinite(outcome):
            raise StoreError(f"outcome: expected a finite number, received {outcome!r}")

        def work(conn: Any) -> None:
            row = (
                conn.execute(sa.select(t).where(t.c.id == int(entry_id)).with_for_update()).mappings().first()
            )
            if row is None:
                raise StoreError(f"ledger entry {entry_id}: not found")
            score = score_forecast(row["kind"], row["value"], outcome)
            ts = _now()
            if row["outcome"] is not None:
                if not force:
                    raise AlreadyResolvedError(_entry(row))
                conn.execute(
                    h.insert().values(
                        entry_id=int(entry_id),
                        resolved_at=row["resolved_at"] or "",
                        outcome=row["outcome"],
                        score=row["score"],
                        replaced_at=ts,
                    )
                )
            conn.execute(
                t.update().where(t.c.id == int(entry_id)).values(outcome=outcome, score=score, resolved_at=ts)
            )

        self._transact(work)
        return self.ledger_get(int(entry_id))

    def _ledger_select(self) -> Any:
        sa, t, h = self._sa, self.t_ledger, self.t_resolutions
        earlier = (
            sa.select(sa.func.count(h.c.id)).where(h.c.entry_id == t.c.id).scalar_subquery().label("earlier")
        )
        return sa.select(t, earlier)

    def ledger_get(self, entry_id: int) -> LedgerEntry:
        with self._read() as conn:
            row = (
                conn.execute(self._ledger_select().where(self.t_ledger.c.id == int(entry_id)))
                .mappings()
                .first()
            )
        if row is None:
            raise StoreError(f"ledger entry {entry_id}: not found")
        return _entry(row)

    def ledger_history(self, entry_id: int) -> list[Resolution]:
        """Every resolution of a forecast, oldest first; the last one is current (``replaced_at``
        None) unless the forecast is open. Earlier ones were replaced by ``ledger_resolve(force=True)``."""
        sa, h = self._sa, self.t_resolutions
        entry = self.ledger_get(entry_id)
        with self._read() as conn:
            rows = (
                conn.execute(sa.select(h).where(h.c.entry_id == int(entry_id)).order_by(h.c.id))
                .mappings()
                .all()
            )
        out = [
            Resolution(entry.id, r["resolved_at"], float(r["outcome"]), float(r["score"]), r["replaced_at"])
            for r in rows
        ]
        if entry.outcome is not None and entry.score is not None:
            out.append(Resolution(entry.id, entry.resolved_at or "", entry.outcome, entry.score, None))
        return out

    def ledger_list(self, *, resolved: bool | None = None) -> list[LedgerEntry]:
        t = self.t_ledger
        q = self._ledger_select().order_by(t.c.id)
        if resolved is True:
            q = q.where(t.c.outcome.is_not(None))
        elif resolved is False:
            q = q.where(t.c.outcome.is_(None))
        with self._read() as conn:
            return [_entry(r) for r in conn.execute(q).mappings().all()]

    def ledger_score(self) -> dict[str, Any]:
        """Summary of resolved forecasts: count and mean score per kind (Brier; absolute error)."""
        entries = self.ledger_list()
        out: dict[str, Any] = {"forecasts": len(entries), "resolved": 0, "open": 0}
        for kind, label in (("binary", "mean_brier"), ("numeric", "mean_absolute_error")):
            scores = [e.score for e in entries if e.kind == kind and e.score is not None]
            out[f"{kind}_resolved"] = len(scores)
            out[label] = (sum(scores) / len(scores)) if scores else None
            out["resolved"] += len(scores)
        out["open"] = out["forecasts"] - out["resolved"]
        return out


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return " ".join(text.split())[:200]


def _run(row: Mapping[str, Any]) -> RunRecord:
    return RunRecord(
        int(row["id"]),
        row["created_at"],
        row["scenario_ref"],
        row["model"],
        row["variant"],
        json.loads(row["params"]),
        row["seed"],
        row["input_hash"],
        row["version"],
        json.loads(row["results"]),
        row["arrays_path"],
    )


def _entry(row: Mapping[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        int(row["id"]),
        row["created_at"],
        row["question"],
        row["kind"],
        float(row["value"]),
        row["resolution_date"],
        row["scenario_ref"],
        row["model"],
        row["note"],
        row["resolved_at"],
        row["outcome"],
        row["score"],
        int(row.get("earlier") or 0),
    )


_STORES: dict[str, Store] = {}
_STORES_LOCK = threading.Lock()


def open_store(url: str | None = None) -> Store:
    """A shared :class:`Store` per URL (``--db`` / ``DETENTE_DB`` / default file)."""
    key = normalise_url(url) if url else default_db_url()
    with _STORES_LOCK:
        if key not in _STORES:
            _STORES[key] = Store(key)
        return _STORES[key]
