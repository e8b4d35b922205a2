"""From text to suggested stances: actor x issue, each with the exact words that support it.

Rules (docs/draft.md §3):

* a cue suggests a stance on its issue for the subject of its clause (``role: subject``,
  ``detente.analysis.draft.clauses``) and, without a position, for every other actor named in that
  clause (``role: mentioned``: object, after a preposition; confidence x ``MENTION_FACTOR``); a
  clause whose subject cannot be told gives its cues, without a side, to the actors it names; a
  sentence that names none, to the entities named elsewhere in its paragraph
  (``attribution: paragraph``, confidence halved);
* confidence of one quote = cue weight x how the actor was found (exact 1, fuzzy score/100,
  paragraph 0.5) x a share factor (1 for one subject, 0.85 for two, 0.7 for more); a suggestion's
  confidence is its best quote's plus 0.05 per further quote, at most 0.95 (a suggestion that only
  mentions the actor gets no such bonus, so it stays below the subject of its best quote);
* a position is suggested only when a cue with a side fires, not negated, for the subject of its
  clause, and every such cue of that stance points the same way: 10 % of the scale in from that
  end. Otherwise the position is left empty for the analyst.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from detente.analysis.draft.actors import MIN_SCORE, Lexicon
from detente.analysis.draft.clauses import clause_subjects, is_elliptic, keep_demonyms, split_clauses
from detente.analysis.draft.issues import CueIndex
from detente.analysis.draft.model import (
    CueHit,
    Draft,
    IssueTemplate,
    Mention,
    Quote,
    Role,
    Sentence,
    Similarity,
    Suggestion,
)
from detente.analysis.draft.tokens import Token, tokenize

PARAGRAPH_FACTOR = 0.5
MENTION_FACTOR = 0.5
"""Confidence of an actor only mentioned beside a clause's subject, relative to the subject's."""
END_INSET = 0.1


def _share(n: int) -> float:
    return 1.0 if n == 1 else 0.85 if n == 2 else 0.7


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """``start, end`` moved inward past white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _best_hits(hits: Sequence[CueHit]) -> dict[str, CueHit]:
    best: dict[str, CueHit] = {}
    for h in hits:
        cur = best.get(h.issue)
        rank = (h.cue.weight, h.cue.side is not None and not h.negated, -h.start)
        if cur is None or rank > (cur.cue.weight, cur.cue.side is not None and not cur.negated, -cur.start):
            best[h.issue] = h
    return best


def _inside(h: CueHit, spans: Sequence[tuple[int, int]]) -> bool:
    """A cue inside a name (``Security`` in ``UN Security Council``) is part of the name, not a cue."""
    k = bisect.bisect_right(spans, (h.start + 1, -1)) - 1
    return k >= 0 and spans[k][0] <= h.start and h.end <= spans[k][1]


def _actors_of(mentions: Sequence[Mention]) -> dict[str, float]:
    out: dict[str, float] = {}
    for m in mentions:
        out[m.entity] = max(out.get(m.entity, 0.0), m.score / 100.0)
    return out


def _quote_span(text: str, s: Sentence) -> tuple[str, int, int]:
    a, b = trimmed(text, s.start, s.end)
    return text[a:b], a, b


def _add(
    text: str,
    found: dict[tuple[str, str], list[tuple[float, Quote]]],
    named: dict[str, float],
    h: CueHit,
    s: Sentence,
    quote: tuple[str, int, int],
    attribution: str,
    factor: float,
    *,
    sided: bool,
    role: Role | None = None,
    share: float | None = None,
) -> None:
    """One quote of cue ``h`` for each actor of ``named``; a side only when ``sided``; ``share``
    replaces the share factor of ``len(named)``."""
    side = h.cue.side if sided and h.cue.side is not None and not h.negated else None
    q = Quote(
        text=quote[0],
        start=quote[1],
        end=quote[2],
        sentence=s.index,
        cue=text[h.start : h.end],
        cue_start=h.start,
        cue_end=h.end,
        side=side,
        attribution=attribution,
        role=role,
    )
    sh = _share(len(named)) if share is None else share
    for actor, score in named.items():
        conf = h.cue.weight * score * factor * sh
        found.setdefault((actor, h.issue), []).append((conf, q))


def _attribute_clauses(
    text: str,
    s: Sentence,
    toks: Sequence[Token],
    ms: Sequence[Mention],
    sh: Sequence[CueHit],
    quote: tuple[str, int, int],
    found: dict[tuple[str, str], list[tuple[float, Quote]]],
) -> None:
    """Each cue to the subject of its own clause (``detente.analysis.draft.clauses``) and, without a
    side, to the other actors that clause names (``mentioned``); a clause whose subject cannot be told
    gives its cues, without a side, to the actors it names (else the sentence's)."""
    cl = split_clauses(text, s.start, s.end, [m.start for m in ms])
    where = [next(k for k, c in enumerate(cl) if h.start < c.end or k == len(cl) - 1) for h in sh]
    first = [
        min((h.start for h, w in zip(sh, where, strict=True) if w == k), default=None) for k in range(len(cl))
    ]
    subjects = clause_subjects(text, cl, toks, ms, first)
    prev: list[CueHit] = []
    for k, c in enumerate(cl):
        ch = [h for h, w in zip(sh, where, strict=True) if w == k]
        subj = subjects[k]
        if not ch and prev and is_elliptic(text, c, toks, ms):
            ch = prev  # "European capitals want new sanctions; Ukraine too": the cues of the clause before
            subj = [m for m in ms if c.start <= m.start and m.end <= c.end]
        if not ch:
            continue
        prev = ch
        inside = [m for m in ms if c.start <= m.start and m.end <= c.end]
        for h in _best_hits(ch).values():
            if not subj:
                _add(text, found, _actors_of(inside or ms), h, s, quote, "named", 1.0, sided=False)
                continue
            heads = _actors_of(subj)
            _add(text, found, heads, h, s, quote, "named", 1.0, sided=True, role="subject")
            others = {a: v for a, v in _actors_of(inside).items() if a not in heads}
            if others:  # "Ukraine urged Germany to send aid": Germany is named, not the subject
                share = _share(len(heads))
                _add(
                    text,
                    found,
                    others,
                    h,
                    s,
                    quote,
                    "named",
                    MENTION_FACTOR,
                    sided=False,
                    role="mentioned",
                    share=share,
                )


