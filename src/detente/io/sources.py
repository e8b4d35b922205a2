"""Safe text loading and the helpers shared by the third-party format readers of :mod:`detente.io.formats`.

A reader takes a path **or** the file's text (a ``str`` containing a newline, or ``bytes``); problems are
:class:`~detente.errors.InputFileError` with one line ``FILE[:LINE]: FIELD: what is wrong (expected ...)``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from detente.core.scenario import Evidence, Scenario
from detente.errors import InputFileError, ScenarioError

DEFAULT_MAX_BYTES = 10_000_000

Source = str | os.PathLike[str] | bytes

FormatName = Literal["yaml", "json", "csv", "xlsx", "ktab-csv", "ktab-xml", "decide", "bdm", "deu"]


# ----------------------------------------------------------------------------------------------
# safe text loading
# ----------------------------------------------------------------------------------------------
def check_file(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Path:
    """Check that ``path`` is a readable regular file no larger than ``max_bytes``; return it as a Path."""
    p = Path(path)
    name = str(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputFileError(f"{name}: file not found (expected an existing scenario file)") from None
    except OSError as exc:
        raise InputFileError(f"{name}: cannot read file ({exc.strerror or exc})") from None
    if p.is_dir():
        raise InputFileError(f"{name}: is a directory (expected a scenario file)")
    if st.st_size > max_bytes:
        raise InputFileError(
            f"{name}: file is too large ({st.st_size / 1e6:.1f} MB; expected at most {max_bytes / 1e6:.1f} MB)"
        )
    if st.st_size == 0:
        raise InputFileError(f"{name}: file is empty (expected a scenario)")
    return p


def file_head(path: str | os.PathLike[str], n: int = 4) -> bytes:
    """The first ``n`` bytes of a file (to tell a zip archive from text), or a one-line InputFileError
    naming the file when it cannot be opened (no permission, a vanished file)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(n)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read file ({exc.strerror or exc})") from None


def not_utf8(data: bytes, exc: UnicodeDecodeError, name: str, detail: str) -> InputFileError:
    """The one-line error for ``data`` that failed to decode: the file, line, byte and offset, then ``detail``."""
    bad = data[exc.start : exc.start + 1].hex()
    line = data.count(b"\n", 0, exc.start) + 1
    return InputFileError(f"{name}:{line}: encoding: byte 0x{bad} at offset {exc.start} {detail}")


def decode_bytes(data: bytes, name: str) -> str:
    """UTF-8 (optional BOM) -> str, or a one-line error naming the file and byte offset."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for bom, enc in (
        (b"\xff\xfe\x00\x00", "UTF-32"),
        (b"\x00\x00\xfe\xff", "UTF-32"),
        (b"\xff\xfe", "UTF-16"),
        (b"\xfe\xff", "UTF-16"),
    ):
        if data.startswith(bom):  # e.g. Excel's "Unicode text" or Windows Notepad's "Unicode"
            raise InputFileError(
                f"{name}:1: encoding: the file is {enc} (it starts with a {enc} byte-order mark; "
                "expected a UTF-8 text file: re-save it as UTF-8)"
            )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        detail = "is not valid UTF-8 (expected a UTF-8 text file; re-save it as UTF-8)"
        raise not_utf8(data, exc, name, detail) from None
    if "\x00" in text:
        raise InputFileError(f"{name}: encoding: file contains NUL bytes (expected a text file, not binary)")
    return text


def read_text_file(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read a whole text file safely: existence, not a directory, size cap, UTF-8, not empty."""
    p = check_file(path, max_bytes=max_bytes)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    text = decode_bytes(data, str(path))
    if not text.strip():
        raise InputFileError(f"{path}: file is empty (expected a scenario)")
    return text


