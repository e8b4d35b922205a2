"""``detente elicit export|import``: expert questionnaires out, pooled scenario back in (docs/panels.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from detente.cli.choices import Pool, QuestionnaireFormat
from detente.cli.common import (
    DEFAULT_SCENARIO,
    check_output_path,
    console,
    err_console,
    fail,
    load_scenario,
    scenario_argument,
    write_bytes_atomic,
)
from detente.core.text import plural

ELICIT = typer.Typer(
    help="Expert panels: write one questionnaire per expert, read the returned ones back and pool them "
    "into a scenario whose uncertainty is the experts' disagreement.\n\n"
    "Example: detente elicit export ukraine-2025 --experts ana,ben,chloe --out panel/, let each expert "
    "fill theirs, then detente elicit import panel/*.xlsx --out pooled.yaml.",
    no_args_is_help=True,
)
"""``detente elicit``: its commands are the ``elicit_*`` functions below."""


def _experts(text: str) -> list[str]:
    from detente.core.panel import expert_ids
    from detente.errors import ScenarioError

    try:
        return list(expert_ids(text))
    except ScenarioError as exc:
        fail(f"--{exc}")


def elicit_export(
    scenario: Annotated[str, scenario_argument("Built-in name or scenario file to ask the experts about")] = (
        DEFAULT_SCENARIO
    ),
    experts: Annotated[str, typer.Option("--experts", help="The experts' ids, separated by commas.")] = "",
    out: Annotated[str, typer.Option("--out", help="The folder to write the questionnaires to.")] = "",
    to: Annotated[QuestionnaireFormat, typer.Option("--to", help="The questionnaires' file type.")] = (
        QuestionnaireFormat.xlsx
    ),
    prefill: Annotated[
        bool,
        typer.Option(
            "--prefill", help="Show the scenario's current values (default: blind, so experts do not anchor)."
        ),
    ] = False,
) -> None:
    """Write one questionnaire per expert: every actor × issue with position, salience, capability, confidence, notes."""
    from detente.errors import DetenteError
    from detente.io.questionnaire import questionnaire_csv, questionnaire_xlsx

    if not experts:
        fail("--experts: missing (expected the experts' ids separated by commas, e.g. ana,ben,chloe)")
    if not out:
        fail("--out: missing (expected the folder to write the questionnaires to)")
    names = _experts(experts)
    sc = load_scenario(scenario)
    folder = Path(out).expanduser()
    if folder.exists() and not folder.is_dir():
        fail(f"{folder}: is a file (expected a folder for the questionnaires)")
    if not folder.exists() and not folder.parent.is_dir():
        fail(f"{folder}: folder {folder.parent} does not exist")
    targets = {n: folder / f"{sc.id}-{n}.{to}" for n in names}
    taken = [str(p) for p in targets.values() if p.exists()]
    if taken:
        fail(f"{taken[0]}: exists (expected a new file: a returned questionnaire is never overwritten)")
    try:
        files = {
            n: (
                questionnaire_xlsx(sc, scenario, n, prefill=prefill)
                if to == QuestionnaireFormat.xlsx
                else questionnaire_csv(sc, scenario, n, prefill=prefill).encode("utf-8")
            )
            for n in names
        }
    except DetenteError as exc:
        fail(str(exc))
    folder.mkdir(exist_ok=True)
    for n, data in files.items():
        write_bytes_atomic(targets[n], data)
    rows = len(sc.actors) * len(sc.issues)
    mode = "with the current values" if prefill else "blind"
    console.print(
        f"wrote {plural(len(names), 'questionnaire')} ({mode}, {plural(rows, 'row')} each) to {folder}: "
        + ", ".join(p.name for p in targets.values()),
        markup=False,
        soft_wrap=True,
    )


def elicit_import(
    files: Annotated[list[str], typer.Argument(help="The returned questionnaires (.xlsx, .csv or .json).")],
    out: Annotated[
        str, typer.Option("--out", help="The pooled scenario file to write (.yaml or .json).")
    ] = "",
    pool: Annotated[
        Pool, typer.Option("--pool", help="How the experts' answers are pooled per stance.")
    ] = Pool.median,
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario", help="The scenario the questionnaires answer (default: the one they name)."
        ),
    ] = None,
) -> None:
    """Check the returned questionnaires against their scenario, pool them, write the pooled scenario."""
    from detente.analysis.panel import disagreement, pool_panel
    from detente.core.panel import Panel
    from detente.errors import DetenteError
    from detente.io.files import write_scenario
    from detente.io.questionnaire import read_questionnaire, read_questionnaire_meta

    if not out:
        fail("--out: missing (expected the pooled scenario file to write, e.g. pooled.yaml)")
    check_output_path(out, *files, scenario)  # never over a questionnaire or the scenario
    try:
        metas = [read_questionnaire_meta(f) for f in files]
        ref = scenario or metas[0][1]
        if not ref:
            fail(f"{files[0]}: names no scenario (expected --scenario REF)")
        sc = load_scenario(ref)
        qs = [read_questionnaire(f, sc) for f in files]
        first: dict[str, str] = {}
        for q in qs:
            if q.expert in first:
                fail(
                    f"{q.source}: expert {q.expert!r} was already read from {first[q.expert]} (expected one file per expert)"
                )
            first[q.expert] = q.source
        for q in qs:
            if not any(not a.empty for a in q.answers):
                fail(
                    f"{q.source}: no answers (every position, salience and capability is empty; "
                    "expected a filled questionnaire)"
                )
        panel = Panel(
            experts=tuple(q.expert for q in qs),
            answers=tuple(a for q in qs for a in q.answers),
            pool=str(pool),  # type: ignore[arg-type]
            scenario_hash=qs[0].scenario_hash,
        )
        pooled = pool_panel(sc, panel)
        target = write_scenario(pooled, out)
    except DetenteError as exc:
        fail(str(exc))
    _summary(pooled, target, disagreement(pooled))
    _older_exports(qs, sc)


def _summary(pooled: Any, target: Path, rows: list[Any]) -> None:
    panel = pooled.panel
    answered = len({(a.actor, a.issue) for a in panel.answers if not a.empty})
    console.print(
        f"pooled {plural(len(panel.experts), 'expert')} ({panel.pool}) on {plural(answered, 'stance')}: {target}",
        markup=False,
        soft_wrap=True,
    )
    from detente.cli.common import print_table

    scales = {i.id: i.scale for i in pooled.issues}
    body = []
    for d in rows[:5]:
        sc = scales[d.issue]
        shown = ", ".join(f"{e} {p:g}" for e, p in d.positions)
        body.append([d.actor, d.issue, f"{d.position_sd:.3g}", f"{sc.low:g}–{sc.high:g}", shown])
    if body:  # one row per stance: the lines ran to 90 characters and wrapped at 80
        print_table("most disputed positions", ["actor", "issue", "SD", "scale", "experts' positions"], body)


def _older_exports(qs: list[Any], sc: Any) -> None:
    """One note when a questionnaire was exported from an earlier version of the scenario (same
    actors, issues and scales, so its answers still apply; stance values may have changed since)."""
    from detente.core.hashing import scenario_hash

    now = scenario_hash(sc)
    old = [Path(q.source).name for q in qs if q.scenario_hash != now]
    if old:
        err_console.print(
            f"note: {', '.join(old)} {'was' if len(old) == 1 else 'were'} exported from an earlier version of "
            f"{sc.id} (same actors, issues and scales; stance values may have changed since)",
            markup=False,
            soft_wrap=True,
        )


ELICIT.command("export")(elicit_export)
ELICIT.command("import")(elicit_import)


def register(app: typer.Typer) -> None:
    app.add_typer(ELICIT, name="elicit")
