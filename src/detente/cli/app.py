"""The typer application. Each command module has ``register(app)``; shells only, no model logic.

:func:`main` is the ``detente`` entry point; Ctrl-C and SIGTERM: :mod:`detente.cli.signals`.
"""

from __future__ import annotations

import importlib
import signal
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

app = typer.Typer(
    name="detente",
    help="Make multi-party negotiations computable: who wants what, who can make it happen, what the outcome will be.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# one module per area; each owns its commands
COMMAND_MODULES: tuple[str, ...] = (
    "detente.cli.cmd_core",  # run, forecast, models, scenarios, report
    "detente.cli.cmd_io",  # validate, convert
    "detente.cli.cmd_explain",  # explain
    "detente.cli.cmd_uncertainty",  # sweep, levers, cohesion, sensitivity
    "detente.cli.cmd_backtest",  # backtest
    "detente.cli.cmd_simulate",  # simulate
    "detente.cli.cmd_store",  # ledger, serve
)


def _show_version(value: bool) -> None:
    if value:
        from detente._version import __version__

        typer.echo(f"detente {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", is_eager=True, callback=_show_version
    ),
) -> None:
    pass


for _mod in COMMAND_MODULES:
    try:
        importlib.import_module(_mod).register(app)
    except ModuleNotFoundError as _exc:  # an area not built yet
        if _exc.name != _mod:
            raise


class _FlagsTakeNoValue:
    """Help without a value after flags: typer prints ``<bool>`` there, which invites ``--full true`` (an error)."""

    def get_params(self, ctx: typer.Context) -> list[Any]:
        params: list[Any] = super().get_params(ctx)  # type: ignore[misc]
        for p in params:
            if getattr(p, "is_flag", False) and p.metavar is None:
                p.metavar = ""
        return params


class _Command(_FlagsTakeNoValue, TyperCommand):
    pass


class _Group(_FlagsTakeNoValue, TyperGroup):
    pass


def _use_flag_help(t: typer.Typer) -> None:
    """Every command and group of ``t`` (and of its sub-apps) renders flags without ``<bool>``."""
    t.info.cls = _Group
    for info in t.registered_commands:
        if info.cls is None or info.cls is TyperCommand:  # typer's default
            info.cls = _Command
    for g in t.registered_groups:
        g.cls = _Group
        if g.typer_instance is not None:
            _use_flag_help(g.typer_instance)


_use_flag_help(app)


def main() -> None:
    from detente.cli import signals

    signals.install()  # Ctrl-C / SIGTERM: exit 130 / 143 within a second, no process left behind
    try:
        app()
    except KeyboardInterrupt:  # typer turns it into exit 130; kept for callers that bypass that
        if signals.received() is None:
            signals.note(signal.SIGINT)
    except SystemExit:
        if signals.received() is None:
            raise
    if signals.received() is not None:
        signals.finish()
