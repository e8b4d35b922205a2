"""Shared fixtures: the repository's real data (``data/``), a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"  # real data shipped with the repository (provenance and licences: data/README.md)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The repository's ``data/`` folder; the tests need nothing outside the repository."""
    assert DATA.is_dir(), f"{DATA} is missing: the repository is incomplete"
    return DATA


@pytest.fixture()
def cli():
    from typer.testing import CliRunner

    from detente.cli.app import app

    runner = CliRunner()

    def invoke(*args: str, **kw):
        return runner.invoke(app, list(args), catch_exceptions=False, **kw)

    return invoke


@pytest.fixture()
def sqlite_tables():
    """The table names of an SQLite file, read without writing to it (``mode=ro``)."""
    import sqlite3

    def tables(path) -> list[str]:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
        finally:
            conn.close()

    return tables


@pytest.fixture()
def refuse_open(monkeypatch):
    """``refuse_open(path)``: from then on ``open(path)`` raises PermissionError 13, as a file without
    read permission does for anyone but root (the tests run as root, whom chmod does not stop)."""
    import builtins

    real_open = builtins.open
    refused: set[str] = set()

    def guarded(file, *a, **k):  # type: ignore[no-untyped-def]
        if str(file) in refused:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *a, **k)

    monkeypatch.setattr(builtins, "open", guarded)
    return lambda path: refused.add(str(path))
