"""Clauses and their subjects: which actor a cue belongs to (docs/draft.md §3, "Attribution").

A rule-based reading of English news sentences, no parser:

* **Clauses.** A sentence is cut before a coordinating or contrasting connective that opens a new
  clause — ``, while``, ``, whereas``, ``, but``, ``, although``, ``, though``, ``, yet``, ``;``,
  ``, and`` + an actor, after a verb of reporting followed by an actor (``Russia said (that) Ukraine
  wants ...``: the cue is Ukraine's; not after a verb of demanding: in ``Baku insisted that Armenia
  amend ...`` the stance is Baku's) — and before a relative pronoun after a comma (``, which``, ``, who``).
  A relative clause ends at the next comma, after which the clause it interrupted resumes.
* **Subject.** The subject of a clause is its first actor mention that stands before the clause's
  first cue and is not the object of a preposition (``buyers of Russian oil``, ``backed by``),
  together with the mentions coordinated with it (``Germany and France``); a clause opened by
  ``For X,`` (``For Russia, it is important ...``) has X as its subject (not ``According to X,``:
  there X reports another actor's stance). A clause without one
  (``..., but refused to lift sanctions``) inherits the subject of the clause before it in the
  sentence; a relative clause's subject is the actor just before its pronoun (``Turkey, which``).
* **Demonyms.** A nationality adjective (``Russian``, or an inflected form matched fuzzily, like
  ``European`` for ``Europeans``) names an actor only when it heads an actor noun phrase
  (``the Russian government``, ``Russian negotiators``, ``Russian and Ukrainian delegations``) or
  is itself a plural noun (``the Europeans``); modifying any other noun (``Russian oil``,
  ``European forces``) it is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from detente.analysis.draft.model import Mention
from detente.analysis.draft.tokens import Token

_CUT = re.compile(
    r"(?:,\s*(?:while|whereas|but|although|though|yet|even\s+as)\b|;)\s*",
    re.IGNORECASE,
)
_FRONTED = re.compile(r"[\s,;]*for\s+", re.IGNORECASE)
_SAID = re.compile(
    r"\b(?:said|says|say|told\s+\w+|added|claimed|stated|believes?|thinks?)\s+(?:that\s+)?",
    re.IGNORECASE,
)
_COMMA_AND = re.compile(r",\s*and\s+", re.IGNORECASE)
_RELATIVE = re.compile(r",\s*(?:which|who|whom|whose)\b", re.IGNORECASE)
_AND = re.compile(r",?\s*(?:and|or)\s+$", re.IGNORECASE)
_COORD_GAP = re.compile(
    r"^\s*(?:,|,?\s*and|,?\s*or|,?\s*as\s+well\s+as|,?\s*along\s+with|,?\s*together\s+with)"
    r"(?:\s+the)?\s*$",
    re.IGNORECASE,
)

PREPOSITIONS = frozenset(
    "of by on to for from with against between among about over into onto upon toward towards "
    "at in under via than like including within without across behind beside besides".split()
)
"""A mention right after one of these (a determiner or title may stand between) is not a subject."""

_SKIP_BEFORE = frozenset(
    "the a an president prime minister chancellor leader foreign defence defense".split()
)

ACTOR_NOUNS = frozenset(
    "government governments officials official negotiators negotiator delegation delegations leaders "
    "leader leadership president presidency premier chancellor minister ministers ministry envoy envoys "
    "diplomats diplomat diplomacy spokesman spokeswoman spokesperson side authorities administration "
    "parliament cabinet state embassy team counterpart counterparts regime lawmakers legislators "
    "mediators representatives officers command".split()
)
"""Nouns after a demonym that make it name the state (``the Russian government``)."""

_MODIFIERS = frozenset("foreign defence defense deputy top senior chief prime new former acting".split())
_ADJ_ENDINGS = ("an", "ish", "ese", "ic")


@dataclass(frozen=True, slots=True)
class Clause:
    """``text[start:end]``; ``resumes`` is the index of the clause a relative clause interrupted."""

    start: int
    end: int
    relative: bool = False
    resumes: int | None = None


def split_clauses(text: str, start: int, end: int, actor_starts: Sequence[int] = ()) -> list[Clause]:
    """The clauses of the sentence ``text[start:end]`` (offsets into ``text``); ``actor_starts``: where
    actor mentions start (``, and`` opens a clause only before one)."""
    cuts: list[tuple[int, str]] = []  # (offset, kind): "cut", "rel" (relative opens), "relend"
    for m in _CUT.finditer(text, start, end):
        cuts.append((m.start(), "cut"))
    starts = set(actor_starts)
    for m in _COMMA_AND.finditer(text, start, end):
        if any(a in starts for a in range(m.end(), m.end() + 5)):  # ", and (the) Kremlin"
            cuts.append((m.start(), "cut"))
    for m in _SAID.finditer(text, start, end):  # "Russia said (that) Ukraine wants ...": Ukraine's clause
        if any(a in starts for a in range(m.end(), m.end() + 5)):
            cuts.append((m.end(), "cut"))
    for m in _RELATIVE.finditer(text, start, end):
        cuts.append((m.start() + 1, "rel"))
        close = text.find(",", m.end(), end)
        if close > 0:
            cuts.append((close, "relend"))
    cuts.sort()
    out: list[Clause] = []
    pos, relative, resumes = start, False, None
    stack: list[int] = []
    for at, kind in cuts:
        if at <= pos:
            continue
        out.append(Clause(pos, at, relative, resumes))
        if kind == "rel":
            stack.append(len(out) - 1)
            relative, resumes = True, None
        elif kind == "relend" and relative:
            resumes = stack.pop() if stack else None
            relative = False
        else:
            relative, resumes = False, None
        pos = at
    out.append(Clause(pos, end, relative, resumes))
    return out


def _prev_word(toks: Sequence[Token], m: Mention) -> str | None:
    """The word before ``m`` skipping determiners and titles (None at the start of the span)."""
    prev = [t for t in toks if t.end <= m.start]
    while prev and prev[-1].key in _SKIP_BEFORE:
        prev.pop()
    return prev[-1].key if prev else None


def is_adjectival(m: Mention) -> bool:
    """A nationality adjective (``Russian``) rather than a name, capital or leader."""
    word = m.surface.lower()
    if (
        m.alias_kind == "demonym"
    ):  # "Russians", "Ukrainians": a plural noun names the people ("Swiss" does not)
        return not (word.endswith("s") and not word.endswith("ss"))
    # an inflection matched fuzzily to a group name ("European" for "Europeans"); never a person's name
    return m.via == "fuzzy" and m.alias_kind in ("alias", "name") and word.endswith(_ADJ_ENDINGS)


def keep_demonyms(text: str, toks: Sequence[Token], mentions: Sequence[Mention]) -> list[Mention]:
    """``mentions`` of one sentence without the nationality adjectives that modify a non-actor noun."""
    keep: list[bool] = []
    for m in mentions:
        if not is_adjectival(m):
            keep.append(True)
            continue
        after = [t for t in toks if t.start >= m.end]
        k = 0
        while k < len(after) and after[k].key in _MODIFIERS:
            k += 1
        keep.append(k < len(after) and after[k].key in ACTOR_NOUNS)
    # "Russian and Ukrainian delegations": a demonym coordinated with a kept one is kept too
    for i in range(len(mentions) - 2, -1, -1):
        a, b = mentions[i], mentions[i + 1]
        if not keep[i] and keep[i + 1] and is_adjectival(a) and is_adjectival(b):
            if _AND.fullmatch(text[a.end : b.start]) or text[a.end : b.start].strip() == ",":
                keep[i] = True
    return [m for m, k in zip(mentions, keep, strict=True) if k]


def clause_subjects(
    text: str,
    clauses: Sequence[Clause],
    toks: Sequence[Token],
    mentions: Sequence[Mention],
    first_cue: Sequence[int | None],
) -> list[list[Mention]]:
    """The subject mentions of each clause (empty when none can be told); ``first_cue[k]`` is where
    clause ``k``'s first cue starts (None without a cue)."""
    out: list[list[Mention]] = []
    for k, c in enumerate(clauses):
        cue_at = first_cue[k]
        limit = cue_at if cue_at is not None else c.end
        inside = [m for m in mentions if c.start <= m.start and m.end <= c.end]
        subj: list[Mention] = []
        fronted = _FRONTED.match(text, c.start, c.end)
        if fronted and inside and inside[0].start == fronted.end():
            after = text[inside[0].end : c.end].lstrip()
            if after.startswith(","):  # "For Russia, it is important ...": the viewpoint's holder
                out.append([inside[0]])
                continue
        for m in inside:
            if m.end > limit:
                break
            if not subj:
                if _prev_word(_within(toks, c), m) in PREPOSITIONS:
                    continue
                subj.append(m)
            elif _COORD_GAP.fullmatch(_drop_head_nouns(text[subj[-1].end : m.start])):
                subj.append(m)
            else:
                break
        if not subj and c.relative and k > 0:
            before = [m for m in mentions if clauses[k - 1].start <= m.start and m.end <= c.start]
            if before and not text[before[-1].end : c.start].strip(" ,"):
                subj = [before[-1]]  # "Turkey, which ...": the antecedent
        if not subj and k > 0:
            src = c.resumes if c.resumes is not None else k - 1
            subj = list(out[src])
        out.append(subj)
    return out


_ELLIPSIS_WORDS = frozenset("too also as well likewise so does do did the and".split())


def is_elliptic(text: str, c: Clause, toks: Sequence[Token], mentions: Sequence[Mention]) -> bool:
    """``...; Ukraine too``: a clause of actor names and ``too``/``as well``/``so does`` only."""
    inside = [m for m in mentions if c.start <= m.start and m.end <= c.end]
    rest = [t.key for t in _within(toks, c) if not any(m.start <= t.start and t.end <= m.end for m in inside)]
    return bool(inside) and bool(rest) and all(w in _ELLIPSIS_WORDS for w in rest)


def _drop_head_nouns(gap: str) -> str:
    """``" officials and "`` → ``" and "``: the head noun of a demonym ("Turkish officials") is part of it."""
    words = gap.split()
    k, comma = 0, False
    while k < len(words) and words[k].rstrip(",").lower() in ACTOR_NOUNS | _MODIFIERS:
        comma = words[k].endswith(",")
        k += 1
    if k == 0:
        return gap
    return (", " if comma else " ") + " ".join(words[k:]) + " "


def _within(toks: Sequence[Token], c: Clause) -> list[Token]:
    return [t for t in toks if c.start <= t.start and t.end <= c.end]
