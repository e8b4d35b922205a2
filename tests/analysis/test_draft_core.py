"""The pure drafting core (detente.analysis.draft): names, cues, suggestions, merge, quotes."""

from __future__ import annotations

import pytest

from detente.analysis.draft import (
    Alias,
    Cue,
    Entity,
    IssueTemplate,
    Lexicon,
    Sentence,
    draft_document,
    draft_text,
    extend_lexicon,
    locate,
    merge_draft,
    needs_numbers,
)
from detente.analysis.draft.document import SourceInfo
from detente.analysis.draft.issues import CueIndex
from detente.analysis.draft.tokens import tokenize

RU = Entity(id="russia", name="Russia")
UA = Entity(id="ukraine", name="Ukraine")
US = Entity(id="united_states", name="United States")
LEX = Lexicon(
    [RU, UA, US],
    [
        Alias(text="Russia", entity="russia"),
        Alias(text="Moscow", entity="russia", kind="capital"),
        Alias(text="the Kremlin", entity="russia", kind="seat"),
        Alias(text="Putin", entity="russia", kind="leader"),
        Alias(text="Ukraine", entity="ukraine"),
        Alias(text="Kyiv", entity="ukraine", kind="capital"),
        Alias(text="Zelensky", entity="ukraine", kind="leader"),
        Alias(text="US", entity="united_states"),
        Alias(text="United States", entity="united_states"),
    ],
)
SANCTIONS = IssueTemplate(
    id="sanctions",
    name="Sanctions",
    low_label="none",
    high_label="sweeping",
    cues=(
        Cue(phrase="sanction*"),
        Cue(phrase="impose ... sanctions", side="high"),
        Cue(phrase="lift* sanctions", side="low"),
    ),
)
CEASEFIRE = IssueTemplate(
    id="ceasefire", name="Ceasefire", cues=(Cue(phrase="ceasefire"), Cue(phrase="truce"))
)


def _sentences(text: str) -> list[Sentence]:
    out, start = [], 0
    for k, part in enumerate(text.split(". ")):
        end = start + len(part) + (1 if start + len(part) < len(text) else 0)
        out.append(Sentence(index=k, start=start, end=min(end, len(text)), paragraph=0))
        start = end + 1
    return out


def _one(text: str) -> list[Sentence]:
    return [Sentence(index=0, start=0, end=len(text))]


def test_metonyms_and_leaders_resolve_to_states() -> None:
    text = "Moscow said the Kremlin and Putin agree; Kyiv and Zelensky do not."
    ms = LEX.find(text, _one(text))
    assert [(m.surface, m.entity) for m in ms] == [
        ("Moscow", "russia"),
        ("the Kremlin", "russia"),
        ("Putin", "russia"),
        ("Kyiv", "ukraine"),
        ("Zelensky", "ukraine"),
    ]
    assert all(text[m.start : m.end] == m.surface for m in ms)


def test_fuzzy_inflections_and_case_rules() -> None:
    text = "Zelenskyy met Putin's envoy; let us see what the US does."
    ms = LEX.find(text, _one(text))
    got = [(m.surface, m.entity, m.via) for m in ms]
    assert ("Zelenskyy", "ukraine", "fuzzy") in got
    assert ("Putin", "russia", "exact") in got  # possessive stripped
    assert [m.surface for m in ms if m.entity == "united_states"] == ["US"]  # "us" is not the US


def test_place_inside_a_longer_name_is_not_the_state() -> None:
    text = "The Moscow Times reported it."
    assert LEX.find(text, _one(text)) == []


def test_user_aliases_extend_and_win() -> None:
    lex = extend_lexicon(LEX, [("Wagner", "wagner", "Wagner Group"), ("Kremlin", "kremlin_staff", "")], "t")
    text = "Wagner and the Kremlin"
    ents = [m.entity for m in lex.find(text, _one(text))]
    assert ents[0] == "wagner"
    assert lex.entity("wagner").name == "Wagner Group"


