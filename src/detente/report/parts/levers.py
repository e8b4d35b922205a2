"""Part ``levers``: the inputs that move each forecast most (tornado), each actor's knock-out effect and,
for each issue, what it would take to move the forecast by a tenth of the scale (docs/uncertainty.md)."""

from __future__ import annotations

from typing import Any

import numpy as np

from detente.analysis.main_job import LEVER_MODEL as MODEL
from detente.analysis.main_job import MainJobResult
from detente.core.scenario import Scenario
from detente.core.text import possessive
from detente.report.base import Part, Section, Table
from detente.report.figure import bar, subplots
from detente.report.parts import computed

TOP = 3


def _f(v: float) -> str:
    return "—" if not np.isfinite(v) else f"{v:.3g}"


def build(job: MainJobResult) -> Part:
    """Tornado, knock-out and what-it-takes tables and chart (renders the main job's lever results)."""
    scenario: Scenario = job.scenario
    seed, quick = job.options.seed, job.options.quick
    labels = {a.id: a.label for a in scenario.actors}
    names = {i.id: i.name for i in scenario.issues}
    lev = computed(job.levers, "levers")
    tor, ko, pert = lev.tornado, lev.knockout, lev.perturbation
    top_rows: list[list[str]] = []
    ko_rows: list[list[str]] = []
    take_rows: list[list[str]] = []
    n = len(scenario.issues)
    fig = subplots(n, 1, titles=[i.name for i in scenario.issues], vertical_spacing=0.35 / max(n, 1))
    notes: list[str] = []
    for k, issue in enumerate(scenario.issues):
        base = float(tor.base[k])
        best = tor.top(issue.id, 8 if not quick else 6)
        for rank, (c, lo, hi, sw) in enumerate(best[:TOP], start=1):
            where = "" if c.issue == issue.id else f" on {names[c.issue]}"
            top_rows.append(
                [
                    names[issue.id] if rank == 1 else "",
                    str(rank),
                    labels[c.actor],
                    f"{c.input}{where}",
                    f"{_f(c.low)} → {_f(c.high)}",
                    f"{_f(lo)} → {_f(hi)}",
                    _f(sw),
                ]
            )
        ranked = [(a, d) for a, d in ko.ranked(issue.id) if np.isfinite(d)]
        if ranked:
            a, d = ranked[0]
            ko_rows.append(
                [
                    names[issue.id],
                    _f(base),
                    labels[a],
                    _f(float(ko.without[ko.actor_ids.index(a), k])),
                    f"{d:+.3g}",
                ]
            )
        # what would it take to move the forecast a tenth of the scale up (or down if at the top)
        res = lev.searches[k]
        op, target = res.op, res.target
        easiest = res.feasible()[:1]
        if easiest:
            take_rows.append(
                [names[issue.id], f"{op} {target:.3g}", easiest[0].sentence(issue.name, f"{op} {target:.3g}")]
            )
        else:
            take_rows.append(
                [
                    names[issue.id],
                    f"{op} {target:.3g}",
                    "No single actor's position, salience or capability change within its range gets there.",
                ]
            )
        ys = [
            f"{labels[c.actor]} · {c.input}" + ("" if c.issue == issue.id else f" ({c.issue})")
            for c, *_ in best
        ][::-1]
        lows = [lo - base for _c, lo, _hi, _sw in best][::-1]
        highs = [hi - base for _c, _lo, hi, _sw in best][::-1]
        for xs, name, color in (
            (lows, "input at its low end", "#4c78a8"),
            (highs, "input at its high end", "#f58518"),
        ):
            fig.add(
                bar(
                    y=ys,
                    x=xs,
                    base=base,
                    orientation="h",
                    name=name,
                    marker={"color": color},
                    showlegend=k == 0,
                ),
                k + 1,
                1,
            )
    fig.update_layout(
        barmode="overlay",
        height=260 * n + 100,
        margin={"l": 200, "r": 20, "t": 60, "b": 40},
        title={"text": f"Tornado: what moves each forecast ({MODEL} model; bars start at the forecast)"},
    )
    tables = [
        Table(
            "Top levers per issue (one input at a time, within its uncertainty)",
            ["issue", "#", "actor", "input", "input low → high", "forecast low → high", "swing"],
            top_rows,
        ),
        Table(
            "Whose absence changes the forecast most",
            ["issue", "forecast", "without", "forecast then", "change"],
            ko_rows,
        ),
        Table(
            "What would it take to move each forecast a tenth of the scale (easiest single change)",
            ["issue", "target", "easiest lever"],
            take_rows,
        ),
    ]
    caption = (
        "Each bar shows how far an issue's forecast moves when one actor's position, salience or capability is set to "
        "the low or the high end of its plausible range while everything else stays as stated. Long bars are the levers: "
        "the inputs worth checking first, and the actors whose stance decides the outcome. The tables add whose absence "
        "matters most and the smallest single change that would shift each forecast by a tenth of its scale."
    )
    section = Section("levers", "Levers: what moves the forecasts", caption, [fig], tables)
    manifest: dict[str, Any] = {"model": MODEL, "seed": seed, "perturbation": pert.as_dict()}
    # the single strongest lever over all issues, as a share of its issue's scale
    strongest: tuple[float, str] | None = None
    for issue in scenario.issues:
        for c, lo, hi, sw in tor.top(issue.id, 1)[:1]:
            share = float(sw) / issue.scale.width
            if np.isfinite(share) and (strongest is None or share > strongest[0]):
                where = "" if c.issue == issue.id else f" on {names[c.issue]}"
                strongest = (
                    share,
                    f"Strongest single lever: {possessive(labels[c.actor])} {c.input}{where} — within its plausible range "
                    f"it moves the forecast on {issue.name} from {_f(lo)} to {_f(hi)} ({MODEL} model).",
                )
    headline = [strongest[1]] if strongest else []
    return Part(
        name="levers", tables=tables, sections=[section], manifest=manifest, notes=notes, headline=headline
    )
