"""Report figures as plain data: plotly.js's figure format (``data``, ``layout``, ``frames``) in dicts.

The report and the dashboard draw with plotly.js (the vendored bundle, ``static/``); what they need
from Python is only the figure's JSON. Building it through plotly's Python graph objects validated
every property on every call: about half a second of ``detente run`` went into it (docs/performance.md).
Here a figure is two dicts and a list, built directly; the test suite checks every figure of every
built-in scenario against plotly's own validators instead (tests/report/test_figure.py), so an invalid
property still fails, in the tests rather than in every run.

:func:`subplots` lays out a grid like plotly's ``make_subplots`` (same axis names, domains and
subplot-title annotations: tested against it), so charts look as they did.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np

TITLE_FONT = 16
"""Font size of subplot titles (plotly's make_subplots default)."""


def merge(dst: dict[str, Any], src: Mapping[str, Any]) -> dict[str, Any]:
    """Deep update: nested dicts of ``src`` update those of ``dst``; anything else replaces. Returns ``dst``."""
    for k, v in src.items():
        if isinstance(v, Mapping) and isinstance(dst.get(k), dict):
            merge(dst[k], v)
        else:
            dst[k] = dict(v) if isinstance(v, Mapping) else v
    return dst


def scatter(**props: Any) -> dict[str, Any]:
    """A scatter trace (lines, markers, text)."""
    return {"type": "scatter", **props}


def bar(**props: Any) -> dict[str, Any]:
    """A bar trace."""
    return {"type": "bar", **props}


class Figure:
    """A plotly.js figure: ``data`` (trace dicts), ``layout`` (dict) and ``frames`` (animation frames).

    With :func:`subplots`, ``row``/``col`` (1-based) place traces and name axes as plotly does.
    """

    __slots__ = ("data", "layout", "frames", "_cells")

    def __init__(
        self,
        data: Iterable[dict[str, Any]] = (),
        layout: Mapping[str, Any] | None = None,
        frames: Iterable[dict[str, Any]] = (),
    ) -> None:
        self.data: list[dict[str, Any]] = list(data)
        self.layout: dict[str, Any] = dict(layout or {})
        self.frames: list[dict[str, Any]] = list(frames)
        self._cells: dict[tuple[int, int], tuple[str, str]] = {}  # (row, col) -> ("x2", "y2")

    def cell(self, row: int, col: int) -> tuple[str, str]:
        """The x and y axis ids (``"x"``, ``"y2"``, …) of the subplot at ``row``, ``col``."""
        try:
            return self._cells[(row, col)]
        except KeyError:
            raise ValueError(f"no subplot at row {row}, column {col}") from None

    def axis(self, letter: str, row: int = 1, col: int = 1) -> dict[str, Any]:
        """The layout dict of the subplot's x (``letter="x"``) or y axis (created empty if absent)."""
        ref = self.cell(row, col)[0 if letter == "x" else 1] if self._cells else letter
        ax: dict[str, Any] = self.layout.setdefault(axis_key(ref), {})
        return ax

    def add(self, trace: dict[str, Any], row: int | None = None, col: int | None = None) -> Figure:
        """Append ``trace``; on a subplot grid, on the subplot at ``row``, ``col``."""
        if row is not None and col is not None:
            x, y = self.cell(row, col)
            trace = {**trace, "xaxis": x, "yaxis": y}
        self.data.append(trace)
        return self

    def add_all(
        self, traces: Iterable[dict[str, Any]], cells: Sequence[tuple[int, int]] | None = None
    ) -> Figure:
        for k, t in enumerate(traces):
            self.add(t, *(cells[k] if cells is not None else (None, None)))
        return self

    def update_layout(self, **props: Any) -> Figure:
        """Deep-merge ``props`` into the layout (nested dicts update, other values replace)."""
        merge(self.layout, props)
        return self

    def update_axes(
        self, letter: str, row: int | None = None, col: int | None = None, **props: Any
    ) -> Figure:
        """Deep-merge ``props`` into one subplot's x or y axis, or into every subplot's (no row/col)."""
        if row is not None and col is not None:
            merge(self.axis(letter, row, col), props)
            return self
        refs = {c[0 if letter == "x" else 1] for c in self._cells.values()} or {letter}
        for ref in sorted(refs, key=_axis_number):
            merge(self.layout.setdefault(axis_key(ref), {}), props)
        return self

    def to_dict(self) -> dict[str, Any]:
        """The figure as plotly.js takes it (``frames`` only when there are any)."""
        out: dict[str, Any] = {"data": self.data, "layout": self.layout}
        if self.frames:
            out["frames"] = self.frames
        return out


def axis_key(ref: str) -> str:
    """The layout key of an axis id: ``"x"`` -> ``"xaxis"``, ``"y3"`` -> ``"yaxis3"``."""
    return ref[0] + "axis" + ref[1:]


def _axis_number(ref: str) -> int:
    return int(ref[1:] or 1)


def subplots(
    rows: int,
    cols: int,
    *,
    titles: Sequence[str] | None = None,
    specs: Sequence[Sequence[Mapping[str, Any] | None]] | None = None,
    horizontal_spacing: float | None = None,
    vertical_spacing: float | None = None,
    shared_yaxes: bool = False,
) -> Figure:
    """A ``rows`` × ``cols`` grid of subplots, row 1 at the top, laid out like plotly's ``make_subplots``.

    Columns are ``(1 - horizontal_spacing·(cols-1)) / cols`` wide, rows ``(1 - vertical_spacing·(rows-1))
    / rows`` high (spacings default to 0.2/cols and 0.3/rows, 0.5/rows with titles, as in plotly);
    ``specs[r][c]`` is ``None`` (no subplot there) or ``{"colspan": k}``. Subplots are numbered row by
    row from the top left (axes ``x``/``y``, ``x2``/``y2``, …) and ``titles`` go to them in that order,
    centred above each. ``shared_yaxes``: every column after the first matches the first one's y axis
    and hides its tick labels.
    """
    if horizontal_spacing is None:
        horizontal_spacing = 0.2 / cols
    if vertical_spacing is None:
        vertical_spacing = (0.5 if titles else 0.3) / rows
    width = (1.0 - horizontal_spacing * (cols - 1)) / cols
    height = (1.0 - vertical_spacing * (rows - 1)) / rows
    # the grid's start corners, summed as plotly sums them (the floats must match its domains)
    x0 = [sum([width] * c) + c * horizontal_spacing for c in range(cols)]
    y0 = [sum([height] * k) + k * vertical_spacing for k in range(rows)]  # k counts rows from the bottom
    grid = specs if specs is not None else [[{}] * cols for _ in range(rows)]
    fig = Figure()
    domains: list[tuple[list[float], list[float]]] = []
    first_in_row: dict[int, str] = {}
    n = 0
    for r, spec_row in enumerate(grid):
        for c, spec in enumerate(spec_row):
            if spec is None:
                continue
            n += 1
            span = int(spec.get("colspan", 1))
            xd = [x0[c], x0[c + span - 1] + width]
            yd = [min(max(y0[rows - 1 - r], 0.0), 1.0), min(max(y0[rows - 1 - r] + height, 0.0), 1.0)]
            suffix = "" if n == 1 else str(n)
            x, y = "x" + suffix, "y" + suffix
            fig._cells[(r + 1, c + 1)] = (x, y)
            fig.layout[axis_key(x)] = {"anchor": y, "domain": xd}
            yaxis: dict[str, Any] = {"anchor": x, "domain": yd}
            if shared_yaxes:
                if r in first_in_row:
                    yaxis.update({"matches": first_in_row[r], "showticklabels": False})
                else:
                    first_in_row[r] = y
            fig.layout[axis_key(y)] = yaxis
            domains.append((xd, yd))
    if titles:
        fig.layout["annotations"] = [
            {
                "font": {"size": TITLE_FONT},
                "showarrow": False,
                "text": text,
                "x": sum(xd) / 2.0,
                "xanchor": "center",
                "xref": "paper",
                "y": yd[1],
                "yanchor": "bottom",
                "yref": "paper",
            }
            for text, (xd, yd) in zip(titles, domains, strict=False)
        ]
    return fig


# ------------------------------------------------------------------------------------------ rendering
def _plain(v: Any) -> Any:
    """``v`` with NumPy arrays and scalars as Python lists and numbers, and NaN or ±inf as ``None``
    (JSON has no NaN; plotly.js takes null as a gap)."""
    if isinstance(v, str | int):  # most values: nothing to do
        return v
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, np.ndarray):
        return _plain(v.tolist())
    if isinstance(v, np.generic):
        return _plain(v.item())
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


_UNSAFE = (("<", "\\u003c"), (">", "\\u003e"), ("/", "\\u002f"))
"""HTML-unsafe characters written as JSON escapes (as plotly's ``to_json`` writes them): the page holds
no ``<``, ``>`` or ``/`` of chart text, so no text in a chart can close the script or open a tag."""


def to_json(obj: Any) -> str:
    """Compact JSON of a figure (or any part of one) for plotly.js, safe inside a ``<script>``
    (:data:`_UNSAFE`; plotly.js reads the same strings)."""
    text = json.dumps(_plain(obj), separators=(",", ":"), ensure_ascii=False)
    for char, escaped in _UNSAFE:  # str.replace: 8x faster than str.translate on a chart's MB of JSON
        text = text.replace(char, escaped)
    return text


@cache
def template() -> dict[str, Any]:
    """plotly's default ("plotly") template: colours, fonts and grid the charts were designed with
    (``static/plotly-template.json``, from the plotly Python package; provenance in static/README.md)."""
    text = files("detente.report").joinpath("static", "plotly-template.json").read_text(encoding="utf-8")
    out: dict[str, Any] = json.loads(text)
    return out
