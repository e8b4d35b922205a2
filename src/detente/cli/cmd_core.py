"""Core commands: run (the main job), forecast, models, scenarios, report."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from detente.cli.choices import Format
from detente.cli.common import (
    DEFAULT_SCENARIO,
    check_dynamics,
    check_min,
    check_output_path,
    console,
    fail,
    load_scenario,
    parse_sets,
    print_json,
    scenario_argument,
    show_progress,
    warn_missing_error_models,
    write_text_atomic,
)
from detente.core.text import scenario_counts

REPORT_FILE = Path("detente-report.html")
"""Where ``run`` and ``report`` write the HTML report unless --report says otherwise."""
CalibrationOpt = Annotated[
    str,
    typer.Option(
        "--calibration",
        metavar="default|none|FILE",
        help="Where the model-error part of each interval comes from: 'default' the error models "
        "shipped with detente (learned on 210 EU decisions, DEU III), 'none' (input uncertainty "
        "only), or a file written by 'detente calibrate'.",
    ),
]


def error_models(value: str) -> Any:
    """The error models of ``--calibration`` (None for 'none'); one error line for a bad value."""
    from detente.errors import DetenteError
    from detente.io.error_models import resolve_calibration

    try:
        ems = resolve_calibration(value)
    except DetenteError as exc:
        fail(f"--calibration: {exc}")
    if ems == "crossfit":
        fail(
            "--calibration crossfit: only detente backtest cross-fits (it has the outcomes); use default, none or a file"
        )
    return None if ems == "none" else ems


def build_parts(
    scenario: Any, *, seed: int, quick: bool, only: list[str] | None = None, error_model: Any = None
) -> list[Any]:
    """Compute the main job once (``detente.analysis.main_job``), then render every part from it.

    A spinner on a terminal while it computes; each part's manifest gets the seconds its rendering took.
    """
    from detente.analysis.sim_job import job_for, start_simulation
    from detente.parallel import side_process
    from detente.report.parts import PART_MODULES

    names = tuple(n for n, _ in PART_MODULES if not only or n in only)
    sim = job_for(scenario, seed=seed, quick=quick) if "simulator" in names else None
    if sim is not None:
        sim.config()  # imports the simulator before the fork (both processes need it), checks dynamics:
    # the simulator in a second process while the models run here (same numbers; none on one CPU),
    # forked and given its runs before this process imports the models, the analyses and the report's
    # parts (the worker needs none of them)
    with side_process(sim is not None) as executor:
        pending = start_simulation(sim, executor)
        from detente.analysis.main_job import MainJobOptions, main_job
        from detente.report.parts import part_builders

        options = MainJobOptions(seed=seed, quick=quick, parts=names, error_model=error_model)
        builders = [(n, b) for n, b in part_builders() if n in names]
        if show_progress():
            from rich.text import Text

            with console.status(Text("computing …", style="bold")):  # its thread starts after the fork
                job = main_job(scenario, options, executor, pending=pending, idle=_prepare_report)
        else:
            job = main_job(scenario, options, executor, pending=pending, idle=_prepare_report)
    parts = []
    for _name, build in builders:
        t0 = time.perf_counter()
        part = build(job)
        part.manifest.setdefault("elapsed_s", round(time.perf_counter() - t0, 3))
        parts.append(part)
    return parts


def _prepare_report() -> None:
    """The report renderer's one-off work (its imports, the template, plotly.js), done while the
    main job waits for the simulator's worker instead of after it."""
    from detente.report.html import prepare

    prepare()


def render_parts_report(scenario: Any, parts: list[Any], *, seed: int) -> str:
    from detente.report.html import render_scenario_report

    return render_scenario_report(scenario, parts, seed=seed)


def _print_tables(parts: list[Any]) -> None:
    from rich.text import Text

    from detente.cli.common import print_table

    for part in parts:
        for t in part.tables:
            print_table(t.title, list(t.columns), [[str(v) for v in row] for row in t.rows])
            if t.caption:
                console.print(f"{t.caption}", style="dim")
        for n in part.notes:
            console.print(Text.assemble(("note:", "yellow"), f" {n}"))


def _say(text: str, *, style: str = "", bullet: str = "", indent: int = 0) -> None:
    """Print ``text`` wrapped to the terminal with a hanging indent, no trailing spaces (rich pads
    renderables such as grids and paddings to the full width)."""
    import textwrap

    from rich.text import Text

    first = bullet + " " if bullet else " " * indent
    rest = " " * (len(bullet) + 1 if bullet else indent)
    width = max(console.width, len(first) + 20)
    for ln in textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest) or [""]:
        console.print(Text(ln.rstrip(), style=style), soft_wrap=True)


