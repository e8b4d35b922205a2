"""The problem collector behind :func:`detente.io.mapping.parse_scenario`.

:class:`_Checker` records one line per problem, ``FILE[:LINE]: FIELD: what is wrong (expected ...)``,
with the line of the key path when the file's line map knows it; its typed getters return a clean value,
or ``_MISSING`` after recording the problem, so a parse goes on and reports every problem at once.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
from collections.abc import Mapping
from typing import Any

Path_ = tuple[str | int, ...]
"""A key path into the native mapping, e.g. ``("stances", 3, "salience")``."""

_MISSING = object()


def field_name(path: Path_) -> str:
    """``("stances", 3, "salience")`` -> ``"stances[3].salience"``."""
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out or "(top level)"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "nothing (null)"
    return repr(value)


def _finite(expected: str) -> str:
    """``"a number >= 0"`` -> ``"a finite number >= 0"``; other wordings get ``"a finite number, "`` before them."""
    if expected.startswith("a number"):
        return "a finite" + expected[1:]
    return f"a finite number, {expected}"


# a workbook cell holding a formula without a saved result reads as the formula's text
# (io.table.show_uncached_formulas); the "is not a number" message then says what to do
FORMULA_HINT = "a formula without a saved value: open the file in Excel or LibreOffice and save it"


class _Checker:
    """Collects problems with the line each one refers to."""

    def __init__(self, source: str, lines: Mapping[Path_, int] | None) -> None:
        self.source = source
        self.lines = lines or {}
        self.problems: list[str] = []

    def line_of(self, path: Path_) -> int | None:
        p = tuple(path)
        while True:
            if p in self.lines:
                return self.lines[p]
            if not p:
                return None
            p = p[:-1]

    def add(self, path: Path_, what: str) -> None:
        line = self.line_of(path)
        where = f"{self.source}:{line}" if line else self.source
        self.problems.append(f"{where}: {field_name(path)}: {what}")

    # --- typed getters: return a clean value, or _MISSING after recording a problem -------------
    def number(
        self,
        value: Any,
        path: Path_,
        *,
        low: float | None = None,
        high: float | None = None,
        expected: str = "",
    ) -> Any:
        exp = expected or (
            f"{low:g} to {high:g}"
            if low is not None and high is not None
            else f"a number >= {low:g}"
            if low is not None
            else "a number"
        )
        if isinstance(value, bool) or value is None or isinstance(value, Mapping | list | tuple):
            self.add(path, f"{_fmt(value)} is not a number (expected {exp})")
            return _MISSING
        if isinstance(value, str):
            t = value.strip()
            try:
                v = float(t)
            except ValueError:
                why = f"; {FORMULA_HINT}" if t.startswith("=") else ""  # io.table.show_uncached_formulas
                self.add(path, f"{_fmt(value)} is not a number (expected {exp}{why})")
                return _MISSING
        elif isinstance(value, int | float):
            try:
                v = float(value)
            except OverflowError:  # an integer beyond the float range (about 309 digits)
                big = int(value)
                digits = len(str(abs(big))) if big.bit_length() < 14_000 else None
                size = f"{digits} digits" if digits else "too many digits"
                self.add(path, f"an integer of {size} is too large (expected {_finite(exp)})")
                return _MISSING
        else:
            self.add(path, f"{_fmt(value)} is not a number (expected {exp})")
            return _MISSING
        if not math.isfinite(v):
            self.add(path, f"{v} is not a finite number (expected {exp})")
            return _MISSING
        if low is not None and v < low:
            self.add(path, f"{v:g} is {'negative' if low == 0 else 'below range'} (expected {exp})")
            return _MISSING
        if high is not None and v > high:
            self.add(path, f"{v:g} is above range (expected {exp})")
            return _MISSING
        return v

    def text(self, value: Any, path: Path_, *, required: bool = False) -> Any:
        if value is None or value is _MISSING:
            if required:
                self.add(path, "is missing (expected a text)")
                return _MISSING
            return ""
        if isinstance(value, bool):
            self.add(path, f"{value!r} is not a text (expected a text)")
            return _MISSING
        if isinstance(value, str):
            v = value.strip() if required else value
        elif isinstance(value, int | float):
            v = f"{value:g}" if isinstance(value, float) else str(value)
        elif isinstance(value, _dt.date | _dt.datetime):
            v = value.isoformat()
        else:
            self.add(path, f"{_fmt(value)} is not a text (expected a text)")
            return _MISSING
        if required and not v:
            self.add(path, "is empty (expected a non-empty text)")
            return _MISSING
        return v

    def text_list(self, value: Any, path: Path_) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return (
                tuple(p.strip() for p in value.replace(";", ",").split(",") if p.strip())
                if path[-1]
                in (
                    "groups",
                    "veto_players",
                )
                else (value,)
            )
        if not isinstance(value, list | tuple):
            self.add(path, f"{_fmt(value)} is not a list (expected a list of texts)")
            return ()
        out = []
        for k, item in enumerate(value):
            t = self.text(item, (*path, k), required=True)
            if t is not _MISSING:
                out.append(t)
        return tuple(out)

    def mapping(self, value: Any, path: Path_, allowed: tuple[str, ...] | None) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            want = f"keys {', '.join(allowed)}" if allowed else "key: value pairs"
            self.add(path, f"{_fmt(value)} is not a mapping (expected {want})")
            return None
        if allowed is not None:
            for k in value:
                if str(k) not in allowed:
                    close = difflib.get_close_matches(str(k), allowed, n=1)
                    hint = f"did you mean {close[0]!r}? " if close else ""
                    self.add((*path, str(k)), f"unknown key ({hint}expected one of {', '.join(allowed)})")
        return value

    def seq(self, value: Any, path: Path_, what: str, *, required: bool = True) -> list[Any]:
        if value is None or value is _MISSING:
            if required:
                self.add(path, f"is missing (expected a list of {what})")
            return []
        if not isinstance(value, list | tuple):
            self.add(path, f"{_fmt(value)} is not a list (expected a list of {what})")
            return []
        return list(value)
