"""The store's engine: database URLs, opening (schema creation) and transactions with retries.

Every write runs in :meth:`Engine._transact` (one transaction, retried while the database is busy
or locked, or on a PostgreSQL deadlock / serialisation failure); every read in :meth:`Engine._read`.
The topic mixins (:mod:`detente.store.scenarios`, :mod:`detente.store.runs`,
:mod:`detente.store.ledger`) build on it and :class:`detente.store.db.Store` combines them.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import math
import os
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self, TypeVar

from detente.errors import MissingExtraError, StoreError, install_hint

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


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return " ".join(text.split())[:200]


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
    # the quantiles a numeric forecast was recorded with (JSON {"5": x05, ..., "95": x95}); a table
    # of its own, so a store made before it existed gains it on open (CREATE TABLE IF NOT EXISTS)
    # and its ledger rows stay as they were (forecasts without quantiles)
    quantiles = sa.Table(
        "ledger_quantiles",
        md,
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("ledger.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("quantiles", sa.Text, nullable=False),
    )
    # expert panels (detente.store.panels): one row per panel, one per expert's seat; a seat's token
    # is kept only as its sha256 (the link holds the token itself), its answers as JSON
    sa.Table(
        "panels",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("scenario_ref", sa.String(200), nullable=False),
        sa.Column("scenario", sa.Text, nullable=False),
        sa.Column("pooled_ref", sa.String(200), nullable=True),
    )
    sa.Table(
        "panel_seats",
        md,
        sa.Column("panel_id", sa.Integer, sa.ForeignKey("panels.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("expert", sa.String(64), primary_key=True),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=True),
        sa.Column("submitted_at", sa.String(40), nullable=True),
    )
    return md, scenarios, versions, runs, ledger, resolutions, quantiles


# --------------------------------------------------------------------------------------------- files
SQLITE_HEADER = b"SQLite format 3\x00"


def database_file_error(path: Path, reason: str, *, missing: bool = False) -> StoreError:
    """The :class:`StoreError` of an SQLite file the store will not open: missing (read-only
    store), not an SQLite database, or another program's database (tables, none of them
    detente's). Nothing was written.

    Its ``db_file`` is the file, ``db_reason`` the message without it and ``db_missing`` True
    when the file does not exist (the CLI names the file as the user wrote it).
    """
    exc = StoreError(f"database {path}: {reason}")
    exc.db_file = path  # type: ignore[attr-defined]
    exc.db_reason = reason  # type: ignore[attr-defined]
    exc.db_missing = missing  # type: ignore[attr-defined]
    return exc


def _sqlite_uri(path: Path, mode: str) -> str:
    return path.absolute().as_uri() + f"?mode={mode}"


def _peek_connect(path: Path, wal: bool) -> Any:
    """A connection to an existing SQLite file that writes nothing to it.

    ``mode=ro`` where that creates no file: a database in rollback-journal mode, or one in WAL
    mode whose ``-wal`` file exists already (another connection has it open). A WAL database
    without its ``-wal`` file is opened ``mode=rw`` (never creates the database) with
    ``query_only``: its reads create the ``-wal`` and ``-shm`` files, and SQLite removes them
    again when the last connection closes (a ``mode=ro`` connection would leave them behind).
    A file or folder we may not write to is opened ``mode=ro`` (SQLite reads it all the same),
    except a WAL database without its ``-wal`` file in a folder we may not write to (a read-only
    share or mount): SQLite could not make the ``-shm`` file a WAL read needs, so it is opened
    ``immutable``: with no ``-wal`` file beside it, everything committed is in the file (a writer
    allowed in that folder starting meanwhile is not seen: reads are short).
    """
    import sqlite3

    no_wal_file = not Path(str(path) + "-wal").exists()
    folder_writable = os.access(path.absolute().parent, os.W_OK)
    rw = wal and no_wal_file and os.access(path, os.W_OK) and folder_writable
    mode = "rw" if rw else "ro"
    if wal and no_wal_file and not folder_writable:
        mode = "ro&immutable=1"
    conn = sqlite3.connect(
        _sqlite_uri(path, mode),
        uri=True,
        timeout=_BUSY_TIMEOUT_S,
        check_same_thread=False,
        isolation_level=None,
    )
    conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_S * 1000}")
    if rw:
        conn.execute("PRAGMA query_only=ON")
    return conn


def _header(path: Path) -> bytes:
    """The first 100 bytes of an existing file that must be an SQLite database, else a StoreError (database_file_error)."""
    if path.is_dir():
        raise database_file_error(path, "not a detente database (a folder, not a file)")
    try:
        with path.open("rb") as fh:
            head = fh.read(100)
    except OSError as exc:
        raise database_file_error(path, f"cannot read it ({exc.strerror or exc})") from exc
    if not head:
        raise database_file_error(path, "not a detente database (an empty file, not SQLite)")
    if not head.startswith(SQLITE_HEADER):
        raise database_file_error(path, "not a detente database (not SQLite)")
    return head


def _is_wal(head: bytes) -> bool:
    """The header says WAL mode (file format read and write versions 2)."""
    return len(head) > 19 and head[18] == 2 and head[19] == 2


def _schema_names(conn: Any) -> set[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite~_%' ESCAPE '~'"
    ).fetchall()
    return {str(r[0]) for r in rows}


def check_sqlite_file(path: Path, wanted: set[str]) -> set[str] | None:
    """The table names of the SQLite file ``path`` (None if it does not exist), read without
    writing anything; :class:`StoreError` (:func:`database_file_error`) if it is not a database detente may use: not
    SQLite (an empty file included), unreadable, or with tables of which none is detente's
    (``wanted``). An SQLite database without tables is fine (detente adds its own)."""
    import sqlite3

    if not path.exists():
        if path.is_symlink():
            raise database_file_error(path, "not a detente database (a link to nothing)")
        return None
    wal = _is_wal(_header(path))
    try:
        conn = _peek_connect(path, wal)
        try:
            names = _schema_names(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise database_file_error(path, f"cannot read it ({_short(exc)})") from exc
    if names and not names & wanted:
        shown = ", ".join(sorted(names)[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        raise database_file_error(
            path, f"not a detente database (an SQLite database of something else, with tables {shown})"
        )
    return names


def _read_only_connector(path: Path, missing: set[str]) -> Callable[[], Any]:
    """Connections of a read-only store (see :func:`_peek_connect`). Tables an older detente did
    not make yet are stood in for by empty TEMP tables of the connection, so reads find them
    (the file itself is not migrated: only a write does that)."""
    from sqlalchemy.dialects import sqlite as sqlite_dialect
    from sqlalchemy.schema import CreateTable

    wal = _is_wal(_header(path))
    md = _tables()[0]
    dialect = sqlite_dialect.dialect()
    temp = [
        str(CreateTable(t).compile(dialect=dialect)).strip().replace("CREATE TABLE", "CREATE TEMP TABLE", 1)
        for t in md.sorted_tables
        if t.name in missing
    ]

    def connect() -> Any:
        # TEMP tables are not allowed under query_only, so an older database is opened mode=ro
        conn = _peek_connect(path, wal and not temp)
        for ddl in temp:
            conn.execute(ddl)
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    return connect


def _create_sqlite_file(path: Path) -> None:
    """Create a new detente database at ``path`` at once: its schema is made in a hidden file
    beside it, which is then linked into place. A process that opens ``path`` at the same time
    never meets a half-made (empty) database, and one created meanwhile by another process is
    kept. Where the file system has no hard links, SQLite creates the file in place."""
    import secrets
    import sqlite3

    from sqlalchemy.dialects import sqlite as sqlite_dialect
    from sqlalchemy.schema import CreateIndex, CreateTable

    md = _tables()[0]
    dialect = sqlite_dialect.dialect()
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.new")
    try:
        conn = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("BEGIN IMMEDIATE")
            for table in md.sorted_tables:
                conn.execute(str(CreateTable(table, if_not_exists=True).compile(dialect=dialect)))
                for index in table.indexes:
                    conn.execute(str(CreateIndex(index, if_not_exists=True).compile(dialect=dialect)))
            conn.execute("COMMIT")
        finally:
            conn.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process created it first: use theirs
    except (OSError, sqlite3.Error):
        pass  # no hard links (or no temporary file): SQLite creates the database in place
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                Path(str(tmp) + suffix).unlink()


# --------------------------------------------------------------------------------------------- engine
class Engine:
    """One database engine with its tables, transactions and retries (the base of ``Store``)."""

    def __init__(
        self, url: str | None = None, *, data_dir: str | Path | None = None, read_only: bool = False
    ) -> None:
        try:
            import sqlalchemy as sa
        except ImportError as exc:  # pragma: no cover - sqlalchemy is a core dependency
            raise MissingExtraError("the store needs sqlalchemy: pip install detente") from exc
        self.url = normalise_url(url) if url else default_db_url()
        self._sa = sa
        self.is_sqlite = self.url.startswith("sqlite")
        self.read_only = False
        kwargs: dict[str, Any] = {"future": True}
        if self.is_sqlite:
            path = self.url.split(":///", 1)[1] if ":///" in self.url else ""
            memory = path in ("", ":memory:") or self.url in ("sqlite://", "sqlite:///:memory:")
            self.file = None if memory else Path(path)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": _BUSY_TIMEOUT_S}
            if memory:
                from sqlalchemy.pool import StaticPool

                kwargs["poolclass"] = StaticPool
            elif "?" in path:  # URL parameters: SQLite opens what the URL says
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            else:
                # a file: never open what is not detente's database (checked before the first
                # connection, which would switch it to WAL); a read-only store never creates one
                file = Path(path)
                wanted = set(_tables()[0].tables)
                names = check_sqlite_file(file, wanted)
                if read_only:
                    if names is None:
                        raise database_file_error(file, "no such database", missing=True)
                    self.read_only = True
                    kwargs["creator"] = _read_only_connector(file, wanted - names)
                else:
                    file.parent.mkdir(parents=True, exist_ok=True)
                    if names is None:
                        _create_sqlite_file(file)
        else:
            self.file = None
            kwargs["pool_pre_ping"] = True
            if read_only:
                # a read-only store on a server writes nothing, not even its tables: PostgreSQL
                # runs every transaction READ ONLY (the server refuses writes), and tables that are
                # not there yet are stood in for by empty TEMP tables (_server_read_only_setup)
                self.read_only = True
                if self.url.startswith("postgresql"):
                    kwargs["execution_options"] = {"postgresql_readonly": True}
        try:
            self.engine = sa.create_engine(self.url, **kwargs)
        except ImportError as exc:
            raise MissingExtraError(
                f"database driver for {self.url.split('://', 1)[0]} is missing: {install_hint('postgres')}"
            ) from exc
        except sa.exc.ArgumentError as exc:
            raise StoreError(f"--db: expected a database URL or a file path, received {url!r}") from exc
        if self.is_sqlite and not self.read_only:
            self._sqlite_setup()
        elif self.is_sqlite:
            self._sqlite_read_only_setup()
        elif self.read_only:
            self._server_read_only_setup()
        (
            self._md,
            self.t_scenarios,
            self.t_versions,
            self.t_runs,
            self.t_ledger,
            self.t_resolutions,
            self.t_quantiles,
        ) = _tables()
        if data_dir is not None:
            self.data_dir = Path(data_dir)
        elif self.file is not None:
            self.data_dir = self.file.parent / (self.file.stem + "-runs")
        else:
            import platformdirs

            self.data_dir = Path(platformdirs.user_data_dir("detente", appauthor=False)) / "runs"
        self._lock = threading.Lock()
        if not self.read_only:
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

    def _sqlite_read_only_setup(self) -> None:
        """A read-only store: plain reads (``BEGIN DEFERRED``), no WAL switch, no schema creation."""
        from sqlalchemy import event

        @event.listens_for(self.engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN DEFERRED")

    def _server_read_only_setup(self) -> None:
        """A read-only store on a database server (PostgreSQL): the tables detente has not made
        there yet (a new database, or one an older detente made) are stood in for by empty TEMP
        tables of each connection, without foreign keys (a temporary table may not reference a
        permanent one), so reads find nothing instead of failing; nothing is created in the
        database itself (the SQLite counterpart is :func:`_read_only_connector`)."""
        sa = self._sa
        from sqlalchemy import event
        from sqlalchemy.schema import CreateTable

        try:
            with self.engine.connect() as conn:
                names = set(sa.inspect(conn).get_table_names())
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"database {self._safe_url()}: cannot open ({_short(exc)})") from exc
        md = _tables()[0]
        dialect = self.engine.dialect
        temp = [
            str(CreateTable(t, include_foreign_key_constraints=[]).compile(dialect=dialect))
            .strip()
            .replace("CREATE TABLE", "CREATE TEMPORARY TABLE", 1)
            for t in md.sorted_tables
            if t.name not in names
        ]
        if not temp:
            return
        self.engine.dispose()  # the connection that looked has no TEMP tables: not to be reused

        @event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
            cur = dbapi_conn.cursor()
            try:
                for ddl in temp:
                    cur.execute(ddl)
            finally:
                cur.close()
            dbapi_conn.commit()

    def _transact(self, work: Callable[[Any], _T]) -> _T:
        """Run ``work(conn)`` in one write transaction (committed on return, rolled back on error).

        On SQLite the transaction takes the write lock up front (``BEGIN IMMEDIATE``, waiting up to
        the busy timeout). A transaction that still fails because the database is busy or locked
        (or, on PostgreSQL, a deadlock or serialisation failure) is rolled back and run again from
        the start, at most ``_RETRY_ATTEMPTS`` times; ``work`` must therefore only depend on
        what it reads through ``conn``.
        """
        sa = self._sa
        if self.read_only:
            raise StoreError(f"database {self._safe_url()}: opened read-only, nothing is written")
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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
