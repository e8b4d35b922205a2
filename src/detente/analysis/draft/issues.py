"""Cue matching: which issue templates a sentence speaks to, and whether a cue points at one end.

A cue phrase is a list of words (see :class:`~detente.analysis.draft.model.Cue`). A plain word
matches the same normal form or its plural (``+s``/``+es``); ``word*`` matches any word that starts
with ``word``; ``...`` skips zero to four words. A hit is *negated* when a negating word
(``NEGATORS``) stands in the five words before it in the same sentence; a negated hit never
suggests a position (docs/draft.md §3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from detente.analysis.draft.model import Cue, CueHit, IssueTemplate, Sentence
from detente.analysis.draft.tokens import Token, normalize, tokenize

GAP = "..."
MAX_GAP = 4
NEGATION_WINDOW = 5
NEGATORS: tuple[str, ...] = (
    "not",
    "no",
    "never",
    "nor",
    "without",
    "cannot",
    "can't",
    "don't",
    "doesn't",
    "won't",
    "refus*",
    "reject*",
    "oppos*",
    "against",
    "prevent*",
    "block*",
    "wary",
    "avoid*",
    "resist*",
    "den*",
    "keep",
    "instead",
    "rather",
)


@dataclass(frozen=True, slots=True)
class _Word:
    key: str
    prefix: bool
    gap: bool = False


def _words(phrase: str) -> tuple[_Word, ...]:
    out: list[_Word] = []
    for raw in phrase.split():
        if raw == GAP:
            out.append(_Word("", False, True))
            continue
        prefix = raw.endswith("*")
        parts = tokenize(raw.rstrip("*"))
        for k, t in enumerate(parts):
            out.append(_Word(t.key, prefix and k == len(parts) - 1))
    return tuple(w for w in out if w.gap or w.key)


def _word_ok(w: _Word, key: str) -> bool:
    if w.prefix:
        return key.startswith(w.key)
    return key == w.key or key == w.key + "s" or key == w.key + "es"


def _match(words: Sequence[_Word], toks: Sequence[Token], i: int) -> int | None:
    """Index one past the last token of a match of ``words`` starting at token ``i``, else None."""
    if not words:
        return i
    w = words[0]
    if w.gap:
        for skip in range(MAX_GAP + 1):
            end = _match(words[1:], toks, i + skip)
            if end is not None:
                return end
        return None
    if i < len(toks) and _word_ok(w, toks[i].key):
        return _match(words[1:], toks, i + 1)
    return None


_NEG = tuple(_words(n)[0] for n in NEGATORS)
_NEG_EXACT = frozenset(k for w in _NEG if not w.prefix for k in (w.key, w.key + "s", w.key + "es"))
_NEG_PREFIX = tuple(w.key for w in _NEG if w.prefix)


def _is_negator(key: str) -> bool:
    return key in _NEG_EXACT or key.startswith(_NEG_PREFIX)


class CueIndex:
    """The cues of a set of templates, indexed by the first word's first three letters."""

    def __init__(self, templates: Sequence[IssueTemplate]) -> None:
        self.templates = tuple(templates)
        self._by_head: dict[str, list[tuple[str, Cue, tuple[_Word, ...]]]] = {}
        for t in templates:
            for c in t.cues:
                words = _words(c.phrase)
                if not words or words[0].gap:
                    continue
                self._by_head.setdefault(words[0].key[:3], []).append((t.id, c, words))

    def find(
        self, text: str, sentences: Sequence[Sentence], tokens: Sequence[Sequence[Token]] | None = None
    ) -> list[CueHit]:
        """Every cue hit, sentence by sentence; overlapping hits of one issue keep the longest."""
        out: list[CueHit] = []
        for k, s in enumerate(sentences):
            toks = tokens[k] if tokens is not None else tokenize(text, s.start, s.end)
            neg = [_is_negator(t.key) for t in toks]
            found: list[CueHit] = []
            for i, tok in enumerate(toks):
                for issue, cue, words in self._by_head.get(tok.key[:3], ()):
                    end = _match(words, toks, i)
                    if end is None:
                        continue
                    found.append(
                        CueHit(
                            issue=issue,
                            cue=cue,
                            start=tok.start,
                            end=toks[end - 1].end,
                            sentence=s.index,
                            negated=any(neg[max(0, i - NEGATION_WINDOW) : i]),
                        )
                    )
            out.extend(_keep_longest(found))
        return out


def _keep_longest(hits: list[CueHit]) -> list[CueHit]:
    hits = sorted(hits, key=lambda h: (h.issue, -(h.end - h.start), h.cue.side is None, h.start))
    kept: list[CueHit] = []
    for h in hits:
        if any(k.issue == h.issue and k.start < h.end and h.start < k.end for k in kept):
            continue
        kept.append(h)
    return sorted(kept, key=lambda h: (h.start, h.issue))


def cue_key(phrase: str) -> str:
    """The normal form of a cue phrase (to compare user cues with packaged ones)."""
    return " ".join(normalize(w) for w in phrase.split())
