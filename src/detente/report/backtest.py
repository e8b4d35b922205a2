"""HTML report of ``detente backtest``: leaderboard, error distributions, subgroups, calibration.

Computes nothing new beyond grouping the backtest's per-issue errors (metrics come from
``detente.analysis.backtest``); rendered with the shared self-contained template
(``report.html``: plotly.js inlined once, no network).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from detente.analysis.backtest import BacktestResult, coverage, in_sample_note
from detente.analysis.backtest_calibration import zero_width_note
from detente.analysis.backtest_groups import (
    MIN_PROPOSALS_CI,
    SMALL,
    SPLITS,
    TOO_FEW,
    has_interval,
    split_levels,
    subgroup_leaderboard,
)
from detente.core.text import bracket
from detente.report.base import Part, Section, Table
from detente.report.charts import add_axis_lines, box_traces_from_samples, histogram_bar
from detente.report.figure import Figure, bar, scatter, subplots

LEVELS = (0.5, 0.8, 0.9)

EQUAL_TAILED_GROUP = "equal_tailed"
"""Legend group of the reliability diagram's dashed equal-tailed lines: one legend entry shows or hides all."""

RELIABILITY_HEIGHT = 460
"""Height of the reliability diagram in px before its legend rows (the legend sits under the chart)."""

MODEL_COLOURS = (
    "#2E91E5", "#E15F99", "#1CA71C", "#FB0D0D", "#DA16FF", "#222A2A", "#B68100", "#750D86",
    "#EB663B", "#511CFB", "#00A08B", "#FB00D1", "#FC0080", "#B2828D", "#6C7C32", "#778AAE",
    "#862A16", "#A777F1", "#620042", "#1616A7", "#DA60CA", "#6C4516", "#0D2A63", "#AF0038",
)  # fmt: skip
"""One colour per model in the reliability diagram: plotly's qualitative palette "Dark24"
(``plotly.colors.qualitative.Dark24`` of the plotly Python package, MIT licence, Plotly Technologies Inc.)."""


def _f(v: float, d: int = 2) -> str:
    return "–" if not math.isfinite(v) else f"{v:.{d}f}"


def leaderboard_section(rows: list[dict[str, Any]]) -> Section:
    cols = [
        "model",
        "n",
        "MAE [95 % CI]",
        "RMSE [95 % CI]",
        "hit ≤ 10 [95 % CI]",
        "median AE",
        "per-proposal MAE",
        "Δ MAE vs compromise [95 % CI]",
        "CRPS",
        "80 % coverage",
    ]
    body = []
    for r in rows:
        d = r.get("diff_vs_compromise")
        body.append([
            r["model"], str(r["n"]), f"{_f(r['mae'])} {bracket(r['mae_ci'])}", f"{_f(r['rmse'])} {bracket(r['rmse_ci'])}",
            f"{_f(r['hit_rate'], 3)} {bracket(r['hit_rate_ci'], 3)}", _f(r["median_ae"]), _f(r["per_proposal_mae"]),
            "baseline" if d is None else f"{d['diff']:+.2f} {bracket((d['low'], d['high']), sign='+')}",
            _f(r["crps"]) if "crps" in r else "", _f(r["coverage80"]) if "coverage80" in r else "",
        ])  # fmt: skip
    names = [r["model"] for r in rows]
    mae = [r["mae"] for r in rows]
    lo = [r["mae"] - r["mae_ci"][0] for r in rows]
    hi = [r["mae_ci"][1] - r["mae"] for r in rows]
    fig = Figure(
        [
            bar(
                x=mae,
                y=names,
                orientation="h",
                error_x={"type": "data", "symmetric": False, "array": hi, "arrayminus": lo},
                marker={"color": ["#888" if n == "compromise" else "#3b6ea5" for n in names]},
            )
        ]
    )
    fig.update_layout(
        title={"text": "Mean absolute error (0–100 scale) with 95 % proposal-bootstrap interval"},
        yaxis={"autorange": "reversed"},
        xaxis={"title": {"text": "MAE"}},
        height=120 + 28 * len(names),
        margin={"l": 140},
    )
    diffs = [(r["model"], r["diff_vs_compromise"]) for r in rows if r.get("diff_vs_compromise")]
    fig2 = Figure([bar(
        x=[d["diff"] for _, d in diffs], y=[n for n, _ in diffs], orientation="h",
        error_x={"type": "data", "symmetric": False, "array": [d["high"] - d["diff"] for _, d in diffs],
                 "arrayminus": [d["diff"] - d["low"] for _, d in diffs]},
        marker={"color": ["#2a9d55" if d["high"] < 0 else ("#c0392b" if d["low"] > 0 else "#999")
                          for _, d in diffs]},
    )])  # fmt: skip
    fig2.update_layout(
        title={"text": "Paired difference |e_model| − |e_compromise| (negative = better than compromise)"},
        yaxis={"autorange": "reversed"},
        height=120 + 28 * len(diffs),
        margin={"l": 140},
    )
    return Section(
        id="leaderboard",
        title="Leaderboard",
        caption=(
            "Each model forecast every issue with a recorded outcome. Lower error is better; the bracketed ranges "
            "come from re-drawing whole proposals 2,000 times. A model only counts as better than the compromise "
            "model if its paired difference interval lies entirely below zero; with about 200 issues, differences "
            "smaller than roughly 3 points cannot be detected."
        ),
        figures=[fig, fig2],
        tables=[Table("Leaderboard", cols, body)],
    )