def _brief_rows(scenario: Any, briefs: list[Any], width: int) -> list[tuple[str, str]]:
    """Two header lines, then per issue one line (name, point forecast, its intervals, the models'
    range) and its scale's ends; as (text, style) pairs, each line at most ``width`` long.

    With an error model the combined 50 % interval comes first, then its input part (90 % over the
    perturbed inputs alone): the combined 90 % interval spans nearly the whole scale, and the
    paragraph under the lines says so once (:func:`detente.analysis.intervals.brief_reading`)."""
    import textwrap

    def num(v: float) -> str:
        return f"{v:.1f}" if math.isfinite(v) else "—"

    def band(lo: float, hi: float) -> str:
        return f"{lo:.1f}–{hi:.1f}" if math.isfinite(lo) and math.isfinite(hi) else "—"

    issues = {i.id: i for i in scenario.issues}
    details = [b.detail for b in briefs if b.detail is not None]
    with_error = any(d.error_n for d in details)
    if with_error:
        heads = [("", "forecast"), ("50% with", "model error"), ("90% from", "inputs only")]
    elif details:
        heads = [("", "forecast"), ("90% from", "inputs only")]
    else:
        heads = [("", "forecast"), ("", "90% interval")]
    heads.append(("models", "range"))
    cols = [8] + [12] * (len(heads) - 2) + [11]
    name_w = max(12, width - sum(cols) - 1)
    name_w = min(name_w, max([len("issue")] + [len(issues[b.issue].name) for b in briefs]))

    def line(name: str, cells: list[str]) -> str:
        if len(name) > name_w:
            name = name[: name_w - 1] + "…"
        text = name.ljust(name_w) + "".join(c.rjust(w) for c, w in zip(cells, cols, strict=True))
        return text[:width].rstrip()  # one line even on a very narrow terminal

    rows = [(line("", [h[0] for h in heads]), "bold"), (line("issue", [h[1] for h in heads]), "bold")]
    for b in briefs:
        issue, d = issues[b.issue], b.detail
        if d is not None and with_error:
            cells = [band(d.mid_low, d.mid_high), band(d.input_low, d.input_high)]
        elif d is not None:
            cells = [band(d.input_low, d.input_high)]
        else:
            cells = [band(b.low, b.high) if b.has_interval else "—"]
        span = band(b.range_low, b.range_high) if b.n_models > 1 else num(b.range_low)
        rows.append((line(issue.name, [num(b.forecast), *cells, span]), ""))
        lo, hi = issue.scale.labels
        if lo or hi:  # what the numbers mean
            ends = f"{issue.scale.low:g} = {lo} … {issue.scale.high:g} = {hi}"
            rows += [
                (x, "dim") for x in textwrap.wrap(ends, width, initial_indent="  ", subsequent_indent="  ")
            ]
    return rows


def _print_brief(scenario: Any, parts: list[Any]) -> None:
    """The answer first: one line per issue, one paragraph on how sure, models left out and why,
    then the parts' headline sentences (a part's ``brief`` sentences, when it has them, stand for
    its headline here)."""
    from rich.text import Text

    from detente.analysis.intervals import brief_reading

    console.print(Text(scenario.title or scenario.id, style="bold"))
    console.print(
        f"{scenario_counts(len(scenario.actors), len(scenario.issues))}, as of {scenario.as_of or 'n/a'}"
    )
    console.print()
    briefs = [b for p in parts if p.name == "forecasts" for b in p.brief]
    lead = briefs[0].lead if briefs else ""
    head = Text("In brief", style="bold")
    if lead:
        head.append(f" (forecast: the {lead} model's point forecast)", style="dim")
    console.print(head, soft_wrap=True)
    for text, style in _brief_rows(scenario, briefs, console.width):
        console.print(Text(text, style=style), soft_wrap=True)
    reading = brief_reading([b.detail for b in briefs if b.detail is not None])
    caveats = sorted({p.manifest.get("interval_caveat_short", "") for p in parts} - {""})
    if reading or caveats:
        _say(" ".join([reading, *caveats]).strip(), style="dim")
    left: dict[tuple[str, str], list[str]] = {}  # (models, reason) -> issues
    names = {i.id: i.name for i in scenario.issues}
    for b in briefs:
        by_reason: dict[str, list[str]] = {}
        for m, why in b.left_out.items():
            by_reason.setdefault(why, []).append(m)
        for why, ms in by_reason.items():
            left.setdefault((", ".join(ms), why), []).append(names[b.issue])
    if left:
        console.print()
    for (who, reason), iss in left.items():
        _say(f"No forecast from {who} on {', '.join(iss)} ({reason}); left out of the range.", style="dim")

    def said(p: Any) -> list[str]:
        short = [x for x in p.brief if isinstance(x, str)]
        return short or list(p.headline)

    sentences = [h for p in parts if p.name == "simulator" for h in said(p)]
    sentences += [h for p in parts if p.name not in ("forecasts", "simulator") for h in said(p)]
    if not briefs:  # no per-issue numbers (e.g. the forecasts part failed): fall back to its sentences
        sentences = [h for p in parts if p.name == "forecasts" for h in p.headline] + sentences
    if sentences:
        console.print()
    for h in sentences:
        _say(h, bullet="•")


