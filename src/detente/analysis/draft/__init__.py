"""Drafting core: from a text to suggested actors and stances, each tied to its exact quote (pure).

``detente.io.draft`` reads files, splits sentences (pysbd) and loads the tables (pycountry and the
packaged alias and template tables); this package only computes. See docs/draft.md.
"""

from __future__ import annotations

from detente.analysis.draft.actors import Lexicon, extend_lexicon, slug
from detente.analysis.draft.document import (
    Provenance,
    SourceInfo,
    draft_document,
    needs_numbers,
    text_sha256,
)
from detente.analysis.draft.issues import CueIndex
from detente.analysis.draft.merge import merge_draft
from detente.analysis.draft.model import (
    Alias,
    Cue,
    CueHit,
    Draft,
    Entity,
    IssueTemplate,
    Mention,
    Quote,
    Sentence,
    Suggestion,
)
from detente.analysis.draft.suggest import draft_text
from detente.analysis.draft.verify import locate

__all__ = [
    "Alias",
    "Cue",
    "CueHit",
    "CueIndex",
    "Draft",
    "Entity",
    "IssueTemplate",
    "Lexicon",
    "Mention",
    "Provenance",
    "Quote",
    "Sentence",
    "SourceInfo",
    "Suggestion",
    "draft_document",
    "draft_text",
    "extend_lexicon",
    "locate",
    "merge_draft",
    "needs_numbers",
    "slug",
    "text_sha256",
]
