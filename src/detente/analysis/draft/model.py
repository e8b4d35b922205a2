"""Data of the drafting core: entities and their aliases, issue templates with cues, and suggestions.

Everything here is plain frozen data (no I/O). The tables are loaded by ``detente.io.draft`` from the
packaged data (``detente/io/data/draft/``) and from what the user adds; see ``docs/draft.md``.
Offsets are character offsets into the plain text the draft was made from (Python ``str`` indices,
the counting of RFC 5147 ``#char=`` fragments).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, get_args

Side = Literal["low", "high"]
SIDES: tuple[str, ...] = get_args(Side)

Role = Literal["subject", "mentioned"]
"""How the actor stands in the clause of a cue (docs/draft.md §3): its ``subject``, or only
``mentioned`` beside the subject (object, after a preposition): a mention never gets the cue's side."""
ROLES: tuple[str, ...] = get_args(Role)

Similarity = Callable[[str, str], float]
"""A string similarity on 0–100 (e.g. ``rapidfuzz.fuzz.ratio``) used to accept inflected names."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Entity:
    """A state, organisation or region that can become an actor; ``aliases`` are the ways texts name it.

    ``kind`` is free text (``country``, ``organisation``, ``region``); ``source`` says where the
    entry comes from (``pycountry``, ``aliases.csv``, the user's scenario, ...).
    """

    id: str
    name: str
    kind: str = "country"
    aliases: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Alias:
    """One surface form of an entity and what it is (``name``, ``capital``, ``leader``, ...)."""

    text: str
    entity: str
    kind: str = "name"
    source: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Cue:
    """A phrase that signals an issue; ``side`` when it places a stance near one end of the scale.

    Phrase syntax: words separated by spaces, matched case-insensitively token by token; a word
    ending in ``*`` matches any word starting with it; ``...`` skips zero to four words.
    ``weight`` in (0, 1]: 1 for a phrase that names the issue, lower for a vague one.
    """

    phrase: str
    side: Side | None = None
    weight: float = 1.0


@dataclass(frozen=True, slots=True, kw_only=True)
class IssueTemplate:
    """An issue that texts often discuss, with its scale and the cues that point at it."""

    id: str
    name: str
    low: float = 0.0
    high: float = 100.0
    low_label: str = ""
    high_label: str = ""
    description: str = ""
    cues: tuple[Cue, ...] = ()
    aliases: tuple[str, ...] = ()
    source: str = "built-in"


@dataclass(frozen=True, slots=True, kw_only=True)
class Sentence:
    """A sentence: ``text[start:end]`` of the source, in paragraph ``paragraph``."""

    index: int
    start: int
    end: int
    paragraph: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Mention:
    """Where the text names an entity; ``via`` is ``exact`` or ``fuzzy`` (``score`` 0–100)."""

    entity: str
    surface: str
    start: int
    end: int
    sentence: int
    alias_kind: str = "name"
    via: str = "exact"
    score: float = 100.0


@dataclass(frozen=True, slots=True, kw_only=True)
class CueHit:
    """A cue that fired in a sentence."""

    issue: str
    cue: Cue
    start: int
    end: int
    sentence: int
    negated: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote:
    """Evidence for a suggestion: the exact words ``text[start:end]`` and the cue that fired."""

    text: str
    start: int
    end: int
    sentence: int
    cue: str
    cue_start: int
    cue_end: int
    side: Side | None = None
    attribution: str = "named"  # named in the sentence, or "paragraph": named nearby
    role: Role | None = None  # None: the clause's subject could not be told (or paragraph, model)


@dataclass(frozen=True, slots=True, kw_only=True)
class Suggestion:
    """A suggested stance: actor x issue, its quotes, a position when a cue clearly maps to a side."""

    actor: str
    issue: str
    quotes: tuple[Quote, ...]
    position: float | None = None
    confidence: float = 0.0
    reason: str = ""
    backend: str = "lexicon"
    role: Role | None = None
    """``subject`` when a quote has the actor as its clause's subject, ``mentioned`` when every quote
    only mentions it beside the subject (no position, lower confidence), else None."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Draft:
    """What the drafting core found in one text."""

    text_length: int
    sentences: tuple[Sentence, ...]
    entities: tuple[Entity, ...]
    mentions: tuple[Mention, ...]
    templates: tuple[IssueTemplate, ...]
    suggestions: tuple[Suggestion, ...]
    hits: tuple[CueHit, ...] = field(default=())

    @property
    def actor_ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.entities)