def draft_text(
    text: str,
    sentences: Sequence[Sentence],
    lexicon: Lexicon,
    templates: Sequence[IssueTemplate],
    *,
    similarity: Similarity | None = None,
    min_score: float = MIN_SCORE,
    max_quotes: int = 5,
) -> Draft:
    """Suggest actors and stances for ``text`` split into ``sentences`` (pure, deterministic).

    Examples
    --------
    >>> from detente.analysis.draft.model import Alias, Cue, Entity
    >>> lex = Lexicon([Entity(id="russia", name="Russia")], [Alias(text="Kremlin", entity="russia")])
    >>> tpl = IssueTemplate(id="sanctions", name="Sanctions", cues=(Cue(phrase="sanction*"),))
    >>> text = "The Kremlin dismissed the sanctions."
    >>> d = draft_text(text, [Sentence(index=0, start=0, end=len(text))], lex, [tpl])
    >>> s = d.suggestions[0]
    >>> (s.actor, s.issue, s.quotes[0].text, s.position)
    ('russia', 'sanctions', 'The Kremlin dismissed the sanctions.', None)
    """
    tokens = [tokenize(text, s.start, s.end) for s in sentences]
    found_mentions = lexicon.find(text, sentences, similarity=similarity, min_score=min_score, tokens=tokens)
    spans = sorted((m.start, m.end) for m in found_mentions)  # a cue inside any name, kept or not
    hits = [h for h in CueIndex(templates).find(text, sentences, tokens) if not _inside(h, spans)]
    tpl = {t.id: t for t in templates}
    raw: dict[int, list[Mention]] = {}
    for m in found_mentions:
        raw.setdefault(m.sentence, []).append(m)
    in_sentence = {k: keep_demonyms(text, tokens[k], ms) for k, ms in raw.items()}
    mentions = [m for k in sorted(in_sentence) for m in in_sentence[k]]
    in_paragraph: dict[int, list[Mention]] = {}
    para_of = {s.index: s.paragraph for s in sentences}
    for m in mentions:
        in_paragraph.setdefault(para_of[m.sentence], []).append(m)
    hits_by_sentence: dict[int, list[CueHit]] = {}
    for h in hits:
        hits_by_sentence.setdefault(h.sentence, []).append(h)

    found: dict[tuple[str, str], list[tuple[float, Quote]]] = {}
    for s in sentences:
        sh = hits_by_sentence.get(s.index)
        if sh:
            quote = _quote_span(text, s)
            ms = in_sentence.get(s.index, [])
            if ms:
                _attribute_clauses(text, s, tokens[s.index], ms, sh, quote, found)
            elif in_paragraph.get(s.paragraph):
                named = _actors_of(in_paragraph[s.paragraph])
                for h in _best_hits(sh).values():
                    _add(text, found, named, h, s, quote, "paragraph", PARAGRAPH_FACTOR, sided=False)

    entity_order = list(dict.fromkeys(m.entity for m in mentions))
    issue_order = [t.id for t in templates]
    suggestions = [
        _suggestion(actor, issue, found[(actor, issue)], tpl[issue], max_quotes)
        for actor in entity_order
        for issue in issue_order
        if (actor, issue) in found
    ]
    return Draft(
        text_length=len(text),
        sentences=tuple(sentences),
        entities=tuple(lexicon.entity(e) for e in entity_order),
        mentions=tuple(mentions),
        templates=tuple(templates),
        suggestions=tuple(suggestions),
        hits=tuple(hits),
    )


def _suggestion(
    actor: str, issue: str, items: list[tuple[float, Quote]], t: IssueTemplate, max_quotes: int
) -> Suggestion:
    items = sorted(items, key=lambda cq: (-cq[0], cq[1].role != "subject", cq[1].start))[:max_quotes]
    roles = {q.role for _, q in items}
    role: Role | None = "subject" if "subject" in roles else "mentioned" if roles == {"mentioned"} else None
    bonus = 0.0 if role == "mentioned" else 0.05 * (len(items) - 1)
    conf = min(0.95, items[0][0] + bonus)
    sides = {q.side for _, q in items if q.side is not None}
    position: float | None = None
    span = t.high - t.low
    if len(sides) == 1:
        side = sides.pop()
        position = t.low + END_INSET * span if side == "low" else t.high - END_INSET * span
        label = t.low_label if side == "low" else t.high_label
        cue = next(q.cue for _, q in items if q.side == side)
        reason = f"cue '{cue}' points to the {side} end ({label or side})"
    elif len(sides) > 1:
        reason = "cues point to both ends: position left to the analyst"
    elif role == "mentioned":
        reason = (
            f"named beside the subject of the clause of cue '{items[0][1].cue}' (object, after a "
            "preposition): not its stance; position left to the analyst"
        )
    else:
        reason = f"cue '{items[0][1].cue}' names the issue; no clear side: position left to the analyst"
    return Suggestion(
        actor=actor,
        issue=issue,
        quotes=tuple(q for _, q in items),
        position=None if position is None else round(position, 6),
        confidence=round(conf, 2),
        reason=reason,
        role=role,
    )
