"""The dashboard wraps the report figures' titles to fit its columns, keeping every subplot's height.

The browser check (no text outside its chart, no overlapping titles at 1280 and 800 px) is in
tests/e2e/test_dashboard.py; this is the fast part.
"""

from __future__ import annotations

import re

import pytest

from detente.analysis.main_job import MainJobOptions, main_job
from detente.io.builtin import load_builtin


def _lines(text: str) -> list[str]:
    return re.split(r"<br>", text)


def test_long_titles_are_wrapped_and_rows_keep_their_height():
    from detente.report.parts.forecasts import scenario_section
    from detente.web.figures import EM, MIN_WIDTH, fit

    fig = scenario_section(load_builtin("ukraine-2025")).figures[0]
    lay = fig.layout
    names = sorted((k for k in lay if k.startswith("yaxis")), key=lambda k: int(k[5:] or 1))
    plot_h = lay["height"] - lay["margin"]["t"] - lay["margin"]["b"]
    rows = [(lay[k]["domain"][1] - lay[k]["domain"][0]) * plot_h for k in names]
    title = lay["title"]["text"]

    fit(fig)

    lay = fig.layout
    # the main title: lines short enough for MIN_WIDTH at its font size, same words
    limit = (MIN_WIDTH * 0.95 - 10) / (EM * 17)
    assert len(_lines(lay["title"]["text"])) > 1
    assert all(len(x) <= limit for x in _lines(lay["title"]["text"]))
    assert " ".join(_lines(lay["title"]["text"])) == title
    # x-axis titles: the "← low | high →" pair breaks at the bar, arrows stay with their words
    xt = lay["xaxis"]["title"]["text"]
    assert xt.startswith("←\u00a0unconditional") and xt.endswith("terms\u00a0→")
    assert "|" not in xt
    # every subplot keeps its height in px; the figure grows instead
    new_plot_h = lay["height"] - lay["margin"]["t"] - lay["margin"]["b"]
    new_rows = [(lay[k]["domain"][1] - lay[k]["domain"][0]) * new_plot_h for k in names]
    assert new_rows == pytest.approx(rows, abs=0.5)
    # subplot titles still sit on top of their rows
    assert len(names) == 6
    tops = sorted(lay[k]["domain"][1] for k in names)
    assert sorted(a["y"] for a in lay["annotations"]) == pytest.approx(tops)
    # markers at the ends of a padded axis are not cut in half
    assert all(t["cliponaxis"] is False for t in fig.data)


def test_short_titles_are_left_alone():
    from detente.web.figures import fit, wrap

    assert wrap("Forecast by model", 30) == "Forecast by model"
    # a title in one element is wrapped inside it, each line bold; mixed markup is not touched
    assert wrap("<b>a very long bold title</b>", 10) == "<b>a very</b><br><b>long bold</b><br><b>title</b>"
    assert wrap("<b>a very long</b> bold title", 10) == "<b>a very long</b> bold title"
    assert wrap("← none   |   all-for-all →", 40) == "← none   |   all-for-all →"
    from detente.report.figure import Figure, scatter

    fig = Figure([scatter(x=[1], y=[1])], {"title": {"text": "Short"}, "height": 300})
    fit(fig)
    assert fig.layout == {"title": {"text": "Short"}, "height": 300}


def test_every_report_figure_can_be_fitted():
    """Each part's figures (the dashboard's "Report charts") fit without error and keep domains in [0, 1]."""
    from detente.report.parts import part_builders
    from detente.web.figures import fit

    sc = load_builtin("ukraine-2025")
    n = 0
    job = main_job(sc, MainJobOptions(seed=0, quick=True))
    for _name, build in part_builders():
        try:
            part = build(job)
        except Exception:  # a part that cannot run here is the report's business, not this test's
            continue
        for section in part.sections:
            for fig in section.figures:
                fit(fig)  # plotly.js rejects a domain outside [0, 1] (a domain of -1e-17 was seen)
                for k, ax in fig.layout.items():
                    if k.startswith(("xaxis", "yaxis")) and ax.get("domain"):
                        assert all(0 <= v <= 1 for v in ax["domain"])
                n += 1
    assert n >= 3
