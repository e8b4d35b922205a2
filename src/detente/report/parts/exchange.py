"""Exchange-model part: who traded votes with whom, on which issues, and what it did to the outcomes.

Runs the equal-gain exchange model (Stokman & van Oosten 1994; models.md §5) once, plus a small
batch with random exchange rates (``p = 1``: any rate both sides still gain from) to show how much
the forecast depends on the terms of trade. Terminal tables for ``detente run``; report sections:
the exchange network per round (actors on a circle, trades as edges) and the outcome of every
issue before and after the trades.
"""

from __future__ import annotations

import html as _html
import math
from typing import Any

import numpy as np

from detente.analysis.main_job import EXCHANGE_ROUNDS, MainJobResult
from detente.core.results import Forecast
from detente.core.scale import to_unit
from detente.core.scenario import Scenario
from detente.report.base import Part, Section, Table
from detente.report.figure import Figure, scatter
from detente.report.parts import computed

ROUNDS = EXCHANGE_ROUNDS
"""Exchange phases in the report run (set in detente.analysis.main_job, which runs the model)."""

MAX_ROWS = 15
"""Exchanges listed in the terminal table (the report lists all)."""


def _fmt(v: float) -> str:
    return "—" if not np.isfinite(v) else f"{v:.1f}"


def _esc(text: str) -> str:
    return _html.escape(str(text))


class _Units:
    """Unit-scale values of the model back to each issue's own units."""

    def __init__(self, scenario: Scenario) -> None:
        self.issues = {i.id: i for i in scenario.issues}
        self.names = {a.id: a.label for a in scenario.actors}

    def pos(self, issue_id: str, unit: float) -> float:
        return self.issues[issue_id].scale.from_unit(unit)

    def move(self, issue_id: str, unit: float) -> float:
        sc = self.issues[issue_id].scale
        return float(unit * (sc.high - sc.low))

    def issue(self, issue_id: str) -> str:
        return self.issues[issue_id].name

    def actor(self, actor_id: str) -> str:
        return self.names.get(actor_id, actor_id)


def _pct(gain: float) -> str:
    """Gains are salience × share of the scale; shown ×100 (salience-weighted percentage points)."""
    return f"{100 * gain:.2f}"


def _exchange_rows(ex: list[dict[str, Any]], u: _Units) -> list[list[str]]:
    rows = []
    for n, e in enumerate(ex, start=1):
        rows.append(
            [
                str(n),
                u.actor(e["i"]),
                f"{u.issue(e['p'])}: {_fmt(u.pos(e['p'], e['y_i_before']))} → {_fmt(u.pos(e['p'], e['y_i_after']))}",
                u.actor(e["j"]),
                f"{u.issue(e['q'])}: {_fmt(u.pos(e['q'], e['y_j_before']))} → {_fmt(u.pos(e['q'], e['y_j_after']))}",
                f"{u.issue(e['p'])} {u.move(e['p'], e['dO_p']):+.1f}; {u.issue(e['q'])} {u.move(e['q'], e['dO_q']):+.1f}",
                f"{_pct(e['gain_i'])} / {_pct(e['gain_j'])}",
            ]
        )
    return rows


_EX_COLUMNS = [
    "#",
    "actor",
    "moves its vote on",
    "partner",
    "partner moves on",
    "outcome shift",
    "gains, actor / partner (×100)",
]
GAINS_UNIT = "Gains: salience × share of the scale, ×100"
"""The unit of every gain shown (:func:`_pct`), said under each table of gains."""
_SHORT_COLUMNS = ["#", "gives way", "in return", "gain each"]


def _short_rows(ex: list[dict[str, Any]], u: _Units) -> list[list[str]]:
    """Compact rows for the terminal: who moved where on which issue, and the gain."""
    rows = []
    for n, e in enumerate(ex, start=1):
        g_i, g_j = _pct(e["gain_i"]), _pct(e["gain_j"])
        rows.append(
            [
                str(n),
                f"{u.actor(e['i'])}: {u.issue(e['p'])} "
                f"{_fmt(u.pos(e['p'], e['y_i_before']))}→{_fmt(u.pos(e['p'], e['y_i_after']))}",
                f"{u.actor(e['j'])}: {u.issue(e['q'])} "
                f"{_fmt(u.pos(e['q'], e['y_j_before']))}→{_fmt(u.pos(e['q'], e['y_j_after']))}",
                g_i if g_i == g_j else f"{g_i} / {g_j}",
            ]
        )
    return rows


