"""The ``detente`` command line (typer + rich)."""

from __future__ import annotations


def main() -> None:
    from detente.cli.app import main as _main

    _main()
