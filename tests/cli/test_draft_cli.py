"""`detente draft`: writes a draft that `detente validate` accepts; bad input is one line, exit 2, nothing written."""

from __future__ import annotations

import json
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
        "draft", str(_text(tmp_path)), "--out", str(out), "--source-title", "Col", "--source-date", "2025-06"
    )
    assert r.exit_code == 0, r.stderr
    assert f"wrote {out}" in r.stdout
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert {a["id"] for a in doc["actors"]} == {"russia", "ukraine", "eu"}
    assert all(s["status"] == "draft" for s in doc["stances"])
    ev = doc["stances"][0]["evidence"][0]
    assert ev["source"] == "Col" and ev["date"] == "2025-06" and "#char=" in ev["url"]
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
    text = _text(tmp_path).read_text(encoding="utf-8")
    assert all(text[q.start : q.end] == q.quote for s in printed.suggestions for q in s.quotes)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert (
        doc["id"] == "ukraine-2025"
        and doc["draft"]["mapping"]["issues"]["ceasefire"] == "ceasefire_sequencing"
    )
    assert cli("validate", str(out)).exit_code == 0


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
