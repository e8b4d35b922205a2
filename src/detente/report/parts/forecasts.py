"""The scenario summary and the per-model forecasts of every issue (part ``forecasts``)."""

from __future__ import annotations

import html as _html
import textwrap
from collections.abc import Iterable
from typing import Any

import numpy as np

from detente.analysis.intervals import Intervals, IssueInterval
from detente.analysis.main_job import MainJobResult
from detente.core.scenario import Scenario
from detente.core.text import scenario_counts
from detente.report.base import Part, Section, Table
from detente.report.charts import add_axis_lines, stacked_subplots
from detente.report.figure import scatter
from detente.report.narrative import brief_sentence


def _fmt(value: float) -> str:
    return "—" if not np.isfinite(value) else f"{value:.1f}"


def _padded(issue: Any) -> list[float]:
    """Axis range with a little room so markers at the ends are not clipped."""
    pad = 0.03 * issue.scale.width
    return [issue.scale.low - pad, issue.scale.high + pad]


def _wrap(text: str, width: int = 70) -> str:
    return "<br>".join(textwrap.wrap(_html.escape(text), width)) or "—"


def _status(fc: Any, i: int) -> str:
    st = np.asarray(fc.diagnostics.status)
    s = str(st.reshape(-1)[i] if st.ndim else st)
    return "" if s == "closed_form" else s


def scenario_section(scenario: Scenario, *, with_description: bool = True) -> Section:
    rows = max((sum(1 for s in scenario.stances if s.issue == i.id) for i in scenario.issues), default=1)
    fig, paper = stacked_subplots([i.name for i in scenario.issues], rows, 260)
    refs: list[tuple[str, float, int, int]] = []  # the status-quo lines
    for r, issue in enumerate(scenario.issues, start=1):
        xs, ys, sizes, texts = [], [], [], []
        for s in scenario.stances:
            if s.issue != issue.id:
                continue
            actor = scenario.actor(s.actor)
            cap = s.capability if s.capability is not None else actor.capability
            xs.append(s.position)
            ys.append(actor.label)
            sizes.append(8 + 22 * float(np.sqrt(max(cap, 0) * s.salience)))
            ev = "<br>".join(_wrap(e.summary()) for e in s.evidence) or "no evidence recorded"
            texts.append(
                f"<b>{_html.escape(actor.label)}</b>: {s.position:g} ({_html.escape(issue.scale.describe(s.position, reference=issue.reference))})"
                f"<br>salience {s.salience:.2f}, capability {cap:.2f}<br>{ev}"
            )
        fig.add(
            scatter(
                x=xs,
                y=ys,
                mode="markers",
                marker={"size": sizes, "opacity": 0.75},
                hovertext=texts,
                hoverinfo="text",
                showlegend=False,
            ),
            r,
            1,
        )
        lo, hi = issue.scale.labels
        fig.update_axes("x", r, 1, range=_padded(issue))
        if lo or hi:
            fig.update_axes("x", r, 1, title={"text": f"← {lo}   |   {hi} →"})
        if issue.reference is not None:
            refs.append(("v", issue.reference, r, 1))
    add_axis_lines(fig, refs, {"dash": "dot", "color": "grey"})
    fig.update_axes("y", dtick=1)  # every actor named (plotly drops every other label when they are close)
    fig.update_layout(
        height=round(paper) + 100,
        margin={"l": 140, "r": 20, "t": 60, "b": 40},
        title={"text": "Who stands where (marker size: √(capability × salience); dotted line: status quo)"},
    )
    actors = Table(
        "Actors",
        ["actor", "name", "capability", "groups"],
        [[a.id, a.name, f"{a.capability:g}", ", ".join(a.groups)] for a in scenario.actors],
    )
    issues = Table(
        "Issues and their scales",
        ["issue", "name", "low end", "high end", "status quo"],
        [
            [
                i.id,
                i.name,
                f"{i.scale.low:g}: {i.scale.labels[0]}",
                f"{i.scale.high:g}: {i.scale.labels[1]}",
                "—" if i.reference is None else f"{i.reference:g}",
            ]
            for i in scenario.issues
        ],
    )
    n_assump = sum(1 for s in scenario.stances if any(e.assumption for e in s.evidence))
    n_quote = sum(1 for s in scenario.stances if any(not e.assumption for e in s.evidence))
    caption = (
        f"{scenario.description if with_description else ''} "
        f"{scenario_counts(len(scenario.actors), len(scenario.issues))}, "
        f"{len(scenario.stances)} stances; {n_quote} stances cite a source and {n_assump} rest on a marked assumption. "
        "Hover over a marker to read the evidence behind it."
    )
    return Section("scenario", "Scenario: who wants what", caption.strip(), [fig], [actors, issues])


