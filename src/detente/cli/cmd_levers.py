"""``detente levers``: what would it take, per actor, to move a forecast to a target."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from detente.cli.choices import Format
from detente.cli.common import (
    DEFAULT_SCENARIO,
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
from detente.cli.uncertainty import DEFAULT_LEVER_MODEL, build_models
from detente.core.text import either, possessive

LEVER_COLUMNS = ["actor", "input", "feasible", "base", "value", "change", "forecast", "effort", "statement"]


def _print_table(res: Any, issue_name: str, model_name: str, tgt: str) -> None:
    from rich.text import Text

    from detente.cli.common import print_table

    console.print(
        Text.assemble((issue_name, "bold"), f": {model_name} forecast {res.base_outcome:.4g}; target {tgt}")
    )
    if res.already:
        console.print("The forecast already meets the target: nothing needs to change.")
        return
    if not res.feasible():  # an empty table's frame says nothing the last line does not
        console.print(
            f"Nothing within the scale reaches {tgt}: no single actor's position, salience or capability change does."
        )
        return
    rows = [
        [
            lv.actor_name,
            lv.input,
            f"{lv.base:.4g}",
            f"{lv.value:.4g}",
            f"{lv.change:+.3g}",
            f"{lv.outcome:.4g}",
        ]
        for lv in res.feasible()
    ]
    print_table(
        "What would it take (easiest first)",
        ["actor", "input", "from", "to", "change", "forecast then"],
        rows,
    )
    blocked: dict[str, list[str]] = {}
    for lv in res.levers:
        if not lv.feasible:
            blocked.setdefault(lv.actor_name, []).append(lv.input)
    # one line per set of blocked inputs, not per actor: six actors were six lines, each wrapped at 80 columns
    by_inputs: dict[tuple[str, ...], list[str]] = {}
    for who, inputs in blocked.items():
        by_inputs.setdefault(tuple(inputs), []).append(who)
    for names, whos in by_inputs.items():
        what = either(list(names))
        line = (
            f"No change of {possessive(whos[0])} {what} alone (within its range) reaches {tgt}."
            if len(whos) == 1
            else f"No change of the {what} alone (within its range) of {either(whos)} reaches {tgt}."
        )
        console.print(f"{line}", style="dim")


def levers(
    scenario: Annotated[str, scenario_argument()] = DEFAULT_SCENARIO,
    *,
    issue: Annotated[str, typer.Option("--issue", "-i", help="Issue id or name.")],
    target: Annotated[
        str, typer.Option("--target", "-t", help="'>=VALUE' or '<=VALUE' in the issue's units.")
    ],
    model: Annotated[str, typer.Option("--model", "-m", help="Model to invert.")] = DEFAULT_LEVER_MODEL,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Model parameter NAME=VALUE (repeatable).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for stochastic models.")] = 0,
    fmt: Annotated[Format, typer.Option("--format", help="How to print the result.")] = Format.table,
) -> None:
    """What would it take: per actor, the smallest change of position, salience or capability that reaches a target."""
    from detente.analysis.inverse import parse_target, what_it_takes
    from detente.errors import DetenteError
    from detente.io.documents import lever_rows, levers_document

    check_min("--seed", seed, 0)
    sc = load_scenario(scenario)
    issue = match_ref("issue", issue, [(i.id, i.name) for i in sc.issues])
    try:
        op, value = parse_target(target)
    except DetenteError:
        fail(f"--target {target!r}: expected '>=VALUE' or '<=VALUE' with a number, e.g. '>=60'")
    it = sc.issue(issue)
    low, high = sorted((float(it.scale.low), float(it.scale.high)))
    if not low <= value <= high:  # no forecast leaves the scale: the search can only fail, at length
        fail(
            f"--target {target!r}: {value:g} is outside the scale of issue {issue!r} (expected {low:g} to {high:g})"
        )
    m = build_models([model], parse_sets(set_))[0]
    try:
        res = what_it_takes(m, sc, issue, op, value, seed=seed)
    except DetenteError as exc:
        fail(str(exc))
    tgt = f"{op} {value:g}"
    if fmt == Format.json:
        print_json(levers_document(sc, m, issue, op, value, res, it.name, seed=seed))
    elif fmt == Format.csv:
        print_csv(LEVER_COLUMNS, lever_rows(res, it.name, tgt))
    else:
        _print_table(res, it.name, type(m).info.name, tgt)
        for mv in res.pivot_moves:  # rule-reading models: the veto player or pivot that blocks the target
            console.print(
                f"Under the decision rule, {sc.actor(mv.actor).label} would have to move from {mv.position:.4g} "
                f"to {mv.to:.4g} ({mv.move:+.3g}) for {tgt} to be acceptable to the pivots."
            )


def register(app: typer.Typer) -> None:
    app.command()(levers)
