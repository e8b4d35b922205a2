"""Core commands: run (the main job), forecast, models, scenarios, report."""

from __future__ import annotations

import time
from pathlib import Path
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
    write_text_atomic,
)


def build_parts(scenario: Any, *, seed: int, quick: bool, only: list[str] | None = None) -> list[Any]:
    """Build every part of the main job, with a spinner per part on a terminal."""
    from detente.report.parts import part_builders

    parts = []
    builders = [(n, b) for n, b in part_builders() if not only or n in only]
    progress = show_progress()
    for name, build in builders:
        t0 = time.perf_counter()
        if progress:
            with console.status(f"[bold]{name}[/bold] …"):
                part = build(scenario, seed=seed, quick=quick)
        else:
            part = build(scenario, seed=seed, quick=quick)
        part.manifest.setdefault("elapsed_s", round(time.perf_counter() - t0, 3))
        parts.append(part)
    return parts


def render_parts_report(scenario: Any, parts: list[Any], *, seed: int) -> str:
    from detente.report.html import render_scenario_report

    return render_scenario_report(scenario, parts, seed=seed)


def _print_tables(parts: list[Any]) -> None:
    from rich.table import Table as RichTable

    for part in parts:
        for t in part.tables:
            rt = RichTable(title=t.title, title_justify="left", show_lines=False)
            for c in t.columns:
                rt.add_column(c)
            for row in t.rows:
                rt.add_row(*[str(v) for v in row])
            console.print(rt)
            if t.caption:
                console.print(f"[dim]{t.caption}[/dim]")
        for n in part.notes:
            console.print(f"[yellow]note:[/yellow] {n}")


def register(app: typer.Typer) -> None:
    @app.command()
    def run(
        scenario: Annotated[str, scenario_argument()] = DEFAULT_SCENARIO,
        out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the HTML report.")] = Path("detente-report.html"),
        seed: Annotated[int, typer.Option(help="The one seed of every random step.")] = 0,
        full: Annotated[bool, typer.Option("--full", help="Larger sweeps and simulations (slower).")] = False,
    ) -> None:
        """The main job: every model on a scenario, uncertainty, levers, cohesion, the ceasefire simulator, and an HTML report."""
        sc = load_scenario(scenario)
        console.print(f"[bold]{sc.title or sc.id}[/bold]  ({len(sc.actors)} actors, {len(sc.issues)} issues, as of {sc.as_of or 'n/a'})")
        parts = build_parts(sc, seed=seed, quick=not full)
        _print_tables(parts)
        brief = [h for p in parts for h in p.headline]
        if brief:
            console.print("[bold]In brief[/bold]")
            for line in brief:
                console.print(f" • {line}")
        write_text_atomic(out, render_parts_report(sc, parts, seed=seed))
        console.print(f"report written to {out.resolve()}")

    @app.command()
    def report(
        scenario: Annotated[str, scenario_argument()] = DEFAULT_SCENARIO,
        out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the HTML report.")] = Path("detente-report.html"),
        seed: Annotated[int, typer.Option(help="The one seed of every random step.")] = 0,
        full: Annotated[bool, typer.Option("--full", help="Larger sweeps and simulations (slower).")] = False,
    ) -> None:
        """Write the self-contained HTML report of a scenario (works offline)."""
        sc = load_scenario(scenario)
        parts = build_parts(sc, seed=seed, quick=not full)
        write_text_atomic(out, render_parts_report(sc, parts, seed=seed))
        console.print(f"report written to {out.resolve()}")

    @app.command("forecast")
    def forecast_cmd(
        scenario: Annotated[str, scenario_argument()] = DEFAULT_SCENARIO,
        model: Annotated[list[str] | None, typer.Option("--model", "-m", help="Model name (repeatable); default: all.")] = None,
        set_: Annotated[list[str] | None, typer.Option("--set", help="Model parameter NAME=VALUE (repeatable).")] = None,
        seed: Annotated[int, typer.Option(help="Seed for stochastic models.")] = 0,
        fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
    ) -> None:
        """Forecast each issue with one or more models."""
        import warnings

        from detente import __version__
        from detente.core.hashing import scenario_hash
        from detente.errors import DetenteError
        from detente.io.results import forecast_to_dict
        from detente.models import available_models, forecast, model_class

        if fmt not in ("table", "json", "csv"):
            fail(f"--format: expected table, json or csv, received {fmt!r}")
        sc = load_scenario(scenario)
        sets = parse_sets(set_)
        names = list(model) if model else list(available_models())
        import dataclasses

        known: set[str] = set()
        for n in names:
            try:
                known |= {f.name for f in dataclasses.fields(model_class(n))}
            except DetenteError as exc:
                fail(str(exc))
        unknown = sorted(set(sets) - known)
        if unknown:
            fail(f"--set {unknown[0]}: no model among {', '.join(names)} has this parameter")
        results = []
        for n in names:
            m = build_model(n, sets)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    results.append(forecast(m, sc, seed=seed))
            except DetenteError as exc:
                fail(f"model {n}: {exc}")
        if fmt == "json":
            print_json(
                {
                    "detente_version": __version__,
                    "scenario": {"id": sc.id, "title": sc.title, "sha256": scenario_hash(sc)},
                    "results": [forecast_to_dict(f, sc) for f in results],
                }
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
        from rich.table import Table as RichTable

        for k, issue in enumerate(sc.issues):
            t = RichTable(title=f"{issue.name}  [{issue.scale.low:g} = {issue.scale.labels[0]} … {issue.scale.high:g} = {issue.scale.labels[1]}]",
                          title_justify="left")
            for c in ("model", "forecast", "in words", "status"):
                t.add_column(c)
            for f in results:
                v = float(f.outcome[k])
                st = str(f.diagnostics.status[k])
                why = f.no_forecast_reason(k)
                words = f"[dim]{why}[/dim]" if why else issue.scale.describe(v, reference=issue.reference)
                t.add_row(f.model, "—" if why else f"{v:.2f}", words, "" if st == "closed_form" else st)
            console.print(t)

    @app.command("models")
    def models_cmd() -> None:
        """List the models with their parameters, defaults and a one-line description."""
        import dataclasses

        from rich.table import Table as RichTable

        from detente.models import MODELS, available_models, model_class

        avail = set(available_models())
        t = RichTable(title="models", title_justify="left", show_lines=True)
        for c in ("name", "description", "parameters (defaults)"):
            t.add_column(c)
        for name in list(MODELS) + [n for n in avail if n not in MODELS]:
            if name not in avail:
                continue
            cls = model_class(name)
            params = ", ".join(f"{f.name}={f.default!r}" for f in dataclasses.fields(cls))
            t.add_row(name, cls.info.description or (cls.__doc__ or "").strip().splitlines()[0], params or "—")
        console.print(t)

    @app.command("scenarios")
    def scenarios_cmd() -> None:
        """List the built-in scenarios."""
        from rich.table import Table as RichTable

        from detente.io.builtin import builtin_names, load_builtin

        t = RichTable(title="built-in scenarios", title_justify="left")
        for c in ("name", "title", "actors", "issues"):
            t.add_column(c)
        for n in builtin_names():
            sc = load_builtin(n)
            t.add_row(n, sc.title, str(len(sc.actors)), str(len(sc.issues)))
        console.print(t)
