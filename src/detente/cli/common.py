"""Helpers shared by the command modules: console, errors without tracebacks, scenario loading, --set."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer
from rich.console import Console

# markup off: names, labels and quotes from a scenario print as written ("Council [draft]" keeps its
# "[draft]"); styles are given as style= or Text, never as markup in a string
console = Console(highlight=False, markup=False)
err_console = Console(stderr=True, highlight=False, markup=False)

DEFAULT_SCENARIO = "ukraine-2025"
"""The built-in scenario of every command whose SCENARIO argument is omitted (the June 2025 column)."""


def scenario_argument(what: str = "Built-in name or scenario file") -> Any:
    """The SCENARIO argument of every command that takes one: optional, defaulting to ``DEFAULT_SCENARIO``.

    Use as ``scenario: Annotated[str, scenario_argument()] = DEFAULT_SCENARIO``.
    """
    return typer.Argument(
        help=f"{what}; when omitted, the built-in {DEFAULT_SCENARIO} (the June 2025 column). `detente scenarios` "
        "lists the built-ins."
    )


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a one-line error to stderr and exit non-zero (never a traceback)."""
    from rich.markup import escape

    line = " ".join(str(message).split())
    # the message is text, never markup: "pip install 'detente[web]'" keeps its "[web]" on a terminal
    err_console.print(
        f"[red]error:[/red] {escape(line)}", markup=True, soft_wrap=True
    ) if sys.stderr.isatty() else print(f"error: {line}", file=sys.stderr)
    raise typer.Exit(code)


def unknown_scenario(ref: str) -> str | None:
    """The one-line error for a reference that is neither a built-in nor an existing path, else None.

    Suggests close built-in names (prefix matches first, then difflib's close matches). A missing
    path with nothing close (a folder or an extension in it) is left to the file reader's own error.
    """
    import difflib
    import os

    from detente.io.builtin import builtin_names

    if not ref.strip():
        return "scenario: the name is empty (expected a built-in name or a scenario file)"
    names = list(builtin_names())
    if ref in names or os.path.lexists(os.path.expanduser(ref)):
        return None
    key = ref.strip().lower()
    guesses = [n for n in names if key and n.lower().startswith(key)]
    guesses += [n for n in difflib.get_close_matches(key, names, n=3, cutoff=0.6) if n not in guesses]
    if not guesses:
        if os.sep in ref or "/" in ref or os.path.splitext(ref)[1]:
            return None
        return f"{ref}: no such file or built-in scenario (detente scenarios lists the built-ins)"
    quoted = [f"'{g}'" for g in guesses[:3]]
    from detente.core.text import either

    options = either(quoted)
    return f"{ref}: no such file or built-in scenario; did you mean {options}? (detente scenarios lists them)"


def load_scenario(ref: str) -> Any:
    """A built-in name or a path (any supported format), or a one-line error."""
    from detente.errors import DetenteError
    from detente.io.builtin import builtin_names, load_builtin

    missing = unknown_scenario(ref)
    if missing:
        fail(missing)
    try:
        if ref in builtin_names():
            return load_builtin(ref)
        from detente.io.files import read_scenario

        return read_scenario(ref)
    except DetenteError as exc:
        fail(str(exc))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        fail(f"{ref}: {exc}")


def say_warnings(caught: Any) -> None:
    """The warnings recorded while reading an input (``warnings.catch_warnings(record=True)``): each of
    detente's as one ``warning: …`` line on stderr, any other as Python shows it."""
    import warnings

    from detente.errors import DetenteWarning

    for w in caught:
        if issubclass(w.category, DetenteWarning):
            print("warning: " + " ".join(str(w.message).split()), file=sys.stderr)
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)


def check_min(option: str, value: int, low: int) -> None:
    """The CLI's integer range check, one line: ``--draws: expected an integer >= 1, received 0``."""
    if value < low:
        fail(f"{option}: expected an integer >= {low}, received {value}")


def _size(n: float) -> str:
    """A byte count for people: ``1.5 GB``, ``820 kB``; beyond a petabyte as a power of ten
    (``3.1e+27 bytes``), not thousands of terabytes."""
    if n >= 1e15:
        return f"{n:.1e} bytes"
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n / 1e3:.0f} kB"