# the interval bars of the forecast chart: (trace name, the IssueInterval's ends, line width, colour);
# neutral slate, so that they read the same under every issue's marker colour
BARS = (
    ("90% interval", "low", "high", 1.5, "#7a8599"),
    ("50% interval", "mid_low", "mid_high", 7.0, "#b9c1cf"),
)


def _bar(d: IssueInterval | None) -> IssueInterval | None:
    """The model's interval on the issue when it has one to draw (not: no forecast, no sweep and no
    model error), else ``None``."""
    if d is None or d.source == "none":
        return None
    ends = (d.low, d.high, d.mid_low, d.mid_high)
    return d if all(np.isfinite(x) for x in ends) else None


def _bars_caption(ivals: Intervals, domain: str) -> str:
    """What the bars are, in the words of the interval tables' caption (short lines under the chart,
    which must fit the dashboard's half-width card); ``domain``: where the error model was learned,
    as the read-outs say it ("EU")."""
    what = (
        f"with model error learned on {ivals.error_n:,} {domain} decisions;"
        if ivals.error_n
        else "over the inputs' uncertainty only (no error model);"
    )
    return "<br>".join(
        (
            "bars: 50% (thick) and 90% (thin) intervals",
            what,
            "the diamond is the model's point forecast,",
            "which can lie outside them (see the tables)",
        )
    )


def forecast_section(
    scenario: Scenario,
    results: dict[str, Any],
    tables: list[Table] | None = None,
    ivals: Intervals | None = None,
) -> Section:
    """The models' point forecasts per issue (chart) with, when given, their 50 % and 90 % intervals
    (``ivals``, the main job's; drawn as bars) and the tables with the intervals."""
    names = list(results)
    # one row per model: the panels' height and the gaps from that, not from the scenario chart's actors
    fig, paper = stacked_subplots([i.name for i in scenario.issues], len(names), 230)
    domain = ""  # where the error model was learned, as the drawn intervals say it
    for r, issue in enumerate(scenario.issues, start=1):
        vals = [float(results[m].outcome[r - 1]) for m in names]
        bars = {m: _bar(ivals.of(m, issue.id) if ivals is not None else None) for m in names}
        for label, lo, hi, width, colour in BARS:  # under the markers; one trace each, segments split by None
            xs: list[float | None] = []
            ys: list[str | None] = []
            for m, d in bars.items():
                if d is not None:
                    xs += [getattr(d, lo), getattr(d, hi), None]
                    ys += [m, m, None]
                    domain = d.error_domain
            if xs:
                fig.add(
                    scatter(
                        x=xs,
                        y=ys,
                        mode="lines",
                        name=label,
                        line={"width": width, "color": colour},
                        hoverinfo="skip",
                        showlegend=False,
                    ),
                    r,
                    1,
                )
        hover = []
        for m, v in zip(names, vals, strict=True):
            d = bars[m]
            band = (
                ""
                if d is None
                else f"<br>50 %: {d.mid_low:.1f}–{d.mid_high:.1f}, 90 %: {d.low:.1f}–{d.high:.1f}"
            )
            hover.append(f"{m}: {v:.1f} ({issue.scale.describe(v, reference=issue.reference)}){band}")
        fig.add(
            scatter(
                x=vals,
                y=names,
                mode="markers",
                name="forecast",
                marker={"size": 11, "symbol": "diamond", "line": {"width": 1, "color": "white"}},
                showlegend=False,
                hovertext=hover,
                hoverinfo="text",
            ),
            r,
            1,
        )
        # the models in the same order on every issue, whichever has a bar
        fig.update_axes("y", r, 1, categoryorder="array", categoryarray=names, dtick=1)  # every name
        fig.update_axes(
            "x",
            r,
            1,
            range=_padded(issue),
            title={"text": f"← {issue.scale.labels[0]}   |   {issue.scale.labels[1]} →"},
        )
    bottom = 40
    if domain and ivals is not None:
        bottom = 140  # the x-axis title, then the four caption lines
        fig.layout.setdefault("annotations", []).append(
            {
                "text": _bars_caption(ivals, domain),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "xanchor": "left",
                "yanchor": "top",
                "yshift": -55,
                "showarrow": False,
                "align": "left",
                "font": {"size": 12, "color": "#4a5468"},
            }
        )
    fig.update_layout(
        height=round(paper) + 100 + bottom - 40,
        margin={"l": 120, "r": 20, "t": 60, "b": bottom},
        title={"text": "Forecast by model"},
    )
    cap = (
        "Each model's forecast of where the issue settles, in the issue's own units. Mean-type models (compromise, NBS) "
        "give the bargained middle; the weighted median is the position no majority of clout can beat; the "
        "expected-utility, exchange and spatial models simulate rounds of challenges, trades and bargains."
    )
    return Section("forecasts", "Forecasts per issue and model", cap, [fig], list(tables or []))


