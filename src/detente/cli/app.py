"""The typer application. Each command module has ``register(app)``; shells only, no model logic."""

from __future__ import annotations

import importlib

import typer

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

for _mod in COMMAND_MODULES:
    try:
        importlib.import_module(_mod).register(app)
    except ModuleNotFoundError as _exc:  # an area not built yet
        if _exc.name != _mod:
            raise


def main() -> None:
    app()
