"""``python -m detente`` is the same program as the ``detente`` command (issue #13 item 6)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "detente", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_help(tmp_path: Path) -> None:
    out = _run("--help", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Usage: python -m detente" in out.stdout
    assert "scenarios" in out.stdout and "forecast" in out.stdout
    assert not list(tmp_path.iterdir())  # nothing written


def test_scenarios(tmp_path: Path) -> None:
    out = _run("scenarios", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "emission-standards-1994" in out.stdout


def test_bad_command_is_one_clear_error(tmp_path: Path) -> None:
    out = _run("no-such-command", cwd=tmp_path)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