def test_cues_gap_prefix_and_negation() -> None:
    text = "Russia will not impose new sweeping sanctions; Ukraine wants a truce."
    hits = CueIndex([SANCTIONS, CEASEFIRE]).find(text, _one(text))
    by = {(h.issue, text[h.start : h.end]): h for h in hits}
    assert ("sanctions", "impose new sweeping sanctions") in by  # gap of two words
    assert by[("sanctions", "impose new sweeping sanctions")].negated
    assert ("ceasefire", "truce") in by


def test_tokens_keep_offsets() -> None:
    text = "The U.S. and Russia’s envoy."
    for t in tokenize(text):
        assert text[t.start : t.end] == t.surface


def test_suggestions_quote_exactly_and_position_only_when_clear() -> None:
    text = "Russia demands that the US lift sanctions. Ukraine urges the US to impose sanctions. The US may impose more sanctions."
    d = draft_text(text, _sentences(text), LEX, [SANCTIONS])
    sugs = {(s.actor, s.issue): s for s in d.suggestions}
    for s in d.suggestions:
        for q in s.quotes:
            assert text[q.start : q.end] == q.text
            assert locate(text, q.text) is not None
    # Russia is named first, before the cue: its side; the US in the same sentence gets no side from it
    assert sugs[("russia", "sanctions")].position == pytest.approx(10.0)
    assert sugs[("ukraine", "sanctions")].position == pytest.approx(90.0)
    # the US: high cue alone in the third sentence, but the first sentence's cue is not its own
    us = sugs[("united_states", "sanctions")]
    assert us.position == pytest.approx(90.0)
    assert 0 < us.confidence <= 0.95


def test_paragraph_attribution_when_the_sentence_names_nobody() -> None:
    text = "Ukraine and Russia met. A truce was discussed."
    sents = [
        Sentence(index=0, start=0, end=23, paragraph=0),
        Sentence(index=1, start=24, end=len(text), paragraph=0),
    ]
    d = draft_text(text, sents, LEX, [CEASEFIRE])
    assert {s.actor for s in d.suggestions} == {"ukraine", "russia"}
    assert all(q.attribution == "paragraph" and q.side is None for s in d.suggestions for q in s.quotes)


def _doc(text: str) -> dict:
    d = draft_text(text, _one(text), LEX, [SANCTIONS])
    return draft_document(d, text, source=SourceInfo(name="t.txt", title="T", date="2025-06"))


def test_document_layout_and_needs_numbers() -> None:
    doc = _doc("Putin wants the sanctions lifted.")
    st = doc["stances"][0]
    assert st["status"] == "draft" and st["salience"] is None
    assert st["evidence"][0]["url"].startswith("t.txt#char=0,")
    assert needs_numbers(doc) == ["russia/sanctions: position, salience"]
    assert doc["draft"]["text"]["content"].startswith("Putin")


BASE = {
    "id": "b",
    "actors": [
        {"id": "ru", "name": "Russia"},
        {"id": "fr", "name": "France", "groups": ["european_allies"]},
        {"id": "de", "name": "Germany", "groups": ["european_allies"]},
    ],
    "issues": [{"id": "us_sanctions", "name": "US sanctions", "scale": {"low": 0, "high": 10}}],
    "stances": [{"actor": "ru", "issue": "us_sanctions", "position": 9, "salience": 0.5}],
}


def test_merge_adds_evidence_flags_contradictions_overwrites_nothing() -> None:
    doc = _doc("Russia demands that the US lift sanctions.")
    merged = merge_draft(BASE, doc)
    st = [s for s in merged["stances"] if s["actor"] == "ru"]
    assert len(st) == 1 and st[0]["position"] == 9 and st[0]["salience"] == 0.5
    assert st[0]["evidence"][0]["quote"] == "Russia demands that the US lift sanctions."
    (c,) = merged["draft"]["contradictions"]
    assert c["actor"] == "ru" and c["position"] == 9 and c["suggested"] == pytest.approx(1.0)
    assert BASE["stances"][0].get("evidence") is None  # the input is not modified


