"""Charts are drawn when they come near the window, not all while the page loads.

A report of 60 actors x 10 issues froze the browser for seconds: every chart's script called
``Plotly.newPlot`` as the page was read. Each chart's script now hands its drawing to
``detenteCharts.add`` (``report/static/lazy-charts.js``, inlined once after plotly.js): drawn once it
comes within a window height of the visible part of the page, by scrolling or by a link to an
anchor, and every chart before printing. The figures themselves (data, layout, config) are unchanged.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from browser import chromium_page
from detente.report.base import Part, Section
from detente.report.figure import Figure, scatter, template
from detente.report.html import FIGURE_CONFIG, figure_html, lazy_charts_js, plotly_js, render_report
from plotly_bundle import figures

N_SECTIONS = 24
CHART_HEIGHT = 500

# a chart's script as it is read: it registers its drawing and draws nothing
_LAZY = re.compile(
    r"^window\.PLOTLYENV=window\.PLOTLYENV \|\| \{\};\(window\.detenteCharts \|\| \{[^}]*\}\}\)"
    r'\.add\("(?P<id>[^"]+)", function \(\) \{(?P<body>.*)\}\);$',
    re.S,
)


def _chart_scripts(text: str) -> list[str]:
    return [s for s in re.findall(r"<script>(.*?)</script>", text, re.S) if "Plotly.newPlot" in s]


def _figure(k: int) -> Figure:
    return Figure(
        [scatter(x=[0, 1, 2], y=[k, k + 1, k], name=f"series {k}")],
        {"height": CHART_HEIGHT, "title": {"text": f"Chart {k}"}},
    )


def _report() -> tuple[str, dict[str, Figure]]:
    figs = {f"s{k}-fig0": _figure(k) for k in range(N_SECTIONS)}
    sections = [
        Section(id=f"s{k}", title=f"Section {k}", caption="A chart.", figures=[figs[f"s{k}-fig0"]])
        for k in range(N_SECTIONS)
    ]
    html = render_report("Lazy charts", [Part(name="test", sections=sections)], manifest={"seed": 0})
    return html, figs


def test_a_chart_registers_its_drawing_instead_of_drawing_as_the_page_is_read() -> None:
    html = figure_html(_figure(3), "f0")
    (script,) = _chart_scripts(html)
    m = _LAZY.match(script)
    assert m is not None, script[:300]  # the old script called Plotly.newPlot at once
    assert m["id"] == "f0"
    assert m["body"].startswith('if (document.getElementById("f0")) {return Plotly.newPlot("f0", ')
    assert script.count("Plotly.newPlot") == 1  # only inside the function handed to detenteCharts.add


def test_every_chart_of_a_report_is_drawn_lazily_with_its_figure_unchanged() -> None:
    html, figs = _report()
    scripts = _chart_scripts(html)
    assert len(scripts) == N_SECTIONS
    assert all(_LAZY.match(s) for s in scripts)
    # the lazy drawing is defined once, after plotly.js and before the first chart
    js = lazy_charts_js()
    assert html.count(js) == 1 and "IntersectionObserver" in js and "beforeprint" in js
    assert html.index(plotly_js()) < html.index(js) < html.index('class="plotly-graph-div"')
    # every chart's data, layout (with plotly's template) and config as figure_html always wrote them
    drawn = figures(html)
    assert set(drawn) == set(figs)
    for div_id, fig in figs.items():
        d = fig.to_dict()
        assert drawn[div_id] == (d["data"], {**d["layout"], "template": template()})
    assert html.count(f"}}, {json.dumps(FIGURE_CONFIG)})") == N_SECTIONS
    # a chart not drawn yet keeps its place on the page: the link to an anchor lands where it will be
    assert html.count(f'<div style="height:{CHART_HEIGHT}px; width:100%;"><div id="s') == N_SECTIONS


def test_without_the_lazy_script_a_chart_draws_at_once() -> None:
    """A page that uses figure_html without lazy-charts.js still draws: the script's fallback draws."""
    (script,) = _chart_scripts(figure_html(_figure(0), "f0"))
    assert "(window.detenteCharts || {add: function (i, draw) { draw(); }})" in script


# ---------------------------------------------------------------------------------------------- browser
DRAWN = "() => [...document.querySelectorAll('.plotly-graph-div')].filter(d => d.querySelector('.main-svg')).map(d => d.id)"
ALL_DRAWN = (
    "() => [...document.querySelectorAll('.plotly-graph-div')].every(d => d.querySelector('.main-svg'))"
)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lazy") / "report.html"
    path.write_text(_report()[0], encoding="utf-8")
    return path


@pytest.fixture()
def browser_page():  # type: ignore[no-untyped-def]
    with chromium_page(1280, 800) as (page, errors, outside):
        yield page, errors, outside
    assert errors == []
    assert outside == []  # the report never asks the network for anything


