"""Find the states and organisations a text names: alias lookup over tokens, fuzzy for inflections.

Matching (docs/draft.md §2): the longest alias that matches the tokens at a position wins; an
alias word written in capitals (``NATO``, ``US``) matches only capitals, a capitalised alias word
only a capitalised word, a lower-case word (``the``) anything. A capitalised word of five or more
letters that matches nothing exactly is compared with the one-word aliases that share its first
three letters; the best with similarity >= ``min_score`` (0–100, injected, e.g. rapidfuzz's
``fuzz.ratio``) is accepted as an inflected form (``Zelenskyy`` → ``Zelensky``, ``Ukrainians`` →
``Ukrainian``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from detente.analysis.draft.model import Alias, Entity, Mention, Sentence, Similarity
from detente.analysis.draft.tokens import Token, normalize, tokenize

MIN_FUZZY_LENGTH = 5
MIN_SCORE = 90.0


def _shape(word: str) -> str:
    bare = word.replace(".", "")
    if len(bare) >= 2 and bare.isupper():
        return "upper"
    if bare[:1].isupper():
        return "cap"
    return "any"


def _shape_ok(shape: str, tok: Token) -> bool:
    if shape == "upper":
        return tok.upper
    if shape == "cap":
        return tok.capitalized
    return True


PLACE_KINDS = ("capital", "seat")


def entry_kind(hit: tuple[int, _Entry]) -> str:
    return hit[1].alias.kind


def _part_of_name(kind: str, text: str, toks: Sequence[Token], nxt: int) -> bool:
    """A capital or seat followed (after a space) by a capitalised word is part of another name."""
    if kind not in PLACE_KINDS or nxt >= len(toks) or not toks[nxt].capitalized:
        return False
    gap = text[toks[nxt - 1].end : toks[nxt].start]
    return gap == " "


def difflib_ratio(a: str, b: str) -> float:
    """Fallback similarity on 0–100 (``difflib.SequenceMatcher.ratio``) when none is injected."""
    return 100.0 * difflib.SequenceMatcher(None, a, b).ratio()


@dataclass(frozen=True, slots=True)
class _Entry:
    alias: Alias
    shapes: tuple[str, ...]


class Lexicon:
    """Entities and their aliases, indexed for lookup (build once, use for many texts)."""

    def __init__(self, entities: Iterable[Entity], aliases: Iterable[Alias]) -> None:
        self.entities: dict[str, Entity] = {}
        for e in entities:
            self.entities.setdefault(e.id, e)
        self._index: dict[tuple[str, ...], list[_Entry]] = {}
        self._by_prefix: dict[str, list[tuple[str, _Entry]]] = {}
        self._lengths: dict[str, list[int]] = {}  # first word -> alias lengths in words, longest first
        self.max_len = 1
        for a in aliases:
            if a.entity not in self.entities:
                continue
            toks = tokenize(a.text)
            if not toks:
                continue
            key = tuple(t.key for t in toks)
            entry = _Entry(a, tuple(_shape(t.surface) for t in toks))
            bucket = self._index.setdefault(key, [])
            if all(b.alias.entity != a.entity for b in bucket):
                bucket.append(entry)
            self.max_len = max(self.max_len, len(key))
            lens = self._lengths.setdefault(key[0], [])
            if len(key) not in lens:
                lens.append(len(key))
                lens.sort(reverse=True)
            if len(key) == 1 and len(key[0]) >= 4:
                self._by_prefix.setdefault(key[0][:3], []).append((key[0], entry))

    def entity(self, entity_id: str) -> Entity:
        return self.entities[entity_id]

    def _exact(self, toks: Sequence[Token], i: int) -> tuple[int, _Entry] | None:
        for n in self._lengths.get(toks[i].key, ()):
            if i + n > len(toks):
                continue
            key = tuple(t.key for t in toks[i : i + n])
            for entry in self._index.get(key, ()):
                if all(_shape_ok(s, t) for s, t in zip(entry.shapes, toks[i : i + n], strict=True)):
                    return n, entry
        return None

    def _fuzzy(self, tok: Token, similarity: Similarity, min_score: float) -> tuple[float, _Entry] | None:
        if not tok.capitalized or len(tok.key) < MIN_FUZZY_LENGTH or tok.upper:
            return None
        best: tuple[float, str, _Entry] | None = None
        for key, entry in self._by_prefix.get(tok.key[:3], ()):
            if entry.shapes[0] == "upper":
                continue
            score = float(similarity(tok.key, key))
            if score >= min_score and (best is None or (score, key) > (best[0], best[1])):
                best = (score, key, entry)
        return None if best is None else (best[0], best[2])

    def find(
        self,
        text: str,
        sentences: Sequence[Sentence],
        *,
        similarity: Similarity | None = None,
        min_score: float = MIN_SCORE,
        tokens: Sequence[Sequence[Token]] | None = None,
    ) -> list[Mention]:
        """Every mention of a known entity, sentence by sentence, in text order.

        ``tokens[k]`` may give the tokens of ``sentences[k]`` when the caller has them already.
        """
        sim = similarity or difflib_ratio
        out: list[Mention] = []
        for k, s in enumerate(sentences):
            toks = tokens[k] if tokens is not None else tokenize(text, s.start, s.end)
            i = 0
            while i < len(toks):
                hit = self._exact(toks, i)
                if hit is not None and _part_of_name(entry_kind(hit), text, toks, i + hit[0]):
                    i += hit[0]  # "Minsk Group", "Washington Post": a place name inside a longer name
                    continue
                if hit is not None:
                    n, entry = hit
                    a, b = toks[i].start, toks[i + n - 1].end
                    out.append(
                        Mention(
                            entity=entry.alias.entity,
                            surface=text[a:b],
                            start=a,
                            end=b,
                            sentence=s.index,
                            alias_kind=entry.alias.kind,
                        )
                    )
                    i += n
                    continue
                fz = self._fuzzy(toks[i], sim, min_score)
                if fz is not None:
                    score, entry = fz
                    t = toks[i]
                    out.append(
                        Mention(
                            entity=entry.alias.entity,
                            surface=t.surface,
                            start=t.start,
                            end=t.end,
                            sentence=s.index,
                            alias_kind=entry.alias.kind,
                            via="fuzzy",
                            score=round(score, 1),
                        )
                    )
                i += 1
        return out


def extend_lexicon(lexicon: Lexicon, extra: Iterable[tuple[str, str, str]], source: str) -> Lexicon:
    """A new lexicon with user aliases ``(alias, entity id, entity name)`` added (new entities created).

    User aliases come first, so on a tie they win over the packaged ones.
    """
    entities = dict(lexicon.entities)
    new_aliases: list[Alias] = []
    for text, eid, name in extra:
        if eid not in entities:
            entities[eid] = Entity(id=eid, name=name or eid, kind="user", source=source)
        new_aliases.append(Alias(text=text, entity=eid, kind="user", source=source))
    old = [e.alias for bucket in lexicon._index.values() for e in bucket]
    return Lexicon(entities.values(), [*new_aliases, *old])


def slug(text: str) -> str:
    """An id from a name: ``"United States"`` → ``united_states``."""
    out = "".join(c if c.isalnum() else "_" for c in normalize(text))
    return "_".join(p for p in out.split("_") if p) or "x"