def check_fits(option: str, value: int, bytes_each: float, what: str) -> None:
    """Refuse a count (``--draws``, ``--months``) whose results alone would not fit in the memory the
    machine has available, before the work instead of an out-of-memory kill after minutes: one line
    with the estimate and the largest count that fits. ``bytes_each``: result bytes per unit of
    ``value`` (a lower bound of what the command keeps). No check where the memory is unknown."""
    from detente.parallel import available_memory

    avail = available_memory()
    need = float(value) * bytes_each
    if avail is not None and need > avail:
        fail(
            f"{option} {value}: {what} alone would need {_size(need)}, more than the {_size(avail)} "
            f"this machine has available (at most about {int(avail // bytes_each):,})"
        )


def check_dynamics(scenario: Any, ref: str) -> None:
    """A bad ``dynamics:`` section (the simulator's parameters, kept as written when the file is
    read) as one error line naming the file, before any work: ``run``, ``report`` and ``validate``."""
    if not scenario.dynamics:
        return
    from detente.analysis.sim_job import simulation_config
    from detente.errors import DetenteError

    try:
        simulation_config(scenario)
    except DetenteError as exc:
        fail(f"{ref}: {exc}")


def match_ref(kind: str, ref: str, items: list[tuple[str, str]]) -> str:
    """The id of the actor or issue ``ref`` names among ``items`` (``(id, name)`` pairs): its id or
    name (case-insensitive), else a unique prefix, else a unique substring of either; otherwise one
    line naming ``--kind`` and every id, exit 2 (``explain``, ``levers``, ``sensitivity``)."""
    low = ref.strip().lower()
    for iid, name in items:
        if low in (iid.lower(), name.lower()):
            return iid
    hits = [iid for iid, name in items if iid.lower().startswith(low) or name.lower().startswith(low)]
    if len(hits) == 1:
        return hits[0]
    hits = [iid for iid, name in items if low in iid.lower() or low in name.lower()]
    if len(hits) == 1:
        return hits[0]
    options = ", ".join(i for i, _ in items)
    fail(f"--{kind}: unknown {kind} {ref!r} (expected an id or a name: {options})")


def parse_sets(sets: list[str] | None) -> dict[str, str]:
    from detente.models.registry import SettingSyntaxError, parse_settings

    try:
        return parse_settings(sets or [])
    except SettingSyntaxError as exc:
        fail(f"--set {exc.item!r}: expected NAME=VALUE")


def build_model(name: str, sets: dict[str, str]) -> Any:
    """Model ``name`` with the --set values that belong to it (models.registry.build_model); a bad
    value or unknown model is one line and exit 2."""
    from detente.errors import DetenteError
    from detente.models.registry import build_model as registry_build_model

    try:
        return registry_build_model(name, sets, ignore_unknown=True)
    except DetenteError as exc:
        fail(f"model {name}: {exc}")


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, allow_nan=False, default=_default) + "\n")


def print_csv(columns: list[str], rows: Any) -> None:
    """``--format csv``: a header and one line per row on stdout; floats as ``%.6g``, NaN/None empty."""
    import csv
    import math

    def cell(v: Any) -> Any:
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return ""
        if isinstance(v, bool):
            return str(v).lower()
        if isinstance(v, float):
            return f"{v:.6g}"
        return v

    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(columns)
    for row in rows:  # a mapping (missing columns empty) or a sequence in the order of ``columns``
        values = [row.get(c) for c in columns] if isinstance(row, dict) else list(row)
        w.writerow([cell(v) for v in values])


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


def write_text_atomic(path: Any, text: str, *inputs: Any) -> None:
    """Write a text file atomically (temp file + rename): nothing partial is ever left behind.

    Errors (a directory, a missing folder, a device, one of the command's ``inputs``, no permission)
    become one-line messages.
    """
    write_bytes_atomic(path, text.encode("utf-8"), *inputs)


