"""`detente draft`: writes a draft that `detente validate` accepts; bad input is one line, exit 2, nothing written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

TEXT = (
    "Russia uses ceasefire talks to impose capitulatory demands. Zelensky asked the EU for new sanctions.\n"
    "The Kremlin said prisoner exchanges would continue."
)


def _text(tmp_path: Path, body: str | bytes = TEXT, name: str = "col.txt") -> Path:
    p = tmp_path / name
    if isinstance(body, bytes):
        p.write_bytes(body)
    else:
        p.write_text(body, encoding="utf-8")
    return p


def test_draft_writes_a_valid_draft(cli, tmp_path: Path) -> None:
    out = tmp_path / "d.yaml"
    r = cli(
        "draft",
        str(_text(tmp_path)),
        "--out",
        str(out),
        "--source-title",
        "Col",
        "--source-date",
        "2025-06-15",
    )
    assert r.exit_code == 0, r.stderr
    assert f"wrote {out}" in r.stdout
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert {a["id"] for a in doc["actors"]} == {"russia", "ukraine", "eu"}
    assert all(s["status"] == "draft" for s in doc["stances"])
    ev = doc["stances"][0]["evidence"][0]
    assert ev["source"] == "Col" and ev["date"] == "2025-06-15" and "#char=" in ev["url"]
    v = cli("validate", str(out))
    assert v.exit_code == 0 and v.stdout.startswith("valid: 3 actors")
    assert (
        v.stderr.startswith("warning: ")
        and "still need numbers" in v.stderr
        and "russia/ceasefire" in v.stderr
    )
    assert len(v.stderr.strip().splitlines()) == 1


def test_draft_json_and_into(cli, tmp_path: Path) -> None:
    out = tmp_path / "d.json"
    r = cli("draft", str(_text(tmp_path)), "--into", "ukraine-2025", "--out", str(out), "--format", "json")
    assert r.exit_code == 0, r.stderr
    from detente.io.documents import DraftDocument

    printed = DraftDocument.model_validate(json.loads(r.stdout))  # forbids unexpected keys
    assert printed.written == str(out) and printed.suggestions
    # "Zelensky asked the EU for new sanctions": the EU is named, not the subject: no position
    (eu,) = [s for s in printed.suggestions if (s.actor, s.issue) == ("eu", "sanctions")]
    assert eu.role == "mentioned" and eu.position is None and all(q.role == "mentioned" for q in eu.quotes)
    assert next(s for s in printed.suggestions if s.actor == "ukraine").role == "subject"
    text = _text(tmp_path).read_text(encoding="utf-8")
    assert all(text[q.start : q.end] == q.quote for s in printed.suggestions for q in s.quotes)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert (
        doc["id"] == "ukraine-2025"
        and doc["draft"]["mapping"]["issues"]["ceasefire"] == "ceasefire_sequencing"
    )
    assert cli("validate", str(out)).exit_code == 0
    # --into: the mention adds its quote to the analyst's EU stance, keeps the numbers, flags nothing
    from detente.io.draft import load_base

    base = {(s["actor"], s["issue"]): s for s in load_base("ukraine-2025")["stances"]}
    st = next(s for s in doc["stances"] if (s["actor"], s["issue"]) == ("eu", "us_sanctions"))
    assert st["position"] == base[("eu", "us_sanctions")]["position"] and "status" not in st
    assert any("mentioned beside the subject" in e.get("note", "") for e in st["evidence"])
    assert all(c["actor"] != "eu" for c in doc["draft"]["contradictions"])


def test_bad_input_exit_2_nothing_written(cli, tmp_path: Path) -> None:
    out = tmp_path / "d.yaml"
    cases = [
        _text(tmp_path, b"", "empty.txt"),
        _text(tmp_path, b"\x00\x01\x02binary\x00", "bin.dat"),
        _text(tmp_path, "Moscow caf\u00e9".encode("cp1252"), "latin.txt"),
        _text(tmp_path, b"Russia and Ukraine talk. " * 420_000, "big.txt"),
        _text(tmp_path, "The weather was fine and nobody negotiated anything.", "none.txt"),
        tmp_path / "missing.txt",
    ]
    for p in cases:
        r = cli("draft", str(p), "--out", str(out))
        assert r.exit_code == 2, (p, r.stdout)
        assert r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert p.name in r.stderr
        assert "Traceback" not in r.stderr
        assert not out.exists()
    r = cli("draft", str(_text(tmp_path)), "--out", str(tmp_path / "d.txt"))
    assert r.exit_code == 2 and not (tmp_path / "d.txt").exists()


NEWS = (
    "The Kremlin said Moscow would agree to a ceasefire only after a settlement that recognises its territorial "
    "gains. President Zelensky said Kyiv demands an unconditional ceasefire first and binding security guarantees "
    "backed by European forces.\nWashington signalled it may impose sweeping secondary sanctions on buyers of "
    "Russian oil if Putin keeps stalling. Germany and France pledged more military aid, while Turkey offered to "
    "host a new round of prisoner exchanges, proposing an all-for-all swap."
)


def test_terminal_output_is_compact_at_80_columns(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.chdir(tmp_path)
    out = Path("d.yaml")
    r = cli("draft", _text(tmp_path, NEWS).name, "--out", str(out))
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.rstrip("\n").splitlines()
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    n = len(doc["draft"]["suggestions"])
    assert all(len(x) <= 80 for x in lines), [x for x in lines if len(x) > 80]
    assert len(lines) <= 2 * n + 6  # one or two lines a suggestion, the header and the summary
    rows = [
        x for x in lines if x.startswith(("russia ", "ukraine ", "united_states ", "germany ", "turkey "))
    ]
    assert rows and all("…" in x for x in rows)
    for x in rows:  # the quote excerpt ends at a word boundary of the sentence
        excerpt = re.split(r"\d\.\d\d[ *] ", x)[-1].rstrip("…")
        assert excerpt and f"{excerpt} " in NEWS
    turkey = next(x for x in rows if x.startswith("turkey "))
    assert "humanitarian_exchanges" in turkey and " 90 " in turkey
    assert any(x.startswith("germany ") and "—" in x for x in rows)  # no position: a dash
    # Putin is named in Washington's sanctions clause, not its subject: a dash and the mark, with its key
    (ru,) = [x for x in rows if x.startswith("russia ") and " sanctions " in x]
    assert re.search(r" — 0\.\d\d\* ", ru) and "* 1 only mentioned beside the cue's subject" in r.stdout
    assert f"wrote {out}" in r.stdout and "--format json" in r.stdout


def test_bad_options_are_one_line_exit_2(cli, tmp_path: Path) -> None:
    news = _text(tmp_path, NEWS)
    junk = _text(tmp_path, "not,a,questionnaire\n", "junk.csv")
    html = _text(tmp_path, "<html><body><p>Putin met Erdogan in Ankara.</p></body></html>", "m.html")
    out = tmp_path / "d.yaml"
    cases = [
        (["--aliases", str(junk)], "junk.csv: line 1: expected the header row 'alias,actor'"),
        (["--aliases", str(tmp_path / "nope.csv")], "expected an existing alias file"),
        (["--source-date", "notadate"], "--source-date notadate: expected a date YYYY-MM-DD"),
        (["--source-date", "2025-13-01"], "--source-date 2025-13-01: expected a date YYYY-MM-DD"),
        (["--source-url", "ftp:/x y"], "--source-url ftp:/x y: expected an http(s) URL"),
        (["--lm-url", "notaurl"], "--lm-url notaurl: expected an http(s) URL"),
    ]
    for extra, msg in cases:
        r = cli("draft", str(news), "--out", str(out), *extra)
        assert r.exit_code == 2, (extra, r.stdout)
        assert r.stderr == f"error: {r.stderr[7:]}" and msg in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and not out.exists()
    r = cli("draft", str(tmp_path / "nope.txt"))
    assert r.exit_code == 2 and "expected an existing text file" in r.stderr and "scenario" not in r.stderr
    for extra in ([], ["--into", "ukraine-2025"]):
        r = cli("draft", str(html), "--out", str(out), *extra)
        assert r.exit_code == 2 and not out.exists()
        assert r.stderr.strip() == (
            "error: " + str(html) + ": found 2 actors (Russia, Türkiye) but no stance cues; nothing to draft"
        )
    ok = cli("draft", str(news), "--source-date", "2025-06-15", "--source-url", "https://example.org/a")
    assert ok.exit_code == 0, ok.stderr


def test_out_is_never_one_of_the_drafts_inputs(cli, tmp_path: Path) -> None:
    """--out over the --aliases table or the --into scenario would replace the user's file with
    the draft: refused before anything is written, with one line naming both."""
    import shutil

    import detente.io.builtin as builtin

    aliases = tmp_path / "aliases.yaml"
    aliases.write_text("Kremlin: russia\n", encoding="utf-8")
    scenario = tmp_path / "mine.yaml"
    shutil.copyfile(Path(builtin.__file__).with_name("ukraine-2025.yaml"), scenario)
    text = _text(tmp_path)
    for args, target in (
        (("--aliases", str(aliases)), aliases),
        (("--into", str(scenario)), scenario),
    ):
        before = target.read_bytes()
        r = cli("draft", str(text), *args, "--out", str(target))
        assert r.exit_code == 2, r.stdout
        assert "Traceback" not in r.output
        assert r.stderr.count("\n") == 1 and "is the input file" in r.stderr, r.stderr
        assert target.read_bytes() == before


def test_into_says_what_went_into_the_scenario(cli, tmp_path: Path, monkeypatch) -> None:
    """The table shows the text's ids (ceasefire, sanctions); with --into the lines after it say
    how many quotes and draft stances went in and where those ids went in the scenario."""
    monkeypatch.setenv("COLUMNS", "80")
    out = tmp_path / "m.yaml"
    r = cli("draft", str(_text(tmp_path)), "--into", "ukraine-2025", "--out", str(out))
    assert r.exit_code == 0, r.stderr
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    added = doc["draft"]["added"]
    assert added > 0
    flat = " ".join(r.stdout.split())
    assert f"merged into ukraine-2025: {added} quotes and draft stances added, nothing overwritten" in flat
    assert "ceasefire → ceasefire_sequencing" in flat and "sanctions → us_sanctions" in flat
    r = cli("draft", str(_text(tmp_path)), "--into", "ukraine-2025")
    assert "to add (nothing written without --out)" in " ".join(r.stdout.split())
    r = cli("draft", str(_text(tmp_path)), "--out", str(tmp_path / "plain.yaml"))
    assert "merged into" not in r.stdout