def source_text(
    source: Source, *, name: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[str, str]:
    """``(text, display name)`` from a path, a text (a str with a newline) or bytes."""
    if isinstance(source, bytes):
        label = name or "<bytes>"
        if len(source) > max_bytes:
            raise InputFileError(f"{label}: input is too large (expected at most {max_bytes / 1e6:.1f} MB)")
        text = decode_bytes(source, label)
    elif isinstance(source, str) and ("\n" in source or "\r" in source):
        label = name or "<text>"
        text = source
    else:
        label = name or str(source)
        text = read_text_file(source, max_bytes=max_bytes)
    if not text.strip():
        raise InputFileError(f"{label}: input is empty (expected a scenario)")
    return text, label


# ----------------------------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------------------------
def _fail(name: str, line: int | None, field: str, what: str) -> InputFileError:
    where = f"{name}:{line}" if line else name
    return InputFileError(f"{where}: {field}: {what}")


class _Collect:
    """Collect one-line row problems so a reader reports all of them at once."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    @contextlib.contextmanager
    def row(self) -> Iterator[None]:
        try:
            yield
        except InputFileError as exc:
            self.problems.extend(exc.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            p = self.problems
            raise InputFileError(p[0] if len(p) == 1 else f"{p[0]} (and {len(p) - 1} more)", p)


def _num(text: str, name: str, line: int | None, field: str, *, allow_empty: bool = False) -> float | None:
    t = text.strip().strip("'\"").strip()
    if not t:
        if allow_empty:
            return None
        raise _fail(name, line, field, "is empty (expected a number)")
    try:
        v = float(t)
    except ValueError:
        raise _fail(name, line, field, f"{t!r} is not a number (expected a number)") from None
    if not math.isfinite(v):
        raise _fail(name, line, field, f"{t} is not a finite number (expected a finite number)")
    return v


def slug(text: str) -> str:
    """Lower-case identifier from free text (``"Policy"`` -> ``"policy"``)."""
    s = re.sub(r"[^0-9A-Za-z]+", "_", text.strip()).strip("_").lower()
    return s or "x"


def _unique(ids: Sequence[str]) -> list[str]:
    out: list[str] = []
    seen: dict[str, int] = {}
    for i in ids:
        if i in seen:
            seen[i] += 1
            out.append(f"{i}_{seen[i]}")
        else:
            seen[i] = 1
            out.append(i)
    return out


def _build(name: str, **kwargs: Any) -> Scenario:
    """Scenario(...) with a ScenarioError turned into a one-line InputFileError naming the file."""
    try:
        return Scenario(**kwargs)
    except InputFileError:
        raise
    except ScenarioError as exc:
        problems = [f"{name}: {p}" for p in exc.problems]
        raise InputFileError(problems[0] if len(problems) == 1 else f"{name}: {exc}", problems) from None


def _coding(fmt: str, label: str) -> tuple[Evidence, ...]:
    src = Path(label).name if not label.startswith("<") else label
    return (
        Evidence(source=src, note=f"expert coding from a {fmt} data table, not a quote", assumption=True),
    )


def _salience_divisor(values: Sequence[float]) -> float:
    """1 if saliences look like 0-1, 100 if any exceeds 1 (0-100 coding)."""
    return 100.0 if any(v > 1.0 for v in values) else 1.0


def mixed_salience_coding(values: Sequence[float]) -> int | None:
    """The index of the first salience above 1 when the file otherwise reads as 0-1 coding, else None.

    The coding is guessed for the whole file (:func:`_salience_divisor`), so one mistyped value (``14.25``
    among ``0.65, 0.7, …``) would divide every salience by 100. A file is taken as mixed when some value
    exceeds 1 and at least half of the values (and at least two) lie strictly between 0 and 1: on the
    0-100 coding such values are saliences below one point, which real 0-100 files do not use that often.

    >>> mixed_salience_coding([0.65, 14.25, 0.7, 0.9]), mixed_salience_coding([65, 70, 0.5, 90])
    (1, None)
    """
    big = [k for k, v in enumerate(values) if v > 1.0]
    frac = sum(1 for v in values if 0.0 < v < 1.0)
    if big and frac >= max(2, len(values) / 2):
        return big[0]
    return None


def csv_records(
    text: str, name: str, *, delimiter: str = ",", quotechar: str = '"', skipinitialspace: bool = False
) -> list[tuple[int, list[str]]]:
    """The records of a CSV text as ``(line, fields)``, ``line`` the 1-based line each record starts on
    (a quoted cell may span lines, so records and lines differ); a leading BOM is dropped.

    One home for the CSV readers' line numbers and bad quoting: a quote that is never closed (the
    rest of the file would silently become one cell) and other ``csv`` errors are one-line
    InputFileErrors naming the line where the record starts.
    """
    opts: dict[str, Any] = {
        "delimiter": delimiter,
        "quotechar": quotechar,
        "skipinitialspace": skipinitialspace,
    }
    text = text.lstrip("\ufeff")
    out: list[tuple[int, list[str]]] = []
    start = 1  # the line the record being read starts on (where an error is reported)

    def read(strict: bool) -> list[tuple[int, list[str]]]:
        nonlocal start
        out.clear()
        start = 1
        reader = csv.reader(io.StringIO(text), strict=strict, **opts)
        for row in reader:
            out.append((start, row))
            start = reader.line_num + 1
        return out

    try:
        return read(strict=True)
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise _fail(
                name,
                start,
                "CSV",
                f"a {quotechar} opened in this record is never closed (expected a closing {quotechar} "
                "before the end of the file)",
            ) from None
    # other strictness (e.g. a character right after a closing quote): read as before, leniently
    try:
        return read(strict=False)
    except csv.Error as exc2:
        raise _fail(name, start, "CSV", f"{exc2} (expected a valid CSV file)") from None


def _trim(row: list[str]) -> list[str]:
    r = [c.strip() for c in row]
    while r and r[-1] == "":
        r.pop()
    return r
