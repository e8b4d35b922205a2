"""Attribution in the drafting core: each cue to the subject of its own clause (detente.analysis.draft.clauses)."""

from __future__ import annotations

import pytest

from detente.analysis.draft import Alias, Cue, Entity, IssueTemplate, Lexicon, Sentence, draft_text
from detente.analysis.draft.clauses import split_clauses

ENTITIES = [
    Entity(id="russia", name="Russia"),
    Entity(id="ukraine", name="Ukraine"),
    Entity(id="united_states", name="United States"),
    Entity(id="germany", name="Germany"),
    Entity(id="france", name="France"),
    Entity(id="turkey", name="Türkiye"),
    Entity(id="europe", name="Europe", kind="region"),
]
LEX = Lexicon(
    ENTITIES,
    [
        Alias(text="Russia", entity="russia"),
        Alias(text="Russian", entity="russia", kind="demonym"),
        Alias(text="Putin", entity="russia", kind="leader"),
        Alias(text="Ukraine", entity="ukraine"),
        Alias(text="Ukrainian", entity="ukraine", kind="demonym"),
        Alias(text="Washington", entity="united_states", kind="capital"),
        Alias(text="Germany", entity="germany"),
        Alias(text="France", entity="france"),
        Alias(text="Turkey", entity="turkey"),
        Alias(text="Europeans", entity="europe", kind="alias"),
    ],
)
TEMPLATES = [
    IssueTemplate(
        id="sanctions",
        name="Sanctions",
        cues=(
            Cue(phrase="sanction*"),
            Cue(phrase="impose ... sanctions", side="high"),
            Cue(phrase="lift* sanctions", side="low"),
        ),
    ),
    IssueTemplate(id="military_aid", name="Military aid", cues=(Cue(phrase="military aid"),)),
    IssueTemplate(
        id="humanitarian_exchanges",
        name="Humanitarian exchanges",
        cues=(Cue(phrase="prisoner exchange*"), Cue(phrase="all-for-all", side="high")),
    ),
    IssueTemplate(
        id="ceasefire",
        name="Ceasefire",
        cues=(Cue(phrase="ceasefire"), Cue(phrase="unconditional ceasefire", side="low")),
    ),
    IssueTemplate(
        id="security_guarantees", name="Security guarantees", cues=(Cue(phrase="security guarantee*"),)
    ),
]


def _draft(text: str):  # type: ignore[no-untyped-def]
    d = draft_text(text, [Sentence(index=0, start=0, end=len(text))], LEX, TEMPLATES)
    return d, {(s.actor, s.issue): s for s in d.suggestions}


def test_cue_goes_to_the_subject_of_its_own_clause() -> None:
    text = (
        "Germany and France pledged more military aid, while Turkey offered to host a new round of "
        "prisoner exchanges, proposing an all-for-all swap."
    )
    _, sugs = _draft(text)
    assert sugs[("turkey", "humanitarian_exchanges")].position == pytest.approx(90.0)
    assert ("germany", "humanitarian_exchanges") not in sugs
    assert ("france", "humanitarian_exchanges") not in sugs
    assert {("germany", "military_aid"), ("france", "military_aid")} <= set(sugs)  # coordinated subjects
    assert ("turkey", "military_aid") not in sugs


def test_a_demonym_modifying_a_non_actor_noun_is_no_actor() -> None:
    d, _ = _draft("Ukraine wants binding security guarantees backed by European forces.")
    assert "europe" not in d.actor_ids and all(m.entity != "europe" for m in d.mentions)
    d, sugs = _draft("Washington may impose secondary sanctions on buyers of Russian oil.")
    assert ("russia", "sanctions") not in sugs and "russia" not in d.actor_ids  # the adjective is no actor
    d, sugs = _draft(
        "Washington may impose secondary sanctions on buyers of Russian oil if Putin keeps stalling."
    )
    assert sugs[("united_states", "sanctions")].position == pytest.approx(90.0)
    assert all(m.surface != "Russian" for m in d.mentions)
    ru = sugs[("russia", "sanctions")]  # "Putin" is named in the clause, not its subject: no position
    assert ru.position is None and ru.role == "mentioned" and all(q.side is None for q in ru.quotes)
    assert ru.confidence < sugs[("united_states", "sanctions")].confidence


@pytest.mark.parametrize(
    "text",
    [
        "The Russian government rejected a ceasefire.",
        "Russian negotiators rejected a ceasefire.",
        "The Russian foreign minister rejected a ceasefire.",
    ],
)
def test_a_demonym_heading_an_actor_noun_phrase_is_the_state(text: str) -> None:
    d, sugs = _draft(text)
    assert d.actor_ids == ("russia",) and ("russia", "ceasefire") in sugs


def test_coordinated_demonyms_before_an_actor_noun() -> None:
    d, _ = _draft("A meeting between Russian and Ukrainian delegations discussed a ceasefire.")
    assert set(d.actor_ids) == {"russia", "ukraine"}
    d, _ = _draft("The Europeans discussed a ceasefire.")  # a plural noun names the people
    assert d.actor_ids == ("europe",)


