"""Many processes writing to one store at once: no write is lost, no "database is locked" escapes.

Each writer is a real process. They all import first and then wait for a "go" file, so they open
the (fresh) database and write within the same few milliseconds: the schema is created by
whichever gets there first, the others wait for it, and writes that meet a busy database are
retried. Issue #12 measured 78 of 80 ``detente ledger add`` processes kept on a new SQLite file.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from detente.store import Store

# the `detente` console script, started once per process, behind a start barrier
CLI_WRITER = r"""
import os, sys, time
import sqlalchemy.dialects.sqlite  # imported before the start, so that the processes meet at the database
import detente.cli.app, detente.store  # noqa: F401
from detente.cli import main
go = sys.argv[1]
open(f"{go}.ready.{os.getpid()}", "w").close()
while not os.path.exists(go):
    time.sleep(0.002)
sys.argv = ["detente", *sys.argv[2:]]
main()
"""

# one process making many writes through the Store API: ledger forecasts, runs, scenario versions
API_WRITER = r"""
import os, sys, time
import sqlalchemy.dialects.sqlite
from detente.store import Store
go, url, tag, n, what = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
open(f"{go}.ready.{os.getpid()}", "w").close()
while not os.path.exists(go):
    time.sleep(0.002)
st = Store(url, data_dir=os.path.dirname(go))
for j in range(n):
    if what == "ledger":
        st.ledger_add(f"Q {tag}-{j}?", 0.5)
    elif what == "run":
        st.save_run(scenario_ref=f"w{tag}", model="eum", params={"j": j})
    else:
        st.save_scenario({"id": "shared", "title": f"{tag}-{j}", "actors": [], "issues": [], "stances": []},
                         author=f"w{tag}")