def run(
    scenario: Annotated[str, scenario_argument()] = DEFAULT_SCENARIO,
    report: Annotated[Path, typer.Option("--report", help="Where to write the HTML report.")] = REPORT_FILE,
    seed: Annotated[int, typer.Option(help="The one seed of every random step.")] = 0,
    full: Annotated[
        bool, typer.Option("--full", help="Print every table after the brief (the report has them all).")
    ] = False,
    thorough: Annotated[
        bool, typer.Option("--thorough", help="Larger sweeps and simulations (slower).")
    ] = False,
    calibration: CalibrationOpt = "default",
) -> None:
    """The main job: every model on a scenario, uncertainty, levers, cohesion, the ceasefire simulator, and an HTML report.

    Prints the brief (one line per issue, then the ceasefire track); --full adds every table.
    """
    check_min("--seed", seed, 0)
    check_output_path(report, scenario)  # a report that cannot be written is said before the work
    sc = load_scenario(scenario)
    check_dynamics(sc, scenario)
    parts = build_parts(sc, seed=seed, quick=not thorough, error_model=error_models(calibration))
    _print_brief(sc, parts)
    if full:
        console.print()
        _print_tables(parts)
    write_text_atomic(report, render_parts_report(sc, parts, seed=seed), scenario)
    if not full:
        console.print("Every table: detente run --full; with charts, in the report:", style="dim")
    said = f"report written to {report.resolve()}"  # the path whole on one line, never padded
    if len(said) > console.width:
        console.print("report written to", soft_wrap=True)
        said = str(report.resolve())
    console.print(said, soft_wrap=True, markup=False)


def report(
    scenario: Annotated[str, scenario_argument()] = DEFAULT_SCENARIO,
    report: Annotated[Path, typer.Option("--report", help="Where to write the HTML report.")] = REPORT_FILE,
    seed: Annotated[int, typer.Option(help="The one seed of every random step.")] = 0,
    thorough: Annotated[
        bool, typer.Option("--thorough", help="Larger sweeps and simulations (slower).")
    ] = False,
    calibration: CalibrationOpt = "default",
) -> None:
    """Write the self-contained HTML report of a scenario (works offline)."""
    check_min("--seed", seed, 0)
    check_output_path(report, scenario)  # before the work, not after
    sc = load_scenario(scenario)
    check_dynamics(sc, scenario)
    parts = build_parts(sc, seed=seed, quick=not thorough, error_model=error_models(calibration))
    write_text_atomic(report, render_parts_report(sc, parts, seed=seed), scenario)
    console.print(f"report written to {report.resolve()}")


def forecast_cmd(
    scenario: Annotated[str, scenario_argument()] = DEFAULT_SCENARIO,
    model: Annotated[
        list[str] | None, typer.Option("--model", "-m", help="Model name (repeatable); default: all.")
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Model parameter NAME=VALUE (repeatable).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for stochastic models.")] = 0,
    draws: Annotated[
        int,
        typer.Option(
            "--draws",
            min=0,
            help="Input uncertainty: a seeded sweep of this many draws adds to each forecast's "
            "predictive quantiles (--format json); 0 = no sweep.",
        ),
    ] = 0,
    calibration: CalibrationOpt = "default",
    fmt: Annotated[Format, typer.Option("--format", help="How to print the result.")] = Format.table,
) -> None:
    """Forecast each issue with one or more models."""

    from detente.analysis.runs import point_forecast
    from detente.cli.uncertainty import build_models
    from detente.errors import DetenteError
    from detente.models import available_models

    check_min("--seed", seed, 0)
    sc = load_scenario(scenario)
    ems = error_models(calibration)
    names = list(model) if model else list(available_models())
    built = build_models(names, parse_sets(set_))  # an unknown name fails here, before any warning about it
    warn_missing_error_models(calibration, ems, names)
    results = []
    for n, m in zip(names, built, strict=True):
        try:
            results.append(point_forecast(m, sc, seed))  # as the dashboard and the main job run it
        except DetenteError as exc:
            fail(f"model {n}: {exc}")
    if fmt == "json":
        from detente.io.documents import forecast_document  # the JSON shapes (pydantic): JSON only

        print_json(
            forecast_document(sc, results, _predictive(sc, names, built, results, draws, seed, ems), draws)
        )
        return
    if fmt == "csv":
        import csv
        import sys

        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["model", "issue", "forecast", "scale_low", "scale_high", "status", "reason"])
        for f in results:
            st = f.diagnostics.status
            for k, iid in enumerate(f.issue_ids):
                why = f.no_forecast_reason(k)  # no forecast: empty cell and the reason
                val = "" if why else f"{f.outcome[k]:.6g}"
                w.writerow([f.model, iid, val, f.scales[k][0], f.scales[k][1], str(st[k]), why or ""])
        return
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    for k, issue in enumerate(sc.issues):
        t = RichTable(
            title=f"{issue.name}  [{issue.scale.low:g} = {issue.scale.labels[0]} … {issue.scale.high:g} = {issue.scale.labels[1]}]",
            title_justify="left",
            box=box.SIMPLE_HEAD,
        )
        t.add_column("model", no_wrap=True)
        t.add_column("forecast", justify="right", no_wrap=True)
        t.add_column("in words")  # the only column that wraps: it takes the room the others leave
        t.add_column("status", no_wrap=True)
        for f in results:
            v = float(f.outcome[k])
            status = str(f.diagnostics.status[k])
            why = f.no_forecast_reason(k)
            words = Text(why, style="dim") if why else issue.scale.describe(v, reference=issue.reference)
            t.add_row(f.model, "—" if why else f"{v:.2f}", words, "" if status == "closed_form" else status)
        console.print(t)
    for f in results:  # a rule-reading model says where it assumed a rule (issue #16)
        note = f.prediction.extras.get("rule_note", "")
        if note:
            console.print(f"{f.model}: {note}", style="dim")
    # the table has no intervals: say where they are (QA: --calibration seemed to do nothing here)
    if ems is not None or draws:
        console.print(
            "How sure: each forecast's quantiles and 50/80/90 % intervals (model error from --calibration"
            + ("; input uncertainty from --draws" if draws else "")
            + ") are in --format json; detente run --full shows the 50 % and 90 % ones.",
            style="dim",
        )


