"""io/draft: reading texts (encodings, binary, size, HTML), sentences with offsets, tables, the LM backend."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from detente.errors import InputFileError
from detente.io.draft import DraftOptions, LMConfig, LMError, draft_file, read_source, split_sentences
from detente.io.draft.reader import MAX_TEXT_BYTES, html_to_text, paragraphs
from detente.io.draft.tables import packaged_lexicon, packaged_templates

TEXT = (
    "Putin said Moscow would not accept a ceasefire. Zelensky urged the EU to impose new sanctions.\n\n"
    "Negotiations on prisoner exchanges will continue in Istanbul."
)


def test_bad_inputs_are_one_line_errors(tmp_path: Path) -> None:
    cases = {
        "empty.txt": b"",
        "blank.txt": b"  \n\t\n",
        "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "latin1.txt": "Kyiv and Moscow: café".encode("cp1252"),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InputFileError) as ei:
            read_source(tmp_path / name)
        msg = str(ei.value)
        assert "\n" not in msg and name in msg
    big = tmp_path / "big.txt"
    big.write_bytes(b"Russia and Ukraine. " * (10_000_000 // 20))
    with pytest.raises(InputFileError, match="too large"):
        read_source(big)
    with pytest.raises(InputFileError, match="not found"):
        read_source(tmp_path / "missing.txt")


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    p = tmp_path / "u16.txt"
    p.write_bytes(TEXT.encode("utf-16"))
    assert read_source(p).text == TEXT


def test_html_parsed_not_regexed() -> None:
    html = "<html><head><script>var Russia=1;</script><style>p{}</style></head><body><p>Putin <b>said</b> no.</p><p>Kyiv &amp; NATO.</p></body></html>"
    assert html_to_text(html) == "Putin said no.\n\nKyiv & NATO."


def test_sentences_keep_offsets_and_paragraphs() -> None:
    sents = split_sentences(TEXT)
    assert [TEXT[s.start : s.end] for s in sents] == [
        "Putin said Moscow would not accept a ceasefire.",
        "Zelensky urged the EU to impose new sanctions.",
        "Negotiations on prisoner exchanges will continue in Istanbul.",
    ]
    assert [s.paragraph for s in sents] == [0, 0, 1]
    wrapped = "Russia said it\nwould talk.\n\nUkraine said no."
    assert len(paragraphs(wrapped)) == 2
    assert [wrapped[s.start : s.end] for s in split_sentences(wrapped)][0] == "Russia said it\nwould talk."


def test_gazetteer_has_every_country_and_the_aliases_of_the_issue() -> None:
    lex = packaged_lexicon()
    assert len([e for e in lex.entities.values() if e.kind == "country"]) >= 249
    text = "Moscow, the Kremlin, Putin, Kyiv, Zelensky, Türkiye, Turkey, Brussels, the Alliance, G7."
    from detente.analysis.draft import Sentence

    ents = [m.entity for m in lex.find(text, [Sentence(index=0, start=0, end=len(text))])]
    assert ents == [
        "russia",
        "russia",
        "russia",
        "ukraine",
        "ukraine",
        "turkey",
        "turkey",
        "eu",
        "nato",
        "g7",
    ]
    ids = {t.id for t in packaged_templates()}
    assert {
        "ceasefire",
        "sanctions",
        "line_of_separation",
        "security_guarantees",
        "humanitarian_exchanges",
        "communique_language",
        "military_aid",
        "accession",
        "arms_control",
        "trade",
    } <= ids


def _write(tmp_path: Path, text: str = TEXT, name: str = "t.txt") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_draft_file_is_deterministic_and_validates(tmp_path: Path) -> None:
    import warnings

    from detente.io.mapping import parse_scenario

    p = _write(tmp_path)
    a, b = draft_file(p), draft_file(p)
    assert a == b
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        sc = parse_scenario(a)
    assert sc.stances == ()  # drafts stay out until accepted
    assert any("draft stance" in str(x.message) for x in w)
    assert {x["id"] for x in a["actors"]} == {"russia", "ukraine", "eu", "turkey"} - {"turkey"}


def test_user_aliases_and_templates(tmp_path: Path) -> None:
    text = "The Wagner chief wants a grain corridor reopened. Prigozhin insisted on it."
    p = _write(tmp_path, text)
    with pytest.raises(InputFileError, match="names no actor"):
        draft_file(p)
    al = tmp_path / "al.csv"
    al.write_text("alias,actor,name\nWagner,wagner,Wagner Group\nPrigozhin,wagner,\n", encoding="utf-8")
    tp = tmp_path / "tp.yaml"
    tp.write_text(
        "- id: grain\n  name: Grain corridor\n  scale: {low: 0, high: 1, labels: [closed, open]}\n"
        "  cues: {topic: [grain corridor], high: [reopen*]}\n",
        encoding="utf-8",
    )
    doc = draft_file(p, DraftOptions(aliases_file=str(al), templates_file=str(tp)))
    assert [a["id"] for a in doc["actors"]] == ["wagner"]
    assert doc["stances"][0]["issue"] == "grain"


def test_into_builtin_keeps_the_analyst_numbers(tmp_path: Path) -> None:
    from detente.io.draft import load_base

    base = load_base("ukraine-2025")
    doc = draft_file(_write(tmp_path), into="ukraine-2025")
    old = {(s["actor"], s["issue"]): s for s in base["stances"]}
    for s in doc["stances"]:
        if (s["actor"], s["issue"]) in old:
            o = old[(s["actor"], s["issue"])]
            assert (s["position"], s["salience"]) == (o["position"], o["salience"])
            assert s.get("status") != "draft"
            assert s["evidence"][: len(o.get("evidence", []))] == o.get("evidence", [])
    assert doc["draft"]["mapping"]["issues"]["sanctions"] == "us_sanctions"


# --- language-model backend against a local stub server -------------------------------------
class _Stub(BaseHTTPRequestHandler):
    answer: dict[str, Any] = {}
    seen: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server API)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Stub.seen.append({"path": self.path, "body": body})
        out = json.dumps(
            {"choices": [{"message": {"role": "assistant", "content": json.dumps(_Stub.answer)}}]}
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(out.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[str]:
    srv = HTTPServer(("127.0.0.1", 0), _Stub)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    _Stub.seen.clear()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/v1"
    finally:
        srv.shutdown()
        srv.server_close()


def test_lm_quotes_checked_and_provenance_kept(tmp_path: Path, stub: str) -> None:
    _Stub.answer = {
        "stances": [
            {
                "actor": "ukraine",
                "issue": "sanctions",
                "quote": "urged the EU to impose new sanctions",
                "side": "high",
            },
            {
                "actor": "russia",
                "issue": "ceasefire",
                "quote": "Moscow will never accept a truce",
                "side": "high",
            },
            {"actor": "mars", "issue": "ceasefire", "quote": "Putin said", "side": None},
        ]
    }
    doc = draft_file(_write(tmp_path), DraftOptions(lm=LMConfig(url=stub, model="stub")))
    (req,) = _Stub.seen
    assert req["path"] == "/v1/chat/completions" and req["body"]["temperature"] == 0
    prov = doc["draft"]["provenance"][0]
    assert prov["backend"] == "lexicon+lm"
    lm = prov["lm"]
    assert lm["prompt"] == req["body"]["messages"] and json.loads(lm["raw_answer"]) == _Stub.answer
    assert lm["accepted"] == 1
    assert [r["reason"] for r in lm["rejected"]] == [
        "quote is not an exact substring of the text",
        "unknown actor 'mars'",
    ]
    text = doc["draft"]["text"]["content"]
    lm_quotes = [q for s in doc["draft"]["suggestions"] for q in s["quotes"] if q["attribution"] == "model"]
    assert [text[q["start"] : q["end"]] for q in lm_quotes] == ["urged the EU to impose new sanctions"]


def test_lm_unreachable_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(LMError, match="cannot reach"):
        draft_file(_write(tmp_path), DraftOptions(lm=LMConfig(url="http://127.0.0.1:9/v1", timeout=2)))


def test_offline_default_never_calls_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    def boom(*a: Any, **k: Any) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(urllib.request, "urlopen", boom)
    assert draft_file(_write(tmp_path))["stances"]


def test_max_size_constant() -> None:
    assert 1_000_000 <= MAX_TEXT_BYTES < 10_000_000


def test_five_thousand_words_under_a_second_of_cpu() -> None:
    """docs/draft.md §8: a 5,000-word text drafts in under 1 s after start-up (CPU time of this
    process, which a loaded machine inflates far less than wall time; measured 0.27 s)."""

    from detente.io.draft import SourceText, draft_source

    here = Path(__file__).resolve().parents[1] / "analysis" / "draft_texts"
    parts = [p.read_text(encoding="utf-8") for p in sorted(here.glob("*.txt"))]
    body = "\n\n".join(parts)
    text = "\n\n".join([body] * (5000 // len(body.split()) + 1))
    assert len(text.split()) >= 5000
    src = SourceText("big.txt", text, "text/plain")
    draft_source(src)  # start-up: tables, pysbd, rapidfuzz loaded once
    best = min(_cpu(draft_source, src) for _ in range(3))
    assert best < 1.0, best


def _cpu(fn: Any, *args: Any) -> float:
    import time

    t0 = time.process_time()
    fn(*args)
    return time.process_time() - t0


def test_stance_status_in_scenario_files() -> None:
    import warnings

    from detente.errors import ScenarioError
    from detente.io.mapping import parse_scenario

    base = {"id": "t", "actors": [{"id": "a"}, {"id": "b"}], "issues": [{"id": "x"}]}
    st = [
        {"actor": "a", "issue": "x", "position": 10, "salience": 0.5, "status": "accepted"},
        {"actor": "b", "issue": "x", "status": "draft", "position": None, "salience": None},
    ]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        sc = parse_scenario(base | {"stances": st, "draft": {"status": "draft"}})
    assert [s.actor for s in sc.stances] == ["a"]
    assert len(w) == 1 and "b/x: position, salience" in str(w[0].message)
    bad = [dict(st[1]) | {"status": "maybe"}, dict(st[1]) | {"position": 500}]
    for s in bad:
        with pytest.raises(ScenarioError) as ei:
            parse_scenario(base | {"stances": [s]})
        assert "stances[0]" in str(ei.value)
    with pytest.raises(ScenarioError) as ei:
        parse_scenario(base | {"stances": st[:1], "draft": [1, 2]})
    assert any("draft: expected a mapping" in p for p in ei.value.problems)
