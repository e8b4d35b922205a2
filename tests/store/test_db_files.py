"""Store(path): what it opens. A read-only store writes nothing; no store opens a file that is not
detente's SQLite database; a new database appears whole (never as an empty file)."""

from __future__ import annotations

import sqlite3

import pytest

from detente.errors import StoreError
from detente.store import Store


def test_read_only_store_of_a_missing_file_creates_nothing(tmp_path) -> None:
    with pytest.raises(StoreError, match="no such database") as info:
        Store(str(tmp_path / "sub" / "missing.sqlite"), read_only=True)
    assert info.value.db_missing is True  # type: ignore[attr-defined]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("read_only", [False, True])
def test_an_empty_file_is_not_a_database(tmp_path, read_only) -> None:
    path = tmp_path / "empty.sqlite"
    path.touch()
    mtime = path.stat().st_mtime_ns
    with pytest.raises(StoreError, match=r"not a detente database \(an empty file, not SQLite\)") as info:
        Store(str(path), read_only=read_only)
    assert info.value.db_file == path and info.value.db_missing is False  # type: ignore[attr-defined]
    assert path.read_bytes() == b"" and path.stat().st_mtime_ns == mtime
    assert [p.name for p in tmp_path.iterdir()] == ["empty.sqlite"]


@pytest.mark.parametrize("read_only", [False, True])
def test_another_programs_database_is_left_alone(tmp_path, read_only, sqlite_tables) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE foo (x INTEGER)")
    conn.commit()
    conn.close()
    data = path.read_bytes()
    with pytest.raises(StoreError, match="of something else, with tables foo"):
        Store(str(path), read_only=read_only)
    assert sqlite_tables(path) == ["foo"] and path.read_bytes() == data


def test_an_sqlite_database_without_tables_becomes_a_store(tmp_path, sqlite_tables) -> None:
    path = tmp_path / "blank.sqlite"
    sqlite3.connect(path).execute("PRAGMA user_version=1").connection.close()  # header, no tables
    st = Store(str(path))
    st.ledger_add("Deal?", 0.5)
    st.close()
    assert "ledger" in sqlite_tables(path)


def test_a_new_database_appears_whole_and_leaves_no_temporary_file(tmp_path, sqlite_tables) -> None:
    st = Store(str(tmp_path / "new.sqlite"))
    st.close()
    assert [p.name for p in tmp_path.iterdir()] == ["new.sqlite"]
    assert {"ledger", "scenarios", "runs", "panels"} <= set(sqlite_tables(tmp_path / "new.sqlite"))
    assert (tmp_path / "new.sqlite").read_bytes()[18:20] == b"\x02\x02"  # WAL mode from the start


def test_a_read_only_store_reads_and_writes_nothing(tmp_path) -> None:
    path = tmp_path / "s.sqlite"
    st = Store(str(path))
    st.ledger_add("Deal?", 0.5)
    st.close()
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    ro = Store(str(path), read_only=True)
    assert [e.question for e in ro.ledger_list()] == ["Deal?"]
    with pytest.raises(StoreError, match="opened read-only"):
        ro.ledger_add("More?", 0.1)
    ro.close()
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.sqlite"]  # SQLite removed its -wal and -shm


def test_a_read_only_store_reads_while_another_writes(tmp_path) -> None:
    path = tmp_path / "s.sqlite"
    writer = Store(str(path))
    writer.ledger_add("First?", 0.5)
    ro = Store(str(path), read_only=True)
    writer.ledger_add("Second?", 0.5)
    assert [e.question for e in ro.ledger_list()] == ["First?", "Second?"]
    ro.close()
    writer.ledger_add("Third?", 0.5)
    writer.close()
    assert [p.name for p in tmp_path.iterdir()] == ["s.sqlite"]
