"""The report's "Forecast by model" chart draws each model's 50 % and 90 % intervals (issue #14, item 6).

The bars are the main job's numbers (``job.intervals``, the ones the interval tables and
``detente run --full`` print), not recomputed; a model with no interval on an issue (no forecast, or a
point model without sweep or model error) gets no bar.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest

from detente.report.parts import forecasts


@pytest.fixture(scope="module")
def job(job_with_intervals: Any) -> Any:
    return job_with_intervals


def _figure(section_or_part: Any) -> Any:
    sections = getattr(section_or_part, "sections", [section_or_part])
    (section,) = [s for s in sections if s.id == "forecasts"]
    (fig,) = section.figures
    return fig


def _segments(fig: Any, row: int, name: str) -> dict[str, tuple[float, float]]:
    """model -> (low, high) of the bar trace ``name`` in subplot ``row`` (segments split by None)."""
    axis = "y" if row == 1 else f"y{row}"
    traces = [t for t in fig.data if t.get("name") == name and t.get("yaxis", "y") == axis]
    if not traces:
        return {}
    (trace,) = traces
    out: dict[str, tuple[float, float]] = {}
    xs, ys = list(trace["x"]), list(trace["y"])
    for k in range(0, len(xs), 3):
        assert xs[k + 2] is None and ys[k + 2] is None and ys[k] == ys[k + 1]
        assert ys[k] not in out
        out[ys[k]] = (xs[k], xs[k + 1])
    return out


def test_bars_are_the_main_jobs_intervals(job: Any) -> None:
    fig = _figure(forecasts.build(job))
    ivals = job.intervals
    assert ivals is not None and ivals.error_n > 0
    drawn = missing = 0
    for row, issue in enumerate(job.scenario.issues, start=1):
        wide, mid = _segments(fig, row, "90% interval"), _segments(fig, row, "50% interval")
        for name in job.forecasts:
            d = ivals.of(name, issue.id)
            if d is not None and math.isfinite(d.low) and math.isfinite(d.mid_low):
                assert wide[name] == (d.low, d.high)  # exactly the job's numbers
                assert mid[name] == (d.mid_low, d.mid_high)
                drawn += 1
            else:
                assert name not in wide and name not in mid
                missing += 1
    assert drawn and missing  # ukraine-2025: status_quo and nbs give no forecast on one issue

    # one model and issue, spelled out: the hover and the bar give the table's numbers
    issue = job.scenario.issues[0]
    d = ivals.of("compromise", issue.id)
    assert _segments(fig, 1, "90% interval")["compromise"] == (d.low, d.high)
    (markers,) = [t for t in fig.data if t.get("name") == "forecast" and t.get("yaxis", "y") == "y"]
    hover = markers["hovertext"][list(markers["y"]).index("compromise")]
    assert f"50 %: {d.mid_low:.1f}–{d.mid_high:.1f}, 90 %: {d.low:.1f}–{d.high:.1f}" in hover


def test_caption_under_the_chart_says_what_the_bars_are(job: Any) -> None:
    fig = _figure(forecasts.build(job))
    (note,) = [a["text"] for a in fig.layout["annotations"] if a["text"].startswith("bars:")]
    assert f"model error learned on {job.intervals.error_n:,} EU decisions" in note
    assert "point forecast,<br>which can lie outside them" in note
    assert max(len(line) for line in note.split("<br>")) <= 50  # fits the dashboard's half-width card


def test_no_bar_without_an_interval(job: Any) -> None:
    """A model whose read-outs have no interval (no sweep, no model error) gets no bar; without the
    job's intervals (the web's chart) the chart has no bars and no caption."""
    ivals = job.intervals
    plain = {
        **ivals.readouts,
        "compromise": tuple(dataclasses.replace(r, source="none") for r in ivals.readouts["compromise"]),
    }
    changed = dataclasses.replace(ivals, readouts=plain)
    fig = _figure(forecasts.forecast_section(job.scenario, dict(job.forecasts), None, changed))
    for row in range(1, len(job.scenario.issues) + 1):
        assert "compromise" not in _segments(fig, row, "90% interval")
        assert "compromise" not in _segments(fig, row, "50% interval")
        assert "median" in _segments(fig, row, "90% interval")
    bare = _figure(forecasts.forecast_section(job.scenario, dict(job.forecasts)))
    assert {t.get("name") for t in bare.data} == {"forecast"}
    assert not [a for a in bare.layout.get("annotations", []) if a["text"].startswith("bars:")]
