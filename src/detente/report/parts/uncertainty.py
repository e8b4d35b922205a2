"""Part ``uncertainty``: forecast intervals from a default Monte Carlo sweep (docs/uncertainty.md)."""

from __future__ import annotations

import numpy as np

from detente.analysis.main_job import FULL_DRAWS, QUICK_DRAWS, MainJobResult
from detente.analysis.main_job import SWEPT as MODELS
from detente.core.scenario import Scenario
from detente.report.base import Part, Section, Table
from detente.report.charts import box_traces
from detente.report.figure import scatter, subplots
from detente.report.parts import computed

__all__ = ["FULL_DRAWS", "MODELS", "QUICK_DRAWS", "build"]


def _f(v: float) -> str:
    return "—" if not np.isfinite(v) else f"{v:.1f}"


def build(job: MainJobResult) -> Part:
    """Forecast intervals of the main job's sweep: a table per issue and a box chart."""
    scenario: Scenario = job.scenario
    seed = job.options.seed
    sw = computed(job.sweep, "uncertainty")
    draws, pert, ens, points, notes = sw.draws, sw.perturbation, sw.ensembles, job.forecasts, list(sw.notes)
    summaries = dict(sw.summaries)
    tables = []
    n = len(scenario.issues)
    fig = subplots(n, 1, titles=[i.name for i in scenario.issues], vertical_spacing=0.35 / max(n, 1))
    for k, issue in enumerate(scenario.issues):
        rows = []
        names = list(summaries)
        for name in names:
            s = summaries[name][k]
            q = s.quantiles
            pt = float(points[name].outcome[k])
            status = ""
            if ens[name].dynamic and s.status:
                status = ", ".join(f"{st} {v:.0%}" for st, v in s.status.items())
            why = points[name].no_forecast_reason(k)
            if why and s.n_valid == 0:  # no forecast on this issue (e.g. no status quo given): say so
                rows.append([name, "—", "—", "—", why])
                continue
            rows.append(
                [name, _f(pt), f"{_f(q['5'])} – {_f(q['95'])}", f"{_f(q['25'])} – {_f(q['75'])}", status]
            )
        tables.append(
            Table(
                f"{issue.name}: 90 % and 50 % intervals from the inputs alone ({draws} draws)",
                [
                    "model",
                    "forecast",
                    "90 % interval (input uncertainty only)",
                    "50 % interval (input uncertainty only)",
                    "status of the draws",
                ],
                rows,
            )
        )
        for trace in box_traces(
            names,
            [summaries[m][k].quantiles["5"] for m in names],
            [summaries[m][k].quantiles["25"] for m in names],
            [summaries[m][k].quantiles["50"] for m in names],
            [summaries[m][k].quantiles["75"] for m in names],
            [summaries[m][k].quantiles["95"] for m in names],
        ):
            fig.add(trace, k + 1, 1)
        fig.add(
            scatter(
                x=[float(points[m].outcome[k]) for m in names],
                y=names,
                mode="markers",
                marker={"symbol": "diamond", "size": 10, "color": "#e45756"},
                name="point forecast",
                showlegend=k == 0,
            ),
            k + 1,
            1,
        )
        pad = 0.02 * issue.scale.width
        fig.update_axes("x", k + 1, 1, range=[issue.scale.low - pad, issue.scale.high + pad])
    fig.update_layout(
        height=220 * n + 100,
        margin={"l": 110, "r": 20, "t": 60, "b": 40},
        title={
            "text": "Input uncertainty alone (box: middle 50 % of draws; whiskers: 90 %; diamond: point forecast)"
        },
    )
    caption = (
        f"Each model was re-run on {draws} versions of the scenario in which every actor's position, salience and "
        f"capability was varied within its stated uncertainty (where a stance gives none: {pert.position_sd:.0%} of the "
        f"scale for positions, ±{pert.salience_sd:g} salience, ±{pert.capability_sd:.0%} capability). A wide interval "
        "means the forecast hinges on inputs nobody knows precisely; read the point forecast together with it. "
        + (
            "These intervals leave out how far the models have missed real outcomes; the intervals with that "
            "model error are in the brief and the forecasts tables, and are wider. "
            if job.intervals is not None and job.intervals.error_n
            else ""
        )
        + f"Same seed ({seed}), same numbers."
    )
    section = Section(
        "uncertainty",
        "Uncertainty from the inputs: forecast intervals without model error",
        caption,
        [fig] if summaries else [],
        tables,
    )
    manifest = {
        "draws": draws,
        "seed": seed,
        "perturbation": pert.as_dict(),
        "models": {m: {"chunk_size": e.chunk_size, "n_chunks": e.n_chunks} for m, e in ens.items()},
    }
    return Part(name="uncertainty", tables=tables, sections=[section], manifest=manifest, notes=notes)
