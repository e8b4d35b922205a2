"""Spatial Model of Politics part: joint bargaining over three dimensions vs issue by issue.

For ``ukraine-2025`` the dimensions are ceasefire sequencing, security guarantees and the line of
separation; other scenarios use their first three issues. Tables for ``detente run``; report
sections: joint vs separate forecasts, positions by round per dimension, effective power per actor,
the largest moves and who they were agreed with.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from detente.analysis.main_job import SMP_PREFERRED, MainJobResult, smp_dimensions, sub_scenario
from detente.core.results import Forecast
from detente.core.scale import from_unit
from detente.core.scenario import Scenario
from detente.report.base import Part, Section, Table
from detente.report.figure import Figure, bar, scatter, subplots
from detente.report.parts import computed

PREFERRED: tuple[str, ...] = SMP_PREFERRED
choose_dimensions = smp_dimensions  # the dimensions the main job runs the model on
__all__ = ["PREFERRED", "build", "choose_dimensions", "sub_scenario"]


def _fmt(v: float) -> str:
    return "—" if not np.isfinite(v) else f"{v:.1f}"


def build(job: MainJobResult) -> Part:
    """Joint vs issue-by-issue forecasts, positions, power and moves of the spatial model (renders the main job)."""
    scenario: Scenario = job.scenario
    seed = job.options.seed
    run = computed(job.smp, "smp")
    dims, sc, joint, separate, draws = list(run.dims), run.scenario, run.joint, run.separate, run.draws
    s_lo, s_hi = run.low, run.high
    names = {a.id: a.label for a in scenario.actors}
    issues = list(sc.issues)

    # --- joint vs issue by issue -------------------------------------------------------------
    rows = []
    for k, issue in enumerate(issues):
        j, s = float(joint.outcome[k]), float(separate.outcome[k])
        rows.append(
            [
                issue.name,
                _fmt(j),
                _fmt(s),
                f"{j - s:+.1f}",
                f"{s_lo[k]:.1f}–{s_hi[k]:.1f}",
                issue.scale.describe(j, reference=issue.reference),
            ]
        )
    n_turns = int(np.asarray(joint.diagnostics.rounds).max())
    status = str(np.asarray(joint.diagnostics.status).ravel()[0])
    compare = Table(
        "Spatial model: bargaining over the package vs issue by issue",
        [
            "issue",
            "joint",
            "issue by issue",
            "difference",
            f"joint, {draws} random runs (10–90 %)",
            "joint in words",
        ],
        rows,
        caption=(
            f"Joint run: {n_turns} rounds, {status}. 'Joint' lets actors trade ground on one issue for "
            "ground on another within one bargain; 'issue by issue' runs the same model on each issue alone."
        ),
    )

    # --- effective power ------------------------------------------------------------------------
    pred = joint.prediction
    eff = np.asarray(pred.extras["effective_power"])[0]  # (A, D), constant over rounds
    risk = np.asarray(pred.extras["risk"])[:, :, 0]  # (T+1, A)
    order = np.argsort(-eff.sum(axis=1), kind="stable")
    power_rows = []
    for a in order:
        if eff[a].sum() <= 0:
            continue
        power_rows.append(
            [names[sc.actor_ids[a]]]
            + [f"{eff[a, d]:.2f}" for d in range(len(issues))]
            + [f"{risk[0, a]:+.2f}", f"{risk[-1, a]:+.2f}"]
        )
    power = Table(
        "Spatial model: effective power per actor (capability × salience)",
        ["actor"] + [i.name for i in issues] + ["risk attitude, start", "risk attitude, end"],
        power_rows,
        caption=(
            "Effective power is how much weight an actor brings to each issue. Risk attitude runs from −0.5 "
            "(risk-acceptant: its own position is the least likely to prevail, so it gambles) to +1 (risk-averse: "
            "its position is the likeliest winner, so it guards it)."
        ),
    )

    # --- largest moves and who they were agreed with -----------------------------------------
    moves = _moves_table(joint, sc, names)

    sections = [
        Section(
            "smp-joint",
            "Package bargaining: joint vs issue-by-issue forecasts",
            (
                "The spatial model lets every actor challenge another and agree on a compromise that moves both "
                "on all three issues at once. Where the joint forecast differs from the issue-by-issue one, "
                "concessions on one issue are being traded for gains on another. The range shows how much the "
                "joint result varies when each actor picks among its offers at random, weighted by how likely "
                "each offer is to win support."
            ),
            [_compare_figure(issues, joint, separate, s_lo, s_hi)],
            [compare],
        ),
        Section(
            "smp-positions",
            "Spatial model: positions by round",
            (
                "How each actor's position moves over the bargaining rounds of the joint run, one panel per issue. "
                "Flat lines are actors who accepted no bargain; the dashed line is the weighted average."
            ),
            [_positions_figure(joint, sc, names)],
            [],
        ),
        Section(
            "smp-power",
            "Spatial model: effective power per actor",
            "Who carries weight on which issue: capability times salience. Bigger bars pull the bargains harder.",
            [_power_figure(eff, sc, names)],
            [power],
        ),
    ]
    if moves is not None:
        sections.append(
            Section(
                "smp-moves",
                "Spatial model: the largest moves and who they were agreed with",
                "Each row is a bargain an actor accepted: whom it was agreed with, in which round, and how far "
                "it moved the actor on each issue.",
                [],
                [moves],
            )
        )
    manifest: dict[str, Any] = {
        "dimensions": dims,
        "joint": {"params": joint.params, "seed": seed},
        "separate": {"params": separate.params, "seed": seed},
        "stochastic_draws": draws,
    }
    notes = []
    if dims != list(PREFERRED):
        notes.append(f"smp: dimensions {', '.join(dims)} (the first issues of the scenario)")
    return Part(name="smp", tables=[compare, power], sections=sections, manifest=manifest, notes=notes)


def _moves_table(fc: Forecast, sc: Scenario, names: dict[str, str], top: int = 12) -> Table | None:
    ev = fc.events
    if ev is None or len(ev) == 0:
        return None
    bg = np.flatnonzero(np.isin(ev.kind, ("bargain", "challenge")))  # every row is an accepted move
    if not len(bg):
        return None
    span = np.array([i.scale.high - i.scale.low for i in sc.issues])
    D = len(sc.issues)
    present = {(s.actor, s.issue) for s in sc.stances}
    # one bargain = D consecutive rows (one per dimension)
    groups: dict[tuple[int, int], dict[int, tuple[float, float]]] = {}
    partner: dict[tuple[int, int], int] = {}
    for n in bg:
        if (sc.actor_ids[int(ev.actor[n])], sc.issue_ids[int(ev.issue[n])]) not in present:
            continue  # no stance there: the move is bookkeeping, not a concession
        key = (int(ev.round[n]), int(ev.actor[n]))
        groups.setdefault(key, {})[int(ev.issue[n])] = (float(ev.before[n]), float(ev.after[n]))
        partner[key] = int(ev.counterpart[n])
    scored = []
    for key, per in groups.items():
        size = sum(abs(a - b) * span[d] for d, (b, a) in per.items())
        scored.append((size, key))
    scored.sort(key=lambda t: (-t[0], t[1]))
    rows = []
    for size, (rnd, a) in scored[:top]:
        if size <= 1e-9:
            continue
        per = groups[(rnd, a)]
        cells = []
        for d in range(D):
            b, af = per.get(d, (np.nan, np.nan))
            cells.append(
                "—"
                if not np.isfinite(b)
                else f"{sc.issues[d].scale.from_unit(b):.1f} → {sc.issues[d].scale.from_unit(af):.1f}"
            )
        rows.append([str(rnd), names[sc.actor_ids[a]], names[sc.actor_ids[partner[(rnd, a)]]], *cells])
    if not rows:
        return None
    return Table(
        "Spatial model: largest moves",
        ["round", "actor", "agreed with", *[i.name for i in sc.issues]],
        rows,
        caption="The bargains that moved actors furthest (sum of moves over the issues).",
    )


def _compare_figure(issues: list[Any], joint: Forecast, separate: Forecast, lo: Any, hi: Any) -> Figure:
    labels = [i.name for i in issues]
    fig = Figure()
    fig.add(
        scatter(
            x=[float(v) for v in separate.outcome],
            y=labels,
            mode="markers",
            name="issue by issue",
            marker={"size": 12, "symbol": "circle-open"},
        )
    )
    fig.add(
        scatter(
            x=[float(v) for v in joint.outcome],
            y=labels,
            mode="markers",
            name="joint (package)",
            marker={"size": 12, "symbol": "diamond"},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [max(0.0, float(h - j)) for h, j in zip(hi, joint.outcome, strict=True)],
                "arrayminus": [max(0.0, float(j - lw)) for lw, j in zip(lo, joint.outcome, strict=True)],
            },
        )
    )
    fig.update_layout(
        title={"text": "Joint vs issue-by-issue forecast (bars: 10–90 % of random runs)"},
        height=140 + 70 * len(labels),
        margin={"l": 220, "r": 20, "t": 60, "b": 40},
        xaxis={"title": {"text": "forecast (issue units)"}},
    )
    return fig


def _positions_figure(fc: Forecast, sc: Scenario, names: dict[str, str]) -> Figure:
    traj = fc.trajectory_raw()
    assert traj is not None
    pred = fc.prediction
    mean = np.asarray(pred.extras["round_stats"]["mean"])
    mean = from_unit(mean, [i.scale for i in sc.issues])
    present = {(s.actor, s.issue) for s in sc.stances}
    D = len(sc.issues)
    fig = subplots(D, 1, titles=[i.name for i in sc.issues], vertical_spacing=0.3 / D)
    rounds = list(range(traj.shape[0]))
    for d, issue in enumerate(sc.issues):
        for a, aid in enumerate(sc.actor_ids):
            if (aid, issue.id) not in present:
                continue
            fig.add(
                scatter(
                    x=rounds,
                    y=traj[:, a, d],
                    mode="lines",
                    name=names[aid],
                    legendgroup=aid,
                    showlegend=d == 0,
                ),
                d + 1,
                1,
            )
        fig.add(
            scatter(
                x=rounds,
                y=mean[:, d],
                mode="lines",
                name="weighted average",
                line={"dash": "dash", "color": "black"},
                legendgroup="mean",
                showlegend=d == 0,
            ),
            d + 1,
            1,
        )
        fig.update_axes("y", d + 1, 1, range=[issue.scale.low, issue.scale.high])
    fig.update_axes("x", D, 1, title={"text": "round"})
    fig.update_layout(
        height=260 * D + 80, margin={"l": 60, "r": 20, "t": 60, "b": 40}, title={"text": "Positions by round"}
    )
    return fig


def _power_figure(eff: np.ndarray, sc: Scenario, names: dict[str, str]) -> Figure:
    keep = [a for a in range(len(sc.actor_ids)) if eff[a].sum() > 0]
    fig = Figure()
    for d, issue in enumerate(sc.issues):
        fig.add(
            bar(x=[names[sc.actor_ids[a]] for a in keep], y=[float(eff[a, d]) for a in keep], name=issue.name)
        )
    fig.update_layout(
        barmode="group",
        title={"text": "Effective power (capability × salience) per actor and issue"},
        height=380,
        margin={"l": 60, "r": 20, "t": 60, "b": 80},
        yaxis={"title": {"text": "capability × salience"}},
    )
    return fig