def check_output_path(path: Any, *inputs: Any) -> None:
    """Refuse an output path that cannot be written with the one line :func:`write_bytes_atomic`
    would give, before a long computation rather than after it: a directory, a missing folder, a
    device, pipe or socket, or one of the command's ``inputs`` (``detente.io.paths.output_problem``)."""
    from detente.io.paths import output_problem

    if path is None:
        return
    problem = output_problem(path, inputs)
    if problem is not None:
        fail(problem)


def write_bytes_atomic(path: Any, data: bytes, *inputs: Any) -> None:
    """Write a file atomically (``io.paths.write_atomic``: temp file + rename, through a symbolic
    link to the file it points to, the replaced file's mode kept) after :func:`check_output_path`;
    an OS error becomes one line and exit 1."""
    from detente.io.paths import write_atomic

    check_output_path(path, *inputs)
    try:
        write_atomic(path, data)
    except OSError as exc:
        fail(f"{path}: cannot write ({exc.strerror or exc})")


def warn_missing_error_models(option: str, ems: Any, names: Any) -> None:
    """One line on stderr when the error models of ``--calibration`` (an ``ErrorModelSet``) have no
    entry for some of the models ``names``: which ones, and whose error model they use instead."""
    missing = ems.missing(names) if hasattr(ems, "missing") else []
    if missing:
        print(
            f"warning: --calibration {option}: no error model for {', '.join(missing)}; "
            f"{'it uses' if len(missing) == 1 else 'they use'} {ems.default}'s",
            file=sys.stderr,
        )


def print_table(title: str, header: list[str], body: list[list[str]], *, whole_first: bool = True) -> None:
    """A table that fits the terminal and never cuts a number or a word: cells of numbers only
    (``core.text.is_numeric``) and the first column (``whole_first``; e.g. model names) keep their
    whole width, text columns and headers wrap at words, and columns that do not fit go into further
    tables, each repeating the first column."""
    from rich import box
    from rich.table import Table

    from detente.core.text import is_numeric

    n = len(header)
    cells = [[str(c) for c in row] for row in body]

    def longest_word(texts: list[str]) -> int:
        return max((len(w) for t in texts for w in t.split()), default=1)

    numeric = [bool(cells) and all(is_numeric(r[j]) or not r[j].strip() for r in cells) for j in range(n)]
    need = []  # each column's narrowest width that cuts nothing
    for j in range(n):
        column = [r[j] for r in cells]
        whole = (j == 0 and whole_first) or numeric[j]
        body_min = max((len(c) for c in column), default=1) if whole else longest_word(column)
        need.append(max(body_min, longest_word([header[j]])))

    # the width a column would take unwrapped; a header longer than its cells wraps instead
    natural = [max([need[j], *(len(r[j]) for r in cells)]) for j in range(n)]

    def span(cols: list[int], w: list[int]) -> int:
        # SIMPLE_HEAD without edges: each column takes its width and a space each side, and one
        # separator between columns
        return sum(w[k] + 2 for k in cols) + len(cols) - 1

    def make(cols: list[int]) -> Table:
        w = list(need)
        # the room left widens the columns toward their cells' width, in proportion to what each lacks,
        # then toward their header's (a header wraps only where the cells need the room)
        for goal in (natural, [max(natural[j], len(header[j])) for j in range(n)]):
            room = console.width - span(cols, w)
            lack = {j: goal[j] - w[j] for j in cols if goal[j] > w[j]}
            total = sum(lack.values())
            for j, k in lack.items():
                w[j] += k if total <= room else room * k // total
        t = Table(box=box.SIMPLE_HEAD, show_edge=False)
        for j in cols:
            t.add_column(header[j], justify="right" if numeric[j] else "left", width=w[j])
        for row in cells:
            t.add_row(*(row[j] for j in cols))
        return t

    chunks: list[list[int]] = [[0]]
    for j in range(1, n):
        if len(chunks[-1]) > 1 and span([*chunks[-1], j], need) > console.width:
            chunks.append([0])
        chunks[-1].append(j)
    if title:
        console.print(title, style="bold")
    for cols in chunks:
        console.print(make(cols))
