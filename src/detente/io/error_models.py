"""Error-model files (``detente calibrate --out``; docs/calibration.md §5): read, write, the shipped one.

The package ships ``io/data/error_models_deu3_dev.json``, fitted by ``detente calibrate`` on the
DEU III development split (data/deu/deu3_dev.tsv; CC BY 4.0, Arregui & Perarnaud 2022) with its
provenance inside. ``--calibration`` options resolve through :func:`resolve_calibration`.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from detente.analysis.calibration import ErrorModelSet
from detente.errors import InputFileError

DEFAULT_FILE = "error_models_deu3_dev.json"
"""The shipped error models (package data of ``detente.io``)."""
MODES = ("crossfit", "none", "default")
"""``--calibration`` words besides a file path."""


_WRITTEN_BY = "expected an error-model file written by detente calibrate"


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _Bad(f"duplicate key {k[:60]!r} (expected each key once per object)")
        out[k] = v
    return out


class _Bad(Exception):
    """One problem of an error-model file: ``FIELD: what is wrong`` (the file is added by the caller)."""


def _got(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**300:
        return f"an integer of {len(str(abs(value)))} digits"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return not isinstance(value, int) or abs(value) <= 10**300  # a float64 holds it


def _numbers(value: Any, path: str, what: str, depth: int = 0) -> None:
    """Every leaf of the (nested) list ``value`` is a number; ``what`` names the whole when it is no list."""
    if value is None and depth == 0:
        return  # absent: ErrorModel.from_dict names the field and the shape it expects
    if isinstance(value, list) and depth < 2:
        for k, v in enumerate(value):
            _numbers(v, f"{path}[{k}]", what, depth + 1)
    elif depth == 0:
        raise _Bad(f"{path}: expected {what}, got {_got(value)}")
    elif not _is_number(value):
        raise _Bad(f"{path}: expected a number, got {_got(value)}")


def _whole(d: dict[str, Any], key: str, path: str) -> None:
    v = d.get(key, 0)
    if isinstance(v, bool) or not isinstance(v, int | float) or not _is_number(v) or v < 0 or v != int(v):
        raise _Bad(f"{path}: expected a whole number >= 0, got {_got(v)}")


def _check(data: dict[str, Any]) -> None:
    """The types of an error-model file's fields (the shapes and values :meth:`ErrorModelSet.from_dict` checks),
    so that a hand-edited file gets a message naming the field, never a conversion error."""
    if "format" in data and data["format"] != "detente-error-models":
        raise _Bad(f"format: expected 'detente-error-models', got {_got(data['format'])} ({_WRITTEN_BY})")
    missing = [k for k in ("format", "models") if k not in data]
    if missing:
        keys = " and ".join(repr(k) for k in missing)
        raise _Bad(f"missing key{'s' if len(missing) > 1 else ''} {keys} ({_WRITTEN_BY})")
    _whole(data, "n", "n")
    models = data["models"]
    if not isinstance(models, dict):
        return  # from_dict: "models: expected a non-empty mapping ..."
    for name, em in models.items():
        path = f"models.{name}"
        if not isinstance(em, dict):
            raise _Bad(f"{path}: expected an object (one error model), got {_got(em)}")
        _numbers(em.get("levels"), f"{path}.levels", "a list of numbers")
        _numbers(em.get("coef"), f"{path}.coef", "a list of rows of numbers")
        for key in ("n", "n_groups"):
            _whole(em, key, f"{path}.{key}")
        ends = em.get("ends")
        if isinstance(ends, dict):
            _numbers(ends.get("mean"), f"{path}.ends.mean", "a list of numbers")
            _numbers(ends.get("scale"), f"{path}.ends.scale", "a list of numbers")
            _numbers(ends.get("coef"), f"{path}.ends.coef", "a list of rows of numbers")


def parse_error_models(text: str, source: str) -> ErrorModelSet:
    """An :class:`ErrorModelSet` from the JSON text of an error-model file; one-line
    :class:`InputFileError` naming ``source`` and the field otherwise."""
    try:
        data = json.loads(text, object_pairs_hook=_json_object)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"{source}: line {exc.lineno}: not valid JSON ({exc.msg}); expected an error-model file "
            "written by detente calibrate"
        ) from None
    except _Bad as exc:
        raise InputFileError(f"{source}: {exc}") from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer of more than 4300 digits
        why = " ".join(str(exc).split(";")[0].split()) if isinstance(exc, ValueError) else "nested too deeply"
        raise InputFileError(f"{source}: not valid JSON ({why})") from None
    if not isinstance(data, dict):
        raise InputFileError(f"{source}: expected a JSON object written by detente calibrate")
    try:
        _check(data)
        return ErrorModelSet.from_dict(data)
    except _Bad as exc:
        raise InputFileError(f"{source}: {exc}") from None
    except (ValueError, TypeError, OverflowError) as exc:
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
