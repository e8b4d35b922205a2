"""``detente sweep``: Monte Carlo intervals, threshold probabilities and each actor's chance of winning."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import typer

from detente.cli.choices import Format
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
    print_table,
    scenario_argument,
    show_progress,
)
from detente.cli.uncertainty import (
    DEFAULT_SWEEP_MODELS,
    build_models,
    fmt_num,
    parse_thresholds,
    perturbation_for,
)
from detente.core.text import plural


def _auto_processes(models: list[Any], draws: int) -> int:
    """Every core for sweeps worth it (a dynamic model, >= 1,000 draws), else this process.

    Process start-up costs ~0.5 s; the closed-form models finish 1,000 draws in milliseconds, so
    they stay in-process. Results do not depend on the choice (per-draw seeds).
    """
    from detente.parallel import usable_cpus

    cores = usable_cpus()
    if cores > 1 and draws >= 1000 and any(type(m).info.dynamic for m in models):
        return cores
    return 1


def _check(
    draws: int, chunk: int | None, workers: int | None, processes: int | None, scheduler: str | None
) -> None:
    check_min("--draws", draws, 1)
    if chunk is not None:
        check_min("--chunk", chunk, 1)
    if workers is not None:
        check_min("--workers", workers, 1)
    if workers is not None and scheduler:
        fail("--workers and --scheduler: expected one of them, received both")
    if processes is not None:
        check_min("--processes", processes, 1)
    if processes is not None and (workers is not None or scheduler):
        fail("--processes and --workers/--scheduler: expected one of them, received both")


def _hint_fast_extra(models: list[Any], n_runs: int, n_actors: int) -> None:
    """One stderr line when a model would run this sweep on numba but the ``fast`` extra is missing
    (``ExpectedUtility.numba_missing_for``): the numbers are the same, only slower."""
    from detente.cli.common import err_console
    from detente.errors import install_hint

    names = [
        type(m).info.name
        for m in models
        if getattr(m, "numba_missing_for", None) and m.numba_missing_for(n_runs, n_actors)
    ]
    if names:
        err_console.print(
            f"note: {', '.join(names)} runs this sweep on NumPy because numba is not installed; the fast "
            f"extra runs it about 4× faster with the same numbers to ~1e-12: {install_hint('fast')}"
        )


def _run_ensembles(
    models: list[Any],
    spec: Any,
    pert: Any,
    ex: Any,
    *,
    draws: int,
    seed: int,
    chunk: int | None,
    bar: bool,
    memory: int | None = None,
) -> list[Any]:
    """One ensemble per model (``detente.analysis.runs.sweep``, as the dashboard's sweeps), with a
    progress bar per model on a terminal (``bar``); convergence warnings show on stderr."""
    from detente.analysis.runs import sweep

    if not bar:
        return [
            sweep(
                m,
                spec,
                pert,
                draws=draws,
                seed=seed,
                chunk_size=chunk,
                executor=ex,
                quiet=False,
                memory=memory,
            )
            for m in models
        ]
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from detente.cli.common import err_console

    ensembles = []
    pcols = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*pcols, console=err_console, transient=True) as progress:
        for m in models:
            task = progress.add_task(type(m).info.name, total=draws)

            def advance(k: int, t: Any = task) -> None:
                progress.advance(t, k)

            ensembles.append(
                sweep(
                    m,
                    spec,
                    pert,
                    draws=draws,
                    seed=seed,
                    chunk_size=chunk,
                    executor=ex,
                    progress=advance,
                    quiet=False,
                    memory=memory,
                )
            )
    return ensembles


def _print_csv(ensembles: list[Any], thresholds: dict[str, list[float]]) -> None:
    """One row per model and issue: mean, sd, quantiles, P(>= threshold) and P(win) per actor."""
    from detente.analysis.summary import summarize

    rows: list[dict[str, Any]] = []
    for ens in ensembles:
        for s in summarize(ens, thresholds):
            row: dict[str, Any] = {"model": ens.model, "issue": s.issue, "mean": s.mean, "sd": s.sd}
            row.update({f"q{k}": v for k, v in s.quantiles.items()})
            row.update({f"p_at_least_{k}": v for k, v in s.p_at_least.items()})
            row.update({f"p_win_{a}": v for a, v in s.p_win.items()})
            if ens.dynamic:
                row.update({f"status_{k}": v for k, v in s.status.items()})
            rows.append(row)
    columns = list(dict.fromkeys(c for r in rows for c in r))
    print_csv(columns, rows)


def _print_tables(
    sc: Any, ensembles: list[Any], thresholds: dict[str, list[float]], pert: Any, draws: int, seed: int
) -> None:

    from detente.analysis.summary import summarize

    names = {i.id: i.name for i in sc.issues}
    labels = {a.id: a.label for a in sc.actors}
    for ens in ensembles:
        # P(≥ threshold) only when --threshold asked for one: a column of dashes cut the issue names at 80 columns
        cols = ["issue", "mean", "sd", "5%", "50%", "95%"] + (["P(≥ threshold)"] if thresholds else [])
        cols.append("most likely to win")
        if ens.dynamic:
            cols.append("status")
        rows = []
        sums = summarize(ens, thresholds)
        for s in sums:
            pal = ", ".join(f"≥{k}: {v:.0%}" for k, v in s.p_at_least.items()) or "—"
            top = sorted(s.p_win.items(), key=lambda kv: -kv[1])[:3]
            win = ", ".join(f"{labels[a]} {p:.0%}" for a, p in top if p > 0) or "—"
            row = [
                names[s.issue],
                fmt_num(s.mean),
                fmt_num(s.sd, 2),
                fmt_num(s.quantiles["5"]),
                fmt_num(s.quantiles["50"]),
                fmt_num(s.quantiles["95"]),
                *([pal] if thresholds else []),
                win,
            ]
            if ens.dynamic:
                row.append(", ".join(f"{k} {v:.0%}" for k, v in s.status.items()))
            rows.append(row)
        title = f"{ens.model}: {plural(draws, 'draw')}, seed {seed}, chunk {ens.chunk_size}"
        print_table(title, cols, rows, whole_first=False)
        empty = [names[s.issue] for s in sums if not math.isfinite(s.mean)]
        if empty:
            why = {
                sc.issue(i).name: "no status quo given"
                for i in ens.issue_ids
                if sc.issue(i).reference is None
            }
            console.print(
                f"—: {ens.model} gives no forecast in any draw on "
                + "; ".join(f"{n} ({why[n]})" if n in why else n for n in empty)
                + ".",
                style="dim",
            )
    console.print(
        f"noise: position sd {pert.position_sd:g} of the scale (unless a stance gives its own), salience sd "
        f"{pert.salience_sd:g}, capability log-sd {pert.capability_sd:g}, drop-out {pert.dropout:g}; "
        "'win' = outcome within 10 % of the scale of the actor's stated position.",
        style="dim",
    )


def sweep(
    scenario: Annotated[str, scenario_argument()] = DEFAULT_SCENARIO,
    model: Annotated[
        list[str] | None,
        typer.Option("--model", "-m", help="Model (repeatable); default: compromise, median, eum."),
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Model parameter NAME=VALUE (repeatable).")
    ] = None,
    draws: Annotated[int, typer.Option("--draws", "-n", help="Number of Monte Carlo draws.")] = 1000,
    seed: Annotated[int, typer.Option(help="The one seed of every draw.")] = 0,
    chunk: Annotated[
        int | None, typer.Option(help="Draws per model call (default: from the memory formula).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Start a local Dask cluster with this many workers.")
    ] = None,
    processes: Annotated[
        int | None,
        typer.Option(
            help="Local processes without Dask (default: every core when a dynamic model runs "
            "at least 1,000 draws, else 1 = this process). Same numbers either way."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Use an existing Dask scheduler, e.g. tcp://host:8786 (or DASK_SCHEDULER_ADDRESS)."
        ),
    ] = None,
    threshold: Annotated[
        list[str] | None,
        typer.Option("--threshold", help="ISSUE=VALUE: report P(outcome >= VALUE) (repeatable)."),
    ] = None,
    position_sd: Annotated[
        float | None,
        typer.Option(help="Position noise as a share of the scale (stances without sd/low/high)."),
    ] = None,
    salience_sd: Annotated[float | None, typer.Option(help="Salience noise (absolute, on 0-1).")] = None,
    capability_sd: Annotated[float | None, typer.Option(help="Capability noise (log-normal sigma).")] = None,
    dropout: Annotated[
        float | None, typer.Option(help="Probability that an actor drops out of a draw.")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="How to print the result.")] = Format.table,
) -> None:
    """Monte Carlo sweep: intervals, threshold probabilities and each actor's chance of winning, per model and issue."""
    from detente.analysis.montecarlo import prepare
    from detente.errors import DetenteError
    from detente.io.documents import sweep_document
    from detente.parallel import get_executor, memory_per_worker, scheduler_from_env

    _check(draws, chunk, workers, processes, scheduler)
    check_min("--seed", seed, 0)
    sc = load_scenario(scenario)
    n_models = len(model) if model else len(DEFAULT_SWEEP_MODELS)
    # the outcomes (float64) and statuses (12 characters) of every draw, issue and model
    check_fits("--draws", draws, n_models * len(sc.issues) * (8 + 4 * 12), "the draws' results")
    thresholds = parse_thresholds(threshold, sc)
    pert = perturbation_for(
        sc, position_sd=position_sd, salience_sd=salience_sd, capability_sd=capability_sd, dropout=dropout
    )
    models = build_models(model, parse_sets(set_))
    spec = prepare(sc, pert)
    _hint_fast_extra(models, draws * len(sc.issues), len(sc.actors))
    use_dask = processes is None and (
        workers is not None or bool(scheduler) or scheduler_from_env() is not None
    )
    n_proc = processes if processes is not None else _auto_processes(models, draws)
    kind: Literal["inline", "process", "dask"] = (
        "dask" if use_dask else ("process" if n_proc > 1 else "inline")
    )
    try:
        with get_executor(kind, workers=workers if use_dask else n_proc, scheduler=scheduler) as ex:
            bar = show_progress() and fmt == Format.table
            # the default chunk fits this machine's free memory shared by the chunks in flight (an
            # external cluster's workers are not on this machine: the fixed budget there)
            remote = use_dask and bool(scheduler or scheduler_from_env())
            in_flight = 1 if kind == "inline" else (workers or 2) if use_dask else n_proc
            memory = None if remote else memory_per_worker(in_flight)
            ensembles = _run_ensembles(
                models, spec, pert, ex, draws=draws, seed=seed, chunk=chunk, bar=bar, memory=memory
            )
    except DetenteError as exc:
        fail(str(exc))
    if fmt == Format.json:
        print_json(sweep_document(sc, ensembles, thresholds, seed=seed, draws=draws))
    elif fmt == Format.csv:
        _print_csv(ensembles, thresholds)
    else:
        _print_tables(sc, ensembles, thresholds, pert, draws, seed)


def register(app: typer.Typer) -> None:
    app.command()(sweep)
