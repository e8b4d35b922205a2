"""Part ``uncertainty``: forecast intervals from a default Monte Carlo sweep (docs/uncertainty.md)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from detente.analysis.montecarlo import prepare, run_ensemble
from detente.analysis.summary import summarize
from detente.core.perturb import Perturbation
from detente.core.scenario import Scenario
from detente.models import available_models, forecast, get_model
from detente.report.base import Part, Section, Table
from detente.report.charts import box_traces

MODELS: tuple[str, ...] = ("compromise", "median", "mean", "nbs", "eum")
QUICK_DRAWS = 300
FULL_DRAWS = 2000


def _f(v: float) -> str:
    return "—" if not np.isfinite(v) else f"{v:.1f}"


_CACHE: dict[tuple[str, int, int], tuple[dict[str, Any], dict[str, Any], list[str], Perturbation]] = {}


def run_sweeps(
    scenario: Scenario, *, seed: int, draws: int
) -> tuple[dict[str, Any], dict[str, Any], list[str], Perturbation]:
    """Ensembles and point forecasts of the default models; failures become notes.

    Cached per (scenario hash, seed, draws) so that :func:`intervals` and :func:`build` share one sweep.
    """
    from detente.core.hashing import scenario_hash

    key = (scenario_hash(scenario), seed, draws)
    if key not in _CACHE:
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[key] = _run_sweeps(scenario, seed=seed, draws=draws)
    return _CACHE[key]


def intervals(
    scenario: Scenario, *, seed: int = 0, quick: bool = True
) -> dict[str, dict[str, dict[str, float]]]:
    """``{model: {issue_id: {"5", "25", "50", "75", "95"}}}`` in issue units from the part's default sweep.

    For showing intervals next to point forecasts elsewhere (e.g. the forecasts part); it shares the
    sweep with :func:`build` through a small cache, so the work is done once per run.
    """
    ens, _points, _notes, _pert = run_sweeps(scenario, seed=seed, draws=QUICK_DRAWS if quick else FULL_DRAWS)
    return {name: {s.issue: dict(s.quantiles) for s in summarize(e)} for name, e in ens.items()}


def _run_sweeps(
    scenario: Scenario, *, seed: int, draws: int
) -> tuple[dict[str, Any], dict[str, Any], list[str], Perturbation]:
    pert = Perturbation.from_metadata(scenario.metadata)
    spec = prepare(scenario, pert)
    avail = set(available_models())
    ens: dict[str, Any] = {}
    points: dict[str, Any] = {}
    notes: list[str] = []
    for name in MODELS:
        if name not in avail:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = get_model(name)
                points[name] = forecast(model, scenario, seed=seed)
                ens[name] = run_ensemble(model, spec, pert, n_draws=draws, seed=seed)
        except Exception as exc:  # one model failing must not sink the report
            notes.append(f"uncertainty: model {name} could not run: {exc}")
    return ens, points, notes, pert


def build(scenario: Scenario, *, seed: int = 0, quick: bool = True) -> Part:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    draws = QUICK_DRAWS if quick else FULL_DRAWS
    ens, points, notes, pert = run_sweeps(scenario, seed=seed, draws=draws)
    summaries = {name: summarize(e) for name, e in ens.items()}
    tables = []
    n = len(scenario.issues)
    fig = make_subplots(
        rows=n, cols=1, subplot_titles=[i.name for i in scenario.issues], vertical_spacing=0.35 / max(n, 1)
    )
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
                f"{issue.name}: forecast with its 90 % and 50 % intervals ({draws} draws)",
                ["model", "forecast", "90 % interval", "50 % interval", "status of the draws"],
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
            fig.add_trace(trace, row=k + 1, col=1)
        fig.add_trace(
            go.Scatter(
                x=[float(points[m].outcome[k]) for m in names],
                y=names,
                mode="markers",
                marker={"symbol": "diamond", "size": 10, "color": "#e45756"},
                name="point forecast",
                showlegend=k == 0,
            ),
            row=k + 1,
            col=1,
        )
        pad = 0.02 * issue.scale.width
        fig.update_xaxes(range=[issue.scale.low - pad, issue.scale.high + pad], row=k + 1, col=1)
    fig.update_layout(
        height=220 * n + 100,
        margin={"l": 110, "r": 20, "t": 60, "b": 40},
        title="How sure are the forecasts? (box: middle 50 % of draws; whiskers: 90 %; diamond: point forecast)",
    )
    caption = (
        f"Each model was re-run on {draws} versions of the scenario in which every actor's position, salience and "
        f"capability was varied within its stated uncertainty (where a stance gives none: {pert.position_sd:.0%} of the "
        f"scale for positions, ±{pert.salience_sd:g} salience, ±{pert.capability_sd:.0%} capability). A wide interval "
        "means the forecast hinges on inputs nobody knows precisely; read the point forecast together with it. "
        f"Same seed ({seed}), same numbers."
    )
    section = Section(
        "uncertainty", "Uncertainty: forecast intervals", caption, [fig] if summaries else [], tables
    )
    manifest = {
        "draws": draws,
        "seed": seed,
        "perturbation": pert.as_dict(),
        "models": {m: {"chunk_size": e.chunk_size, "n_chunks": e.n_chunks} for m, e in ens.items()},
    }
    return Part(name="uncertainty", tables=tables, sections=[section], manifest=manifest, notes=notes)
