"""``detente simulate``: the bargaining-while-fighting (ceasefire) simulator (simulator.md, issue 6)."""

from __future__ import annotations

import math
from typing import Annotated, Any

import typer

from detente.cli.choices import Format, Preset
from detente.cli.common import (
    DEFAULT_SCENARIO,
    check_fits,
    check_min,
    console,
    fail,
    load_scenario,
    parse_sets,
    print_csv,
    print_json,
    scenario_argument,
    show_progress,
)
from detente.defaults import SIM_RUNS

MAX_MONTHS = 1200  # 100 years of monthly rounds
# peak memory per run and month of `detente simulate` on ukraine-2025: 127 bytes (peak RSS 132 MB at
# 20,000 runs, 254 MB at 60,000, 24 months; 2026-12-07), for --draws × --months beyond the machine
RUN_MONTH_BYTES = 128.0

MONTHLY_COLUMNS = ["month", "p_ceasefire", "p_settlement", "p_decision", "p_sanctions"]
"""``simulate --format csv``: the cumulative probability of each event by month."""


def build_config(scenario_ref: str, preset_name: str | None, sets: dict[str, str]) -> tuple[Any, Any]:
    """(scenario or None, GameConfig): the scenario's ``dynamics:``, then the preset, then ``--set``."""
    from detente.analysis.sim_job import simulation_config
    from detente.errors import DetenteError
    from detente.io.builtin import builtin_names
    from detente.sim.config import GameConfig, preset, with_overrides

    scenario = None
    try:
        if scenario_ref == DEFAULT_SCENARIO and DEFAULT_SCENARIO not in builtin_names():
            cfg = GameConfig()  # the ukraine-2025 defaults live in sim/config.py
        else:
            scenario = load_scenario(scenario_ref)
            found = simulation_config(scenario)  # as the report and the dashboard decide
            if found is None:  # refuse rather than print the Ukraine numbers under another scenario's name
                fail(
                    f"{scenario_ref}: no `dynamics:` section; the simulator needs one "
                    "(see docs/simulator.md, 'Scenario files: the dynamics: section')"
                )
            cfg = found
        if preset_name:
            cfg = preset(preset_name, cfg)
        if sets:
            cfg = with_overrides(cfg, sets)
    except DetenteError as exc:
        fail(f"{scenario_ref}: {exc}" if scenario is not None else str(exc))
    return scenario, cfg


