"""Helpers shared by the command modules: console, errors without tracebacks, scenario loading, --set."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer
from rich.console import Console

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a one-line error to stderr and exit non-zero (never a traceback)."""
    line = " ".join(str(message).split())
    err_console.print(f"[red]error:[/red] {line}", markup=True, soft_wrap=True) if sys.stderr.isatty() else print(
        f"error: {line}", file=sys.stderr
    )
    raise typer.Exit(code)


def load_scenario(ref: str) -> Any:
    """A built-in name or a path (any supported format), or a one-line error."""
    from detente.errors import DetenteError
    from detente.io.builtin import builtin_names, load_builtin

    try:
        if ref in builtin_names():
            return load_builtin(ref)
        from detente.io.files import read_scenario

        return read_scenario(ref)
    except DetenteError as exc:
        fail(str(exc))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        fail(f"{ref}: {exc}")


def parse_sets(sets: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in sets or []:
        if "=" not in item:
            fail(f"--set {item!r}: expected NAME=VALUE")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def build_model(name: str, sets: dict[str, str]) -> Any:
    """Instantiate model ``name`` with the --set values that belong to it (unknown names are an error)."""
    import dataclasses

    from detente.errors import DetenteError
    from detente.models import coerce_param, model_class

    try:
        cls = model_class(name)
        names = {f.name for f in dataclasses.fields(cls)}
        params = {k: coerce_param(cls, k, v) for k, v in sets.items() if k in names}
        return cls(**params)
    except DetenteError as exc:
        fail(f"model {name}: {exc}")


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, allow_nan=False, default=_default) + "\n")


def _default(o: Any) -> Any:
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def show_progress() -> bool:
    """Progress bars only on a terminal."""
    return sys.stderr.isatty()


def write_text_atomic(path: Any, text: str) -> None:
    """Write a text file atomically (temp file + rename): nothing partial is ever left behind.

    Errors (a directory, a missing folder, no permission) become one-line messages.
    """
    import os
    import tempfile
    from pathlib import Path

    path = Path(path).expanduser()
    if path.is_dir():
        fail(f"{path}: is a directory (expected a file path)")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        fail(f"{path}: folder {parent} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".detente-", suffix=".tmp", dir=parent)
    except OSError as exc:
        fail(f"{path}: cannot write ({exc.strerror})")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        fail(f"{path}: cannot write ({exc.strerror})")
