"""The editor for screen readers and for large scenarios (UX audit).

* Every cell's input (``#stance-0-salience``) had no label: a screen reader said "edit text". Each
  now has an accessible name: "Russia – Ceasefire sequencing – salience (0–1)".
* A scenario of 60 actors × 10 issues sends about 2,650 form fields; Starlette refused any form
  above 1,000 ("Too many fields"), so every check, Run, what-if, save and download of it failed.
"""

from __future__ import annotations

import html
import re
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _labels(page: str) -> dict[str, str]:
    """id -> aria-label of every input and select of the editor's table."""
    table = page[page.index('<div id="table"') : page.index("</div>\n</div>", page.index('<div id="table"'))]
    out = {}
    for tag in re.findall(r"<(?:input|select)\b[^>]*>", table):
        if 'type="hidden"' in tag:
            continue
        ident = re.search(r'\bid="([^"]+)"', tag)
        label = re.search(r'\baria-label="([^"]*)"', tag)
        assert ident, tag
        out[ident.group(1)] = html.unescape(label.group(1)) if label else ""
    return out


def test_every_editor_cell_has_an_accessible_name(client) -> None:
    page = client.get("/s/ukraine-2025").text
    labels = _labels(page)
    assert len(labels) > 200
    assert {k for k, v in labels.items() if not v.strip()} == set()
    assert labels["stance-0-salience"] == "Ukraine – Ceasefire sequencing – salience (0–1)"
    assert labels["stance-0-position"] == "Ukraine – Ceasefire sequencing – position"
    assert labels["actor-1-capability"] == "Russia – capability"
    assert labels["issue-0-reference"] == "Ceasefire sequencing – status quo"
    assert labels["actor-1-delete"] == "remove Russia and its stances"
    assert labels["new-stance-salience"] == "new stance – salience (0–1)"
    # one name per cell: no two cells read the same
    assert len(set(labels.values())) == len(labels)


def test_the_redrawn_table_keeps_the_names(client, editor_form) -> None:
    form, hx = editor_form(client, "ukraine-2025")
    r = client.post("/ui/validate", data={**form, "stance-0-salience": "0.5"}, headers=hx)
    assert r.status_code == 200, r.text
    labels = _labels(r.text)
    assert labels["stance-0-salience"] == "Ukraine – Ceasefire sequencing – salience (0–1)"
    assert all(labels.values())


@pytest.fixture()
def big(client) -> tuple[str, dict[str, str]]:
    """A stored 60 actors × 10 issues scenario (benchmarks/bench_sweep.synthetic), as uploaded."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from bench_sweep import synthetic
    finally:
        sys.path.pop(0)
    from detente.io.files import write_scenario

    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "s60.yaml"
        write_scenario(synthetic(60, 10), f)
        client.get("/")
        token = client.cookies.get("detente_csrf")
        hx = {"HX-Request": "true", "X-CSRF-Token": token}
        r = client.post(
            "/ui/upload", files={"file": ("s60.yaml", f.read_bytes(), "application/yaml")}, headers=hx
        )
    assert r.status_code in (200, 204, 303), r.text
    ref = (r.headers.get("HX-Redirect") or r.headers.get("location") or "").rsplit("/s/", 1)[-1]
    assert ref
    return ref, hx


def test_a_large_scenario_can_be_checked_and_run(client, editor_form, big) -> None:
    ref, _hx = big
    form, hx = editor_form(client, ref)
    page = client.get(f"/s/{ref}").text
    cells = {
        m.group(1): html.unescape(m.group(2))
        for m in re.finditer(r'<input id="((?:actor|issue|stance)-\d+-[a-z]+)" [^>]*?value="([^"]*)"', page)
    }
    assert len(cells) > 1900  # 600 stances × 3 numbers, 60 actors × 2, 10 issues × 2
    data = {**form, **cells, "stance-5-salience": "0.42"}
    assert len(data) > 1000
    r = client.post("/ui/validate", data=data, headers=hx)
    assert r.status_code == 200, r.text[:300]
    assert 'id="stance-5-salience"' in r.text and 'value="0.42"' in r.text
    r = client.post("/ui/run", data=data, headers=hx)
    assert r.status_code == 200, r.text[:300]
    assert "Too many fields" not in r.text and 'class="data forecast"' in r.text