def error_distribution_section(res: BacktestResult, names: list[str]) -> Section:
    y = res.outcome
    errs = []
    for n in names:
        e = np.abs(res.forecasts[n] - y)
        errs.append(e[np.isfinite(e)])
    fig = Figure(box_traces_from_samples(names, errs, show_mean=True))
    fig.update_layout(
        title={
            "text": "Absolute errors per issue (box = quartiles, line = median, whiskers = 5–95 %, × = mean)"
        },
        xaxis={"title": {"text": "|forecast − outcome|"}},
        yaxis={"autorange": "reversed"},
        showlegend=False,
        height=140 + 30 * len(names),
        margin={"l": 140},
    )
    return Section(
        id="errors",
        title="Error distributions",
        caption=(
            "How far each forecast landed from the real outcome, issue by issue. Outcomes cluster at 0, 100 and round "
            "numbers, so even good models miss some issues by 50 points or more."
        ),
        figures=[fig],
    )


def subgroup_section(
    res: BacktestResult,
    names: list[str],
    meta: dict[str, dict[str, str]],
    groups: list[dict[str, Any]] | None = None,
) -> Section:
    """MAE per model by Council rule, procedure and both (``analysis.backtest_groups``), with intervals."""
    rows_all = subgroup_leaderboard(res, meta) if groups is None else groups
    tables = []
    figs = []
    for key, label in SPLITS:
        rows = [r for r in rows_all if r["split"] == key and r["model"] in names]
        levels = split_levels(rows, key)
        if not levels:
            continue
        cell = {(r["model"], r["level"]): r for r in rows}
        n_of = {r["level"]: r["n_proposals"] for r in rows}
        n_iss = {lev: max(r["n"] for r in rows if r["level"] == lev) for lev in levels}
        fig = Figure()
        for lev in levels:
            rs = [cell.get((n, lev)) for n in names]
            mae = [r["mae"] if r else float("nan") for r in rs]
            lo = [r["mae"] - r["mae_ci"][0] if r and has_interval(r) else 0.0 for r in rs]
            hi = [r["mae_ci"][1] - r["mae"] if r and has_interval(r) else 0.0 for r in rs]
            fig.add(
                bar(
                    name=f"{lev} ({n_iss[lev]})",
                    x=names,
                    y=mae,
                    error_y={"type": "data", "symmetric": False, "array": hi, "arrayminus": lo},
                )
            )
        fig.update_layout(
            barmode="group",
            title={"text": f"MAE by {label} (95 % proposal-bootstrap intervals)"},
            yaxis={"title": {"text": "MAE"}},
            height=380,
        )
        body = []
        for n in names:
            line = [n]
            for lev in levels:
                r = cell.get((n, lev))
                d = (r or {}).get("diff_vs_compromise")
                ok = r is not None and has_interval(r)
                ci = bracket(r["mae_ci"], 1) if ok and r else f"({TOO_FEW})"
                diff = (
                    ""
                    if d is None
                    else f" (Δ {d['diff']:+.1f}{' ' + bracket((d['low'], d['high']), 1, '+') if ok else ''})"
                )
                crps = "" if r is None or "crps_predictive" not in r else f"; CRPS {_f(r['crps_predictive'])}"
                line.append("–" if r is None else f"{_f(r['mae'])} {ci}{diff}{crps}")
            body.append(line)
        tables.append(
            Table(
                f"MAE by {label}",
                ["model"] + [f"{lev} ({n_iss[lev]} issues, {n_of[lev]} proposals)" for lev in levels],
                body,
                caption="MAE [95 % interval, resampling proposals]; Δ = paired difference to the compromise model "
                f"with its interval; CRPS of the calibrated predictive distribution where the model has one. Subsets under {SMALL} issues (e.g. QMV(10)) are shown for completeness only; under {MIN_PROPOSALS_CI} proposals the interval is degenerate and reads '{TOO_FEW}'.",
            )
        )
        figs.append(fig)
    return Section(
        id="subgroups",
        title="Errors by procedure and decision rule",
        caption=(
            "The same forecasts split by legislative procedure (COD = co-decision, CNS = consultation), by the "
            "Council's voting rule (QMV = qualified majority, Unan = unanimity) and by both. The procedural and "
            "rule_compromise models read these rules (docs/decision_rules.md)."
        ),
        figures=figs,
        tables=tables,
    )


