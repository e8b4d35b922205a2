"""The main report read on a phone (audit at 390 px): 57 chart texts ran past their chart's edge and
were cut off (the scenario chart's title, every ``← low | high →`` axis title, subplot titles, the
forecast chart's key to its bars and diamonds), because plotly neither wraps nor shrinks text and each
chart took the 290 px of its box. Now titles are wrapped for 420 px (report.fit, as the dashboard does)
and a box narrower than that scrolls its chart sideways; the page itself never scrolls sideways."""

from __future__ import annotations

import pytest

from browser import chromium_page
from detente.report.fit import wrap
from detente.report.html import render_scenario_report
from detente.report.parts import forecasts

_CUT = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(d => {
  const svg = d.querySelector('.main-svg').getBoundingClientRect();
  return [...d.querySelectorAll('svg text')].filter(t => t.textContent.trim()).map(t => {
    const r = t.getBoundingClientRect();
    return (r.left < svg.left - 2 || r.right > svg.right + 2) ? t.textContent : null; }).filter(x => x);
})"""


def test_a_title_in_one_element_is_wrapped_inside_it() -> None:
    text = '<b>Ceasefire</b><br><span style="font-size:11px">0 = unconditional ceasefire first · 100 = later</span>'
    lines = wrap(text, 30).split("<br>")
    assert lines[0] == "<b>Ceasefire</b>" and len(lines) == 3
    assert all(x.startswith('<span style="font-size:11px">') and x.endswith("</span>") for x in lines[1:])
    assert wrap("<b>a</b> and <i>b</i> " * 5, 10) == "<b>a</b> and <i>b</i> " * 5  # mixed markup: as it was


@pytest.mark.e2e
@pytest.mark.parametrize("width", [390, 1280])
def test_no_chart_text_is_cut_off_and_the_page_does_not_scroll_sideways(tmp_path, job_with_intervals, width):
    job = job_with_intervals
    page_file = tmp_path / "report.html"
    page_file.write_text(
        render_scenario_report(job.scenario, [forecasts.build(job)], seed=0), encoding="utf-8"
    )
    with chromium_page(width, 844) as (page, errors, outside):
        page.goto(page_file.as_uri())
        page.evaluate("() => detenteCharts.drawAll()")  # every chart, not only those near the window
        page.wait_for_selector(".js-plotly-plot .nsewdrag")
        page.wait_for_timeout(300)
        charts = page.locator(".js-plotly-plot").count()
        cut = page.evaluate(_CUT)
        page_width = page.evaluate("document.documentElement.scrollWidth")
    assert not errors and not outside
    assert charts >= 2  # the scenario chart and the forecasts by model
    assert cut == []
    assert page_width == width
