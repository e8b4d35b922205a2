"""The file readers refuse a non-path or a non-name with a DetenteError, not a TypeError from pathlib
or difflib."""

from __future__ import annotations

import pytest

from detente import InputFileError, ScenarioError, load_builtin, read_scenario


@pytest.mark.parametrize("path", [None, 3])
def test_read_scenario_needs_a_path(path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputFileError, match=r"^path: expected a file path"):
        read_scenario(path)


def test_load_builtin_needs_a_name() -> None:
    with pytest.raises(ScenarioError, match=r"^scenario: expected the name of a built-in .*received None"):
        load_builtin(None)  # type: ignore[arg-type]