def run_simulation(cfg: Any, runs: int, months: int, seed: int) -> Any:
    from detente.errors import DetenteError
    from detente.sim.engine import simulate

    try:
        if show_progress():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            from detente.cli.common import err_console

            with Progress(
                TextColumn("simulating"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("months"),
                TimeElapsedColumn(),
                console=err_console,
                transient=True,
            ) as bar:
                task = bar.add_task("simulate", total=months)
                return simulate(
                    cfg,
                    n_runs=runs,
                    seed=seed,
                    months=months,
                    progress=lambda k, total: bar.update(task, completed=k),
                )
        return simulate(cfg, n_runs=runs, seed=seed, months=months)
    except DetenteError as exc:
        fail(str(exc))


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def _num(x: Any, fmt: str = "{:.2f}") -> str:
    return "–" if x is None else fmt.format(x)


def _is_nan(key: str) -> bool:
    """A settlement term's key (its value as text) that is not a value: the issue was not bargained over."""
    try:
        return math.isnan(float(key))
    except ValueError:
        return False


def render_table(doc: dict[str, Any], title: str) -> None:
    from rich.table import Table
    from rich.text import Text

    from detente.sim.words import ISSUE_LABELS, ending_word, headline_words, value_word

    console.print(
        Text.assemble((title, "bold"), f"  runs {doc['runs']} · months {doc['months']} · seed {doc['seed']}")
    )
    if "first_mover_share" in doc:
        t = Table(title="Rubinstein reference mode")
        t.add_column("first mover's share", justify="right")
        t.add_column("agreement round", justify="right")
        # as the JSON has it (rounded to 5 decimals there): "{:.6f}" showed 0.71428 as 0.714280, a
        # sixth digit that is not the model's (5/7 = 0.714286)
        t.add_row(_num(doc["first_mover_share"], "{:g}"), str(doc["agreement_round"]))
        console.print(t)
    fe = doc["outcomes"].get("fearon")
    if fe:
        t = Table(title="Fearon reference mode")
        for c in ("Russia's offer", "bargaining range", "war probability", "first offer accepted"):
            t.add_column(c, justify="right")
        lo, hi = fe["bargaining_range"]
        t.add_row(
            _num(fe["offer"]), f"[{lo:.2f}, {hi:.2f}]", _pct(fe["p_war"]), _pct(fe["first_offer_accepted"])
        )
        console.print(t)
    months = [
        m
        for m in doc["monthly"]
        if m["month"] in (1, 3, 6, 9, 12, 18, 24, 30, 36) or m["month"] == doc["months"]
    ]
    t = Table(title="Cumulative probability by month")
    for c in ("month", "first ceasefire", "settlement", "military decision", "US sanctions"):
        t.add_column(c, justify="right")
    for m in months:
        t.add_row(
            str(m["month"]),
            _pct(m["p_ceasefire"]),
            _pct(m["p_settlement"]),
            _pct(m["p_decision"]),
            _pct(m["p_sanctions"]),
        )
    console.print(t)
    o = doc["outcomes"]
    t = Table(title="How the runs end")
    t.add_column("ending")
    t.add_column("share", justify="right")
    for k, v in o["shares"].items():
        t.add_row(ending_word(k), _pct(v))
    console.print(t)
    cf = o["ceasefires"]
    t = Table(title="Ceasefires, sanctions and the summit")
    t.add_column("measure")
    t.add_column("value", justify="right")
    t.add_row("runs with a ceasefire", _pct(cf["runs_with_any"]))
    t.add_row("ceasefires per run (mean)", _num(cf["mean_per_run"]))
    t.add_row("share broken down", _pct(cf["share_broken"]))
    t.add_row(  # one decimal, as the report's what-if table ("mo. to break") shows the same number
        "median months until breakdown", _num(cf["duration_broken_months"]["median"], "{:.1f}")
    )
    t.add_row(  # guarantee level 2 or 3 (docs/simulator.md, packages)
        "ceasefires with EU monitoring or a binding guarantee",
        _pct(sum(v for k, v in cf["guar"].items() if int(k) >= 2 and v) if cf["guar"] else None),
    )
    t.add_row(headline_words("p_sanctions", doc["months"])[0], _pct(o["sanctions"]["p_by_end"]))
    t.add_row(headline_words("alignment_mean")[0], _num(o["summit"]["alignment_mean"]))
    t.add_row(headline_words("p_strong_communique")[0], _pct(o["summit"]["p_strong_communique"]))
    console.print(t)
    tm = doc["terms"]
    if tm["n_settlements"]:
        n = tm["n_settlements"]
        t = Table(title=f"Terms of the {n} settlement{'' if n == 1 else 's'} (share per value)")
        t.add_column("issue")
        t.add_column("term: share of settlements")
        for issue in ("terr", "buf", "cap", "align", "guar"):
            # a reference mode (--preset) bargains over the land alone: the other terms are not values
            # ("nan" in the JSON), not a row of "nan: 100.0%"
            shares = {k: v for k, v in tm[issue].items() if not _is_nan(k)}
            if shares:
                t.add_row(
                    ISSUE_LABELS[issue],
                    "  ".join(f"{value_word(issue, k)}: {_pct(v)}" for k, v in shares.items()),
                )
        console.print(t)
        console.print("land under Russia: its share of the contested land after the settlement", style="dim")


def simulate(
    scenario: Annotated[
        str, scenario_argument("Built-in name or scenario file (its dynamics: section)")
    ] = DEFAULT_SCENARIO,
    draws: Annotated[
        int,
        typer.Option(
            "--draws",
            "-n",
            help="Number of Monte Carlo draws (the same default as detente run and the dashboard).",
        ),
    ] = SIM_RUNS,
    months: Annotated[int, typer.Option("--months", help="Months to simulate (monthly rounds).")] = 24,
    seed: Annotated[int, typer.Option("--seed", help="The one random seed.")] = 0,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override a parameter: NAME=VALUE (repeatable).")
    ] = None,
    preset_name: Annotated[Preset | None, typer.Option("--preset", help="A reference mode.")] = None,
    fmt: Annotated[
        Format,
        typer.Option(
            "--format", help="How to print the result (csv: the cumulative probabilities by month)."
        ),
    ] = Format.table,
) -> None:
    """Simulate bargaining while fighting month by month: ceasefires, breakdowns, settlements, sanctions, the summit."""
    check_min("--draws", draws, 1)
    check_min("--months", months, 1)
    if months > MAX_MONTHS:
        fail(
            f"--months: expected an integer <= {MAX_MONTHS} (100 years of monthly rounds), received {months}"
        )
    check_min("--seed", seed, 0)
    check_fits("--draws", draws, months * RUN_MONTH_BYTES, f"{draws:,} runs of {months} months")
    sets = parse_sets(set_)
    preset = None if preset_name is None else str(preset_name)
    sc, cfg = build_config(scenario, preset, sets)
    result = run_simulation(cfg, draws, months, seed)
    from detente.io.documents import simulate_document

    doc = simulate_document(result, scenario=sc, preset=preset, params=sets)
    if fmt == Format.json:
        print_json(doc)
    elif fmt == Format.csv:
        print_csv(MONTHLY_COLUMNS, doc["monthly"])
    else:
        title = f"detente simulate {scenario}" + (f" --preset {preset}" if preset else "")
        render_table(doc, title)


def register(app: typer.Typer) -> None:
    app.command()(simulate)
