"""Simulator part: the ceasefire track month by month (simulator.md; issue 6).

Runs the bargaining-while-fighting simulator on the scenario's ``dynamics:`` (the ukraine-2025
defaults when the built-in column scenario has none) and a few what-if variants that change one
switch each. Terminal tables for ``detente run``: the headline numbers and how runs end. Report
sections: survival curves (time to first ceasefire / settlement), the terms reached per issue and a
what-if table (guarantees on/off, sanctions early/late, costs since 2022 counted).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from detente.analysis.main_job import MainJobResult, SimRun, Simulation
from detente.analysis.sim_job import MONTHS, RUNS_FULL, RUNS_QUICK, WHAT_IF
from detente.report.base import Part, Section, Table
from detente.report.figure import Figure, bar, scatter, subplots
from detente.sim.config import ISSUES
from detente.sim.words import (
    HEADLINE_WORDS,
    ISSUE_TITLES,
    VALUE_WORDS,
    ending_word,
    headline_words,
    value_word,
)

__all__ = ["MONTHS", "RUNS_FULL", "RUNS_QUICK", "WHAT_IF", "build"]
MIN_SETTLEMENTS = 30
"""Fewer settled runs than this: the terms chart shows the late-phase variant instead."""


def _values(issue: str, dist: dict[str, float]) -> list[tuple[str, float]]:
    """(value in words, share of settlements) in scale order; every value of a small issue, even at 0 %."""
    shares = {float(k): v for k, v in dist.items()}
    if issue in VALUE_WORDS:
        for v in VALUE_WORDS[issue]:
            shares.setdefault(v, 0.0)
    return [(value_word(issue, f"{v:g}"), shares[v]) for v in sorted(shares)]


def _runs(n: int) -> str:
    return f"{n:,} run" + ("" if n == 1 else "s")


def _terms_note(n_settled: int) -> str:
    """Why the terms chart shows the late-phase variant: too few settlements as configured."""
    who = (
        "No run reaches"
        if n_settled == 0
        else f"Only {_runs(n_settled)} " + ("reaches" if n_settled == 1 else "reach")
    )
    return (
        f"{who} a comprehensive settlement within {MONTHS} months as configured, so the chart shows the "
        "late-phase variant (costs of the war since February 2022 counted)."
    )


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def _num(x: float | None, nd: int = 1) -> str:
    return "–" if x is None else f"{x:.{nd}f}"


def _survival_figure(sv: Mapping[str, Any], n_months: int) -> Figure:
    months = list(range(n_months + 1))
    fig = Figure()
    for key, name in (
        ("no_ceasefire", "no ceasefire yet"),
        ("no_settlement", "no settlement yet"),
        ("war_not_ended", "war not ended (settlement, frozen ceasefire or decision)"),
    ):
        fig.add(scatter(x=months, y=sv[key], mode="lines", name=name, line={"shape": "hv"}))
    fig.update_layout(
        xaxis={"title": {"text": "months from June 2025"}},
        yaxis={"title": {"text": "share of runs"}, "range": [0, 1.02]},
        height=360,
        margin={"l": 50, "r": 20, "t": 30, "b": 40},
        legend={"orientation": "h", "y": -0.25},
    )
    return fig


def _terms_figure(tm: Mapping[str, Any]) -> Figure:
    """One panel per issue (its own axis and value words): how often each value appears in the settlements.

    The line of separation spans the top row; the small issues sit two by two below it (four in a row
    left each panel a fifth of the width: at 1280 px their titles and value words printed over each other).
    """
    small = [i for i in ISSUES if i != "terr"]
    cols = 2
    rows = 1 + (len(small) + cols - 1) // cols
    specs: list[list[Any]] = [[{"colspan": cols}] + [None] * (cols - 1)]
    specs += [[{} if k + c < len(small) else None for c in range(cols)] for k in range(0, len(small), cols)]
    fig = subplots(
        rows,
        cols,
        specs=specs,
        titles=[ISSUE_TITLES[i] for i in ("terr", *small)],
        vertical_spacing=0.3 / rows,
        horizontal_spacing=0.12,
    )
    for n, issue in enumerate(("terr", *small)):
        vals = _values(issue, tm.get(issue) or {})
        row, col = (1, 1) if issue == "terr" else (2 + (n - 1) // cols, 1 + (n - 1) % cols)
        fig.add(
            bar(
                x=[w if issue == "terr" else w.replace(" ", "<br>") for w, _ in vals],  # narrow panels
                y=[v for _, v in vals],
                marker={"color": "#3b6ea5"},
                showlegend=False,
                name=ISSUE_TITLES[issue],
                hovertemplate="%{x}: %{y:.0%} of settlements<extra></extra>",
            ),
            row,
            col,
        )
        fig.update_axes("x", row, col, type="category", tickangle=0, tickfont={"size": 10})
        fig.update_axes("y", row, col, range=[0, 1.05], tickformat=".0%")
    for row in range(1, rows + 1):
        fig.update_axes("y", row, 1, title={"text": "share of settlements"})
    fig.update_layout(height=250 * rows + 60, margin={"l": 60, "r": 20, "t": 50, "b": 40}, bargap=0.3)
    return fig


def _what_if(variants: tuple[SimRun, ...]) -> Table:
    rows = []
    for v in variants:
        h, cf = v.headline, v.ceasefire
        rows.append(
            [
                v.label,
                _pct(h["p_ceasefire_6"]),
                _pct(h["p_ceasefire_12"]),
                _pct(v.settled),
                _pct(h["p_sanctions"]),
                _pct(cf["share_broken"]),
                _num(cf["duration_broken_months"]["median"]),
            ]
        )
    table = Table(
        title="What if: one switch at a time",
        columns=[
            "variant",
            "ceasefire ≤6 mo",
            "≤12 mo",
            f"settled ≤{MONTHS} mo",
            "US sanctions",
            "broken",
            "mo. to break",
        ],
        rows=rows,
        caption=(
            "Each row changes one switch and reruns the same number of runs with the same seed. 'broken': share "
            "of ceasefires that broke down; 'mo. to break': median months until they did."
        ),
    )
    return table


def build(job: MainJobResult) -> Part:
    """The simulator part of ``detente run`` and of the report (renders the main job's simulation)."""
    scenario = job.scenario
    seed = job.options.seed
    sim: Simulation | None = job.simulation
    if sim is None:
        return Part(
            name="simulator",
            notes=[f"scenario {scenario.id} has no dynamics: section; simulator skipped"],
            headline=[
                "Ceasefire track: not simulated; the scenario has no dynamics: section (docs/simulator.md)."
            ],
        )
    runs = sim.runs
    h = sim.base.headline
    o = sim.outcomes
    head = Table(
        title="Ceasefire track (simulator)",
        columns=["measure", "value"],
        rows=[
            [words, _pct(h[code]) if share else _num(h[code], 2)]
            for code in HEADLINE_WORDS
            for words, share in [headline_words(code, MONTHS)]
        ],
        caption=f"{runs:,} simulated runs of {MONTHS} months from June 2025; seed {seed}.",
    )
    ends = Table(
        title=f"How the runs stand after {MONTHS} months",
        columns=["ending", "share of runs"],
        rows=[[ending_word(k), _pct(v)] for k, v in o["shares"].items()],
    )
    what_if = _what_if(sim.what_if)
    # terms: from the configured run, or from the late phase when too few runs settle to show a distribution
    # (comprehensive settlements come 8-13 months after a first ceasefire: docs/simulator.md)
    tm, terms_note = sim.base.terms, ""
    n_base = sim.base.terms["n_settlements"]
    if n_base < MIN_SETTLEMENTS and sim.what_if:
        tm = sim.what_if[-1].terms  # the last what-if: costs since 2022 counted (the late phase)
        terms_note = " " + _terms_note(n_base)
    terms_rows = [
        [
            ISSUE_TITLES[i],
            "; ".join(f"{w}: {_pct(v)}" for w, v in _values(i, tm.get(i) or {}) if v > 0) or "–",
        ]
        for i in ISSUES
    ]
    terms_table = Table(
        title=f"Terms of the settlements ({_runs(tm['n_settlements'])})",
        columns=["issue", "value: share of the settlements"],
        rows=terms_rows,
    )
    sections = [
        Section(
            id="sim-survival",
            title="When could the fighting stop?",
            caption=(
                "Share of simulated runs in which no ceasefire (or no settlement) has happened yet, month by "
                "month. A flat line near 100% means the stalling the column expects continues; a drop shows "
                "when ceasefires become likely. Ceasefires can break down, so 'war not ended' can stay high "
                "even after ceasefires start."
            ),
            figures=[_survival_figure(sim.survival, sim.months)],
            tables=[ends],
        ),
        Section(
            id="sim-terms",
            title="On what terms?",
            caption=(
                "How often each value of each issue appears in the settlements the runs reach." + terms_note
            ),
            figures=[_terms_figure(tm)],
            tables=[terms_table],
        ),
        Section(
            id="sim-what-if",
            title="What changes the odds?",
            caption=(
                "Each row switches one thing: whether Europe's standing offer of monitoring and reassurance is "
                "on the table, whether a binding guarantee is, when the US imposes sanctions, and whether the "
                "parties count the costs of the war since 2022 when deciding how much to concede."
            ),
            tables=[what_if],
        ),
    ]
    manifest = {
        "simulator": {
            "runs": runs,
            "months": MONTHS,
            "seed": seed,
            "dynamics": sim.dynamics,
        }
    }
    headline = [
        f"Ceasefire track ({runs:,} simulated runs): a first ceasefire within 6 months in {_pct(h['p_ceasefire_6'])} "
        f"of runs and within 12 months in {_pct(h['p_ceasefire_12'])}; US sanctions within {MONTHS} months in "
        f"{_pct(h['p_sanctions'])}; US–Europe alignment after the summit {_num(h['alignment_mean'], 2)} on a 0–1 scale."
    ]
    return Part(
        name="simulator", tables=[head, what_if], sections=sections, manifest=manifest, headline=headline
    )
