"""``detente draft``: a first draft of a scenario from a news text, every suggestion tied to its quote."""

from __future__ import annotations

import json
import warnings
from typing import Annotated, Any

import typer

from detente.cli.choices import Format
from detente.cli.common import console, fail, print_json, write_text_atomic


def _print_table(doc: dict[str, Any], out: str | None) -> None:
    from rich.table import Table as RichTable

    sugs = doc["draft"]["suggestions"]
    t = RichTable(title=f"Suggested stances ({len(sugs)}; review them: all are drafts)", title_justify="left")
    for c in ("actor", "issue", "position", "confidence", "quote"):
        t.add_column(c)
    text = doc["draft"]["text"].get("content", "")
    for s in sugs:
        q = s["quotes"][0]
        quote = text[q["start"] : q["end"]] if text else ""
        t.add_row(
            s["actor"],
            s["issue"],
            "" if s["position"] is None else f"{s['position']:g}",
            f"{s['confidence']:.2f}",
            quote if len(quote) <= 90 else quote[:87] + "...",
        )
    console.print(t)
    contra = doc["draft"].get("contradictions") or []
    for c in contra:
        console.print(
            f"contradiction: {c['actor']}/{c['issue']}: the scenario says {c['position']}, the text suggests "
            f"{c['suggested']} (not applied)",
            markup=False,
            soft_wrap=True,
        )


def draft(
    text: Annotated[str, typer.Argument(help="Plain text, Markdown or HTML file to draft from (UTF-8).")],
    out: Annotated[
        str | None,
        typer.Option("--out", help="Write the draft scenario here (.yaml or .json); validated first."),
    ] = None,
    into: Annotated[
        str | None,
        typer.Option(
            "--into",
            help="Merge into this scenario (built-in name or file): evidence added, nothing overwritten.",
        ),
    ] = None,
    source_title: Annotated[
        str, typer.Option("--source-title", help="Title of the text (shown with every quote).")
    ] = "",
    source_date: Annotated[
        str, typer.Option("--source-date", help="Date of the text, e.g. 2025-06-15.")
    ] = "",
    source_url: Annotated[str, typer.Option("--source-url", help="Where the text was published.")] = "",
    aliases: Annotated[
        str | None,
        typer.Option("--aliases", help="Your own aliases: CSV 'alias,actor[,name]' or YAML {alias: actor}."),
    ] = None,
    templates: Annotated[
        str | None,
        typer.Option(
            "--templates", help="Your own issue templates (YAML list, layout of the packaged ones)."
        ),
    ] = None,
    lm_url: Annotated[
        str | None,
        typer.Option(
            "--lm-url",
            help="Also ask this OpenAI-compatible endpoint (off unless given; key from DETENTE_LM_KEY).",
        ),
    ] = None,
    lm_model: Annotated[str, typer.Option("--lm-model", help="Model name sent to --lm-url.")] = "default",
    fmt: Annotated[Format, typer.Option("--format", help="How to print the summary.")] = Format.table,
) -> None:
    """Draft actors and stances from a text: each suggestion with its exact quote, offsets, cue and confidence.

    Offline and deterministic unless --lm-url is given. Every stance is `status: draft`; `detente validate`
    lists what still needs numbers. Bad input (empty, binary, not UTF-8, over 2 MB, no actor named): one line,
    exit 2, nothing written.
    """
    from detente._version import __version__
    from detente.errors import DetenteError, ScenarioError
    from detente.io.draft import DraftOptions, LMConfig, draft_file
    from detente.io.files import dump_yaml_mapping
    from detente.io.mapping import parse_scenario

    if fmt == Format.csv:
        fail("--format csv: expected table or json for draft")
    if out is not None and not out.lower().endswith((".yaml", ".yml", ".json")):
        fail(f"--out {out}: expected a .yaml, .yml or .json file name")
    opts = DraftOptions(
        title=source_title,
        date=source_date,
        url=source_url,
        aliases_file=aliases,
        templates_file=templates,
        lm=LMConfig(url=lm_url, model=lm_model) if lm_url else None,
    )
    try:
        doc = draft_file(text, opts, into=into, version=__version__)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parse_scenario(doc, source=out or "<draft>")
    except ScenarioError as exc:
        fail(exc.problems[0] if exc.problems else str(exc))
    except DetenteError as exc:
        fail(str(exc))
    except (OSError, ValueError, TypeError) as exc:  # last resort: never a traceback
        fail(f"{text}: {exc}")
    if out is not None:
        body = (
            json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
            if out.lower().endswith(".json")
            else dump_yaml_mapping(doc)
        )
        write_text_atomic(out, body)
    if fmt == Format.json:
        from detente.io.documents import draft_summary_document

        print_json(draft_summary_document(doc, out))
        return
    _print_table(doc, out)
    n = len(doc["draft"]["suggestions"])
    pos = sum(1 for s in doc["draft"]["suggestions"] if s["position"] is not None)
    where = f"wrote {out}" if out else "nothing written (no --out)"
    console.print(
        f"{where}: {len(doc['actors'])} actors, {n} suggested stances ({pos} with a position); "
        "every stance is a draft: check it, set numbers, accept or delete it (detente validate lists what is left).",
        markup=False,
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    app.command("draft")(draft)