def test_merge_group_names_and_new_actors() -> None:
    text = "European capitals want new sanctions; Ukraine too."
    lex = extend_lexicon(LEX, [("European capitals", "europe", "Europe")], "t")
    d = draft_text(text, _one(text), lex, [SANCTIONS])
    doc = draft_document(d, text, source=SourceInfo(name="t.txt"))
    merged = merge_draft(BASE, doc)
    pairs = {(s["actor"], s["issue"]) for s in merged["stances"]}
    assert {("fr", "us_sanctions"), ("de", "us_sanctions"), ("ukraine", "us_sanctions")} <= pairs
    assert "ukraine" in {a["id"] for a in merged["actors"]}
    assert merged["draft"]["mapping"]["actors"]["europe"]["how"] == "group"


def test_locate_is_exact() -> None:
    assert locate("a b a", "a", near=3) == (4, 5)
    assert locate("Russia wants", "russia wants") is None
    assert locate("x", "") is None


def test_review_accept_reject_and_the_analysts_stances() -> None:
    from detente.analysis.draft.review import apply_decision, review_items, text_segments
    from detente.errors import ScenarioError

    text = "Russia demands that the US lift sanctions."
    doc = _doc(text)
    merged = merge_draft(BASE, doc)
    merged["stances"].append(
        dict(doc["stances"][0]) | {"actor": "fr", "issue": "us_sanctions"}
    )  # a draft too
    rows = review_items(merged)
    # the cue is Russia's (the subject); the US (the object) is only mentioned: a draft without a position
    assert [r["status"] for r in rows] == ["draft", "draft", "accepted"] and rows[-1]["actor"] == "ru"
    assert rows[-1]["role"] == "subject" and rows[-1]["confidence"] == pytest.approx(0.95)  # mapped ids
    us = next(r for r in rows if r["actor"] == "united_states")
    assert us["role"] == "mentioned" and us["position"] is None and us["confidence"] < rows[-1]["confidence"]
    with pytest.raises(ScenarioError, match="position"):  # the analyst types the numbers
        apply_decision(merged, "united_states", "us_sanctions", "accept", position=None, salience=0.5)
    assert not [c for c in merged["draft"]["contradictions"] if c["actor"] == "united_states"]
    segs = text_segments(text, rows)
    assert "".join(x["text"] for x in segs) == text and all(x["ids"] for x in segs)
    with pytest.raises(ScenarioError, match="salience"):
        apply_decision(merged, "fr", "us_sanctions", "accept", position=3, salience=None)
    with pytest.raises(ScenarioError, match="outside"):
        apply_decision(merged, "fr", "us_sanctions", "accept", position=30, salience=0.5)
    acc = apply_decision(merged, "fr", "us_sanctions", "accept", position=3, salience=0.5)
    fr = next(s for s in acc["stances"] if s["actor"] == "fr")
    assert "status" not in fr and fr["position"] == 3 and fr["evidence"][0]["quote"] == text
    # rejecting the analyst's stance only drops the evidence the draft added to it
    rej = apply_decision(acc, "ru", "us_sanctions", "reject")
    ru = next(s for s in rej["stances"] if s["actor"] == "ru")
    assert ru["position"] == 9 and ru["salience"] == 0.5 and "evidence" not in ru
    assert rej["draft"]["review"][-1]["action"] == "reject evidence"
    with pytest.raises(ScenarioError, match="analyst"):
        apply_decision(rej, "ru", "us_sanctions", "reject")
    gone = apply_decision(merged, "fr", "us_sanctions", "reject")
    assert all(s["actor"] != "fr" for s in gone["stances"]) and gone["draft"]["rejected"][0]["actor"] == "fr"
    assert merged["stances"][-1]["status"] == "draft"  # inputs are not modified
