"""``add_axis_lines`` draws the shapes plotly's ``add_hline``/``add_vline`` draw, JSON for JSON."""

from __future__ import annotations

import json

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from detente.report.charts import add_axis_lines
from detente.report.figure import Figure, scatter, subplots, to_json

CELLS = ((1, 1), (1, 2), (2, 1))  # (2, 2) stays empty: plotly draws no line there


def _plotly_figure() -> go.Figure:
    fig = make_subplots(rows=2, cols=2, subplot_titles=["a", "b", "c", "d"])
    for r, c in CELLS:
        fig.add_trace(go.Scatter(x=[0, 1], y=[1, 0]), row=r, col=c)
    return fig


def _figure() -> Figure:
    fig = subplots(2, 2, titles=["a", "b", "c", "d"])
    fig.add_all([scatter(x=[0, 1], y=[1, 0]) for _ in CELLS], list(CELLS))
    return fig


def test_same_shapes_as_plotly_hline_vline() -> None:
    lines = [(kind, v, r, c) for r in (1, 2) for c in (1, 2) for kind, v in (("h", 0), ("v", 0.5))]
    ref, fast = _plotly_figure(), _figure()
    for kind, v, r, c in lines:
        if kind == "h":
            ref.add_hline(y=v, line_color="grey", line_width=1, row=r, col=c)
        else:
            ref.add_vline(x=v, line_color="grey", line_width=1, row=r, col=c)
    add_axis_lines(fast, lines, {"color": "grey", "width": 1})
    assert len(fast.layout["shapes"]) == 6  # 3 non-empty subplots × 2
    want = json.loads(ref.to_json())
    want["layout"].pop("template")
    assert json.loads(to_json(fast.to_dict())) == want


def test_stacked_category_charts_name_every_row():
    """'Who stands where' on COP21 (15 actors per issue): plotly drew every other actor's name when a
    subplot gave a row under ~16 px. Every y axis now asks for every label (dtick 1) and every subplot
    has room for it (report.charts.ROW_PX per row)."""
    from detente.io.builtin import load_builtin
    from detente.report.charts import ROW_PX
    from detente.report.parts.forecasts import scenario_section

    sc = load_builtin("cop21-2015")
    fig = scenario_section(sc).figures[0]
    lay = fig.layout
    area = lay["height"] - lay["margin"]["t"] - lay["margin"]["b"]
    yaxes = [lay[k] for k in lay if k.startswith("yaxis") and lay[k].get("domain")]
    assert len(yaxes) == len(sc.issues)
    for issue, ax in zip(sc.issues, sorted(yaxes, key=lambda a: -a["domain"][1]), strict=True):
        rows = sum(1 for s in sc.stances if s.issue == issue.id)
        assert ax["dtick"] == 1, issue.id
        assert (ax["domain"][1] - ax["domain"][0]) * area >= rows * ROW_PX, (issue.id, rows)