def _settle(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the charts near the window are drawn (one per task) and nothing else follows."""
    page.wait_for_function(
        """() => new Promise(ok => { let n = -1, same = 0;
            const tick = () => { const k = document.querySelectorAll('.main-svg').length;
              same = k === n ? same + 1 : 0; n = k; same >= 5 ? ok(true) : setTimeout(tick, 50); };
            tick(); })""",
        timeout=60000,
    )


@pytest.mark.e2e
def test_charts_far_below_are_drawn_when_scrolled_or_linked_to(browser_page, report_file) -> None:
    page, _errors, _outside = browser_page
    page.goto(report_file.as_uri())
    page.wait_for_selector("#s0-fig0 .main-svg")
    _settle(page)
    drawn = page.evaluate(DRAWN)
    # the first charts (the window and the one ahead) are drawn, those far below are not
    assert "s0-fig0" in drawn and "s1-fig0" in drawn
    assert len(drawn) < N_SECTIONS // 2, drawn
    assert f"s{N_SECTIONS - 1}-fig0" not in drawn and "s12-fig0" not in drawn
    assert page.evaluate("() => detenteCharts.waiting()") == N_SECTIONS - len(drawn)

    # a link to a section far below: its chart is drawn, in the window
    page.click('nav a[href="#s12"]')
    page.wait_for_selector("#s12-fig0 .main-svg", timeout=10000)
    box = page.locator("#s12-fig0").bounding_box()
    assert box is not None and 0 <= box["y"] < 800
    assert f"s{N_SECTIONS - 1}-fig0" not in page.evaluate(DRAWN)

    # scrolling to the bottom draws the last chart; scrolling through draws every one
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_selector(f"#s{N_SECTIONS - 1}-fig0 .main-svg", timeout=10000)
    page.evaluate("() => window.scrollTo(0, 0)")
    for y in range(0, page.evaluate("document.documentElement.scrollHeight"), 800):
        page.evaluate(f"() => window.scrollTo(0, {y})")
        page.wait_for_timeout(30)
    page.wait_for_function(ALL_DRAWN, timeout=20000)
    assert len(page.evaluate(DRAWN)) == N_SECTIONS
    # each chart as built: its title and its height
    assert page.evaluate("() => document.getElementById('s20-fig0').layout.title.text") == "Chart 20"
    assert (
        page.evaluate("() => document.getElementById('s20-fig0').getBoundingClientRect().height")
        == CHART_HEIGHT
    )


@pytest.mark.e2e
def test_a_page_opened_at_an_anchor_draws_the_chart_there(browser_page, report_file) -> None:
    page, _errors, _outside = browser_page
    page.goto(report_file.as_uri() + "#s16-fig0")
    page.wait_for_selector("#s16-fig0 .main-svg", timeout=10000)
    _settle(page)
    box = page.locator("#s16-fig0").bounding_box()
    assert box is not None and abs(box["y"]) < 2  # the link landed on the chart, drawn in its place
    drawn = page.evaluate(DRAWN)
    # the charts around the anchor, and at most those the page showed before it jumped there (a
    # loaded machine can show the top for a moment: CI once drew s0-s2 too), never all of them
    assert "s16-fig0" in drawn and len(drawn) < N_SECTIONS // 2, drawn


@pytest.mark.e2e
def test_printing_draws_every_chart(browser_page, report_file) -> None:
    page, _errors, _outside = browser_page
    page.goto(report_file.as_uri())
    page.wait_for_selector("#s0-fig0 .main-svg")
    _settle(page)
    assert len(page.evaluate(DRAWN)) < N_SECTIONS
    # window.print() fires beforeprint: every chart is drawn before the page is laid out for paper
    drawn = page.evaluate(f"() => {{ window.print(); return ({DRAWN})(); }}")
    assert len(drawn) == N_SECTIONS
    assert page.evaluate("() => detenteCharts.waiting()") == 0


@pytest.mark.e2e
def test_print_media_draws_every_chart(browser_page, report_file) -> None:
    """Print preview without beforeprint (the print media query turning on) draws them too."""
    page, _errors, _outside = browser_page
    page.goto(report_file.as_uri())
    page.wait_for_selector("#s0-fig0 .main-svg")
    _settle(page)
    assert len(page.evaluate(DRAWN)) < N_SECTIONS
    page.emulate_media(media="print")
    page.wait_for_function(ALL_DRAWN, timeout=20000)
    assert len(page.evaluate(DRAWN)) == N_SECTIONS


@pytest.mark.e2e
def test_without_intersection_observer_every_chart_is_drawn_at_load(browser_page, report_file) -> None:
    page, _errors, _outside = browser_page
    page.add_init_script("delete window.IntersectionObserver;")
    page.goto(report_file.as_uri())
    assert len(page.evaluate(DRAWN)) == N_SECTIONS  # drawn as the page was read, as before
