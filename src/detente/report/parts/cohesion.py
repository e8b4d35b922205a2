"""Part ``cohesion``: how far apart two actor groups stand (e.g. the US and the European allies) and a
coalition map of all actors (docs/uncertainty.md §Cohesion)."""

from __future__ import annotations

import html as _html
from typing import Any

import numpy as np

from detente.analysis.main_job import COHESION_CUT as CUT
from detente.analysis.main_job import COHESION_GROUPS as DEFAULT_GROUPS
from detente.analysis.main_job import MainJobResult
from detente.analysis.main_job import cohesion_groups as pick_groups
from detente.core.scenario import Scenario
from detente.report.base import Part, Section, Table
from detente.report.charts import declutter_labels
from detente.report.figure import Figure, bar, scatter
from detente.report.parts import computed

__all__ = ["CUT", "DEFAULT_GROUPS", "build", "pick_groups"]
MAP_PLOT_PX = (900.0, 380.0)
"""Rough size in pixels of the coalition map's plotting area (to tell which labels would collide)."""


def _f(v: float) -> str:
    return "—" if not np.isfinite(v) else f"{v:.3g}"


def _pair(c: Any, a: str, b: str, names: dict[str, str]) -> tuple[Table, str, Figure, list[str]]:
    """The two groups' table, caption, distance chart and the issues that split them most."""
    rows = []
    order = sorted(
        range(len(c.issue_ids)),
        key=lambda k: -(c.split_share[k] if np.isfinite(c.split_share[k]) else -1.0),
    )
    for k in order:
        share = c.split_share[k]
        rows.append(
            [
                names[c.issue_ids[k]],
                _f(float(c.mean_a[k])),
                _f(float(c.mean_b[k])),
                _f(float(c.distance[k])),
                "—" if not np.isfinite(share) else f"{share:.0%}",
            ]
        )
    table = Table(
        f"Cohesion {a} – {b}: index {_f(c.index)} (1 = same positions wherever both care; 0 = opposite ends)",
        [
            "issue",
            f"{a} (salience-weighted)",
            f"{b} (salience-weighted)",
            "distance",
            "share of the split",
        ],
        rows,
        caption=f"within {a}: {_f(c.within_a)}; within {b}: {_f(c.within_b)}",
    )
    splits = [names[s[0]] for s in c.splits(2) if s[2] > 0]
    caption = (
        f"The cohesion index of {a} and {b} is {_f(c.index)}: the salience-weighted distance between every member "
        f"of one group and every member of the other, averaged over the issues and subtracted from 1. "
        + (
            f"What splits them most: {', '.join(splits)}."
            if splits
            else "They stand together on every issue."
        )
    )
    figure = Figure(
        [
            bar(
                y=[names[i] for i in c.issue_ids],
                x=[float(v) for v in c.distance],
                orientation="h",
                marker={"color": "#54a24b"},
            )
        ],
        layout={
            "title": {"text": f"Distance between {a} and {b} per issue (issue units)"},
            "height": 120 + 34 * len(c.issue_ids),
            "margin": {"l": 60, "r": 20, "t": 60, "b": 40},
            "yaxis": {"autorange": "reversed", "automargin": True},
        },
    )
    return table, caption, figure, splits


def _coalition_map(scenario: Scenario, cm: Any, blocs: Any, labels: dict[str, str]) -> Figure:
    """The coalition map: one marker per point, labels that would collide merged (one name per line)."""
    fig = Figure()
    # actors at the same point (identical stances) share one marker; labels that would print over each
    # other (actors close together) are merged into one label on the highest of them, one name per line
    spots: list[tuple[int, float, float, list[str]]] = []  # bloc, x, y, names
    for k, bl in enumerate(blocs):
        at: dict[tuple[float, float], list[str]] = {}
        for x in bl:
            c = cm.coords[scenario.actor_ids.index(x)]
            at.setdefault((round(float(c[0]), 6), round(float(c[1]), 6)), []).append(labels[x])
        spots += [(k, p[0], p[1], v) for p, v in at.items()]
    xs, ys = [s[1] for s in spots], [s[2] for s in spots]
    span_x = max(max(xs, default=0.0) - min(xs, default=0.0), 1e-9) * 1.1
    span_y = max(max(ys, default=0.0) - min(ys, default=0.0), 1e-9) * 1.1
    px = min(MAP_PLOT_PX[0] / span_x, MAP_PLOT_PX[1] / span_y)  # equal scales (scaleanchor)
    texts = declutter_labels(xs, ys, [", ".join(s[3]) for s in spots], px_per_x=px, px_per_y=px)
    for k in range(len(blocs)):
        mine = [n for n, s in enumerate(spots) if s[0] == k]
        fig.add(
            scatter(
                x=[xs[n] for n in mine],
                y=[ys[n] for n in mine],
                mode="markers+text",
                text=[texts[n] for n in mine],
                textposition="top center",
                cliponaxis=False,
                hovertext=[_html.escape(", ".join(spots[n][3])) + f" (bloc {k + 1})" for n in mine],
                hoverinfo="text",
                name=f"bloc {k + 1}",
                marker={"size": [12 + 4 * (len(spots[n][3]) - 1) for n in mine]},
            )
        )
    fig.update_layout(
        title={"text": "Coalition map: actors placed so that distances reflect how far apart they stand"},
        height=480,
        margin={"l": 40, "r": 20, "t": 60, "b": 40},
        xaxis={"zeroline": False},
        yaxis={"zeroline": False, "scaleanchor": "x"},
    )
    return fig