st.close()
"""


def _burst(
    tmp_path: Path, argvs: list[list[str]], timeout: float
) -> tuple[list[subprocess.CompletedProcess], float]:
    """Start one process per argv, release them together; (results, seconds from release to last exit)."""
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", *argv[:1], str(go), *argv[1:]],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
        )
        for argv in argvs
    ]
    deadline = time.monotonic() + 180  # let them all import (each then polls for the go file)
    while len(list(tmp_path.glob("go.ready.*"))) < len(procs) and time.monotonic() < deadline:
        assert all(p.poll() is None for p in procs), "a writer exited before the start"
        time.sleep(0.05)
    t0 = time.monotonic()
    go.touch()
    done = []
    for p in procs:
        out, err = p.communicate(timeout=timeout)
        done.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
    return done, time.monotonic() - t0


def _failures(done: list[subprocess.CompletedProcess]) -> list[str]:
    return [
        f"exit {d.returncode}: {(d.stderr or d.stdout).strip()[-300:]}" for d in done if d.returncode != 0
    ]


def _integrity_ok(url: str) -> None:
    st = Store(url)
    if st.is_sqlite:
        with st.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    st.close()


@pytest.mark.slow
def test_80_cli_processes_on_a_fresh_sqlite_file_keep_all_80(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("DETENTE_DB", raising=False)
    db = tmp_path / "fresh.sqlite"
    argvs = [[CLI_WRITER, "ledger", "add", f"Deal {k} by June?", "0.5", "--db", str(db)] for k in range(80)]
    done, seconds = _burst(tmp_path, argvs, timeout=300)
    print(f"80 processes: {seconds:.1f} s from release to the last exit")
    assert _failures(done) == []
    st = Store(str(db))
    questions = sorted(e.question for e in st.ledger_list())
    assert questions == sorted(f"Deal {k} by June?" for k in range(80))
    st.close()
    _integrity_ok(str(db))


def _url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "fresh.sqlite")
    url = request.getfixturevalue("pg_url")
    st = Store(url)
    st._md.drop_all(st.engine)  # fresh: the writers race to create the schema
    st.close()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_url(request, tmp_path):
    return _url(request, tmp_path)


@pytest.mark.slow
def test_8_processes_x_50_writes_keep_all_400(tmp_path, fresh_url) -> None:
    argvs = [[API_WRITER, fresh_url, str(k), "50", "ledger"] for k in range(8)]
    done, seconds = _burst(tmp_path, argvs, timeout=300)
    print(f"8 x 50 ledger writes: {seconds:.1f} s from release to the last exit")
    assert _failures(done) == []
    st = Store(fresh_url)
    got = sorted(e.question for e in st.ledger_list())
    assert got == sorted(f"Q {k}-{j}?" for k in range(8) for j in range(50))
    st.close()
    _integrity_ok(fresh_url)


@pytest.mark.slow
def test_concurrent_run_and_scenario_saves_from_processes(tmp_path, fresh_url) -> None:
    argvs = [[API_WRITER, fresh_url, str(k), "15", "run" if k % 2 else "scenario"] for k in range(8)]
    done, seconds = _burst(tmp_path, argvs, timeout=300)
    print(f"4 x 15 run saves + 4 x 15 scenario saves: {seconds:.1f} s")
    assert _failures(done) == []
    st = Store(fresh_url)
    assert [v.version for v in st.versions("shared")] == list(range(1, 61))
    assert sorted(r.scenario_ref for r in st.list_runs(limit=1000)) == sorted(
        f"w{k}" for k in (1, 3, 5, 7) for _ in range(15)
    )
    st.close()
    _integrity_ok(fresh_url)


@pytest.mark.postgres
@pytest.mark.slow
def test_80_cli_processes_on_a_fresh_postgres_database_keep_all_80(tmp_path, monkeypatch, pg_url) -> None:
    monkeypatch.delenv("DETENTE_DB", raising=False)
    st = Store(pg_url)
    st._md.drop_all(st.engine)
    st.close()
    argvs = [[CLI_WRITER, "ledger", "add", f"Deal {k} by June?", "0.5", "--db", pg_url] for k in range(80)]
    done, seconds = _burst(tmp_path, argvs, timeout=300)
    print(f"80 processes on PostgreSQL: {seconds:.1f} s from release to the last exit")
    assert _failures(done) == []
    st = Store(pg_url)
    assert len(st.ledger_list()) == 80
    st.close()


def test_retry_backoff_is_bounded_and_deterministic() -> None:
    from detente.store.db import _RETRY_ATTEMPTS, _backoff

    waits = [_backoff(k) for k in range(1, _RETRY_ATTEMPTS)]
    assert waits == [_backoff(k) for k in range(1, _RETRY_ATTEMPTS)]  # no hidden randomness
    assert all(0 < w <= 1.5 for w in waits) and sum(waits) < 15


def test_a_locked_database_is_retried_then_reported(tmp_path, monkeypatch) -> None:
    import sqlite3

    import sqlalchemy as sa
    from sqlalchemy import event

    import detente.store.db as db
    from detente.errors import StoreError

    waits: list[float] = []
    monkeypatch.setattr(db.time, "sleep", waits.append)
    st = Store(str(tmp_path / "busy.sqlite"))
    failures = {"left": 2}

    @event.listens_for(st.engine, "before_cursor_execute")
    def _locked(conn, cursor, statement, *args):
        if statement.startswith("INSERT") and failures["left"] > 0:
            failures["left"] -= 1
            raise sa.exc.OperationalError(statement, {}, sqlite3.OperationalError("database is locked"))

    e = st.ledger_add("Deal by June?", 0.6)  # two busy attempts, then it goes through
    assert [x.id for x in st.ledger_list()] == [e.id] and waits == [db._backoff(1), db._backoff(2)]
    failures["left"] = 10**6
    with pytest.raises(StoreError, match="write failed .database is locked"):
        st.ledger_add("Deal by July?", 0.6)
    assert len(waits) == 2 + db._RETRY_ATTEMPTS - 1  # bounded: gives up after the last attempt
    assert len(st.ledger_list()) == 1
    st.close()
