"""Part ``panel``: where the experts of a pooled scenario disagree, each expert's forecast beside the
pooled one, and how much of each interval is their disagreement (docs/panels.md). Renders
``MainJobResult.panel``; a scenario without a panel gives an empty part."""

from __future__ import annotations

from typing import Any

from detente.analysis.main_job import MainJobResult
from detente.core.text import possessive
from detente.report.base import Part, Section, Table
from detente.report.figure import Figure, scatter


def _g(v: float) -> str:
    return f"{v:.3g}"


def build(job: MainJobResult) -> Part:
    """Tables, a chart and one headline sentence from the main job's panel read-out."""
    r = job.panel
    if r is None:
        return Part(name="panel")
    sc = job.scenario
    names = {i.id: i.name for i in sc.issues}
    labels = {a.id: a.label for a in sc.actors}
    disputed = [
        [
            labels[d.actor],
            names[d.issue],
            ", ".join(f"{e} {p:g}" for e, p in d.positions),
            _g(d.position_sd),
            f"{100 * d.position_share:.0f}%",
        ]
        for d in r.disputed
    ]
    forecasts = [[names[i], _g(v), *(_g(r.by_expert[e][i]) for e in r.experts)] for i, v in r.pooled.items()]
    err = [f"model error ({r.error_n} decisions)"] if r.error_n else []
    parts = [
        [
            names[i],
            _g(p.experts),
            _g(p.noise),
            *([_g(p.model_error)] if r.error_n else []),
            f"{100 * p.experts_share:.0f}%",
        ]
        for i, p in r.intervals.items()
    ]
    tables = [
        Table(
            "Where the experts disagree most (position SD, and as a share of the scale)",
            ["actor", "issue", "experts' positions", "SD", "of scale"],
            disputed,
        ),
        Table(
            f"Each expert's forecast beside the pooled one ({r.model} model)",
            ["issue", f"pooled ({r.pool})", *r.experts],
            forecasts,
        ),
        Table(
            f"Width of the 90% interval by source ({r.draws} draws each)",
            ["issue", "expert disagreement", "assumed noise", *err, "experts' share"],
            parts,
            caption="Shares of variance: experts² / (experts² + noise² + model error²)."
            + ("" if r.error_n else " No model-error part: the forecasts carry no calibrated error model."),
        ),
    ]
    fig = Figure()
    issues = list(r.pooled)
    for e in r.experts:
        fig.add(
            scatter(
                x=[r.by_expert[e][i] for i in issues], y=[names[i] for i in issues], mode="markers", name=e
            )
        )
    fig.add(
        scatter(
            x=list(r.pooled.values()),
            y=[names[i] for i in issues],
            mode="markers",
            name=f"pooled ({r.pool})",
            marker={"symbol": "diamond", "size": 12, "color": "black"},
        )
    )
    fig.update_layout(
        title={"text": f"Forecasts of each expert's scenario and of the pooled one ({r.model} model)"},
        height=120 + 60 * len(issues),
        margin={"l": 220, "r": 20, "t": 60, "b": 40},
    )
    caption = (
        f"{len(r.experts)} experts answered the questionnaire; their answers were pooled by the {r.pool} and their "
        "spread became each stance's uncertainty. The dots show what each expert's own answers forecast; the "
        "tables show the stances they disagree on most and how much of each interval is their disagreement "
        "rather than the noise the sweep assumes."
    )
    section = Section("panel", "Expert panel: disagreement as uncertainty", caption, [fig], tables)
    headline = []
    if r.disputed:
        d = r.disputed[0]
        spread = max(r.intervals.items(), key=lambda kv: kv[1].experts_share)
        headline.append(
            f"The {len(r.experts)} experts disagree most on {possessive(labels[d.actor])} position on {names[d.issue]} "
            f"({', '.join(f'{e} {p:g}' for e, p in d.positions)}); their disagreement is "
            f"{100 * spread[1].experts_share:.0f}% of the uncertainty on {names[spread[0]]}."
        )
    manifest: dict[str, Any] = {
        "model": r.model,
        "pool": r.pool,
        "experts": list(r.experts),
        "draws": r.draws,
    }
    return Part(name="panel", tables=tables, sections=[section], manifest=manifest, headline=headline)
