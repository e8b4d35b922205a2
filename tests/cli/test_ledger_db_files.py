"""detente ledger and --db: read-only commands create and change nothing; no command opens a file
that is not detente's database (a 0-byte file, a text file, another program's SQLite database)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

HINT = "no such database (a ledger is created by 'detente ledger add')"


@pytest.fixture()
def folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DETENTE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # never the real default database
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "xdg")


def _snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def _one_line(r) -> str:
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


READS = [("list",), ("list", "--open"), ("history", "1"), ("score",), ("list", "--format", "json")]


@pytest.mark.parametrize("args", [*READS, ("resolve", "1", "0")])
def test_a_missing_database_is_an_error_and_nothing_is_created(cli, folder, args) -> None:
    r = cli("ledger", *args, "--db", "nonexist.sqlite")
    assert _one_line(r) == f"error: --db nonexist.sqlite: {HINT}"
    assert _files(folder) == []  # no database, no -wal, no -shm


def test_a_missing_database_named_by_detente_db_is_an_error(cli, folder, monkeypatch) -> None:
    monkeypatch.setenv("DETENTE_DB", "nope.sqlite")
    assert _one_line(cli("ledger", "list")) == f"error: DETENTE_DB=nope.sqlite: {HINT}"
    assert _files(folder) == []


def test_the_default_database_not_made_yet_is_an_empty_ledger(cli, folder) -> None:
    r = cli("ledger", "list")
    assert r.exit_code == 0 and r.stdout.strip() == "the ledger is empty"
    assert json.loads(cli("ledger", "score", "--format", "json").stdout)["forecasts"] == 0
    assert not (folder / "xdg").exists()  # read-only: not even the data directory
    r = cli("ledger", "add", "Deal by June?", "0.4")  # the first write creates it, as always
    assert r.exit_code == 0, r.output
    assert (folder / "xdg" / "detente" / "detente.sqlite").is_file()
    assert "Deal by June?" in cli("ledger", "list").stdout


@pytest.mark.parametrize(
    "args", [*READS, ("add", "Deal?", "0.4"), ("resolve", "1", "0"), ("add", "GDP", "2", "--kind", "numeric")]
)
@pytest.mark.parametrize(
    ("content", "why"), [(b"", "an empty file, not SQLite"), (b"title: x\nactors: []\n", "not SQLite")]
)
def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(cli, folder, args, content, why) -> None:
    path = folder / "empty.yaml"
    path.write_bytes(content)
    before = _snapshot(path)
    r = cli("ledger", *args, "--db", "empty.yaml")
    assert _one_line(r) == f"error: --db empty.yaml: not a detente database ({why})"
    assert _snapshot(path) == before  # same bytes, same mtime
    assert _files(folder) == ["empty.yaml"]


@pytest.mark.parametrize("wal", [False, True], ids=["rollback-journal", "wal"])
@pytest.mark.parametrize("args", [*READS, ("add", "Deal?", "0.4"), ("resolve", "1", "0")])
def test_another_programs_sqlite_database_is_refused_and_left_alone(
    cli, folder, args, wal, sqlite_tables
) -> None:
    path = folder / "other.sqlite"
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE foo (x INTEGER)")
    conn.execute("INSERT INTO foo VALUES (1)")
    conn.commit()
    conn.close()
    before = _snapshot(path)
    r = cli("ledger", *args, "--db", "other.sqlite")
    assert _one_line(r) == (
        "error: --db other.sqlite: not a detente database (an SQLite database of something else, "
        "with tables foo)"
    )
    assert _files(folder) == ["other.sqlite"]  # no -wal or -shm left behind
    assert _snapshot(path) == before
    assert sqlite_tables(path) == ["foo"]


def test_a_folder_is_refused(cli, folder) -> None:
    (folder / "ledger.sqlite").mkdir()
    r = cli("ledger", "add", "Deal?", "0.4", "--db", "ledger.sqlite")
    assert _one_line(r) == "error: --db ledger.sqlite: not a detente database (a folder, not a file)"


def test_a_good_database_still_works_and_reads_leave_it_as_it_was(cli, folder) -> None:
    db = "ledger.sqlite"
    assert cli("ledger", "add", "Ceasefire by June?", "0.3", "--db", db).exit_code == 0
    assert cli("ledger", "add", "Tariff rate", "17", "--db", db).exit_code == 0
    assert _files(folder) == [db]  # a new database, no hidden file of its making left over
    r = cli("ledger", "resolve", "1", "0", "--db", db)
    assert r.exit_code == 0 and "Brier score 0.090" in r.stdout
    before = _snapshot(folder / db)
    assert [e["id"] for e in json.loads(cli("ledger", "list", "--db", db, "--format", "json").stdout)] == [
        1,
        2,
    ]
    assert "Ceasefire" in cli("ledger", "list", "--db", db).stdout
    assert "not resolved yet" in cli("ledger", "history", "2", "--db", db).stdout
    s = json.loads(cli("ledger", "score", "--db", db, "--format", "json").stdout)
    assert s["resolved"] == 1 and s["mean_brier"] == pytest.approx(0.09)
    assert _snapshot(folder / db) == before
    assert _files(folder) == [db]
    assert cli("ledger", "resolve", "2", "19", "--db", db).exit_code == 0
    assert json.loads(cli("ledger", "score", "--db", db, "--format", "json").stdout)["resolved"] == 2


def test_an_older_database_is_read_as_it_is_and_upgraded_by_a_write(cli, folder, sqlite_tables) -> None:
    db = folder / "old.sqlite"
    assert cli("ledger", "add", "Deal?", "0.8", "--db", str(db)).exit_code == 0
    conn = sqlite3.connect(db)
    for table in ("ledger_quantiles", "ledger_resolution_history", "panel_seats", "panels"):
        conn.execute(f"DROP TABLE {table}")  # a database made before these tables existed
    conn.commit()
    conn.close()
    old = sqlite_tables(db)
    r = cli("ledger", "list", "--db", str(db), "--format", "json")
    assert r.exit_code == 0 and [e["question"] for e in json.loads(r.stdout)] == ["Deal?"]
    assert "not resolved yet" in cli("ledger", "history", "1", "--db", str(db)).stdout
    assert sqlite_tables(db) == old  # a read does not migrate
    r = cli("ledger", "resolve", "1", "1", "--db", str(db))
    assert r.exit_code == 0, r.output
    assert {"ledger_quantiles", "ledger_resolution_history", "panels"} <= set(sqlite_tables(db))


def test_negative_numbers_are_arguments(cli, folder) -> None:
    db = "ledger.sqlite"
    r = cli("ledger", "add", "Ceasefire by June?", "-0.1", "--db", db)
    assert "expected a probability in [0, 1]" in _one_line(r) and "received -0.1" in r.stderr
    assert _files(folder) == []
    r = cli("ledger", "add", "GDP growth", "-0.5", "--db", db)
    assert r.exit_code == 0 and "→ -0.5" in r.stdout
    r = cli("ledger", "resolve", "1", "-1.5", "--db", db)
    assert r.exit_code == 0 and r.stdout.strip().endswith("absolute error 1")
    assert _one_line(cli("ledger", "resolve", "-1", "1", "--db", db)).startswith(
        "error: ENTRY -1: no forecast #-1"
    )
    line = _one_line(cli("ledger", "add", "Deal?", "0.3", "--resolvs", "2030-01-01", "--db", db))
    assert "No such option: --resolvs" in line  # a mistyped option is still named


def test_a_read_only_database_is_read_and_a_write_is_one_line(cli, folder, monkeypatch) -> None:
    """A database the user may not write to (file or folder): add and resolve say so in one line,
    naming --db, before SQLite's "unable to open database file"; nothing is written."""
    import os

    db = folder / "shared.sqlite"
    assert cli("ledger", "add", "Deal?", "0.5", "--db", str(db)).exit_code == 0
    before = _snapshot(db)
    real = os.access
    for locked, what in ((db, "the file is read-only"), (folder, f"folder {folder} is read-only")):
        monkeypatch.setattr(
            os,
            "access",
            lambda p, mode, locked=locked: real(p, mode) and not (mode & os.W_OK and Path(p) == locked),
        )
        for args in (("add", "More?", "0.1"), ("resolve", "1", "1")):
            line = _one_line(cli("ledger", *args, "--db", str(db)))
            assert line.startswith(f"error: --db {db}: cannot write to it ({what}"), line
        assert _snapshot(db) == before
    line = _one_line(cli("ledger", "add", "More?", "0.1", "--db", str(folder / "new.sqlite")))
    assert line == f"error: --db {folder / 'new.sqlite'}: cannot create it (folder {folder} is read-only)"
    assert not (folder / "new.sqlite").exists()


