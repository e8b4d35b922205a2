"""``detente sensitivity``: which actors and inputs move each forecast most (tornado, knockout, Sobol)."""

from __future__ import annotations

import math
import sys
from typing import Annotated, Any

import typer

from detente.cli.choices import Format, Method
from detente.cli.common import (
    DEFAULT_SCENARIO,
    check_fits,
    check_min,
    console,
    fail,
    load_scenario,
    match_ref,
    parse_sets,
    print_csv,
    print_json,
    scenario_argument,
)
from detente.cli.uncertainty import DEFAULT_LEVER_MODEL, build_models, clean, fmt_num, perturbation_for

SOBOL_DRAWS = 512  # the Sobol base sample size n when --draws is not given


def _csv(method: Method, issues: list[dict[str, Any]]) -> None:
    """One row per issue and input (tornado, sobol) or per issue and actor (knockout)."""
    if method == Method.knockout:
        cols = ["issue", "forecast", "actor", "forecast_without", "change"]
        rows = [
            [d["issue"], d["forecast"], a, d["without"][a], d["change"][a]]
            for d in issues
            for a in d["without"]
        ]
    elif method == Method.sobol:
        cols = ["issue", "variance", "actor", "input", "first", "total"]
        rows = [[d["issue"], d["variance"], *t.values()] for d in issues for t in d["top"]]
    else:
        cols = [
            "issue",
            "forecast",
            "actor",
            "input",
            "on_issue",
            "low",
            "high",
            "forecast_low",
            "forecast_high",
            "swing",
        ]
        rows = [[d["issue"], d["forecast"], *t.values()] for d in issues for t in d["top"]]
    print_csv(cols, rows)


def _fc(v: float, digits: int = 4) -> str:
    """A forecast (or its sd) in a table title; NaN reads as what it means."""
    return fmt_num(v, digits, missing="none (the model gives no forecast here)")


def _print_sobol(
    sob: Any,
    issues: list[str],
    top: int,
    draws: int,
    labels: dict[str, str],
    names: dict[str, str],
    model: str,
) -> None:
    from detente.cli.common import print_table

    for iid in issues:
        k = sob.issue_ids.index(iid)
        sd = math.sqrt(max(float(sob.variance[k]), 0.0))
        console.print(
            f"{names[iid]}: sd of the forecast {_fc(sd, 3)}; share of its variance due to each input"
        )
        rows = [
            [
                labels[g[0]],
                g[1],
                f"{max(f, 0.0):.0%}" if math.isfinite(f) else "—",
                f"{max(tot, 0.0):.0%}" if math.isfinite(tot) else "—",
            ]
            for g, f, tot in sob.top(iid, top)
        ]
        print_table("", ["actor", "input", "alone (first order)", "with interactions (total)"], rows)
    console.print(
        f"Sobol indices of the {model} model from {draws}·(3A+2) model runs (sd in the issue's units); Monte Carlo error about ±{1 / math.sqrt(draws):.0%} (small negative estimates shown as 0%).",
        style="dim",
    )


def _print_knockout(
    ko: Any, issues: list[str], top: int, labels: dict[str, str], names: dict[str, str], model: str
) -> None:
    from detente.cli.common import print_table

    for iid in issues:
        k = ko.issue_ids.index(iid)
        console.print(f"{names[iid]}: forecast {_fc(ko.base[k])}; without each actor")
        rows = [
            [
                labels[a],
                fmt_num(float(ko.without[ko.actor_ids.index(a), k]), 4),
                "—" if not math.isfinite(d) else f"{d:+.3g}",
            ]
            for a, d in ko.ranked(iid)[:top]
        ]
        print_table("", ["actor", "forecast without", "change"], rows)
    console.print(
        f"{model} model, run again with each actor left out; forecasts and changes in the issue's units.",
        style="dim",
    )