def _network_figure(scenario: Scenario, fc: Forecast, u: _Units) -> Figure:
    pred = fc.prediction
    ex: list[dict[str, Any]] = pred.extras["exchanges"]
    actors = list(scenario.actor_ids)
    A = len(actors)
    angle = {a: math.pi / 2 - 2 * math.pi * k / max(A, 1) for k, a in enumerate(actors)}
    xy = {a: (math.cos(t), math.sin(t)) for a, t in angle.items()}
    gains = np.asarray(pred.extras["gains"], dtype=float)
    ext = np.asarray(pred.extras["externalities"], dtype=float)
    counts = {a: sum(1 for e in ex if a in (e["i"], e["j"])) for a in actors}
    rounds = sorted({int(e["round"]) for e in ex}) or [1]
    max_gain = max([e["gain_i"] + e["gain_j"] for e in ex], default=1.0) or 1.0

    def traces(rnd: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        mine = [e for e in ex if int(e["round"]) == rnd]
        mid_x, mid_y, mid_text = [], [], []
        for e in mine:
            (x0, y0), (x1, y1) = xy[e["i"]], xy[e["j"]]
            width = 1.5 + 6.0 * (e["gain_i"] + e["gain_j"]) / max_gain
            out.append(
                scatter(
                    x=[x0, x1],
                    y=[y0, y1],
                    mode="lines",
                    line={"width": width, "color": "rgba(31,119,180,0.55)"},
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
            mid_x.append((x0 + x1) / 2)
            mid_y.append((y0 + y1) / 2)
            mid_text.append(
                f"<b>{_esc(u.actor(e['i']))} ↔ {_esc(u.actor(e['j']))}</b><br>"
                f"{_esc(u.actor(e['i']))} moves on {_esc(u.issue(e['p']))}: "
                f"{_fmt(u.pos(e['p'], e['y_i_before']))} → {_fmt(u.pos(e['p'], e['y_i_after']))}<br>"
                f"{_esc(u.actor(e['j']))} moves on {_esc(u.issue(e['q']))}: "
                f"{_fmt(u.pos(e['q'], e['y_j_before']))} → {_fmt(u.pos(e['q'], e['y_j_after']))}<br>"
                f"outcome shifts: {_esc(u.issue(e['p']))} {u.move(e['p'], e['dO_p']):+.1f}, "
                f"{_esc(u.issue(e['q']))} {u.move(e['q'], e['dO_q']):+.1f}<br>"
                f"gains: {_pct(e['gain_i'])} and {_pct(e['gain_j'])}"
            )
        out.append(
            scatter(
                x=mid_x,
                y=mid_y,
                mode="markers",
                marker={"size": 9, "color": "rgba(31,119,180,0.9)", "symbol": "diamond"},
                hovertext=mid_text,
                hoverinfo="text",
                showlegend=False,
                name="exchange",
            )
        )
        node_text = [
            f"<b>{_esc(u.actor(a))}</b><br>{counts[a]} exchange(s)<br>own gain {_pct(gains[k])}"
            f"<br>gain or loss from others' trades {float(ext[k]) * 100:+.2f}"
            for k, a in enumerate(actors)
        ]
        out.append(
            scatter(
                x=[xy[a][0] for a in actors],
                y=[xy[a][1] for a in actors],
                mode="markers+text",
                text=[u.actor(a) for a in actors],
                textposition="top center",
                marker={
                    "size": [12 + 4 * min(counts[a], 8) for a in actors],
                    "color": "rgba(255,127,14,0.85)",
                    "line": {"width": 1, "color": "#444"},
                },
                hovertext=node_text,
                hoverinfo="text",
                showlegend=False,
                name="actors",
            )
        )
        return out

    fig = Figure(traces(rounds[0]))
    if len(rounds) > 1:
        fig.frames = [{"data": traces(r), "name": str(r)} for r in rounds]
        fig.update_layout(
            sliders=[
                {
                    "steps": [
                        {
                            "label": f"round {r}",
                            "method": "animate",
                            "args": [
                                [str(r)],
                                {"mode": "immediate", "frame": {"duration": 0, "redraw": True}},
                            ],
                        }
                        for r in rounds
                    ]
                }
            ]
        )
    axis = {"visible": False, "range": [-1.35, 1.35]}
    fig.update_layout(
        title={"text": "Exchange network" + (f" (round {rounds[0]})" if len(rounds) > 1 else "")},
        xaxis=axis,
        yaxis={**axis, "scaleanchor": "x"},
        height=560,
        margin={"l": 20, "r": 20, "t": 60, "b": 20},
    )
    return fig


def _before_after_figure(
    scenario: Scenario, before: np.ndarray, after: np.ndarray, rr: tuple[np.ndarray, np.ndarray]
) -> Figure:
    names = [i.name for i in scenario.issues]
    scales = [i.scale for i in scenario.issues]
    pct_b = 100 * to_unit(before, scales)
    pct_a = 100 * to_unit(after, scales)
    r_lo, r_hi = 100 * to_unit(rr[0], scales), 100 * to_unit(rr[1], scales)
    fig = Figure()
    fig.add(
        scatter(
            x=np.concatenate([r_lo, r_hi]).tolist(),
            y=names + names,
            mode="markers",
            marker={"symbol": "line-ns-open", "size": 14, "color": "grey"},
            name="random-rate range (10–90 %)",
            hovertext=[
                f"{n}: random rates give {_fmt(a)}–{_fmt(b)}"
                for n, a, b in zip(names, rr[0], rr[1], strict=True)
            ]
            * 2,
            hoverinfo="text",
        )
    )
    for k, n in enumerate(names):
        fig.add(
            scatter(
                x=[pct_b[k], pct_a[k]],
                y=[n, n],
                mode="lines",
                line={"color": "lightgrey", "width": 3},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    fig.add(
        scatter(
            x=pct_b.tolist(),
            y=names,
            mode="markers",
            marker={"size": 11, "symbol": "circle-open", "color": "#1f77b4"},
            name="before trading (sincere positions)",
            hovertext=[f"{n}: {_fmt(v)} before trading" for n, v in zip(names, before, strict=True)],
            hoverinfo="text",
        )
    )
    fig.add(
        scatter(
            x=pct_a.tolist(),
            y=names,
            mode="markers",
            marker={"size": 11, "color": "#d62728"},
            name="after trading",
            hovertext=[f"{n}: {_fmt(v)} after trading" for n, v in zip(names, after, strict=True)],
            hoverinfo="text",
        )
    )
    fig.update_layout(
        title={"text": "Outcome per issue before and after the exchanges"},
        xaxis={
            "title": {"text": "position on the issue's scale (% from its low end to its high end)"},
            "range": [-3, 103],
        },
        height=140 + 38 * len(names),
        margin={"l": 200, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def build(job: MainJobResult) -> Part:
    """Tables for ``detente run`` and report sections of the exchange model (renders the main job)."""
    scenario: Scenario = job.scenario
    seed = job.options.seed
    if "exchange" not in job.forecasts:
        raise RuntimeError(f"model exchange could not run: {job.model_errors.get('exchange', 'not run')}")
    fc = job.forecasts["exchange"]  # the standard model: one phase of trades (rounds=1), then the vote
    u = _Units(scenario)
    pred = fc.prediction
    ex: list[dict[str, Any]] = pred.extras["exchanges"]
    after = np.asarray(fc.outcome, dtype=float)
    variants = computed(job.exchange, "exchange")
    before = computed(variants.before, "exchange")  # outcome of sincere votes
    draws = variants.draws
    rr = (variants.low, variants.high)
    notes: list[str] = []
    if len(scenario.issues) < 2:
        notes.append(
            "the exchange model needs at least two issues: with one issue nobody can trade, so it equals the compromise"
        )
    elif not ex:
        notes.append(
            "no pair of actors could trade to mutual advantage: the exchange forecast equals the compromise"
        )

    rows_ex = _exchange_rows(ex, u)
    t_ex = Table(
        f"Exchanges of voting positions (equal gain; {len(ex)} in all"
        + (f", first {MAX_ROWS} shown" if len(ex) > MAX_ROWS else "")
        + ")",
        _SHORT_COLUMNS,
        _short_rows(ex, u)[:MAX_ROWS],
        caption="Each row is a trade: an actor moves its vote on an issue it cares little about toward its partner, "
        "who does the same on another issue; both gain equally. "
        f"{GAINS_UNIT}.",
    )
    out_rows = []
    for k, issue in enumerate(scenario.issues):
        out_rows.append(
            [
                issue.name,
                _fmt(before[k]),
                _fmt(after[k]),
                f"{after[k] - before[k]:+.1f}",
                f"{_fmt(rr[0][k])}–{_fmt(rr[1][k])}",
                issue.scale.describe(float(after[k]), reference=issue.reference),
            ]
        )
    t_out = Table(
        "Exchange model: outcome before and after trading",
        ["issue", "before", "after", "shift", "random rates (10–90 %)", "in words"],
        out_rows,
        caption="Before = capability × salience weighted mean of sincere positions; after = the same of the voting "
        f"positions once all profitable trades are made. The range re-runs {draws} times with random terms of trade.",
    )
    gains = np.asarray(pred.extras["gains"], dtype=float)
    ext = np.asarray(pred.extras["externalities"], dtype=float)
    who = sorted(range(len(scenario.actors)), key=lambda k: -(gains[k] + ext[k]))
    t_who = Table(
        "Who gains from the trades",
        ["actor", "exchanges", "own gain", "from others' trades", "total"],
        [
            [
                scenario.actors[k].label,
                str(sum(1 for e in ex if scenario.actors[k].id in (e["i"], e["j"]))),
                _pct(gains[k]),
                f"{100 * ext[k]:+.2f}",
                f"{100 * (gains[k] + ext[k]):+.2f}",
            ]
            for k in who
        ],
        caption="Own gain: what an actor's own trades bring it; others' trades move outcomes toward or away from "
        "actors who did not take part (externalities). Units: salience × share of the scale, ×100.",
    )

    sections: list[Section] = []
    if ex:
        sections.append(
            Section(
                "exchange-network",
                "Exchange model: who trades votes with whom",
                "Each dot on the circle is an actor; a line joins two actors who traded votes, thicker for bigger "
                "gains. Hover over the diamond in the middle of a line to see who moved on which issue, how far, and "
                "what each side gained. Actors trade when one cares more about an issue than the other does about "
                "a second issue: each gives way where it cares less (Stokman & van Oosten 1994).",
                [_network_figure(scenario, fc, u)],
                [
                    Table(
                        "All exchanges, in the order they were made",
                        _EX_COLUMNS,
                        rows_ex,
                        caption="Positions (before → after) and outcome shifts are in each issue's own units. "
                        f"{GAINS_UNIT} (the actor's gain / the partner's; equal-gain trades give both the same).",
                    )
                ],
            )
        )
    sections.append(
        Section(
            "exchange-outcomes",
            "Exchange model: how trading moves the outcomes",
            "Open circles: where each issue would settle if every actor voted its sincere position (the capability × "
            "salience weighted mean). Filled dots: where it settles after all profitable vote trades. Grey ticks: the "
            "range when the terms of each trade are drawn at random between what the two sides would still accept. "
            + (notes[0] if notes else ""),
            [_before_after_figure(scenario, before, after, rr)],
            [t_out, t_who],
        )
    )
    manifest = {
        "model": "exchange",
        "params": fc.params,
        "seed": seed,
        "input_sha256": fc.scenario_hash,
        "n_exchanges": len(ex),
        "random_rate_draws": draws,
    }
    tables = [t_out] + ([t_ex, t_who] if ex else [])
    return Part("exchange", tables=tables, sections=sections, manifest=manifest, notes=notes)
