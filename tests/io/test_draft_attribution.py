"""``detente draft`` with the packaged tables on a wire-style text: who gets which cue, and the inputs
that leave nothing to draft or are not alias tables (one-line errors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.errors import InputFileError
from detente.io.draft import DraftOptions, draft_file

NEWS = (
    "Talks in Istanbul ended without a breakthrough on Friday. The Kremlin said Moscow would agree to a "
    "ceasefire only after a settlement that recognises its territorial gains. President Zelensky said Kyiv "
    "demands an unconditional ceasefire first and binding security guarantees backed by European forces.\n"
    "Washington signalled it may impose sweeping secondary sanctions on buyers of Russian oil if Putin keeps "
    "stalling. Germany and France pledged more military aid, while Turkey offered to host a new round of "
    "prisoner exchanges, proposing an all-for-all swap."
)


def _write(tmp_path: Path, body: str, name: str = "news.txt") -> Path:
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


def test_each_cue_goes_to_its_clause_subject(tmp_path: Path) -> None:
    doc = draft_file(_write(tmp_path, NEWS))
    sugs = {(s["actor"], s["issue"]): s for s in doc["draft"]["suggestions"]}
    assert "europe" not in {a["id"] for a in doc["actors"]}  # "European forces": an adjective
    # "buyers of Russian oil": the adjective is no actor; Putin, named in the clause but not its subject,
    # is only mentioned: no position, no side, below the subject's confidence
    ru = sugs[("russia", "sanctions")]
    assert ru["position"] is None and ru["role"] == "mentioned"
    assert all(q["side"] is None and q["role"] == "mentioned" for q in ru["quotes"])
    assert ru["confidence"] < sugs[("united_states", "sanctions")]["confidence"]
    assert [m[0] for m in doc["draft"]["actors"]["russia"]["mentions"] if m[0].startswith("Russian")] == []
    st = next(x for x in doc["stances"] if (x["actor"], x["issue"]) == ("russia", "sanctions"))
    assert st["position"] is None and "mentioned beside the subject" in st["evidence"][0]["note"]
    assert sugs[("united_states", "sanctions")]["position"] == pytest.approx(90.0)
    assert sugs[("turkey", "humanitarian_exchanges")]["position"] == pytest.approx(90.0)
    # Germany and France are not in Türkiye's clause: not even a mention
    assert not {("germany", "humanitarian_exchanges"), ("france", "humanitarian_exchanges")} & set(sugs)
    with_position = {k for k, v in sugs.items() if v["position"] is not None}
    assert with_position == {
        ("united_states", "sanctions"),
        ("turkey", "humanitarian_exchanges"),
        ("ukraine", "ceasefire"),
    }
    assert {("germany", "military_aid"), ("france", "military_aid")} <= set(sugs)
    assert ("turkey", "military_aid") not in sugs
    assert sugs[("ukraine", "ceasefire")]["position"] == pytest.approx(10.0)


def test_actors_but_no_cues_is_nothing_to_draft(tmp_path: Path) -> None:
    p = _write(tmp_path, "<html><body><p>Putin met Erdogan in Ankara.</p></body></html>", "m.html")
    msg = "m.html: found 2 actors (Russia, Türkiye) but no stance cues; nothing to draft"
    with pytest.raises(InputFileError, match=msg.replace("(", r"\(").replace(")", r"\)")):
        draft_file(p)
    with pytest.raises(InputFileError, match="but no stance cues; nothing to draft"):
        draft_file(p, into="ukraine-2025")


def test_alias_file_must_be_an_alias_table(tmp_path: Path) -> None:
    p = _write(tmp_path, NEWS)
    for body, where in (
        ("not,a,questionnaire\n", "line 1: expected the header row 'alias,actor'"),
        ("alias,actor\nWagner\n", r"line 2: expected 'alias,actor\[,name\]'"),
        ("alias,actor\nWagner,wagner,Wagner Group,extra\n", r"line 2: expected 'alias,actor\[,name\]'"),
        ("# only a comment\n", "expected an alias table with the header row"),
    ):
        al = _write(tmp_path, body, "al.csv")
        with pytest.raises(InputFileError, match=where):
            draft_file(p, DraftOptions(aliases_file=str(al)))
    with pytest.raises(InputFileError, match=r"nope.csv: file not found \(expected an existing alias file\)"):
        draft_file(p, DraftOptions(aliases_file=str(tmp_path / "nope.csv")))
    with pytest.raises(InputFileError, match=r"gone.txt: file not found \(expected an existing text file\)"):
        draft_file(tmp_path / "gone.txt")


def test_lm_url_that_is_no_url_is_one_line(tmp_path: Path) -> None:
    from detente.io.draft import LMConfig, LMError

    with pytest.raises(LMError, match="^--lm-url notaurl: expected an http\\(s\\) URL$"):
        draft_file(_write(tmp_path, NEWS), DraftOptions(lm=LMConfig(url="notaurl")))
