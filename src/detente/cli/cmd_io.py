"""``detente validate`` and ``detente convert``: scenario files in, problems or converted files out."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from detente.cli.choices import ReadFormat, WriteFormat
from detente.cli.common import (
    check_dynamics,
    check_output_path,
    console,
    fail,
    say_warnings,
    unknown_scenario,
)
from detente.core.text import scenario_counts


def _load(ref: str, fmt: ReadFormat | None) -> Any:
    """A built-in name or a file; raises DetenteError (callers turn it into output)."""
    from detente.errors import InputFileError
    from detente.io.builtin import builtin_names, load_builtin
    from detente.io.files import read_scenario

    missing = unknown_scenario(ref)  # empty, or neither a file nor a built-in: close built-in names
    if missing:
        raise InputFileError(missing)
    if fmt is None and ref in builtin_names():
        return load_builtin(ref)
    return read_scenario(ref, format=None if fmt is None else str(fmt))


def _counts(sc: Any) -> str:
    return scenario_counts(len(sc.actors), len(sc.issues), len(sc.stances))


def validate_cmd(
    scenario: Annotated[str, typer.Argument(help="Built-in name or scenario file (any supported format).")],
    input_format: Annotated[
        ReadFormat | None,
        typer.Option("--from", help="Read the file as this format instead of detecting it."),
    ] = None,
) -> None:
    """Check a scenario: a one-line summary if valid, else one line per problem (exit 2)."""
    import warnings

    from detente.errors import DetenteError, DetenteWarning, ScenarioError

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DetenteWarning)
            sc = _load(scenario, input_format)
    except ScenarioError as exc:
        for line in exc.problems or [str(exc)]:
            print(" ".join(str(line).split()), file=sys.stderr)
        raise typer.Exit(2) from None
    except DetenteError as exc:
        fail(str(exc))
    except (OSError, ValueError, TypeError) as exc:  # last resort: never a traceback
        fail(f"{scenario}: {exc}")
    say_warnings(caught)  # e.g. draft stances that still need numbers (io/drafts.py)
    check_dynamics(sc, scenario)
    title = f" ({sc.title})" if sc.title else ""
    console.print(
        f"valid: {_counts(sc)}{title}",
        markup=False,
        soft_wrap=True,
    )


def convert_cmd(
    source: Annotated[
        str, typer.Argument(help="Built-in name or scenario file (format detected from content).")
    ],
    out: Annotated[str, typer.Argument(help="Output file; its extension picks the format unless --to.")],
    to: Annotated[
        WriteFormat | None, typer.Option("--to", help="Write this format instead of the extension's.")
    ] = None,
    input_format: Annotated[
        ReadFormat | None,
        typer.Option("--from", help="Read the file as this format instead of detecting it."),
    ] = None,
) -> None:
    """Convert a scenario between formats (YAML, JSON, long CSV, XLSX, KTAB CSV, Decide). Atomic write."""
    from detente.errors import DetenteError
    from detente.io.files import WRITE_FORMATS, format_for_path, write_scenario

    if not out.strip():
        fail("out: the output path is empty (expected a file name such as scenario.yaml)")
    check_output_path(out, source)  # never over the input, a device or a pipe
    try:
        target_fmt = str(to) if to is not None else format_for_path(out)
    except DetenteError as exc:
        fail(f"{exc}; or give the format with --to {'|'.join(WRITE_FORMATS)}")
    try:
        sc = _load(source, input_format)
    except DetenteError as exc:
        fail(str(exc))
    except (OSError, ValueError, TypeError) as exc:  # last resort: the input's problem, never the output's
        fail(f"{source}: {exc}")
    try:
        write_scenario(sc, out, format=target_fmt)
    except DetenteError as exc:
        fail(str(exc))
    except OSError as exc:  # no permission, disk full, read-only file system: the old file is kept
        fail(f"{out}: cannot write ({exc.strerror or exc}; expected a writable folder; nothing was written)")
    except (ValueError, TypeError) as exc:  # last resort: never a traceback
        fail(f"{out}: {exc}")
    console.print(
        f"wrote {out} ({target_fmt}: {_counts(sc)})",
        markup=False,
        soft_wrap=True,
    )
    _warn_extension(out, target_fmt)
    _warn_lost(sc, out, target_fmt)


def _warn_extension(out: str, fmt: str) -> None:
    """One line on stderr when ``--to`` wrote a file that its own name keeps from being read back
    without ``--from`` (CSV text in ``x.xlsx``, YAML in ``x.csv``): formats are detected from the
    content, but an .xlsx name or a table extension decides."""
    from detente.errors import DetenteError
    from detente.io.files import read_scenario

    try:
        read_scenario(out, format=fmt)
    except (DetenteError, OSError, ValueError):  # not readable as written either: nothing about the name
        return
    try:
        read_scenario(out)
    except (DetenteError, OSError, ValueError):
        print(
            f"warning: {out}: written as {fmt}, but its name says otherwise: reading it back needs "
            f"--from {fmt} (expected a name ending as the format does)",
            file=sys.stderr,
        )


def _warn_lost(sc: Any, out: str, fmt: str) -> None:
    """One line on stderr naming what the written format does not hold (io/roundtrip.py)."""
    from detente.errors import DetenteError
    from detente.io.files import read_scenario
    from detente.io.roundtrip import lost_fields

    try:
        back = read_scenario(out, format=fmt)
    except (DetenteError, OSError, ValueError):  # a format that cannot be read back: nothing to compare
        return
    lost = lost_fields(sc, back)
    if lost:
        print(
            f"warning: {fmt} does not hold {', '.join(x.replace('_', ' ') for x in lost)}: "
            "reading the file back gives a scenario without them (yaml, json, csv and xlsx keep everything)",
            file=sys.stderr,
        )


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_cmd)
    app.command("convert")(convert_cmd)
