"""Error-model files (``detente calibrate --out``; docs/calibration.md §5): read, write, the shipped one.

The package ships ``io/data/error_models_deu3_dev.json``, fitted by ``detente calibrate`` on the
DEU III development split (data/deu/deu3_dev.tsv; CC BY 4.0, Arregui & Perarnaud 2022) with its
provenance inside. ``--calibration`` options resolve through :func:`resolve_calibration`.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from detente.analysis.calibration import ErrorModelSet
from detente.errors import InputFileError

DEFAULT_FILE = "error_models_deu3_dev.json"
"""The shipped error models (package data of ``detente.io``)."""
MODES = ("crossfit", "none", "default")
"""``--calibration`` words besides a file path."""


def parse_error_models(text: str, source: str) -> ErrorModelSet:
    """An :class:`ErrorModelSet` from the JSON text of an error-model file; one-line
    :class:`InputFileError` naming ``source`` and the field otherwise."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{source}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise InputFileError(f"{source}: expected a JSON object written by detente calibrate")
    try:
        return ErrorModelSet.from_dict(data)
    except ValueError as exc:
        raise InputFileError(f"{source}: {exc}") from None


def read_error_models(path: str | Path) -> ErrorModelSet:
    """Read an error-model file (see :func:`parse_error_models`)."""
    p = Path(path)
    expected = "expected a JSON error-model file written by detente calibrate"
    if p.is_dir():
        raise InputFileError(f"{p}: is a folder ({expected})")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputFileError(
            f"{p}: cannot read the error-model file ({exc.strerror or 'not readable'})"
        ) from None
    if b"\x00" in raw[:4096]:
        raise InputFileError(f"{p}: binary file ({expected})")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputFileError(f"{p}: not UTF-8 text ({expected})") from None
    return parse_error_models(text, str(p))


def default_error_models() -> ErrorModelSet:
    """The error models shipped with the package (fitted on the DEU III dev split)."""
    text = (resources.files("detente.io") / "data" / DEFAULT_FILE).read_text(encoding="utf-8")
    return parse_error_models(text, f"detente/io/data/{DEFAULT_FILE}")


def dumps_error_models(ems: ErrorModelSet) -> str:
    """The JSON text of an error-model file (stable key order, one trailing newline)."""
    return json.dumps(ems.to_dict(), indent=1, ensure_ascii=False) + "\n"


def resolve_calibration(value: str) -> str | ErrorModelSet:
    """``crossfit`` / ``none`` stay words; ``default`` is the shipped file; anything else a file path."""
    v = value.strip()
    if v.lower() in ("crossfit", "none"):
        return v.lower()
    if v.lower() == "default":
        return default_error_models()
    return read_error_models(v)
