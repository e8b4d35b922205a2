"""Chart pieces drawn with the trace types of the vendored plotly.js basic bundle (scatter, bar, pie),
as trace dicts for :class:`detente.report.figure.Figure`.

The reports inline ``static/plotly-basic.min.js``, which has no ``box`` or ``histogram`` trace:
box plots are drawn here from precomputed quantiles (one bar trace for the boxes, scatter traces
for whiskers and markers) and histograms from ``numpy.histogram`` counts.
"""

from __future__ import annotations

import html as _html
from collections.abc import Sequence
from typing import Any

import numpy as np

from detente.report.figure import Figure, bar, scatter, subplots

ROW_PX = 16
"""Least pixels per category row of a subplot. Plotly drops every other category label when they come
closer than about this (seen: ten models in a 155 px subplot showed five names, in 160 px all ten),
so a reader could not tell which marker is which."""
PLOT_SHARE = 0.65
"""The share of a stacked subplot's height its plotting area gets (the rest: gap, subplot title, axis
title; subplots with vertical_spacing 0.35/n)."""


def stacked_height(rows: int, least: int) -> int:
    """Height in px for each subplot of a single-column stack whose y axis lists ``rows`` categories:
    at least ``least``, and enough for :data:`ROW_PX` per row. With ``dtick=1`` on those axes every
    label is then drawn.

    >>> stacked_height(6, 230), stacked_height(15, 260)
    (230, 370)
    """
    return max(least, round(rows * ROW_PX / PLOT_SHARE / 10) * 10)


GAP_PX = 110
"""px between stacked panels at most (tick labels, the ← low | high → title, the next panel's title)."""


def stacked_subplots(titles: Sequence[str], rows: int, least: int) -> tuple[Figure, float]:
    """A single column of ``len(titles)`` panels, each :func:`stacked_height` ``(rows, least)`` tall,
    with at most :data:`GAP_PX` between two (not a share of a panel that grows with the rows: 60
    actors left 518 px blank each). Returns the figure and the panels' height with their gaps in px;
    the layout's height adds the margins."""
    n = len(titles)
    slot = stacked_height(rows, least)
    plot_px, gap_px = slot * PLOT_SHARE, min(slot * (1 - PLOT_SHARE), GAP_PX)
    paper = n * plot_px + (n - 1) * gap_px
    return subplots(n, 1, titles=list(titles), vertical_spacing=gap_px / paper if n > 1 else 0.0), paper


def box_traces(
    names: Sequence[str],
    lo: Sequence[float] | np.ndarray,
    q1: Sequence[float] | np.ndarray,
    median: Sequence[float] | np.ndarray,
    q3: Sequence[float] | np.ndarray,
    hi: Sequence[float] | np.ndarray,
    *,
    mean: Sequence[float] | np.ndarray | None = None,
    color: str = "#4c78a8",
    fill: str = "rgba(76,120,168,0.4)",
    labels: tuple[str, str, str, str, str] = ("5 %", "25 %", "median", "75 %", "95 %"),
) -> list[dict[str, Any]]:
    """Horizontal box plots, one per name on the y axis: box q1–q3 split at the median, whiskers lo–hi.

    Put at most one such set per subplot (the boxes are one bar trace; several bar traces on the same
    axes would be grouped side by side).
    """
    ys = list(names)
    qs = [list(map(float, v)) for v in (lo, q1, median, q3, hi)]
    custom = [[q[j] for q in qs] for j in range(len(ys))]
    hover = (
        "<b>%{y}</b><br>"
        + "<br>".join(f"{_html.escape(lab)}: %{{customdata[{i}]:.2f}}" for i, lab in enumerate(labels))
        + "<extra></extra>"
    )
    l5, l25, l50, l75, l95 = qs
    boxes = bar(
        y=[y for y in ys for _ in (0, 1)],
        base=[b for j in range(len(ys)) for b in (l25[j], l50[j])],
        x=[w for j in range(len(ys)) for w in (l50[j] - l25[j], l75[j] - l50[j])],
        customdata=[c for c in custom for _ in (0, 1)],
        orientation="h",
        width=0.5,
        marker={"color": fill, "line": {"color": color, "width": 1.5}},
        hovertemplate=hover,
        showlegend=False,
        name="",
    )
    wx: list[float | None] = []
    wy: list[str | None] = []
    for j, y in enumerate(ys):
        wx += [l5[j], l25[j], None, l75[j], l95[j], None]
        wy += [y, y, None, y, y, None]
    whiskers = scatter(
        x=wx, y=wy, mode="lines", line={"color": color, "width": 1.5}, hoverinfo="skip", showlegend=False
    )
    caps = scatter(
        x=[v for j in range(len(ys)) for v in (l5[j], l95[j])],
        y=[y for y in ys for _ in (0, 1)],
        mode="markers",
        marker={"symbol": "line-ns-open", "size": 10, "color": color, "line": {"color": color, "width": 1.5}},
        hoverinfo="skip",
        showlegend=False,
    )
    out = [boxes, whiskers, caps]
    if mean is not None:
        out.append(
            scatter(
                x=list(map(float, mean)),
                y=ys,
                mode="markers",
                marker={
                    "symbol": "x-thin-open",
                    "size": 9,
                    "color": "#222",
                    "line": {"color": "#222", "width": 1.5},
                },
                name="mean",
                hovertemplate="<b>%{y}</b><br>mean: %{x:.2f}<extra></extra>",
                showlegend=False,
            )
        )
    return out