def _read_only_mount(folder: Path, *commands: list[str]) -> list[subprocess.CompletedProcess[str]] | None:
    """Run detente commands with ``folder`` bind-mounted read-only in a private mount namespace
    (``unshare -m``: the mount ends with the process); None where that is not permitted."""
    import shutil
    import sys

    if shutil.which("unshare") is None:
        return None
    probe = subprocess.run(
        [
            "unshare",
            "-m",
            "sh",
            "-c",
            f"mount --bind '{folder}' '{folder}' && mount -o remount,ro,bind '{folder}'",
        ],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        return None
    out = []
    for args in commands:
        script = f"mount --bind '{folder}' '{folder}' && mount -o remount,ro,bind '{folder}' && " + " ".join(
            f"'{a}'" for a in [sys.executable, "-m", "detente", *args]
        )
        out.append(
            subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, check=False)
        )
    return out


def test_a_database_on_a_read_only_file_system_is_read(cli, folder) -> None:
    """A WAL database in a folder no one may write to (a read-only share or mount): SQLite cannot
    make the -shm file a read needs, so list/score/history failed with "unable to open database
    file"; they read it (immutable), and a write is refused in one line."""
    ro = folder / "ro"
    ro.mkdir()
    db = ro / "ledger.sqlite"
    assert cli("ledger", "add", "Deal?", "0.5", "--db", str(db)).exit_code == 0
    assert cli("ledger", "resolve", "1", "1", "--db", str(db)).exit_code == 0
    before = _snapshot(db)
    runs = _read_only_mount(
        ro,
        ["ledger", "list", "--db", str(db), "--format", "json"],
        ["ledger", "score", "--db", str(db)],
        ["ledger", "history", "1", "--db", str(db)],
        ["ledger", "add", "More?", "0.1", "--db", str(db)],
    )
    if runs is None:
        pytest.skip("no private read-only mount here (unshare -m needs root)")
    listed, score, history, add = runs
    assert listed.returncode == 0, listed.stderr
    assert [e["question"] for e in json.loads(listed.stdout)] == ["Deal?"]
    assert score.returncode == 0 and "mean Brier score 0.250" in score.stdout, score.stderr
    assert history.returncode == 0 and "current" in history.stdout, history.stderr
    assert add.returncode == 2 and "Traceback" not in add.stderr
    assert (
        add.stderr.strip()
        == f"error: --db {db}: cannot write to it (the file is read-only; ledger list, history and score still read it)"
    )
    assert _snapshot(db) == before and sorted(p.name for p in ro.iterdir()) == ["ledger.sqlite"]
