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