def calibration_section(res: BacktestResult) -> Section:
    names = list(res.ensembles)
    if not names:
        return Section(
            id="calibration",
            title="Calibration of the intervals",
            caption="No model in this run produced probabilistic forecasts (ensembles), so there are no intervals to calibrate.",
        )
    y = res.outcome
    fig = Figure()
    rows = []
    pit_fig = Figure()
    for n in names:
        ens = res.ensembles[n]
        ok = np.isfinite(y) & np.all(np.isfinite(ens), axis=1)
        covs = []
        for lev in LEVELS:
            lo, hi = np.quantile(ens[ok], [0.5 - lev / 2, 0.5 + lev / 2], axis=1)
            covs.append(coverage(lo, hi, y[ok]))
        rows.append([n] + [_f(c) for c in covs])
        fig.add(scatter(x=list(LEVELS), y=covs, mode="lines+markers", name=n))
        # PIT with randomisation at ties (ensembles are discrete): P(X < y) + U·P(X = y)
        below = (ens[ok] < y[ok, None]).mean(axis=1)
        eq = (ens[ok] == y[ok, None]).mean(axis=1)
        u = np.linspace(0.05, 0.95, ok.sum()) if ok.any() else np.zeros(0)
        pit_fig.add(histogram_bar(below + u * eq, start=0.0, end=1.0, size=0.1, name=n, opacity=0.6))
    fig.add(scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "#999"}, name="ideal"))
    fig.update_layout(
        title={"text": "Share of outcomes inside the central interval vs its nominal level"},
        xaxis={"title": {"text": "nominal"}},
        yaxis={"title": {"text": "observed"}},
        height=380,
    )
    pit_fig.update_layout(barmode="overlay", title={"text": "PIT histogram (flat = calibrated)"}, height=320)
    return Section(
        id="calibration",
        title="Calibration of the intervals",
        caption=(
            "For models that give a range (repeated runs with different seeds), how often the real outcome fell inside "
            "the range. A well-calibrated 80 % range contains the outcome 80 % of the time; far less means the model is "
            "over-confident."
        ),
        figures=[fig, pit_fig],
        tables=[Table("Interval coverage", ["model"] + [f"{int(lv * 100)} %" for lv in LEVELS], rows)],
    )


PIT_TITLE_FONT = 11
"""Font size of the PIT histograms' model names (plotly's 16 ran the names of 3 columns into each other
at 390 px)."""


def pit_title(model: str, width: int = 10) -> str:
    """A PIT histogram's title: a model name longer than ``width`` characters breaks after its first
    underscore ("conformal_<br>compromise"), so three columns of names fit a phone-wide page."""
    head, sep, tail = model.partition("_")
    return f"{head}{sep}<br>{tail}" if len(model) > width and sep and tail else model


