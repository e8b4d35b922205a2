"""``detente draft --format json``: what was drafted, every suggestion with its quotes (docs/draft.md).

The draft file itself (``--out``) is a native scenario; this document is the summary printed on
standard output: the text's identity, the actors found, the suggested stances with the exact quote
of each evidence sentence and its offsets, and, after ``--into``, the contradictions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from detente.io.documents._base import Num, _Doc


class DraftText(_Doc):
    name: str
    media_type: str
    sha256: str
    characters: int
    words: int


class DraftActor(_Doc):
    id: str
    name: str
    mentions: int
    """How often the text names it (any alias)."""


class DraftQuote(_Doc):
    quote: str
    """``text[start:end]``, exactly."""
    start: int
    end: int
    sentence: int
    cue: str
    cue_start: int
    cue_end: int
    side: Literal["low", "high"] | None
    attribution: str
    """``named`` (in the sentence), ``paragraph`` (named nearby) or ``model`` (language model)."""
    role: Literal["subject", "mentioned"] | None = None
    """``subject`` of the cue's clause, or only ``mentioned`` beside it (never given the cue's side);
    null when the clause's subject could not be told (or paragraph, model)."""


class DraftSuggestion(_Doc):
    actor: str
    issue: str
    position: Num
    """Near one end of the issue's scale when a cue clearly places the actor, else null."""
    confidence: float
    reason: str
    backend: str
    role: Literal["subject", "mentioned"] | None = None
    """``mentioned`` when every quote only names the actor beside its clause's subject: then the position
    is null and the confidence lower (docs/draft.md §3); ``subject`` when one quote has it as subject."""
    quotes: list[DraftQuote]


class DraftContradiction(_Doc):
    actor: str
    issue: str
    position: float
    suggested: float
    quote: str


class DraftDocument(_Doc):
    """The summary of one ``detente draft`` run."""

    text: DraftText
    backend: str
    actors: list[DraftActor]
    suggestions: list[DraftSuggestion]
    contradictions: list[DraftContradiction]
    written: str | None
    """The draft file written (``--out``), or null."""


def draft_summary_document(doc: Mapping[str, Any], written: str | None) -> dict[str, Any]:
    """The :class:`DraftDocument` of a draft mapping (``detente.io.draft.draft_file``'s result)."""
    d = doc["draft"]
    text = str((d.get("text") or {}).get("content") or "")
    info = d.get("actors") or {}
    names = {str(a["id"]): str(a.get("name") or a["id"]) for a in doc.get("actors", [])}
    prov = (d.get("provenance") or [{}])[-1]
    return {
        "text": {k: d["text"][k] for k in ("name", "media_type", "sha256", "characters", "words")},
        "backend": str(prov.get("backend", "lexicon")),
        "actors": [
            {"id": aid, "name": names.get(aid, aid), "mentions": len(v.get("mentions") or [])}
            for aid, v in info.items()
        ],
        "suggestions": [
            {k: s[k] for k in ("actor", "issue", "position", "confidence", "reason", "backend")}
            | {"role": s.get("role")}
            | {"quotes": [{"quote": text[q["start"] : q["end"]]} | q for q in s["quotes"]]}
            for s in d.get("suggestions") or []
        ],
        "contradictions": list(d.get("contradictions") or []),
        "written": written,
    }