def _interval(q: dict[str, dict[str, float]] | None, issue_id: str) -> str:
    """The 90 % interval (5th–95th percentile of the Monte Carlo sweep), or a dash."""
    if not q or issue_id not in q:
        return "—"
    lo, hi = q[issue_id].get("5"), q[issue_id].get("95")
    if lo is None or hi is None or not (np.isfinite(lo) and np.isfinite(hi)):
        return "—"
    return f"{lo:.1f}–{hi:.1f}"


def _keeps_status_quo(fc: Any, k: int, q: dict[str, dict[str, float]] | None, issue: Any) -> bool:
    """True where the forecast and its whole 90 % interval sit on the issue's status quo.

    For the NBS this means no outcome beats the status quo for every actor in at least 90 % of
    the draws (the ``infeasible`` rule), which is why its interval has no width there.
    """
    if issue.reference is None or not q or issue.id not in q:
        return False
    lo, hi = q[issue.id].get("5"), q[issue.id].get("95")
    ref, v = float(issue.reference), float(fc.outcome[k])
    tol = 1e-9 * max(issue.scale.width, 1.0)
    vals = (v, lo, hi)
    return all(x is not None and np.isfinite(x) and abs(x - ref) <= tol for x in vals)


def _outside_notes(ivals: Any, scenario: Scenario) -> list[str]:
    """One note naming every point forecast that lies outside its own 90 % interval, and why: the
    interval follows where outcomes fell after such forecasts on the decided cases (the error model,
    docs/calibration.md §2), the point is what the model says (analysis.intervals.IssueInterval)."""
    outside = []
    for issue in scenario.issues:
        for name in ivals.readouts:
            d = ivals.of(name, issue.id)
            if d is None or d.source == "none" or not (np.isfinite(d.point) and np.isfinite(d.low)):
                continue
            if not d.point_inside():
                outside.append(
                    f"{name} on {issue.name} ({_fmt(d.point)}; 90% interval {d.low:.1f}–{d.high:.1f}, "
                    f"predictive median {_fmt(d.median)})"
                )
    if not outside:
        return []
    one = len(outside) == 1
    return [
        f"The point forecast lies outside its own 90% interval for {'; '.join(outside)}: the error model "
        f"learned on {ivals.error_n:,} decided cases expects outcomes after forecasts like "
        f"{'this' if one else 'these'} to fall away from {'it' if one else 'them'}, and the interval follows "
        "the outcomes. Read the interval, not the point, as where "
        "the outcome is likely to fall."
    ]