def box_traces_from_samples(
    names: Sequence[str], samples: Sequence[Any], *, show_mean: bool = False, color: str = "#4c78a8"
) -> list[dict[str, Any]]:
    """Box plots of raw samples: box = quartiles, whiskers = 5th–95th percentile (empty samples give NaN)."""
    qs = np.array(
        [
            np.quantile(s, [0.05, 0.25, 0.5, 0.75, 0.95]) if len(s) else np.full(5, np.nan)
            for s in map(np.asarray, samples)
        ]
    ).reshape(len(names), 5)
    means = [float(np.mean(s)) if len(s) else float("nan") for s in map(np.asarray, samples)]
    return box_traces(
        names,
        qs[:, 0],
        qs[:, 1],
        qs[:, 2],
        qs[:, 3],
        qs[:, 4],
        mean=means if show_mean else None,
        color=color,
    )


def histogram_bar(
    values: Any, *, start: float, end: float, size: float, name: str, **kwargs: Any
) -> dict[str, Any]:
    """A histogram as a bar trace: counts of ``values`` in bins of ``size`` from ``start`` to ``end``."""
    edges = np.linspace(start, end, round((end - start) / size) + 1)
    counts, _ = np.histogram(np.asarray(values, dtype=float), bins=edges)
    centres = (edges[:-1] + edges[1:]) / 2
    return bar(
        x=centres.tolist(),
        y=counts.tolist(),
        width=float(size),
        name=name,
        customdata=np.column_stack([edges[:-1], edges[1:]]).tolist(),
        hovertemplate=f"{_html.escape(name)}<br>%{{customdata[0]:.2f}}–%{{customdata[1]:.2f}}: %{{y}}<extra></extra>",
        **kwargs,
    )


def declutter_labels(
    xs: Sequence[float],
    ys: Sequence[float],
    labels: Sequence[str],
    *,
    px_per_x: float,
    px_per_y: float,
    char_px: float = 6.5,
    line_px: float = 15.0,
    align: Sequence[str] | None = None,
) -> list[str]:
    """Point labels that do not print over each other: points whose labels would overlap share one label.

    Labels sit above their points: centred (``textposition="top center"``), or per point as ``align``
    says: ``"left"`` ends the label at its point (``"top left"``), ``"right"`` starts it there
    (``"top right"``). A label's box is about ``char_px`` per character wide and ``line_px`` per line
    high, at the given pixels per data unit. Points whose boxes overlap are merged, and the highest
    point of each group carries all their names, one per line (the others get ""); a merged label is
    checked again as the taller, wider box it becomes, until no two boxes overlap. Hover text should
    still name every point.
    """
    n = len(labels)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    px = [float(x) * px_per_x for x in xs]
    py = [float(y) * px_per_y for y in ys]
    width = [char_px * max(len(s), 1) for s in labels]
    side = {"left": -0.5, "right": 0.5}
    shift = [side.get(a, 0.0) for a in align] if align is not None else [0.0] * n

    def groups() -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for i in range(n):
            out.setdefault(find(i), []).append(i)
        for members in out.values():
            members.sort(key=lambda i: (-py[i], px[i]))
        return out

    def box(members: list[int]) -> tuple[float, float, float, float]:
        """left, right, bottom, top in px of the label the group's highest point carries."""
        top, w = members[0], max(width[i] for i in members)
        centre = px[top] + shift[top] * w
        return centre - w / 2, centre + w / 2, py[top], py[top] + line_px * len(members)

    changed = True
    while changed:
        changed = False
        boxes = [(root, box(m)) for root, m in groups().items()]
        for k, (ra, a) in enumerate(boxes):
            for rb, b in boxes[k + 1 :]:
                if a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3] and find(ra) != find(rb):
                    parent[find(ra)] = find(rb)
                    changed = True
    out = [""] * n
    for members in groups().values():
        out[members[0]] = "<br>".join(_html.escape(labels[i]) for i in members)
    return out


def add_axis_lines(fig: Figure, lines: Sequence[tuple[str, float, int, int]], line: dict[str, Any]) -> None:
    """A horizontal (``"h"``: at y = v, across the subplot) or vertical (``"v"``) line for each
    ``(kind, v, row, col)`` of ``lines``, as plotly's ``add_hline``/``add_vline`` draw them (line shapes
    spanning the subplot's domain). Like plotly's default (``exclude_empty_subplots``), a subplot with
    nothing on its axes gets no line.
    """
    used = {(t.get("xaxis", "x"), t.get("yaxis", "y")) for t in fig.data}
    for kind in ("shapes", "annotations", "images"):
        used |= {(o.get("xref"), o.get("yref")) for o in fig.layout.get(kind, ())}
    shapes = list(fig.layout.get("shapes", ()))
    for kind, value, row, col in lines:
        x, y = fig.cell(row, col)
        if (x, y) not in used:
            continue
        if kind == "h":
            shapes.append(
                {
                    "line": dict(line),
                    "type": "line",
                    "x0": 0,
                    "x1": 1,
                    "xref": f"{x} domain",
                    "y0": value,
                    "y1": value,
                    "yref": y,
                }
            )
        else:
            shapes.append(
                {
                    "line": dict(line),
                    "type": "line",
                    "x0": value,
                    "x1": value,
                    "xref": x,
                    "y0": 0,
                    "y1": 1,
                    "yref": f"{y} domain",
                }
            )
    if shapes:  # plotly leaves an empty list out of the figure
        fig.layout["shapes"] = shapes
