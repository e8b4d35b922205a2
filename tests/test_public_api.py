"""Public API: __all__ sorted and complete; doctested examples of the core run."""

from __future__ import annotations

import doctest
import importlib

import pytest

import detente


def test_all_sorted_and_resolvable() -> None:
    assert list(detente.__all__) == sorted(detente.__all__)
    for name in detente.__all__:
        assert getattr(detente, name) is not None, name


@pytest.mark.parametrize(
    "module",
    ["detente.core.scale", "detente.core.scenario", "detente.models.base", "detente.models.registry"],
)
def test_doctests(module: str) -> None:
    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted > 0
