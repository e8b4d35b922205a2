"""Report figures are plain dicts (detente.report.figure); plotly's Python package checks them here.

- :func:`subplots` lays out exactly what plotly's ``make_subplots`` lays out (axis names, domains,
  subplot-title annotations, shared y axes) for the grids the report uses;
- every figure of the report of several built-in scenarios is valid for plotly's validators (a
  misspelt property or a wrong value fails here, since the report no longer validates while it runs);
- the rendered HTML cannot be closed early by text in a chart.
"""

from __future__ import annotations

import copy
import json
import warnings

import numpy as np
import pytest

go = pytest.importorskip("plotly.graph_objects")
from plotly.subplots import make_subplots  # noqa: E402

from detente.report.figure import Figure, merge, scatter, subplots, template, to_json  # noqa: E402

GRIDS = [
    (dict(rows=1, cols=1), {}),
    (dict(rows=4, cols=1, titles=["a", "b", "c", "d"], vertical_spacing=0.35 / 4), {}),
    (dict(rows=3, cols=2, titles=list("abcde"), horizontal_spacing=0.12, vertical_spacing=0.07), {}),
    (dict(rows=2, cols=3, titles=list("abcde"), shared_yaxes=True), {}),
    (dict(rows=5, cols=1), {}),
    (
        dict(
            rows=3,
            cols=2,
            titles=list("abcd"),
            specs=[[{"colspan": 2}, None], [{}, {}], [{}, None]],
            vertical_spacing=0.1,
            horizontal_spacing=0.12,
        ),
        {},
    ),
]


def _plotly_layout(rows: int, cols: int, titles=None, **kw) -> dict:
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, **kw)
    lay = fig.to_dict()["layout"]
    lay.pop("template")
    return lay


@pytest.mark.parametrize("kw", [g[0] for g in GRIDS], ids=lambda kw: f"{kw['rows']}x{kw['cols']}")
def test_subplots_lay_out_what_make_subplots_lays_out(kw) -> None:
    ours = subplots(**kw)
    assert json.loads(to_json(ours.layout)) == json.loads(json.dumps(_plotly_layout(**kw)))


def test_traces_on_a_subplot_name_its_axes_as_plotly_does() -> None:
    ours = subplots(2, 2)
    ours.add(scatter(x=[1], y=[2]), 2, 1)
    theirs = make_subplots(rows=2, cols=2)
    theirs.add_trace(go.Scatter(x=[1], y=[2]), row=2, col=1)
    assert ours.to_dict()["data"] == theirs.to_dict()["data"]
    with pytest.raises(ValueError, match="row 3"):
        ours.cell(3, 1)


def test_merge_updates_nested_dicts_and_replaces_the_rest() -> None:
    d = {"a": {"b": 1, "c": [1]}, "t": "x"}
    merge(d, {"a": {"c": [2], "d": 3}, "t": {"text": "y"}})
    assert d == {"a": {"b": 1, "c": [2], "d": 3}, "t": {"text": "y"}}


def test_to_json_has_no_nan_and_cannot_close_the_script() -> None:
    text = to_json({"y": np.array([1.0, np.nan, np.inf]), "n": np.int64(3), "t": "a</script><b>"})
    assert text == r'{"y":[1.0,null,null],"n":3,"t":"a\u003c\u002fscript\u003e\u003cb\u003e"}'


def test_template_is_plotlys_default() -> None:
    assert template() == json.loads(json.dumps(go.Figure().to_dict()["layout"]["template"]))


def test_figure_html_draws_the_figure_with_the_template() -> None:
    from detente.report.html import figure_html

    html = figure_html(Figure([scatter(x=[1], y=[2])], {"height": 300}), "f0")
    assert html.startswith('<div style="height:300px; width:100%;"><div id="f0" class="plotly-graph-div"')
    assert 'Plotly.newPlot("f0", [{"type":"scatter","x":[1],"y":[2]}], {"height":300,"template":' in html
    assert "addFrames" not in html
    anim = figure_html(Figure([scatter(x=[1])], frames=[{"data": [scatter(x=[2])], "name": "1"}]), "f1")
    assert "Plotly.addFrames('f1', [{" in anim and "Plotly.animate('f1', null)" in anim


@pytest.fixture(scope="module")
def report_figures() -> list[tuple[str, Figure]]:
    from detente.analysis.main_job import MainJobOptions, main_job
    from detente.io.builtin import load_builtin
    from detente.report.parts import part_builders

    out = []
    for sid in ("ukraine-2025", "cop21-2015", "bdm-sultan-1997"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            job = main_job(load_builtin(sid), MainJobOptions(seed=0))
            for name, build in part_builders():
                for section in build(job).sections:
                    out += [(f"{sid}/{name}/{section.id}/{k}", f) for k, f in enumerate(section.figures)]
    return out


def test_every_report_figure_is_valid_for_plotly(report_figures) -> None:
    """As the report draws them, and as the dashboard draws them (titles wrapped to its columns)."""
    from detente.web.figures import fit

    assert len(report_figures) >= 30
    for where, fig in report_figures:
        assert isinstance(fig, Figure), where
        for how, f in (("report", fig), ("dashboard", fit(copy.deepcopy(fig)))):
            try:
                go.Figure(json.loads(to_json(f.to_dict())))  # validates every property; raises on a bad one
            except ValueError as exc:
                pytest.fail(f"{where} ({how}): {str(exc)[:300]}")
