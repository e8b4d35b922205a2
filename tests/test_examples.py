"""Every script in examples/ runs (small settings via DETENTE_EXAMPLE_SMALL=1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(path: Path, tmp_path: Path) -> None:
    env = dict(os.environ, DETENTE_EXAMPLE_SMALL="1")
    r = subprocess.run(
        [sys.executable, str(path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip(), "an example should print what it shows"


def test_the_readme_shows_what_validate_prints_on_examples_bad_yaml() -> None:
    """The README's and docs/formats.md's `detente validate examples/bad.yaml` block is what a user
    sees, line for line (the file lives in the repository so that the example can be run)."""
    root = Path(__file__).resolve().parents[1]
    r = subprocess.run(
        [sys.executable, "-m", "detente", "validate", "examples/bad.yaml"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
    got = r.stderr.strip().splitlines()
    for doc in ("README.md", "docs/formats.md"):
        text = (root / doc).read_text(encoding="utf-8").splitlines()
        start = next(k for k, ln in enumerate(text) if ln.startswith("$ detente validate examples/bad.yaml"))
        shown = [ln for ln in text[start + 1 : start + 1 + len(got)]]
        assert shown == got, doc


def test_the_example_panel_answers_the_current_built_in_scenario() -> None:
    """examples/panel/*.csv carry the hash of the scenario they were exported from; when ukraine-2025
    changes, re-stamp them (the answers stay) or `detente elicit import` prints a note that they come
    from an earlier version (the docs audit of 2026-12-07 found that note in the README's example)."""
    from detente.io.builtin import load_builtin
    from detente.io.questionnaire import read_questionnaire_meta

    root = Path(__file__).resolve().parents[1]
    files = sorted((root / "examples" / "panel").glob("*.csv"))
    assert len(files) == 3
    from detente.core.hashing import scenario_hash

    want = scenario_hash(load_builtin("ukraine-2025"))
    for f in files:
        meta = read_questionnaire_meta(str(f))
        assert want in repr(meta), (f.name, meta)
