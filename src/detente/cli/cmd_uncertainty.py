"""Uncertainty commands: sweep (Monte Carlo), levers (what would it take), cohesion, sensitivity."""

from __future__ import annotations

import math
from typing import Annotated, Any

import typer

from detente.cli.common import (
    DEFAULT_SCENARIO,
    build_model,
    console,
    fail,
    load_scenario,
    parse_sets,
    print_json,
    scenario_argument,
    show_progress,
)
from detente.core.text import plural

DEFAULT_SWEEP_MODELS: tuple[str, ...] = ("compromise", "median", "eum")
DEFAULT_LEVER_MODEL = "compromise"
DEFAULT_GROUPS: tuple[str, str] = ("us", "european_allies")


def _clean(obj: Any) -> Any:
    """NaN/inf -> None so the JSON stays valid."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def _check_format(fmt: str) -> None:
    if fmt not in ("table", "json"):
        fail(f"--format: expected table or json, received {fmt!r}")


def default_models() -> list[str]:
    """The fast baselines plus the EUM when it is installed."""
    from detente.models import MODELS, model_class

    out = []
    for n in DEFAULT_SWEEP_MODELS:
        if n not in MODELS:
            continue
        try:
            model_class(n)
        except (ImportError, AttributeError):
            continue
        out.append(n)
    return out


def parse_thresholds(items: list[str] | None, scenario: Any) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for item in items or []:
        if "=" not in item:
            fail(f"--threshold {item!r}: expected ISSUE=VALUE")
        k, v = (p.strip() for p in item.split("=", 1))
        if k not in scenario.issue_ids:
            fail(
                f"--threshold {item!r}: unknown issue {k!r} (expected one of {', '.join(scenario.issue_ids)})"
            )
        try:
            value = float(v)
        except ValueError:
            fail(f"--threshold {item!r}: expected a number after '=', received {v!r}")
        if not math.isfinite(value):
            fail(f"--threshold {item!r}: expected a finite number, received {v!r}")
        out.setdefault(k, []).append(value)
    return out


def perturbation_for(scenario: Any, **overrides: float | None) -> Any:
    from detente.core.perturb import Perturbation
    from detente.errors import DetenteError

    try:
        return Perturbation.from_metadata(scenario.metadata, **overrides)
    except DetenteError as exc:
        fail(str(exc))


def _models(names: list[str] | None, sets: dict[str, str]) -> list[Any]:
    import dataclasses

    from detente.errors import DetenteError
    from detente.models import model_class

    chosen = list(names) if names else default_models()
    known: set[str] = set()
    for n in chosen:
        try:
            known |= {f.name for f in dataclasses.fields(model_class(n))}
        except DetenteError as exc:
            fail(str(exc))
        except ImportError as exc:
            fail(f"model {n}: cannot be imported ({exc})")
    unknown = sorted(set(sets) - known)
    if unknown:
        fail(f"--set {unknown[0]}: no model among {', '.join(chosen)} has this parameter")
    return [build_model(n, sets) for n in chosen]


def _auto_processes(models: list[Any], draws: int) -> int:
    """Every core for sweeps worth it (a dynamic model, >= 1,000 draws), else this process.

    Process start-up costs ~0.5 s; the closed-form models finish 1,000 draws in milliseconds, so
    they stay in-process. Results do not depend on the choice (per-draw seeds).
    """
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cores > 1 and draws >= 1000 and any(type(m).info.dynamic for m in models):
        return cores
    return 1


def _fmt(v: float, digits: int = 3) -> str:
    return "—" if not math.isfinite(v) else f"{v:.{digits}g}"


def register(app: typer.Typer) -> None:  # noqa: C901 - one closure per command
    @app.command()
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
        capability_sd: Annotated[
            float | None, typer.Option(help="Capability noise (log-normal sigma).")
        ] = None,
        dropout: Annotated[
            float | None, typer.Option(help="Probability that an actor drops out of a draw.")
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    ) -> None:
        """Monte Carlo sweep: intervals, threshold probabilities and each actor's chance of winning, per model and issue."""
        from detente._version import __version__
        from detente.analysis.montecarlo import prepare, run_ensemble
        from detente.analysis.summary import summarize, sweep_result
        from detente.errors import DetenteError
        from detente.parallel import get_executor, scheduler_from_env

        _check_format(fmt)
        if draws < 1:
            fail(f"--draws: expected an integer >= 1, received {draws}")
        if chunk is not None and chunk < 1:
            fail(f"--chunk: expected an integer >= 1, received {chunk}")
        if workers is not None and workers < 1:
            fail(f"--workers: expected an integer >= 1, received {workers}")
        if workers is not None and scheduler:
            fail("--workers and --scheduler: expected one of them, received both")
        if processes is not None and processes < 1:
            fail(f"--processes: expected an integer >= 1, received {processes}")
        if processes is not None and (workers is not None or scheduler):
            fail("--processes and --workers/--scheduler: expected one of them, received both")
        sc = load_scenario(scenario)
        thresholds = parse_thresholds(threshold, sc)
        pert = perturbation_for(
            sc, position_sd=position_sd, salience_sd=salience_sd, capability_sd=capability_sd, dropout=dropout
        )
        models = _models(model, parse_sets(set_))
        spec = prepare(sc, pert)
        use_dask = processes is None and (
            workers is not None or bool(scheduler) or scheduler_from_env() is not None
        )
        n_proc = processes if processes is not None else _auto_processes(models, draws)
        kind = "dask" if use_dask else ("process" if n_proc > 1 else "inline")
        ensembles = []
        try:
            with get_executor(kind, workers=workers if use_dask else n_proc, scheduler=scheduler) as ex:
                if show_progress() and fmt != "json":
                    from rich.progress import (
                        BarColumn,
                        MofNCompleteColumn,
                        Progress,
                        TextColumn,
                        TimeRemainingColumn,
                    )

                    from detente.cli.common import err_console

                    pcols = (
                        TextColumn("{task.description}"),
                        BarColumn(),
                        MofNCompleteColumn(),
                        TimeRemainingColumn(),
                    )
                    with Progress(*pcols, console=err_console, transient=True) as bar:
                        for m in models:
                            task = bar.add_task(type(m).info.name, total=draws)

                            def advance(k: int, t: Any = task) -> None:
                                bar.advance(t, k)

                            ensembles.append(
                                run_ensemble(
                                    m,
                                    spec,
                                    pert,
                                    n_draws=draws,
                                    seed=seed,
                                    chunk_size=chunk,
                                    executor=ex,
                                    progress=advance,
                                )
                            )
                else:
                    for m in models:
                        ensembles.append(
                            run_ensemble(
                                m, spec, pert, n_draws=draws, seed=seed, chunk_size=chunk, executor=ex
                            )
                        )
        except DetenteError as exc:
            fail(str(exc))
        if fmt == "json":
            print_json(
                _clean(
                    {
                        "detente_version": __version__,
                        "seed": seed,
                        "draws": draws,
                        "results": [sweep_result(e, thresholds) for e in ensembles],
                    }
                )
            )
            return
        from rich.table import Table as RichTable

        names = {i.id: i.name for i in sc.issues}
        labels = {a.id: a.label for a in sc.actors}
        for ens in ensembles:
            t = RichTable(
                title=f"{ens.model}: {plural(draws, 'draw')}, seed {seed}, chunk {ens.chunk_size}", title_justify="left"
            )
            cols = ["issue", "mean", "sd", "5%", "50%", "95%", "P(≥ threshold)", "most likely to win"]
            if ens.dynamic:
                cols.append("status")
            for c in cols:
                t.add_column(c)
            sums = summarize(ens, thresholds)
            for s in sums:
                pal = ", ".join(f"≥{k}: {v:.0%}" for k, v in s.p_at_least.items()) or "—"
                top = sorted(s.p_win.items(), key=lambda kv: -kv[1])[:3]
                win = ", ".join(f"{labels[a]} {p:.0%}" for a, p in top if p > 0) or "—"
                row = [
                    names[s.issue],
                    _fmt(s.mean),
                    _fmt(s.sd, 2),
                    _fmt(s.quantiles["5"]),
                    _fmt(s.quantiles["50"]),
                    _fmt(s.quantiles["95"]),
                    pal,
                    win,
                ]
                if ens.dynamic:
                    row.append(", ".join(f"{k} {v:.0%}" for k, v in s.status.items()))
                t.add_row(*row)
            console.print(t)
            empty = [names[s.issue] for s in sums if not math.isfinite(s.mean)]
            if empty:
                why = {sc.issue(i).name: "no status quo given" for i in ens.issue_ids if sc.issue(i).reference is None}
                console.print(
                    f"[dim]—: {ens.model} gives no forecast in any draw on "
                    + "; ".join(f"{n} ({why[n]})" if n in why else n for n in empty)
                    + ".[/dim]"
                )
        console.print(
            f"[dim]noise: position sd {pert.position_sd:g} of the scale (unless a stance gives its own), salience sd "
            f"{pert.salience_sd:g}, capability log-sd {pert.capability_sd:g}, drop-out {pert.dropout:g}; "
            "'win' = outcome within 10 % of the scale of the actor's stated position.[/dim]"
        )

    @app.command()
    def levers(
        scenario: Annotated[str, scenario_argument()] = DEFAULT_SCENARIO,
        *,
        issue: Annotated[str, typer.Option("--issue", "-i", help="Issue id.")],
        target: Annotated[
            str, typer.Option("--target", "-t", help="'>=VALUE' or '<=VALUE' in the issue's units.")
        ],
        model: Annotated[str, typer.Option("--model", "-m", help="Model to invert.")] = DEFAULT_LEVER_MODEL,
        set_: Annotated[
            list[str] | None, typer.Option("--set", help="Model parameter NAME=VALUE (repeatable).")
        ] = None,
        seed: Annotated[int, typer.Option(help="Seed for stochastic models.")] = 0,
        fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    ) -> None:
        """What would it take: per actor, the smallest change of position, salience or capability that reaches a target."""
        from detente.analysis.inverse import parse_target, what_it_takes
        from detente.errors import DetenteError

        _check_format(fmt)
        sc = load_scenario(scenario)
        if issue not in sc.issue_ids:
            fail(f"--issue: unknown issue {issue!r} (expected one of {', '.join(sc.issue_ids)})")
        m = _models([model], parse_sets(set_))[0]
        try:
            op, value = parse_target(target)
            res = what_it_takes(m, sc, issue, op, value, seed=seed)
        except DetenteError as exc:
            fail(str(exc))
        it = sc.issue(issue)
        tgt = f"{op} {value:g}"
        if fmt == "json":
            print_json(
                _clean(
                    {
                        "model": type(m).info.name,
                        "issue": issue,
                        "target": {"op": op, "value": value},
                        "forecast": res.base_outcome,
                        "already": res.already,
                        "levers": [
                            {
                                "actor": lv.actor,
                                "input": lv.input,
                                "feasible": lv.feasible,
                                "base": lv.base,
                                "value": lv.value,
                                "change": lv.change if lv.feasible else None,
                                "forecast": lv.outcome,
                                "effort": lv.effort,
                                "statement": lv.sentence(it.name, tgt),
                            }
                            for lv in res.levers
                        ],
                    }
                )
            )
            return
        from rich.table import Table as RichTable

        console.print(
            f"[bold]{it.name}[/bold]: {type(m).info.name} forecast {res.base_outcome:.4g}; target {tgt}"
        )
        if res.already:
            console.print("The forecast already meets the target: nothing needs to change.")
            return
        t = RichTable(title="What would it take (easiest first)", title_justify="left")
        for c in ("actor", "input", "from", "to", "change", "forecast then"):
            t.add_column(c)
        for lv in res.feasible():
            t.add_row(
                lv.actor_name,
                lv.input,
                f"{lv.base:.4g}",
                f"{lv.value:.4g}",
                f"{lv.change:+.3g}",
                f"{lv.outcome:.4g}",
            )
        console.print(t)
        blocked: dict[str, list[str]] = {}
        for lv in res.levers:
            if not lv.feasible:
                blocked.setdefault(lv.actor_name, []).append(lv.input)
        for who, inputs in blocked.items():
            what = inputs[0] if len(inputs) == 1 else ", ".join(inputs[:-1]) + " or " + inputs[-1]
            console.print(f"[dim]No change of {who}'s {what} alone (within its range) reaches {tgt}.[/dim]")
        if not res.feasible():
            console.print(
                f"Nothing within the scale reaches {tgt}: no single actor's position, salience or capability change does."
            )

    @app.command()
    def cohesion(
        scenario: Annotated[str, scenario_argument()] = DEFAULT_SCENARIO,
        groups: Annotated[
            str | None,
            typer.Option("--groups", "-g", help="Two groups (or actor ids) A,B; default us,european_allies."),
        ] = None,
        cut: Annotated[
            float,
            typer.Option(
                help="Coalition map: merge blocs while their average distance ≤ cut (share of the scale)."
            ),
        ] = 0.2,
        fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    ) -> None:
        """Alliance cohesion between two groups: distance per issue, the issues that split them, a cohesion index, coalition map."""
        from detente.analysis.coalitions import coalition_map
        from detente.analysis.coalitions import cohesion as cohesion_fn
        from detente.errors import DetenteError

        _check_format(fmt)
        if not (0.0 <= cut <= 1.0):
            fail(f"--cut: expected a number in [0, 1], received {cut}")
        sc = load_scenario(scenario)
        if groups is None:
            g = default_groups(sc)
            if g is None:
                fail(
                    "--groups: expected two groups or actor ids A,B; the scenario has groups: "
                    f"{', '.join(sorted(sc.groups())) or 'none'}"
                )
            a, b = g
        else:
            parts = [p.strip() for p in groups.split(",") if p.strip()]
            if len(parts) != 2:
                fail(f"--groups: expected two names A,B, received {groups!r}")
            a, b = parts
        try:
            c = cohesion_fn(sc, a, b)
            cm = coalition_map(sc, cut=cut)
        except DetenteError as exc:
            fail(str(exc))
        names = {i.id: i.name for i in sc.issues}
        if fmt == "json":
            print_json(
                _clean(
                    {
                        "groups": [a, b],
                        "members": {a: list(c.members_a), b: list(c.members_b)},
                        "index": c.index,
                        "within": {a: c.within_a, b: c.within_b},
                        "issues": [
                            {
                                "issue": iid,
                                "distance": float(c.distance[k]),
                                "share": float(c.split_share[k]),
                                "position_" + a: float(c.mean_a[k]),
                                "position_" + b: float(c.mean_b[k]),
                            }
                            for k, iid in enumerate(c.issue_ids)
                        ],
                        "splits": [s[0] for s in c.splits(3)],
                        "coalitions": [list(bl) for bl in cm.blocs()],
                        "map": {
                            aid: [float(cm.coords[k, 0]), float(cm.coords[k, 1])]
                            for k, aid in enumerate(cm.actor_ids)
                        },
                    }
                )
            )
            return
        from rich.table import Table as RichTable

        console.print(
            f"[bold]cohesion {a} – {b}: {_fmt(c.index, 2)}[/bold] (1 = same positions where both care, 0 = opposite ends); "
            f"within {a}: {_fmt(c.within_a, 2)}, within {b}: {_fmt(c.within_b, 2)}"
        )
        t = RichTable(title="Distance per issue (salience-weighted, issue units)", title_justify="left")
        for col in ("issue", a, b, "distance", "share of the split"):
            t.add_column(col)
        order = sorted(
            range(len(c.issue_ids)),
            key=lambda k: -(c.split_share[k] if math.isfinite(c.split_share[k]) else -1),
        )
        for k in order:
            t.add_row(
                names[c.issue_ids[k]],
                _fmt(float(c.mean_a[k])),
                _fmt(float(c.mean_b[k])),
                _fmt(float(c.distance[k])),
                "—" if not math.isfinite(c.split_share[k]) else f"{c.split_share[k]:.0%}",
            )
        console.print(t)
        labels = {x.id: x.label for x in sc.actors}
        bt = RichTable(title=f"Coalition map: blocs (average linkage, cut {cut:g})", title_justify="left")
        bt.add_column("bloc")
        bt.add_column("actors")
        for k, bl in enumerate(cm.blocs(), start=1):
            bt.add_row(str(k), ", ".join(labels[x] for x in bl))
        console.print(bt)

    @app.command()
    def sensitivity(
        scenario: Annotated[str, scenario_argument()] = DEFAULT_SCENARIO,
        model: Annotated[str, typer.Option("--model", "-m", help="Model.")] = DEFAULT_LEVER_MODEL,
        method: Annotated[
            str,
            typer.Option(
                help="tornado (one at a time), knockout (without each actor) or sobol (variance shares)."
            ),
        ] = "tornado",
        issue: Annotated[str | None, typer.Option("--issue", "-i", help="Only this issue.")] = None,
        top: Annotated[int, typer.Option(help="Rows per issue.")] = 8,
        set_: Annotated[
            list[str] | None, typer.Option("--set", help="Model parameter NAME=VALUE (repeatable).")
        ] = None,
        seed: Annotated[int, typer.Option(help="Seed for stochastic models.")] = 0,
        draws: Annotated[
            int, typer.Option("--draws", "-n", help="Sobol: base sample size n (cost n·(3A + 2)).")
        ] = 512,
        fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    ) -> None:
        """Which actors and inputs move each forecast most: tornado, knockout (without each actor) or Sobol indices."""
        from detente.analysis.sensitivity import knockout, sobol, tornado
        from detente.errors import DetenteError

        _check_format(fmt)
        if method not in ("tornado", "knockout", "sobol"):
            fail(f"--method: expected tornado, knockout or sobol, received {method!r}")
        if draws < 2:
            fail(f"--draws: expected an integer >= 2, received {draws}")
        if top < 1:
            fail(f"--top: expected an integer >= 1, received {top}")
        sc = load_scenario(scenario)
        if issue is not None and issue not in sc.issue_ids:
            fail(f"--issue: unknown issue {issue!r} (expected one of {', '.join(sc.issue_ids)})")
        issues = [issue] if issue else list(sc.issue_ids)
        m = _models([model], parse_sets(set_))[0]
        labels = {x.id: x.label for x in sc.actors}
        names = {i.id: i.name for i in sc.issues}
        try:
            if method == "knockout":
                ko = knockout(m, sc, seed=seed)
            elif method == "sobol":
                sob = sobol(m, sc, perturbation_for(sc), n=draws, seed=seed)
            else:
                pert = perturbation_for(sc)
                tor = tornado(m, sc, pert, seed=seed)
        except DetenteError as exc:
            fail(str(exc))
        from rich.table import Table as RichTable

        if method == "sobol":
            if fmt == "json":
                print_json(
                    _clean(
                        {
                            "model": type(m).info.name,
                            "method": "sobol",
                            "draws": draws,
                            "seed": seed,
                            "issues": [
                                {
                                    "issue": iid,
                                    "variance": float(sob.variance[sob.issue_ids.index(iid)]),
                                    "top": [
                                        {"actor": g[0], "input": g[1], "first": f, "total": t}
                                        for g, f, t in sob.top(iid, top)
                                    ],
                                }
                                for iid in issues
                            ],
                        }
                    )
                )
                return
            for iid in issues:
                k = sob.issue_ids.index(iid)
                sd = math.sqrt(max(float(sob.variance[k]), 0.0))
                t = RichTable(
                    title=f"{names[iid]}: sd of the forecast {sd:.3g}; share of its variance due to each input",
                    title_justify="left",
                )
                for col in ("actor", "input", "alone (first order)", "with interactions (total)"):
                    t.add_column(col)
                for g, f, tot in sob.top(iid, top):
                    t.add_row(
                        labels[g[0]],
                        g[1],
                        f"{max(f, 0.0):.0%}" if math.isfinite(f) else "—",
                        f"{max(tot, 0.0):.0%}" if math.isfinite(tot) else "—",
                    )
                console.print(t)
            console.print(
                f"[dim]Sobol indices from {draws}·(3A+2) model runs; Monte Carlo error about ±{1 / math.sqrt(draws):.0%} (small negative estimates shown as 0%).[/dim]"
            )
            return
        if method == "knockout":
            if fmt == "json":
                print_json(
                    _clean(
                        {
                            "model": type(m).info.name,
                            "method": "knockout",
                            "issues": [
                                {
                                    "issue": iid,
                                    "forecast": float(ko.base[ko.issue_ids.index(iid)]),
                                    "without": {
                                        a: float(ko.without[k, ko.issue_ids.index(iid)])
                                        for k, a in enumerate(ko.actor_ids)
                                    },
                                    "change": {
                                        a: float(ko.delta[k, ko.issue_ids.index(iid)])
                                        for k, a in enumerate(ko.actor_ids)
                                    },
                                }
                                for iid in issues
                            ],
                        }
                    )
                )
                return
            for iid in issues:
                k = ko.issue_ids.index(iid)
                t = RichTable(
                    title=f"{names[iid]}: forecast {ko.base[k]:.4g}; without each actor", title_justify="left"
                )
                for col in ("actor", "forecast without", "change"):
                    t.add_column(col)
                for a, d in ko.ranked(iid)[:top]:
                    t.add_row(
                        labels[a],
                        _fmt(float(ko.without[ko.actor_ids.index(a), k]), 4),
                        "—" if not math.isfinite(d) else f"{d:+.3g}",
                    )
                console.print(t)
            return
        if fmt == "json":
            print_json(
                _clean(
                    {
                        "model": type(m).info.name,
                        "method": "tornado",
                        "issues": [
                            {
                                "issue": iid,
                                "forecast": float(tor.base[tor.issue_ids.index(iid)]),
                                "top": [
                                    {
                                        "actor": c.actor,
                                        "input": c.input,
                                        "on_issue": c.issue,
                                        "low": c.low,
                                        "high": c.high,
                                        "forecast_low": lo,
                                        "forecast_high": hi,
                                        "swing": sw,
                                    }
                                    for c, lo, hi, sw in tor.top(iid, top)
                                ],
                            }
                            for iid in issues
                        ],
                    }
                )
            )
            return
        for iid in issues:
            k = tor.issue_ids.index(iid)
            t = RichTable(
                title=f"{names[iid]}: forecast {tor.base[k]:.4g}; inputs that move it most",
                title_justify="left",
            )
            for col in ("actor", "input", "on issue", "input low → high", "forecast low → high", "swing"):
                t.add_column(col)
            for c, lo, hi, sw in tor.top(iid, top):
                t.add_row(
                    labels[c.actor],
                    c.input,
                    names[c.issue],
                    f"{c.low:.3g} → {c.high:.3g}",
                    f"{lo:.4g} → {hi:.4g}",
                    f"{sw:.3g}",
                )
            console.print(t)


def default_groups(scenario: Any) -> tuple[str, str] | None:
    """``us``/``european_allies`` when present, else the first two groups of the scenario, else None."""
    groups = scenario.groups()
    if all(g in groups for g in DEFAULT_GROUPS):
        return DEFAULT_GROUPS
    names = list(groups)
    return (names[0], names[1]) if len(names) >= 2 else None