def _print_tornado(
    tor: Any, issues: list[str], top: int, labels: dict[str, str], names: dict[str, str], model: str
) -> None:
    from detente.cli.common import print_table

    for iid in issues:
        k = tor.issue_ids.index(iid)
        console.print(f"{names[iid]}: forecast {_fc(tor.base[k])}; inputs that move it most")
        top_rows = tor.top(iid, top)
        # "on issue" only where an input on another issue moves this one (exchange, SMP): otherwise it
        # repeats the title on every row and wraps the table at 80 columns
        other = any(c.issue != iid for c, *_ in top_rows)
        cols = (
            "actor",
            "input",
            *(("on issue",) if other else ()),
            "input low → high",
            "forecast low → high",
            "swing",
        )
        rows = [
            [
                labels[c.actor],
                c.input,
                *((names[c.issue],) if other else ()),
                f"{c.low:.3g} → {c.high:.3g}",
                f"{lo:.4g} → {hi:.4g}",
                f"{sw:.3g}",
            ]
            for c, lo, hi, sw in top_rows
        ]
        print_table("", list(cols), rows)
    console.print(  # docs/uncertainty.md §3
        f"{model} model; each input set alone to the 5th and the 95th percentile of its uncertainty "
        "(everything else as stated); forecasts and swing in the issue's units.",
        style="dim",
    )


def sensitivity(
    scenario: Annotated[str, scenario_argument()] = DEFAULT_SCENARIO,
    model: Annotated[str, typer.Option("--model", "-m", help="Model.")] = DEFAULT_LEVER_MODEL,
    method: Annotated[
        Method,
        typer.Option(
            help="tornado (one at a time), knockout (without each actor) or sobol (variance shares)."
        ),
    ] = Method.tornado,
    issue: Annotated[str | None, typer.Option("--issue", "-i", help="Only this issue (id or name).")] = None,
    top: Annotated[int, typer.Option(help="Rows per issue.")] = 8,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Model parameter NAME=VALUE (repeatable).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for stochastic models.")] = 0,
    draws_given: Annotated[
        int | None,
        typer.Option("--draws", "-n", help="Sobol only: base sample size n (cost n·(3A + 2)); default 512."),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="How to print the result.")] = Format.table,
) -> None:
    """Which actors and inputs move each forecast most: tornado, knockout (without each actor) or Sobol indices."""
    from detente.analysis.sensitivity import knockout, sobol, tornado
    from detente.errors import DetenteError
    from detente.io.documents import knockout_rows, sensitivity_document, sobol_rows, tornado_rows

    draws = SOBOL_DRAWS if draws_given is None else draws_given
    check_min("--draws", draws, 2)
    if draws_given is not None and method != Method.sobol:
        print(f"warning: --draws is used by --method sobol only; {method} ignores it", file=sys.stderr)
    check_min("--top", top, 1)
    check_min("--seed", seed, 0)
    sc = load_scenario(scenario)
    if method == Method.sobol:  # n·(3A + 2) model runs, their outcomes per issue
        check_fits(
            "--draws", draws, (3 * len(sc.actors) + 2) * len(sc.issues) * 16, "the Sobol runs' outcomes"
        )
    if issue is not None:
        issue = match_ref("issue", issue, [(i.id, i.name) for i in sc.issues])
    issues = [issue] if issue else list(sc.issue_ids)
    m = build_models([model], parse_sets(set_))[0]
    labels = {x.id: x.label for x in sc.actors}
    names = {i.id: i.name for i in sc.issues}
    result: Any
    try:
        if method == Method.knockout:
            result = knockout(m, sc, seed=seed)
            rows = knockout_rows(result, issues)
        elif method == Method.sobol:
            result = sobol(m, sc, perturbation_for(sc), n=draws, seed=seed)
            rows = sobol_rows(result, issues, top)
        else:
            result = tornado(m, sc, perturbation_for(sc), seed=seed)
            rows = tornado_rows(result, issues, top)
    except DetenteError as exc:
        fail(str(exc))
    if fmt == Format.json:
        print_json(sensitivity_document(sc, m, str(method), rows, seed=seed, draws=draws))
    elif fmt == Format.csv:
        _csv(method, clean(rows))
    elif method == Method.sobol:
        _print_sobol(result, issues, top, draws, labels, names, type(m).info.name)
    elif method == Method.knockout:
        _print_knockout(result, issues, top, labels, names, type(m).info.name)
    else:
        _print_tornado(result, issues, top, labels, names, type(m).info.name)


def register(app: typer.Typer) -> None:
    app.command()(sensitivity)