def _predictive(
    sc: Any, names: list[str], models: list[Any], results: list[Any], draws: int, seed: int, ems: Any
) -> list[Any]:
    """Each forecast's predictive distribution (``analysis.intervals.predictive_of``): the point
    forecast (or a sweep of ``draws`` perturbed inputs when ``draws`` > 0) with the model error of
    the error models ``ems`` (None: none); ``analysis.runs.predictive``, as the dashboard's forecasts."""
    from detente.analysis.montecarlo import prepare
    from detente.analysis.runs import predictive, sweep
    from detente.core.perturb import Perturbation
    from detente.errors import DetenteError

    out = []
    pert = Perturbation.from_metadata(sc.metadata)
    spec = prepare(sc, pert) if draws else None
    for name, m, fc in zip(names, models, results, strict=True):
        x = None
        if spec is not None:
            try:
                x = sweep(m, spec, pert, draws=draws, seed=seed).raw_outcomes()
            except DetenteError as exc:
                fail(f"model {name}: {exc}")
        out.append(predictive(sc, fc, ems, x))
    return out


def models_cmd() -> None:
    """List the models with their parameters, defaults and a one-line description."""
    import dataclasses

    from rich.text import Text

    from detente.models import MODELS, available_models, model_class

    avail = set(available_models())
    console.print(Text("models", style="bold"))
    for name in list(MODELS) + [n for n in avail if n not in MODELS]:
        if name not in avail:
            continue
        cls = model_class(name)
        info = cls.info  # type: ignore[attr-defined]  # every registered model class declares its ModelInfo
        rules = "reads decision rules" if getattr(info, "uses_rules", False) else "ignores decision rules"
        about = info.description or (cls.__doc__ or "").strip().splitlines()[0]
        console.print()
        _say(f"{name} — {about}; {rules}", indent=0)
        # the defaults as users copy them into --set: wrapped between parameters, never cut
        params = [f"{f.name}={f.default!r}" for f in dataclasses.fields(cls)]
        _say(", ".join(params) if params else "no parameters", style="dim", indent=2)
    console.print()
    _say(
        "decision rules: whether a model reads the issues' rule, veto players and reversion point "
        "(docs/decision_rules.md); the others forecast as if no rule constrained the outcome. "
        "Set a parameter with --set NAME=VALUE.",
        style="dim",
    )


def scenarios_cmd() -> None:
    """List the built-in scenarios."""
    from detente.cli.common import print_table
    from detente.io.builtin import builtin_names, load_builtin

    rows = []
    for n in builtin_names():
        sc = load_builtin(n)
        rows.append([n, sc.title, str(len(sc.actors)), str(len(sc.issues))])
    print_table("built-in scenarios", ["name", "title", "actors", "issues"], rows)


def register(app: typer.Typer) -> None:
    app.command()(run)
    app.command()(report)
    app.command("forecast")(forecast_cmd)
    app.command("models")(models_cmd)
    app.command("scenarios")(scenarios_cmd)
