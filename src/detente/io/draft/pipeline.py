"""``detente draft`` end to end: read the text, load the tables, call the pure core, merge, return a mapping.

The returned mapping is a native scenario document (``status: draft`` stances) that
``parse_scenario`` accepts; callers write it (the CLI atomically) or show it (the dashboard).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from detente.analysis.draft import (
    Draft,
    Provenance,
    SourceInfo,
    Suggestion,
    draft_document,
    draft_text,
    merge_draft,
)
from detente.core.text import plural
from detente.errors import InputFileError
from detente.io.draft.lm import LMConfig, lm_suggest
from detente.io.draft.reader import SourceText, read_source, split_sentences
from detente.io.draft.tables import (
    TABLES,
    merge_templates,
    packaged_lexicon,
    packaged_templates,
    read_alias_file,
    read_templates,
    scenario_aliases,
    with_user_aliases,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftOptions:
    title: str = ""
    date: str = ""
    url: str = ""
    aliases_file: str | None = None
    templates_file: str | None = None
    lm: LMConfig | None = None
    include_text: bool = True


def require_extra() -> None:
    """One-line MissingExtraError when a package of the ``draft`` extra is missing."""
    import importlib.util

    from detente.errors import MissingExtraError, install_hint

    missing = [m for m in ("pysbd", "rapidfuzz", "pycountry", "bs4") if importlib.util.find_spec(m) is None]
    if missing:
        raise MissingExtraError(
            f"detente draft needs the 'draft' extra (missing: {', '.join(missing)}); "
            "install it with: " + install_hint("draft")
        )


def _similarity() -> Any:
    from rapidfuzz import fuzz

    return fuzz.ratio


def load_base(ref: str) -> dict[str, Any]:
    """A target scenario as a native mapping: a built-in name, or a YAML/JSON file read as it is."""
    from detente.io.builtin import builtin_names, load_builtin
    from detente.io.files import load_yaml, read_scenario
    from detente.io.mapping import dump_scenario, parse_scenario
    from detente.io.sources import read_text_file

    if ref in builtin_names() and not os.path.exists(ref):
        return dump_scenario(load_builtin(ref))
    if ref.lower().endswith((".yaml", ".yml", ".json")):
        data, lines = load_yaml(read_text_file(ref), ref)
        parse_scenario(data, source=ref, lines=lines)  # a broken target is refused before anything is merged
        return dict(data)
    return dump_scenario(read_scenario(ref))


def _combine(lex: Sequence[Suggestion], lm: Sequence[Suggestion]) -> tuple[Suggestion, ...]:
    out = {(s.actor, s.issue): s for s in lex}
    for s in lm:
        have = out.get((s.actor, s.issue))
        if have is None:
            out[(s.actor, s.issue)] = s
            continue
        new = [q for q in s.quotes if all((q.start, q.end) != (h.start, h.end) for h in have.quotes)]
        out[(s.actor, s.issue)] = dataclasses.replace(have, quotes=have.quotes + tuple(new))
    return tuple(out.values())


def draft_source(
    src: SourceText,
    opts: DraftOptions | None = None,
    *,
    into: Mapping[str, Any] | None = None,
    version: str = "",
) -> dict[str, Any]:
    """The draft (merged into ``into`` when given) of one source text."""
    require_extra()
    o = opts or DraftOptions()
    lexicon = packaged_lexicon()
    if o.aliases_file:
        lexicon = with_user_aliases(lexicon, read_alias_file(o.aliases_file), o.aliases_file)
    if into is not None:
        lexicon = with_user_aliases(lexicon, scenario_aliases(into, lexicon), "target scenario")
    templates = list(packaged_templates())
    if o.templates_file:
        templates = merge_templates(templates, read_templates(o.templates_file))
    sentences = split_sentences(src.text)
    d: Draft = draft_text(src.text, sentences, lexicon, templates, similarity=_similarity())
    extra: list[tuple[str, Any]] = []
    backend = "lexicon"
    if o.lm is not None:
        actors = [(e.id, e.name) for e in d.entities]
        lm_sugs, lm_prov = lm_suggest(src.text, sentences, actors, templates, o.lm)
        d = dataclasses.replace(d, suggestions=_combine(d.suggestions, lm_sugs))
        extra.append(("lm", lm_prov))
        backend = "lexicon+lm"
    if not d.entities:
        raise InputFileError(
            f"{src.name}: names no actor the gazetteer knows (expected a text naming states, organisations or "
            "their leaders; add names with --aliases FILE)"
        )
    if not d.suggestions:  # issue #17 item 4: nothing useful to draft is exit 2, with or without --into
        names = [e.name for e in d.entities]
        shown = ", ".join(names[:6]) + (", …" if len(names) > 6 else "")
        raise InputFileError(
            f"{src.name}: found {plural(len(names), 'actor')} ({shown}) but no stance cues; nothing to draft"
        )
    source = SourceInfo(
        name=os.path.basename(src.name), title=o.title, date=o.date, url=o.url, media_type=src.media_type
    )
    prov = Provenance(version=version, backend=backend, tables=TABLES, extra=tuple(extra))
    doc = draft_document(d, src.text, source=source, provenance=prov, include_text=o.include_text)
    if into is not None:
        doc = merge_draft(into, doc, template_aliases={t.id: list(t.aliases) for t in templates})
    return doc


def draft_file(
    path: str | os.PathLike[str],
    opts: DraftOptions | None = None,
    *,
    into: str | None = None,
    version: str = "",
) -> dict[str, Any]:
    """Read ``path`` (text, Markdown, HTML) and draft it; ``into`` names a target scenario to merge into."""
    src = read_source(path)
    base = load_base(into) if into else None
    return draft_source(src, opts, into=base, version=version)
