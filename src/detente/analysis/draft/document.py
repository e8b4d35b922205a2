"""A :class:`Draft` as a native scenario mapping (``detente validate`` reads it; ``status: draft`` stances).

Layout (docs/draft.md §4): the usual ``id, title, sources, actors, issues, stances``; every
suggested stance has ``status: draft``, a position only when a cue clearly maps to a side for the
subject of its clause (else ``null``; an actor only ``mentioned`` beside the subject never has one,
and its evidence note says so), ``salience: null`` and its evidence (quote, source, date, and ``url`` ending in an RFC 5147
``#char=START,END`` fragment: the quote's offsets in the text). The ``draft`` section keeps what
the analyst and the review page need: the text, its hash, the suggestions with their cues,
offsets and confidences, and the provenance (generator, backend, language-model prompt and
answer when one was used).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from detente.analysis.draft.actors import slug
from detente.analysis.draft.model import Draft, Entity, IssueTemplate, Quote, Suggestion


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceInfo:
    """Where the text comes from: shown in every evidence item of the draft."""

    name: str
    title: str = ""
    date: str = ""
    url: str = ""
    media_type: str = "text/plain"

    @property
    def label(self) -> str:
        return self.title or self.name


@dataclass(frozen=True, slots=True, kw_only=True)
class Provenance:
    """How the draft was made (recorded in ``draft.provenance``)."""

    generator: str = "detente draft"
    version: str = ""
    backend: str = "lexicon"
    tables: tuple[str, ...] = ()
    extra: tuple[tuple[str, Any], ...] = field(default=())


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def char_url(source: SourceInfo, start: int, end: int) -> str:
    """``URL#char=START,END`` (RFC 5147 fragment for plain text; offsets in the extracted text)."""
    base = source.url or source.name
    return f"{base}#char={start},{end}"


def evidence_item(q: Quote, source: SourceInfo, confidence: float) -> dict[str, Any]:
    """One evidence mapping of the native layout for a quote."""
    where = "named in the sentence" if q.attribution == "named" else "named in the paragraph"
    if q.role == "subject":
        where = "subject of the cue's clause"
    elif q.role == "mentioned":  # docs/draft.md §3: named beside the subject, never given the cue's side
        where = "mentioned beside the subject of the cue's clause, not its stance (no position)"
    side = f", {q.side} end" if q.side else ""
    out: dict[str, Any] = {"quote": q.text, "source": source.label}
    if source.date:
        out["date"] = source.date
    out["url"] = char_url(source, q.start, q.end)
    out["note"] = f"draft: cue '{q.cue}'{side}; actor {where}; confidence {confidence:.2f}"
    return out


def _issue(t: IssueTemplate) -> dict[str, Any]:
    d: dict[str, Any] = {"id": t.id, "name": t.name}
    if t.description:
        d["description"] = t.description
    d["scale"] = {
        "low": t.low,
        "high": t.high,
        "labels": [t.low_label or "low", t.high_label or "high"],
    }
    return d


def _actor(e: Entity, surfaces: Sequence[str]) -> dict[str, Any]:
    named = ", ".join(dict.fromkeys(surfaces))
    return {
        "id": e.id,
        "name": e.name,
        "description": f"Drafted from the text (named as: {named}); capability is a default for the analyst to set.",
    }


def _quote_record(q: Quote) -> dict[str, Any]:
    return {
        "start": q.start,
        "end": q.end,
        "sentence": q.sentence,
        "cue": q.cue,
        "cue_start": q.cue_start,
        "cue_end": q.cue_end,
        "side": q.side,
        "attribution": q.attribution,
        "role": q.role,
    }


def suggestion_record(s: Suggestion) -> dict[str, Any]:
    return {
        "actor": s.actor,
        "issue": s.issue,
        "position": s.position,
        "confidence": s.confidence,
        "reason": s.reason,
        "backend": s.backend,
        "role": s.role,
        "quotes": [_quote_record(q) for q in s.quotes],
    }


def stance_item(s: Suggestion, source: SourceInfo) -> dict[str, Any]:
    return {
        "actor": s.actor,
        "issue": s.issue,
        "status": "draft",
        "position": s.position,
        "salience": None,
        "evidence": [evidence_item(q, source, s.confidence) for q in s.quotes],
    }


def draft_document(
    draft: Draft,
    text: str,
    *,
    source: SourceInfo,
    provenance: Provenance | None = None,
    include_text: bool = True,
) -> dict[str, Any]:
    """The draft as a native scenario mapping (only the issues that got a suggestion are listed)."""
    prov = provenance or Provenance()
    surfaces: dict[str, list[str]] = {}
    for m in draft.mentions:
        surfaces.setdefault(m.entity, []).append(m.surface)
    used = list(dict.fromkeys(s.issue for s in draft.suggestions))
    templates = {t.id: t for t in draft.templates}
    sid = "draft-" + slug(source.title or source.name).replace("_", "-")[:60]
    doc: dict[str, Any] = {
        "id": sid,
        "title": f"Draft: {source.label}",
        "description": "Suggested by `detente draft`: every stance is a draft for the analyst to accept, edit or "
        "reject; positions are given only where a cue clearly maps to a side; saliences and capabilities "
        "still need numbers.",
    }
    if source.date:
        doc["as_of"] = source.date
    doc["sources"] = [", ".join(p for p in (source.label, source.date, source.url) if p)]
    doc["actors"] = [_actor(e, surfaces.get(e.id, ())) for e in draft.entities]
    doc["issues"] = [_issue(templates[i]) for i in used] or [_issue(t) for t in draft.templates[:1]]
    doc["stances"] = [stance_item(s, source) for s in draft.suggestions]
    text_info: dict[str, Any] = {
        "name": source.name,
        "media_type": source.media_type,
        "sha256": text_sha256(text),
        "characters": len(text),
        "words": len(text.split()),
        "sentences": [[s.start, s.end] for s in draft.sentences],
    }
    if include_text:
        text_info["content"] = text
    doc["draft"] = {
        "status": "draft",
        "provenance": [
            {
                "generator": prov.generator,
                "version": prov.version,
                "backend": prov.backend,
                "tables": list(prov.tables),
                "text_sha256": text_info["sha256"],
                **dict(prov.extra),
            }
        ],
        "text": text_info,
        "actors": {
            e.id: {
                "kind": e.kind,
                "source": e.source,
                "aliases": list(dict.fromkeys((e.name, *e.aliases))),
                "mentions": [
                    [m.surface, m.start, m.end, m.via, m.score] for m in draft.mentions if m.entity == e.id
                ],
            }
            for e in draft.entities
        },
        "suggestions": [suggestion_record(s) for s in draft.suggestions],
    }
    return doc


def needs_numbers(data: Mapping[str, Any]) -> list[str]:
    """``actor/issue: position, salience`` for every ``status: draft`` stance still missing numbers."""
    out: list[str] = []
    stances = data.get("stances") if isinstance(data, Mapping) else None
    for s in stances if isinstance(stances, list) else ():
        if not isinstance(s, Mapping) or s.get("status") != "draft":
            continue
        missing = [k for k in ("position", "salience") if s.get(k) is None]
        out.append(f"{s.get('actor')}/{s.get('issue')}: " + (", ".join(missing) or "review"))
    return out
