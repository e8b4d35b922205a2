"""The typer application. Each command module has ``register(app)``; shells only, no model logic.

:func:`main` is the ``detente`` entry point; Ctrl-C and SIGTERM: :mod:`detente.cli.signals`.
"""

from __future__ import annotations

import gc
import importlib
import signal
import sys
import typing
from enum import Enum
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

# one module per command (or per small family: cmd_core, cmd_io, cmd_store); each command is a
# module-level function that the module's ``register(app)`` adds to the app
COMMAND_MODULES: tuple[str, ...] = (
    "detente.cli.cmd_core",  # run, forecast, models, scenarios, report
    "detente.cli.cmd_io",  # validate, convert
    "detente.cli.cmd_explain",  # explain
    "detente.cli.cmd_sweep",  # sweep
    "detente.cli.cmd_levers",  # levers
    "detente.cli.cmd_cohesion",  # cohesion
    "detente.cli.cmd_sensitivity",  # sensitivity
    "detente.cli.cmd_backtest",  # backtest
    "detente.cli.cmd_calibrate",  # calibrate
    "detente.cli.cmd_simulate",  # simulate
    "detente.cli.cmd_store",  # ledger, serve
    "detente.cli.cmd_draft",  # draft
    "detente.cli.cmd_elicit",  # elicit export, elicit import
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


def _command_key(ctx: Any) -> str:  # a click Context (typer vendors click)
    """The command's path after ``detente``: ``simulate``, ``ledger add``."""
    names = []
    while ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(names))


def _usage_errors() -> tuple[type[Exception], ...]:
    """The UsageError of the click that typer runs on: its vendored copy (typer >= 0.2x, which needs no
    click at all, so a core install may not have it)."""
    from typer._click import exceptions as vendored

    return (vendored.UsageError,)


def _choices(param: Any) -> list[str]:
    """The choices of an option typed with an ``Enum`` (``detente.cli.choices``), else []."""
    ann = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if isinstance(ann, type) and issubclass(ann, Enum):
        return [str(m.value) for m in ann]
    choices = getattr(getattr(param, "type", None), "choices", None)
    return [str(getattr(c, "value", c)) for c in choices] if choices else []


def usage_error_line(ctx: typer.Context, exc: Exception) -> str:
    """A usage error as one line: ``--format: expected table, json or csv, received 'xml'``."""
    param = getattr(exc, "param", None)
    choices = _choices(param) if param is not None and "Invalid value" in str(exc.format_message()) else []  # type: ignore[attr-defined]
    if choices:
        opts = list(getattr(param, "opts", []) or [])
        name = max(opts, key=len) if opts else str(getattr(param, "name", "value"))
        from detente.core.text import either

        expected = either(choices)
        value = _given(ctx, opts)
        return f"{name}: expected {expected}" + (f", received {value!r}" if value is not None else "")
    text = str(exc.format_message())  # type: ignore[attr-defined]
    number = next(
        (w for k, w in (("valid integer", "an integer"), ("valid number", "a number")) if k in text), None
    )
    if number and "Invalid value" in text:
        # "--draws: expected an integer, received 'abc'" (typer says "Input should be a valid integer,
        # unable to parse string as an integer" and never the value)
        opts = list(getattr(param, "opts", []) or [])
        opts = [o for o in opts if o.startswith("-")]
        name = max(opts, key=len) if opts else str(getattr(param, "name", None) or "value").upper()
        value = _given(ctx, opts) if opts else None
        return f"{name}: expected {number}" + (f", received {value!r}" if value is not None else "")
    hint = f" ('{ctx.command_path} --help' lists them)" if type(exc).__name__ == "NoSuchOption" else ""
    return " ".join(str(exc.format_message()).split()) + hint  # type: ignore[attr-defined]


def _given(ctx: typer.Context, names: list[str]) -> str | None:
    """The value last given after one of the option ``names`` on the command line (for the error message)."""
    args = list(getattr(ctx, "_detente_args", []))
    value = None
    for k, a in enumerate(args):
        if a in names and k + 1 < len(args):
            value = args[k + 1]
        elif "=" in a and a.partition("=")[0] in names:
            value = a.partition("=")[2]
    return value


class _Vocabulary:
    """Old spellings rewritten (one deprecation line each, ``detente.vocabulary``); usage errors
    (an unknown option, a value outside the choices, a missing option) as one ``error:`` line, exit 2."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        from detente.vocabulary import modernise

        args, deprecated = modernise(_command_key(ctx), args)
        for line in deprecated:
            print(f"detente: {line}", file=sys.stderr)
        ctx._detente_args = list(args)  # type: ignore[attr-defined]
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc,no-any-return]
        except _usage_errors() as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":
                raise
            from detente.cli.common import fail

            fail(usage_error_line(ctx, exc))


class _Command(_Vocabulary, _FlagsTakeNoValue, TyperCommand):  # type: ignore[misc]  # mixins take typer.Context
    pass


class _Group(_FlagsTakeNoValue, TyperGroup):  # type: ignore[misc]  # the mixin takes typer.Context
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


def _resolve_annotations(t: typer.Typer) -> None:
    """Every command's annotations as objects, evaluated once (issue #15). The command modules use
    ``from __future__ import annotations``, so their annotations are strings, and typer evaluates
    each string about four times (``inspect.signature(eval_str=True)`` and ``get_type_hints``, for the
    command and its callback) when it builds the commands at every start: 45 of the ≈ 200 ms of
    ``detente --help``. The same types, so the same parameters and help."""
    callbacks = [info.callback for info in t.registered_commands]
    if t.registered_callback is not None:
        callbacks.append(t.registered_callback.callback)
    for f in callbacks:
        if f is not None:
            f.__annotations__ = typing.get_type_hints(f, include_extras=True)
    for g in t.registered_groups:
        if g.typer_instance is not None:
            _resolve_annotations(g.typer_instance)


_resolve_annotations(app)


def main() -> None:
    from detente.cli import allocator, signals

    signals.install()  # Ctrl-C / SIGTERM: exit 130 / 143 within a second, no process left behind
    allocator.tune()  # freed arrays reused instead of faulted in again (docs/performance.md)
    try:
        app()
    except KeyboardInterrupt:  # typer turns it into exit 130; kept for callers that bypass that
        if signals.received() is None:
            signals.note(signal.SIGINT)
    except SystemExit:
        if signals.received() is None:
            raise
    finally:
        # the process ends here: the interpreter's shutdown runs the cycle collector over every object
        # still alive (≈ 0.1 s after `detente run`, docs/performance.md); frozen, they are only freed by
        # reference counting. Every output is written and closed by now (write_text_atomic, the store)
        gc.freeze()
    if signals.received() is not None:
        signals.finish()
