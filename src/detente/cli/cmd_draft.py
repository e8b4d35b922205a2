"""``detente draft``: a first draft of a scenario from a news text, every suggestion tied to its quote."""

from __future__ import annotations

import json
import warnings
from typing import Annotated, Any

import typer

from detente.cli.choices import Format
from detente.cli.common import check_output_path, console, fail, print_json, write_text_atomic

ACTOR_WIDTH = 16
ISSUE_WIDTH = 22
MIN_QUOTE = 24
MENTION_MARK = "*"
"""After the confidence: the actor is only mentioned beside its clause's subject (docs/draft.md §3)."""


def _print_table(doc: dict[str, Any]) -> None:
    """One line per suggestion at the terminal's width (two when the ids are long): actor, issue,
    position (— when none), confidence (``*`` after it: only mentioned beside the subject) and the
    first words of the quote; full quotes are in the draft file and ``--format json``."""
    from detente.core.text import shorten

    sugs = doc["draft"]["suggestions"]
    text = doc["draft"]["text"].get("content", "")
    width = max(60, min(console.width, 120))
    aw = min(ACTOR_WIDTH, max((len(s["actor"]) for s in sugs), default=5))
    iw = min(ISSUE_WIDTH, max((len(s["issue"]) for s in sugs), default=5))
    pw = max([3, *(len(f"{s['position']:g}") for s in sugs if s["position"] is not None)])
    lines = [
        f"Suggested stances ({len(sugs)}; all are drafts: review them)",
        f"{'actor':<{aw}} {'issue':<{iw}} {'pos':>{pw}} {'conf':>4}  quote",
    ]
    for s in sugs:
        q = s["quotes"][0]
        quote = text[q["start"] : q["end"]] if text else ""
        pos = "—" if s["position"] is None else f"{s['position']:g}"
        mark = MENTION_MARK if s.get("role") == "mentioned" else " "
        head = f"{s['actor']:<{aw}} {s['issue']:<{iw}} {pos:>{pw}} {s['confidence']:>4.2f}{mark} "
        room = width - len(head)
        if room >= MIN_QUOTE:
            lines.append(head + shorten(quote, room))
        else:
            lines.append(head.rstrip())
            lines.append("    " + shorten(quote, width - 4))
    if any(s.get("role") == "mentioned" for s in sugs):
        seen = sum(1 for s in sugs if s.get("role") == "mentioned")
        lines.append(f"{MENTION_MARK} {seen} only mentioned beside the cue's subject: no position suggested")
    for c in doc["draft"].get("contradictions") or []:
        lines.append(
            f"contradiction: {c['actor']}/{c['issue']}: the scenario says {c['position']}, the text suggests "
            f"{c['suggested']} (not applied)"
        )
    lines.append("full quotes, offsets and cues: in the draft file (--out) and with --format json")
    for line in lines:
        console.print(line, markup=False, soft_wrap=True, highlight=False)


def _print_merge(section: dict[str, Any], into: str, *, written: bool) -> None:
    """With --into: how many quotes and draft stances went into the scenario, and where the table's
    ids (the text's: ``europe``, ``ceasefire``) went in it (``eu, uk, …``, ``ceasefire_sequencing``)."""
    mapping = section.get("mapping") or {}
    moved = [
        f"{k} → {', '.join(v['to'])}" for k, v in (mapping.get("actors") or {}).items() if v.get("to") != [k]
    ] + [f"{k} → {v}" for k, v in (mapping.get("issues") or {}).items() if v != k]
    added = int(section.get("added") or 0)
    done = "added, nothing overwritten" if written else "to add (nothing written without --out)"
    lines = [f"merged into {into}: {added} quotes and draft stances {done}"]
    if moved:
        lines.append("the table's ids in it: " + "; ".join(moved))
    for line in lines:
        console.print(line, markup=False, soft_wrap=False, highlight=False)


def _check_options(date: str, url: str, lm_url: str | None) -> None:
    """Refuse bad option values before anything is read (one line, exit 2)."""
    import datetime
    from urllib.parse import urlparse

    if date:
        try:
            datetime.date.fromisoformat(date)
            ok = len(date) == 10
        except ValueError:
            ok = False
        if not ok:
            fail(f"--source-date {date}: expected a date YYYY-MM-DD (e.g. 2025-06-15)")
    for opt, value in (("--source-url", url), ("--lm-url", lm_url or "")):
        if not value:
            continue
        u = urlparse(value)
        if u.scheme not in ("http", "https") or not u.netloc or any(c.isspace() for c in value):
            fail(f"{opt} {value}: expected an http(s) URL")


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
        str, typer.Option("--source-date", help="Date of the text, YYYY-MM-DD (e.g. 2025-06-15).")
    ] = "",
    source_url: Annotated[
        str, typer.Option("--source-url", help="Where the text was published (an http(s) URL).")
    ] = "",
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

    Offline and deterministic unless --lm-url is given. Every stance is `status: draft`; `detente validate` lists what still needs numbers. Bad input (empty, binary, not UTF-8, over 2 MB, no actor named): one line, exit 2, nothing written.
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
    _check_options(source_date, source_url, lm_url)
    inputs = (text, into, aliases, templates)  # --out is never one of them (an alias table, a scenario)
    check_output_path(out, *inputs)
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
        write_text_atomic(out, body, *inputs)
    if fmt == Format.json:
        from detente.io.documents import draft_summary_document

        print_json(draft_summary_document(doc, out))
        return
    _print_table(doc)
    if into is not None:
        _print_merge(doc["draft"], into, written=out is not None)
    n = len(doc["draft"]["suggestions"])
    pos = sum(1 for s in doc["draft"]["suggestions"] if s["position"] is not None)
    where = f"wrote {out}" if out else "nothing written (no --out)"
    console.print(
        f"{where}: {len(doc['actors'])} actors, {n} suggested stances ({pos} with a position).\n"
        "Review each: set numbers, accept or delete (detente validate lists the rest).",
        markup=False,
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    app.command("draft")(draft)
