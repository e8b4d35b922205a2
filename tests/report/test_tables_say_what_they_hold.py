"""Report tables say what their numbers hold (UX audit).

* The forecast tables headed "50% interval" / "90% interval" for intervals with model error, while
  the uncertainty tables used "90 % interval" for the inputs' alone: one model read 12.0–82.9 in one
  table and 33.4–51.8 in the other under the same words. Each header now says what it holds, and
  with ``--calibration none`` (no model error) the forecast table says input uncertainty only.
* The "All exchanges" gains ("2.61 / 2.61") had no unit; the terminal said it.
* On a phone an interval cell broke as "28.9–" / "59.0": number cells stay on one line.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from browser import chromium_page
from detente.report.base import Part, Section, Table
from detente.report.html import render_report, table_html
from detente.report.parts import forecasts, uncertainty

MIXED = "90 % interval (see 'interval holds')"
BARE = {"50% interval", "90% interval", "50 % interval", "90 % interval"}


@pytest.fixture(scope="module")
def job_no_calibration() -> Any:
    """The quick main job as ``detente run --calibration none`` gives it: no model-error part."""
    from detente.analysis.main_job import MainJobOptions, main_job
    from detente.io.builtin import load_builtin

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return main_job(
            load_builtin("ukraine-2025"),
            MainJobOptions(seed=0, quick=True, parts=("forecasts", "uncertainty"), error_model=None),
        )


def _row(table: Table, model: str) -> dict[str, str]:
    row = next(r for r in table.rows if r[0] == model)
    return dict(zip(table.columns, row, strict=True))


def test_forecast_intervals_with_model_error_say_so_per_row(job_with_intervals) -> None:
    job = job_with_intervals
    part = forecasts.build(job)
    for table, issue in zip(part.tables, job.scenario.issues, strict=True):
        assert not BARE & set(table.columns), table.columns
        # swept models hold inputs + model error, the others (exchange, smp, ...) model error alone
        assert "interval holds" in table.columns
        for name in job.intervals.readouts:
            d = job.intervals.of(name, issue.id)
            cells = _row(table, name)
            if d is None or d.source == "none" or cells[MIXED] == "—":
                assert cells["interval holds"] == "—"
            else:
                assert cells["interval holds"] == forecasts.HOLDS[d.source]
                assert cells[MIXED] == f"{d.low:.1f}–{d.high:.1f}"
    compromise = _row(part.tables[0], "compromise")
    assert compromise["interval holds"] == "inputs + model error"
    assert _row(part.tables[0], "exchange")["interval holds"] == "model error only (not swept)"
    assert "model-error part alone" in part.tables[-1].caption


def test_without_calibration_the_forecast_intervals_say_input_uncertainty_only(job_no_calibration) -> None:
    job = job_no_calibration
    part, unc = forecasts.build(job), uncertainty.build(job)
    for table, u in zip(part.tables, unc.tables, strict=True):
        assert "50 % interval (input uncertainty only)" in table.columns
        assert "90 % interval (input uncertainty only)" in table.columns
        assert "interval holds" not in table.columns
        # the very numbers of the input-only table below: the same thing, labelled the same
        ours = _row(table, "compromise")["90 % interval (input uncertainty only)"]
        theirs = _row(u, "compromise")["90 % interval (input uncertainty only)"]
        assert ours == theirs.replace(" – ", "–")
    assert "inputs' uncertainty only (no error model)" in part.tables[-1].caption


def test_uncertainty_tables_say_input_uncertainty_only(job_with_intervals) -> None:
    for table in uncertainty.build(job_with_intervals).tables:
        assert not BARE & set(table.columns)
        assert "90 % interval (input uncertainty only)" in table.columns


def test_all_exchanges_gains_have_their_unit() -> None:
    from detente.analysis.main_job import MainJobOptions, main_job
    from detente.io.builtin import load_builtin
    from detente.report.parts import exchange

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        job = main_job(load_builtin("ukraine-2025"), MainJobOptions(seed=0, quick=True, parts=("exchange",)))
    part = exchange.build(job)
    (section,) = [s for s in part.sections if s.id == "exchange-network"]
    (table,) = section.tables
    assert table.rows and " / " in table.rows[0][-1]
    assert "actor / partner" in table.columns[-1]
    assert "salience × share of the scale, ×100" in table.caption
    # the terminal's table says the same
    short = next(t for t in part.tables if t.title.startswith("Exchanges of voting positions"))
    assert "salience × share of the scale, ×100" in short.caption


def test_number_cells_are_marked_and_kept_on_one_line() -> None:
    t = Table(
        "t",
        ["model", "a", "b", "c", "d", "e"],
        [["compromise", "28.9–59.0", "33.4 – 51.8", "2.61 / 2.61", "—", "+0.25"]],
    )
    html = table_html(t)
    assert "<td>compromise</td>" in html
    assert html.count('<td class="num">') == 5
    page = render_report(
        "t", [Part("p", sections=[Section("s", "S", "c", [], [t])])], manifest={}, plotlyjs="none"
    )
    assert "td.num { white-space: nowrap; }" in page


@pytest.mark.e2e
def test_interval_cells_do_not_break_on_a_phone(tmp_path, job_with_intervals) -> None:
    from detente.report.html import render_scenario_report

    job = job_with_intervals
    page_file = tmp_path / "report.html"
    page_file.write_text(
        render_scenario_report(job.scenario, [forecasts.build(job), uncertainty.build(job)], seed=0),
        encoding="utf-8",
    )
    with chromium_page(390, 844) as (page, errors, outside):
        page.goto(page_file.as_uri())
        broken = page.evaluate(
            """() => [...document.querySelectorAll('table.data td')]
                .filter(td => /\\d[–-]\\s*\\d|\\d\\s*[–-]\\s*\\d/.test(td.textContent))
                .filter(td => { const r = document.createRange(); r.selectNodeContents(td);
                                return r.getClientRects().length > 1; })
                .map(td => td.textContent)"""
        )
        cells = page.locator("table.data td.num").count()
        sideways = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert not errors and not outside
    assert broken == []  # was 156 cells, e.g. "28.9–" / "59.0"
    assert cells > 50
    assert sideways <= 1  # the tables scroll in their own box, the page does not


def test_cohesion_headline_says_who_the_groups_are() -> None:
    """The brief named the groups by id alone ("us and european_allies"); the scenario has no display
    names for groups, so their members' names follow."""
    from detente.analysis.main_job import MainJobOptions, main_job
    from detente.io.builtin import load_builtin
    from detente.report.parts import cohesion

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        job = main_job(load_builtin("ukraine-2025"), MainJobOptions(seed=0, quick=True, parts=("cohesion",)))
    (line,) = cohesion.build(job).headline
    assert line.startswith(
        "Cohesion of us and european_allies (us: United States; "
        "european_allies: European Union, United Kingdom, France, Germany): "
    ), line
