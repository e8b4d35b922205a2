"""Names a package resolves on first use (PEP 562 module ``__getattr__``), so importing it loads no
heavy stack: ``detente`` and ``detente.core`` share this one resolver."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any


def resolve(package: str, table: Mapping[str, str], namespace: MutableMapping[str, Any], name: str) -> Any:
    """``name`` from the module ``table[name]``, kept in the package's ``namespace`` (resolved once);
    ``AttributeError`` for a name the package does not have."""
    module = table.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    namespace[name] = value
    return value
