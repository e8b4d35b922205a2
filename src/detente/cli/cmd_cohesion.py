"""``detente cohesion``: how close two groups are, issue by issue, and the coalition map."""

from __future__ import annotations

import math
from typing import Annotated, Any

import typer

from detente.cli.choices import Format
from detente.cli.common import (
    DEFAULT_SCENARIO,
    console,
    fail,
    load_scenario,
    print_csv,
    print_json,
    scenario_argument,
)
from detente.cli.uncertainty import default_groups, fmt_num


def _groups(sc: Any, groups: str | None) -> tuple[str, str]:
    if groups is None:
        g = default_groups(sc)
        if g is None:
            fail(
                "--groups: expected two groups or actor ids A,B; the scenario has groups: "
                f"{', '.join(sorted(sc.groups())) or 'none'}"
            )
        return g
    parts = [p.strip() for p in groups.split(",") if p.strip()]
    if len(parts) != 2:
        fail(f"--groups: expected two names A,B, received {groups!r}")
    if parts[0] == parts[1]:  # a group against itself: every distance and the index were "—"
        fail(f"--groups: expected two different groups or actors A,B, received {groups!r}")
    return parts[0], parts[1]


def _print_tables(sc: Any, c: Any, cm: Any, a: str, b: str, cut: float) -> None:
    from rich.table import Table as RichTable
    from rich.text import Text

    from detente.analysis.coalitions import resolve_group

    names = {i.id: i.name for i in sc.issues}

    def within(g: str, v: float) -> str:  # a one-actor group has no pair to measure
        return "— (one member)" if len(resolve_group(sc, g)) == 1 else fmt_num(v, 2)

    console.print(
        Text.assemble(
            (f"cohesion {a} – {b}: {fmt_num(c.index, 2)}", "bold"),
            " (1 = same positions where both care, 0 = opposite ends); "
            f"within {a}: {within(a, c.within_a)}, within {b}: {within(b, c.within_b)}",
        )
    )
    from rich import box

    t = RichTable(
        title="Distance per issue (salience-weighted, issue units)", title_justify="left", box=box.SIMPLE_HEAD
    )
    t.add_column("issue", ratio=1)  # the names take what the numbers leave, and wrap only there
    for col in (a, b, "distance", "share"):
        t.add_column(col, justify="right", no_wrap=True)
    order = sorted(
        range(len(c.issue_ids)),
        key=lambda k: -(c.split_share[k] if math.isfinite(c.split_share[k]) else -1),
    )
    for k in order:
        t.add_row(
            names[c.issue_ids[k]],
            fmt_num(float(c.mean_a[k])),
            fmt_num(float(c.mean_b[k])),
            fmt_num(float(c.distance[k])),
            "—" if not math.isfinite(c.split_share[k]) else f"{c.split_share[k]:.0%}",
        )
    console.print(t)
    console.print("share: the issue's part of the whole split between the groups.", style="dim")
    if not all(math.isfinite(float(x)) for x in (*c.mean_a, *c.mean_b)):
        console.print("—: no member of that group has a stance on the issue.", style="dim")
    labels = {x.id: x.label for x in sc.actors}
    bt = RichTable(
        title=f"Coalition map: blocs (average linkage, cut {cut:g})",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    bt.add_column("bloc", justify="right")
    bt.add_column("actors")
    for k, bl in enumerate(cm.blocs(), start=1):
        bt.add_row(str(k), ", ".join(labels[x] for x in bl))
    console.print(bt)


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
    fmt: Annotated[
        Format, typer.Option("--format", help="How to print the result (csv: the distance per issue).")
    ] = Format.table,
) -> None:
    """Alliance cohesion between two groups: distance per issue, the issues that split them, a cohesion index, coalition map."""
    from detente.analysis.coalitions import coalition_map
    from detente.analysis.coalitions import cohesion as cohesion_fn
    from detente.errors import DetenteError
    from detente.io.documents import cohesion_document, cohesion_rows

    if not (0.0 <= cut <= 1.0):
        fail(f"--cut: expected a number in [0, 1], received {cut}")
    sc = load_scenario(scenario)
    a, b = _groups(sc, groups)
    try:
        c = cohesion_fn(sc, a, b)
        cm = coalition_map(sc, cut=cut)
    except DetenteError as exc:
        fail(str(exc))
    if fmt == Format.json:
        print_json(cohesion_document(sc, a, b, c, cm))
    elif fmt == Format.csv:
        print_csv(["issue", "position_" + a, "position_" + b, "distance", "share"], cohesion_rows(c, a, b))
    else:
        _print_tables(sc, c, cm, a, b, cut)


def register(app: typer.Typer) -> None:
    app.command()(cohesion)