def _who(scenario: Scenario, name: str) -> str:
    """A group's id, or an actor's name where ``name`` is an actor id and no group."""
    if name in scenario.groups():
        return name
    return next((a.label for a in scenario.actors if a.id == name), name)


def members(scenario: Scenario, pair: tuple[str, str], most: int = 4) -> str:
    """Who the two groups are, as a reader knows them: the scenario gives groups ids only
    (``Actor.groups``, no display names), so each id with its members' names ("us: United States;
    european_allies: European Union, United Kingdom, France, Germany"); an actor id (``--groups``
    takes those too) is left out, its name being its own label."""
    labels = {a.id: a.label for a in scenario.actors}
    groups = scenario.groups()
    said = []
    for g in pair:
        named = [labels.get(m, m) for m in groups.get(g, ())]
        if named:
            more = f" and {len(named) - most} more" if len(named) > most else ""
            said.append(f"{g}: {', '.join(named[:most])}{more}")
    return f" ({'; '.join(said)})" if said else ""


def build(job: MainJobResult) -> Part:
    """Cohesion of two groups and the coalition map (renders the main job's cohesion results)."""

    scenario: Scenario = job.scenario
    coh = computed(job.cohesion, "cohesion")
    cm = coh.coalitions
    labels = {a.id: a.label for a in scenario.actors}
    names = {i.id: i.name for i in scenario.issues}
    tables: list[Table] = []
    figures: list[Figure] = []
    notes: list[str] = []
    pair = coh.groups
    manifest: dict[str, object] = {"cut": CUT, "groups": list(pair) if pair else None}
    caption_parts: list[str] = []
    splits: list[str] = []
    if pair is None:
        notes.append(
            "cohesion: the scenario defines fewer than two actor groups; only the coalition map is shown"
        )
    else:
        a, b = pair
        c = computed(coh.cohesion, "cohesion")
        manifest["index"] = c.index if np.isfinite(c.index) else None
        table, caption, figure, splits = _pair(c, a, b, names)
        tables.append(table)
        caption_parts.append(caption)
        figures.append(figure)
    blocs = cm.blocs()
    tables.append(
        Table(
            f"Coalition map: blocs of actors with similar positions (average linkage, cut {CUT:g} of the scale)",
            ["bloc", "actors"],
            [[str(k), ", ".join(labels[x] for x in bl)] for k, bl in enumerate(blocs, 1)],
        )
    )
    figures.append(_coalition_map(scenario, cm, blocs, labels))
    caption_parts.append(
        "On the map, actors close together hold similar positions across the issues they care about; colours mark "
        "blocs found by joining the closest actors first until blocs are more than a fifth of the scale apart. "
        "Actors too close to label one by one share a label listing them from the top; hover over a dot for its "
        "actors. The axes have no units of their own."
    )
    section = Section(
        "cohesion", "Alliance cohesion and coalitions", " ".join(caption_parts), figures, tables
    )
    headline: list[str] = []
    if pair is not None and manifest.get("index") is not None:
        a, b = pair
        headline.append(
            f"Cohesion of {_who(scenario, a)} and {_who(scenario, b)}{members(scenario, (a, b))}: "
            f"{manifest['index']:.2f} on a 0–1 scale (1 = same positions where both care)"
            + (
                f"; what splits them most: {', '.join(splits)}."
                if splits
                else "; they stand together on every issue."
            )
        )
    return Part(
        name="cohesion", tables=tables, sections=[section], manifest=manifest, notes=notes, headline=headline
    )