# what a forecast table's interval holds, by IssueInterval.source (and "input uncertainty only" for
# a sweep's own 5th–95th percentile): the words after "90 % interval" in its column header
HOLDS = {
    "input uncertainty and model error": "inputs + model error",
    "model error": "model error only (not swept)",
    "input uncertainty only": "input uncertainty only",
}


def holds_key(source: str | None) -> str:
    """The :data:`HOLDS` key of what an interval holds, from its source: an ``IssueInterval.source``
    or a forecast document's ``interval_source`` in words (the dashboard's: "input uncertainty (200
    draws) and model error (…)"); "" for none."""
    text = source or ""
    has_input, has_error = "input uncertainty" in text, "model error" in text
    if has_input and has_error:
        return "input uncertainty and model error"
    return "model error" if has_error else "input uncertainty only" if has_input else ""


def interval_holds(sources: Iterable[str | None], mixed: str = "see 'interval holds'") -> str:
    """The words after "50 % interval" / "90 % interval" in a table's header, from each row's interval
    source (:func:`holds_key`): " (inputs + model error)" when every row's interval holds the same,
    " (``mixed``)" when they differ, "" when no row has one. The report's forecast tables and the
    dashboard's Run and Compare tables say it the same way."""
    kinds = sorted({k for k in map(holds_key, sources) if k})
    return f" ({HOLDS[kinds[0]]})" if len(kinds) == 1 else f" ({mixed})" if kinds else ""


def _interval_columns(holds: list[str]) -> tuple[list[str], bool]:
    """The columns of one issue's forecast table, each interval header saying what the intervals
    hold (``holds``: one :data:`HOLDS` key per row, "" where the row has no interval); when the rows
    differ, a column "interval holds" says it per row instead (the second value: add that column)."""
    kinds = sorted({h for h in holds if h})
    what = interval_holds(holds)
    columns = [
        "model",
        "forecast",
        f"50 % interval{what}",
        f"90 % interval{what}",
        "predictive median",
        "status",
    ]
    mixed = len(kinds) > 1
    return (columns[:4] + ["interval holds"] + columns[4:] if mixed else columns), mixed


