"""Shared fixtures: where the shared data lives, a CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """The shared/ folder: $DETENTE_SHARED, else beside the repository (as in CI and the work tree)."""
    env = os.environ.get("DETENTE_SHARED")
    return Path(env) if env else REPO.parent / "shared"


SHARED = shared_dir()


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.exists():
        pytest.fail(f"shared data folder not found at {SHARED} (set DETENTE_SHARED)")
    return SHARED


@pytest.fixture()
def cli():
    from typer.testing import CliRunner

    from detente.cli.app import app

    runner = CliRunner()

    def invoke(*args: str, **kw):
        return runner.invoke(app, list(args), catch_exceptions=False, **kw)

    return invoke
