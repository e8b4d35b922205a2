"""``detente explain``: why one actor moved or stayed, round by round, in plain sentences."""

from __future__ import annotations

import textwrap
from typing import Annotated, Any

import typer

from detente.cli.common import (
    DEFAULT_SCENARIO,
    check_min,
    console,
    fail,
    load_scenario,
    match_ref,
    parse_sets,
    scenario_argument,
)
from detente.cli.uncertainty import build_models


def _wrap(text: str, indent: str = "") -> str:
    width = max(60, min(console.width, 100))
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent or "")


def render(story: Any, perspective: list[str]) -> str:
    """The story as wrapped plain text (no markup)."""
    out = [_wrap(story.title), "=" * min(len(story.title), max(60, min(console.width, 100))), ""]
    out.append(_wrap(" ".join(story.opening)))
    if perspective:
        out.append(_wrap(" ".join(perspective)))
    out.append("")
    for r in story.rounds:
        out.append(_wrap(f"{r.label}: {r.text()}"))
        out.append("")
    if story.closing:
        out.append(_wrap(" ".join(story.closing)))
    return "\n".join(out).rstrip() + "\n"


def explain(
    scenario: Annotated[str, scenario_argument()] = DEFAULT_SCENARIO,
    *,
    actor: Annotated[str, typer.Option("--actor", "-a", help="Actor id or name to follow.")],
    model: Annotated[
        str, typer.Option("--model", "-m", help="A dynamic model: eum, exchange or smp.")
    ] = "eum",
    issue: Annotated[
        str | None, typer.Option("--issue", "-i", help="Issue id or name; default: every issue.")
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Model parameter NAME=VALUE (repeatable).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for stochastic models.")] = 0,
) -> None:
    """Tell, round by round, why ACTOR moved or stayed in a dynamic model (default: expected utility)."""
    import math

    import numpy as np

    from detente.errors import DetenteError
    from detente.models import forecast
    from detente.models.base import statuses_not_warnings
    from detente.report.narrative import actor_story, perspective_sentences

    check_min("--seed", seed, 0)
    sc = load_scenario(scenario)
    m = build_models([model], parse_sets(set_))[0]  # an unknown --set NAME is refused, as in levers
    if not type(m).info.dynamic:
        fail(f"--model {model}: not a dynamic model (expected one with rounds, e.g. eum, exchange or smp)")
    aid = match_ref("actor", actor, [(a.id, a.name) for a in sc.actors])
    issues = [i.id for i in sc.issues]
    if issue is not None:
        issues = [match_ref("issue", issue, [(i.id, i.name) for i in sc.issues])]
    try:
        with statuses_not_warnings():
            fc = forecast(m, sc, seed=seed)
    except DetenteError as exc:
        fail(f"model {model}: {exc}")
    pred = fc.prediction
    params = getattr(m, "resolved_params", None)
    variant = f" (variant {m.variant})" if hasattr(m, "variant") else ""
    console.print(
        f"{sc.title or sc.id} — {model} model{variant}, seed {seed}",
        markup=False,
        highlight=False,
    )
    if callable(params):
        shown = ", ".join(f"{k}={v}" for k, v in params().items() if k != "variant")
        console.print(_wrap(f"Settings: {shown}."), markup=False, highlight=False)
    console.print("")
    rs = pred.extras.get("round_stats") if isinstance(pred.extras, dict) else None
    persp = pred.extras.get("perspective") if isinstance(pred.extras, dict) else None
    for iid in issues:
        k = sc.issue_ids.index(iid)
        status = str(np.asarray(pred.diagnostics.status).reshape(-1)[k])
        value = float(fc.outcome[k])
        story = actor_story(
            sc,
            pred.events,
            aid,
            iid,
            model=model,
            trajectory=pred.trajectory,
            round_stats=rs,
            status=status,
            forecast=value if math.isfinite(value) else None,
            pressure=pred.extras.get("pressure") if isinstance(pred.extras, dict) else None,
        )
        ps = perspective_sentences(sc, persp, aid, iid) if isinstance(persp, dict) else []
        console.print(render(story, ps), markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("explain")(explain)