def build(job: MainJobResult) -> Part:
    """The scenario, every model's forecast per issue with its 90 % interval, and the brief (renders the main job)."""

    scenario: Scenario = job.scenario
    results: dict[str, Any] = dict(job.forecasts)
    notes = [f"model {name} could not run on this scenario: {exc}" for name, exc in job.model_errors.items()]
    sweep = job.sweep.intervals() if job.sweep is not None else {}
    if job.sweep_error:
        notes.append(f"intervals could not be computed: {job.sweep_error}")
    tables = []
    unswept = False  # some interval holds the model error alone (a model the sweep does not run)
    kept_sq: dict[str, list[str]] = {}  # model -> issues where it keeps the status quo in >= 90 % of draws
    ivals = job.intervals
    for k, issue in enumerate(scenario.issues):
        rows, holds = [], []
        for name, fc in results.items():
            v = float(fc.outcome[k])  # the model's own point forecast, as every command gives it
            band = _interval(sweep.get(name), issue.id)  # the sweep's own: the inputs' uncertainty only
            held = "" if band == "—" else "input uncertainty only"
            status = _status(fc, k)
            d = ivals.of(name, issue.id) if ivals is not None else None
            median = mid = "—"
            if d is not None and np.isfinite(d.median) and d.source != "none":  # predictive (issue #14)
                band, median = f"{d.low:.1f}–{d.high:.1f}", _fmt(d.median)
                mid = f"{d.mid_low:.1f}–{d.mid_high:.1f}"
                held = d.source if d.source in HOLDS else ""
            if _keeps_status_quo(fc, k, sweep.get(name), issue):
                kept_sq.setdefault(name, []).append(issue.name)
                status = "status quo kept"
            if not np.isfinite(v):
                status = ", ".join(x for x in (status, fc.no_forecast_reason(k) or "no forecast") if x)
            rows.append([name, _fmt(v), mid, band, median, status])
            holds.append(held)
            unswept = unswept or held == "model error"
        columns, mixed = _interval_columns(holds)
        if mixed:
            rows = [[*r[:4], HOLDS[h] if h else "—", *r[4:]] for r, h in zip(rows, holds, strict=True)]
        lo, hi = issue.scale.labels
        tables.append(
            Table(
                f"{issue.name}  [{issue.scale.low:g} = {lo} … {issue.scale.high:g} = {hi}]",
                columns,
                rows,
                caption="",
            )
        )
    if ivals is not None and tables:
        tables[-1].caption = (
            "forecast: each model's own point forecast; 50 % / 90 % interval: the range holding 50 % / 90 % "
            "of the predictive distribution (the 25th–75th / 5th–95th percentile or, where the outcome is "
            "exactly one end of the scale with at least 25 % / 5 % chance, from that end), "
            + (
                f"input uncertainty (a Monte Carlo sweep) combined with model error learned on "
                f"{ivals.error_n:,} decided cases ({ivals.error_source}); docs/calibration.md §3."
                if ivals.error_n
                else "over a Monte Carlo sweep of the inputs' uncertainty only (no error model)."
            )
            + (
                " A model the sweep does not run has the model-error part alone (interval holds: "
                f"{HOLDS['model error']})."
                if unswept
                else ""
            )
            + " Predictive median: the median of that distribution. A forecast can lie outside its "
            "intervals: they follow where outcomes fell after such forecasts, not the forecast itself. "
            "The report says each forecast in words."
        )
        if ivals.caveat:
            notes.append(ivals.caveat)
    elif sweep:
        tables[-1].caption = (
            "90% interval: 5th–95th percentile over a Monte Carlo sweep of the inputs' uncertainty "
            "(see the uncertainty tables below); '—' where a model was not swept or gives no forecast."
        )
    missing: dict[str, dict[str, list[str]]] = {}  # model -> reason -> issues without a forecast
    for name, fc in results.items():
        for k, issue in enumerate(scenario.issues):
            why = fc.no_forecast_reason(k)
            if why:
                missing.setdefault(name, {}).setdefault(why, []).append(issue.name)
    for name, by_reason in missing.items():
        for why, issues in by_reason.items():
            notes.append(
                f"{name} gives no forecast on {', '.join(issues)} ({why}); it is left out of the models' range."
            )
    # with a model-error part the interval shown has a width; the sweep's alone has none (issue #14)
    no_width = (
        "its interval over the perturbed inputs alone has no width (the 90% interval shown is its model error)"
        if ivals is not None and ivals.error_n
        else "its 90% interval has no width"
    )
    for name, issues in kept_sq.items():
        notes.append(
            f"{name} on {', '.join(issues)}: no outcome leaves every actor better off than the status quo "
            "(actors stand on both sides of it, so every move hurts someone), so the Nash bargaining "
            f"solution is the status quo itself in at least 90% of the draws and {no_width}."
            if name == "nbs"
            else f"{name} on {', '.join(issues)}: the forecast stays at the status quo in at least 90% of the "
            f"draws, so {no_width}."
        )
    if ivals is not None and ivals.error_n:
        notes.extend(_outside_notes(ivals, scenario))
    manifest = {
        "models": {name: {"params": fc.params, "seed": fc.seed} for name, fc in results.items()},
        "input_sha256": next(iter(results.values())).scenario_hash if results else "",
        "interval_caveat": ivals.caveat if ivals is not None else "",
        "interval_caveat_short": ivals.caveat_short if ivals is not None else "",
    }
    by_id = {i.id: i for i in scenario.issues}
    briefs = list(job.briefs)
    headline = [brief_sentence(by_id[b.issue], b) for b in briefs]
    return Part(
        headline=headline,
        brief=briefs,
        name="forecasts",
        tables=tables,
        sections=[scenario_section(scenario), forecast_section(scenario, results, tables, ivals)],
        manifest=manifest,
        notes=notes,
    )