def test_clause_without_subject_inherits_and_relative_clauses() -> None:
    _, sugs = _draft("Russia agreed to talks, but refused to lift sanctions.")
    assert ("russia", "sanctions") in sugs
    _, sugs = _draft("Turkey, which hosted the talks, proposed an all-for-all swap.")
    assert sugs[("turkey", "humanitarian_exchanges")].position == pytest.approx(90.0)
    _, sugs = _draft("Russia rejected the plan, whereas Ukraine demanded an unconditional ceasefire.")
    assert sugs[("ukraine", "ceasefire")].position == pytest.approx(10.0)
    assert ("russia", "ceasefire") not in sugs


def _mentioned(sugs, actor: str, issue: str) -> bool:  # type: ignore[no-untyped-def]
    """Named beside the clause's subject: a suggestion with no position and no side, below the subject."""
    s = sugs[(actor, issue)]
    return s.role == "mentioned" and s.position is None and all(q.side is None for q in s.quotes)


def test_object_of_the_verb_gets_no_stance() -> None:
    _, sugs = _draft("Ukraine urged Germany to send military aid.")
    assert sugs[("ukraine", "military_aid")].role == "subject" and _mentioned(sugs, "germany", "military_aid")
    _, sugs = _draft("For Russia, it is important to keep Washington from imposing sanctions.")
    assert sugs[("russia", "sanctions")].role == "subject" and _mentioned(sugs, "united_states", "sanctions")
    _, sugs = _draft("According to Ukraine, Russia refused to lift sanctions.")  # the reporter is no subject
    assert sugs[("russia", "sanctions")].role == "subject" and _mentioned(sugs, "ukraine", "sanctions")


def test_a_mention_never_takes_the_cue_position() -> None:
    d, sugs = _draft("Russia demanded that Washington impose new sanctions on Germany.")
    ru = sugs[("russia", "sanctions")]
    assert ru.role == "subject" and ru.position == pytest.approx(90.0)
    for actor in ("united_states", "germany"):
        assert _mentioned(sugs, actor, "sanctions")
        conf = sugs[(actor, "sanctions")].confidence
        assert conf == pytest.approx(0.5) and conf < ru.confidence  # half of the subject's 1.0 (capped 0.95)
    assert set(d.actor_ids) == {"russia", "united_states", "germany"}  # no actor made from nothing
    # a subject in one sentence and a mention in another: the position comes from the subject's quote
    text = "Germany demanded an unconditional ceasefire. Ukraine urged Germany to accept a ceasefire."
    cut = text.index("Ukraine")
    sents = [Sentence(index=0, start=0, end=cut), Sentence(index=1, start=cut, end=len(text))]
    sugs = {(x.actor, x.issue): x for x in draft_text(text, sents, LEX, TEMPLATES).suggestions}
    de = sugs[("germany", "ceasefire")]
    assert de.role == "subject" and de.position == pytest.approx(10.0)
    assert [q.role for q in de.quotes] == ["subject", "mentioned"] and de.quotes[1].side is None
    assert (
        sugs[("ukraine", "ceasefire")].role == "subject" and sugs[("ukraine", "ceasefire")].position is None
    )


def test_split_clauses_offsets() -> None:
    text = "A said x; B said y, while C said z, but D said w."
    cl = split_clauses(text, 0, len(text))
    assert [text[c.start : c.end].strip(" ,;") for c in cl] == [
        "A said x",
        "B said y",
        "while C said z",
        "but D said w.",
    ]
    assert cl[0].start == 0 and cl[-1].end == len(text)
    assert all(a.end == b.start for a, b in zip(cl, cl[1:], strict=False))  # the clauses tile the sentence


def test_shorten_cuts_at_a_word_boundary() -> None:
    from detente.core.text import shorten

    assert shorten("Germany and France pledged more military aid", 24) == "Germany and France…"
    assert shorten("a  b\nc", 10) == "a b c"
    s = shorten("The Kremlin said Moscow would agree to a ceasefire", 30)
    assert len(s) <= 30 and s.endswith("…") and "The Kremlin said Moscow would agree".startswith(s[:-1])


def test_reported_speech_goes_to_the_reported_actor_and_demonym_phrases_coordinate() -> None:
    _, sugs = _draft("Russian officials said Ukraine wants a ceasefire.")
    assert set(sugs) == {("ukraine", "ceasefire")}
    _, sugs = _draft("Putin told reporters that Ukraine demanded an unconditional ceasefire.")
    assert set(sugs) == {("ukraine", "ceasefire")} and sugs[("ukraine", "ceasefire")].position == 10.0
    _, sugs = _draft("Russia insisted that Ukraine lift sanctions first.")  # a demand: the stance is Russia's
    assert set(sugs) == {("russia", "sanctions"), ("ukraine", "sanctions")}
    assert sugs[("russia", "sanctions")].position == 10.0 and _mentioned(sugs, "ukraine", "sanctions")
    _, sugs = _draft("Russian negotiators, Ukrainian officials and Turkey agreed on prisoner exchanges.")
    assert {a for a, _ in sugs} == {"russia", "ukraine", "turkey"}