def predictive_section(rows: list[dict[str, Any]], settings: dict[str, Any]) -> Section:
    """Reliability diagram, PIT histograms (one per model) and the proper scores of the predictive
    distributions (issue #14; numbers from ``analysis.prob_scores`` via the leaderboard rows)."""
    prob = sorted(
        (r for r in rows if r.get("n_prob")), key=lambda r: (not math.isfinite(r["crps"]), r["crps"])
    )
    # one colour per model, shared by its equal-tailed line: with the default 10-colour cycle the 2 lines
    # per model made compromise and conformal_compromise the same green (QA). The dashed equal-tailed lines
    # share one legend entry (legendgroup): with an entry each, 37 entries ran 888 px down the side of a
    # 420 px chart (scrolled at 1280 px, covering every line at 390 px); the legend sits under the chart.
    rel = Figure()
    for k, r in enumerate(prob):
        pts = r.get("reliability") or []
        colour = MODEL_COLOURS[k % len(MODEL_COLOURS)]
        rel.add(
            scatter(
                x=[p["nominal"] for p in pts],
                y=[p["observed"] for p in pts],
                mode="lines+markers",
                name=r["model"],
                line={"color": colour},
            )
        )
        if pts and pts[0].get("observed_equal_tailed") is not None:
            rel.add(
                scatter(
                    x=[p["nominal"] for p in pts],
                    y=[p["observed_equal_tailed"] for p in pts],
                    mode="lines",
                    line={"dash": "dash", "color": colour},
                    name=f"{r['model']} (equal-tailed)",
                    legendgroup=EQUAL_TAILED_GROUP,
                    showlegend=False,
                    visible="legendonly",
                )
            )
    if any(t.get("legendgroup") == EQUAL_TAILED_GROUP for t in rel.data):
        rel.add(
            scatter(
                x=[None],
                y=[None],
                mode="lines",
                line={"dash": "dash", "color": "#555"},
                name="equal-tailed ranges (dashed, each model's colour)",
                legendgroup=EQUAL_TAILED_GROUP,
                visible="legendonly",
                hoverinfo="skip",
            )
        )
    rel.add(scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "#999"}, name="ideal"))
    rel.update_layout(
        title={
            "text": "Reliability: share of outcomes inside the interval holding the nominal level (10–90 %)"
        },
        xaxis={"title": {"text": "nominal coverage"}, "range": [0, 1]},
        yaxis={"title": {"text": "observed coverage"}, "range": [0, 1]},
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 0,
            "yanchor": "bottom",
            "yref": "container",
            "font": {"size": 11},
        },
        height=RELIABILITY_HEIGHT + 22 * math.ceil((len(prob) + 2) / 4),
    )
    ncol = 3
    nrow = max(1, math.ceil(len(prob) / ncol))
    pit = subplots(nrow, ncol, titles=[pit_title(r["model"]) for r in prob], shared_yaxes=True)
    for a in pit.layout.get("annotations", []):
        a["font"] = {"size": PIT_TITLE_FONT}
    flats: list[tuple[str, float, int, int]] = []  # the flat (calibrated) level of each model's histogram
    for k, r in enumerate(prob):
        counts = r.get("pit_hist") or []
        nb = max(len(counts), 1)
        pit.add(
            bar(
                x=[(j + 0.5) / nb for j in range(len(counts))],
                y=counts,
                width=1.0 / nb,
                marker={"color": "#3b6ea5"},
                showlegend=False,
                name=r["model"],
            ),
            k // ncol + 1,
            k % ncol + 1,
        )
        flats.append(("h", sum(counts) / nb if counts else 0.0, k // ncol + 1, k % ncol + 1))
        if k % ncol == 0:
            pit.update_axes("y", k // ncol + 1, 1, title={"text": "issues"})
        if k + ncol >= len(prob):  # the lowest histogram of its column
            pit.update_axes("x", k // ncol + 1, k % ncol + 1, title={"text": "PIT"})
    add_axis_lines(pit, flats, {"dash": "dot", "color": "#999"})
    pit.update_layout(
        title={"text": "PIT histograms (randomised at point masses; flat = calibrated)"},
        height=220 * nrow + 80,
        margin={"l": 60, "r": 20},  # plotly's 80 px each side left 3 columns of 36 px at 390 px
    )
    cols = ["model", "n", "CRPS [95 % CI]", "Δ CRPS vs conformal compromise [95 % CI]", "quantile CRPS", "IS 80 %",
            "cov 50 %", "cov 80 % [95 % CI]", "cov 90 %", "width 80 %", "equal-tailed 50/80/90",
            "PIT KS [95 % CI]"]  # fmt: skip
    body = []
    for r in prob:
        d = r.get("crps_diff_vs_conformal_compromise")
        body.append([
            r["model"], str(r["n_prob"]), f"{_f(r['crps'])} {bracket(r['crps_ci'])}",
            "baseline" if d is None else f"{d['diff']:+.2f} {bracket((d['low'], d['high']), sign='+')}",
            _f(r["crps_quantile"]), _f(r["interval_score80"], 1), _f(r["coverage50"]),
            f"{_f(r['coverage80'])} {bracket(r['coverage80_ci'])}", _f(r["coverage90"]), _f(r["width80"], 1),
            "/".join(_f(r.get(f"coverage_equal_tailed{c}", float("nan"))) for c in (50, 80, 90)),
            f"{_f(r['pit_ks'], 3)} {bracket(r['pit_ks_ci'], 3)}",
        ])  # fmt: skip
    how = (settings.get("calibration") or {}).get("description", "")
    why = zero_width_note(prob)
    return Section(
        id="calibration",
        title="How sure: predictive distributions on real outcomes",
        caption=(
            "Every model's forecast of every issue as a predictive distribution (point masses at 0 and 100 plus a "
            f"continuous part): {how}. A well-calibrated model's 80 % range contains the outcome 80 % of the time "
            "(points on the dotted diagonal) and its PIT histogram is flat; CRPS rewards ranges that are both "
            "calibrated and narrow (lower is better). Each range holds its nominal share of the forecast: where "
            "the chance of exactly 0 or 100 exceeds the tail, the range starts at that end instead of cutting "
            'equal tails (docs/calibration.md §3). The equal-tailed ranges (column "equal-tailed", dashed '
            'lines: click "equal-tailed ranges" in the legend) hold more than their level there, so they over-cover.'
            + (f" {why}" if why else "")
        ),
        figures=[rel, pit],
        tables=[Table("Predictive distributions", cols, body)],
    )


def backtest_part(
    res: BacktestResult,
    rows: list[dict[str, Any]],
    meta: dict[str, dict[str, str]],
    settings: dict[str, Any],
    groups: list[dict[str, Any]] | None = None,
) -> Part:
    names = [r["model"] for r in rows]
    notes = []
    in_sample = in_sample_note(res.forecasts)
    if in_sample:
        notes.append(in_sample)
    for n, errs in res.failures.items():
        notes.append(f"{n} failed on {len(errs)} proposal(s), e.g. {errs[0]}")
    for r in rows:
        st = {k: v for k, v in r.get("statuses", {}).items() if k != "closed_form"}
        if st:
            notes.append(
                f"{r['model']} run statuses (issue runs): "
                + ", ".join(f"{k} {v}" for k, v in sorted(st.items()))
            )
    return Part(
        name="backtest",
        sections=[
            leaderboard_section(rows),
            error_distribution_section(res, names),
            subgroup_section(res, names, meta, groups),
            predictive_section(rows, settings)
            if any(r.get("n_prob") for r in rows)
            else calibration_section(res),
        ],
        manifest=settings,
        notes=notes,
    )


def render_backtest_report(
    res: BacktestResult,
    rows: list[dict[str, Any]],
    meta: dict[str, dict[str, str]],
    settings: dict[str, Any],
    groups: list[dict[str, Any]] | None = None,
) -> str:
    """The self-contained HTML backtest report (plotly.js inlined once); ``groups``: the subgroup
    leaderboard (``analysis.backtest_groups.subgroup_leaderboard``), computed here if not given."""
    from detente import __version__
    from detente.report.html import render_report

    part = backtest_part(res, rows, meta, settings, groups)
    n = int(np.isfinite(res.outcome).sum())
    subtitle = f"{settings.get('data', '')} · {n} issues with an outcome · capability {settings.get('capability')} · detente {__version__}"
    return render_report(
        "Backtest on real EU decisions (DEU)",
        [part],
        manifest={**settings, "detente_version": __version__},
        subtitle=subtitle,
    )
