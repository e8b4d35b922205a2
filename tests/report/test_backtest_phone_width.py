"""The backtest report's reliability diagram and PIT histograms stay readable at 1280 and 390 px (audit:
the diagram's 37 legend entries ran 888 px down the side of a 420 px chart, scrolling at 1280 px and
covering every line at 390 px; the 18 PIT titles of 3 columns ran into each other at 390 px)."""

from __future__ import annotations

import pytest
from test_backtest_reliability_colours import leaderboard_row

from browser import chromium_page
from detente.report.backtest import pit_title, predictive_section

MODELS = [
    "calibrated", "smp", "mixture", "anchored", "ensemble", "compromise", "salience_mean", "mean", "median",
    "exchange", "commission", "eum", "conformal_compromise", "nbs", "reference", "status_quo",
    "rule_compromise", "procedural",
]  # fmt: skip
"""The 18 rows of the full backtest on the DEU dev file."""


def _row(model: str, k: int) -> dict:
    return leaderboard_row(
        model,
        k,
        offset=0.01 * (k % 5),
        equal_tailed_offset=0.03,
        crps=16.0 + k / 10,
        pit_hist=[21 + (j * k) % 7 for j in range(10)],
    )


def _section():
    return predictive_section([_row(m, k) for k, m in enumerate(MODELS)], {})


def test_reliability_legend_is_under_the_chart_with_one_entry_for_the_dashed_lines() -> None:
    rel = _section().figures[0]
    legend = rel.layout["legend"]
    assert legend["orientation"] == "h" and legend["yref"] == "container" and legend["yanchor"] == "bottom"
    entries = [t for t in rel.data if t.get("showlegend", True)]
    # one per model, one for all 18 dashed equal-tailed lines, the diagonal: not 2 per model
    assert len(entries) == len(MODELS) + 2
    dashed = [t for t in rel.data if t.get("legendgroup") == "equal_tailed"]
    assert len(dashed) == len(MODELS) + 1 and all(t["visible"] == "legendonly" for t in dashed)
    assert sum(1 for t in dashed if t.get("showlegend", True)) == 1


def test_pit_titles_fit_three_columns_on_a_phone() -> None:
    pit = _section().figures[1]
    titles = [a["text"] for a in pit.layout["annotations"]]
    assert len(titles) == len(MODELS)
    assert max(len(line) for t in titles for line in t.split("<br>")) <= 10
    assert all(a["font"]["size"] <= 12 for a in pit.layout["annotations"])
    assert pit_title("conformal_compromise") == "conformal_<br>compromise" and pit_title("smp") == "smp"
    assert pit_title("status_quo") == "status_quo"  # 10 characters: one line
    # the lowest histogram of each column says what its x axis is
    xtitles = [v["title"]["text"] for k, v in pit.layout.items() if k.startswith("xaxis") and "title" in v]
    assert xtitles == ["PIT"] * 3


_BOXES = """() => [...document.querySelectorAll('.js-plotly-plot')].map(d => {
  const box = e => { if (!e) return null; const r = e.getBoundingClientRect();
                     return [r.left, r.top, r.right, r.bottom]; };
  return {legend: box(d.querySelector('.legend')), plot: box(d.querySelector('.nsewdrag')),
          titles: [...d.querySelectorAll('.annotation-text')].map(box)};
})"""


def _overlap(a: list[float], b: list[float]) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


@pytest.mark.e2e
@pytest.mark.parametrize("width", [1280, 390])
def test_in_the_browser_no_legend_over_the_data_and_no_titles_over_each_other(tmp_path, width) -> None:
    from detente.report.base import Part
    from detente.report.html import render_report

    page_file = tmp_path / "bt.html"
    page_file.write_text(
        render_report("backtest", [Part(name="backtest", sections=[_section()])], manifest={})
    )
    with chromium_page(width, 900) as (page, errors, outside):
        page.goto(page_file.as_uri())
        page.evaluate("() => detenteCharts.drawAll()")  # every chart, not only those near the window
        page.wait_for_selector(".js-plotly-plot .nsewdrag")
        rel, pit = page.evaluate(_BOXES)
    assert not errors and not outside
    assert rel["plot"][2] - rel["plot"][0] > 100 and _overlap(rel["legend"], rel["plot"]) == 0
    boxes = pit["titles"]
    assert len(boxes) == len(MODELS)
    assert all(_overlap(a, b) == 0 for i, a in enumerate(boxes) for b in boxes[i + 1 :])
