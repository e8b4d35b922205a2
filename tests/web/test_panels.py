"""Expert panels in the dashboard's API: one seat per expert opened by its own token, answers checked
and autosaved until submitted, one expert never reaching another's seat, pooling the submitted
ones into a stored scenario, and the app's access token not needed on an expert's link."""

from __future__ import annotations

import pytest

from detente.store import Store
from detente.store.panels import token_digest


def _create(client, experts: str = "ana,ben") -> dict:
    r = client.post("/api/panels", json={"scenario": "ukraine-2025", "experts": experts})
    assert r.status_code == 201, r.text
    return r.json()


def _token(link: str) -> str:
    base, _, token = link.partition("#")
    assert base.endswith("/expert") and token  # the token is in the fragment: never sent to the server
    return token


def _rows(client, token: str) -> list[dict]:
    r = client.get("/api/expert/questionnaire", headers={"X-Expert-Token": token})
    assert r.status_code == 200, r.text
    return r.json()["rows"]


def _answers(rows: list[dict], position: float) -> list[dict]:
    return [
        {
            "actor": x["actor"],
            "issue": x["issue"],
            "position": position if x["actor"] == "united_states" else None,
            "salience": 0.5 if x["actor"] == "united_states" else None,
        }
        for x in rows
    ]


def test_create_gives_one_link_each_and_stores_only_digests(client, tmp_path) -> None:
    p = _create(client)
    assert set(p["links"]) == {"ana", "ben"} and p["rows"] == 60
    assert [e["answered"] for e in p["experts"]] == [0, 0]
    tokens = [_token(u) for u in p["links"].values()]
    raw = b"".join(f.read_bytes() for f in tmp_path.glob("web.sqlite*"))  # the database and its WAL
    for t in tokens:
        assert t.encode() not in raw and token_digest(t).encode() in raw
    assert "links" not in client.get(f"/api/panels/{p['id']}").json()  # shown once, at creation


def test_bad_panel_requests(client) -> None:
    r = client.post("/api/panels", json={"scenario": "ukraine-2025", "experts": "ana,ana"})
    assert r.status_code == 422 and "'ana' is named twice" in r.json()["error"]
    r = client.post("/api/panels", json={"scenario": "no-such", "experts": "ana"})
    assert r.status_code == 404
    assert client.get("/api/panels/99").status_code == 404


def test_seats_are_separate_checked_and_closed_on_submit(client) -> None:
    p = _create(client)
    ana, ben = (_token(p["links"][e]) for e in ("ana", "ben"))
    rows = _rows(client, ana)
    assert len(rows) == 60 and all(r["position"] is None for r in rows)  # blind
    h = {"X-Expert-Token": ana}
    r = client.put("/api/expert/answers", json={"answers": _answers(rows, 30)}, headers=h)
    assert r.status_code == 200 and r.json()["answered"] == 6 and r.json()["submitted_at"] is None
    # ana's answers come back to ana, never to ben
    assert [x["position"] for x in _rows(client, ana) if x["actor"] == "united_states"] == [30] * 6
    assert all(x["position"] is None for x in _rows(client, ben))
    bad = _answers(rows, 30)
    bad[2]["position"] = 150
    r = client.put("/api/expert/answers", json={"answers": bad}, headers=h)
    assert r.status_code == 422
    assert r.json()["error"] == "answers[2]: position: 150 is outside the range (expected 0 to 100)"
    r = client.put("/api/expert/answers", json={"answers": _answers(rows, 40), "submit": True}, headers=h)
    assert r.status_code == 200 and r.json()["submitted_at"]
    r = client.put("/api/expert/answers", json={"answers": _answers(rows, 90)}, headers=h)
    assert r.status_code == 409 and "can no longer be changed" in r.json()["error"]
    for bad_token in (None, "", "x" * 32, ana[:-1]):
        hdr = {} if bad_token is None else {"X-Expert-Token": bad_token}
        assert client.get("/api/expert/questionnaire", headers=hdr).status_code in (401, 403)
        assert client.put("/api/expert/answers", json={"answers": []}, headers=hdr).status_code in (401, 403)
    prog = client.get(f"/api/panels/{p['id']}").json()
    assert [(e["expert"], e["answered"], bool(e["submitted_at"])) for e in prog["experts"]] == [
        ("ana", 6, True),
        ("ben", 0, False),
    ]


def test_pool_uses_submitted_seats_and_saves_a_scenario(client, tmp_path) -> None:
    p = _create(client, "ana,ben,chloe")
    pid = p["id"]
    r = client.post(f"/api/panels/{pid}/pool", json={"pool": "median"})
    assert r.status_code == 409 and "no expert has submitted yet" in r.json()["error"]
    for e, pos in (("ana", 20), ("ben", 60)):
        t = _token(p["links"][e])
        rows = _rows(client, t)
        r = client.put(
            "/api/expert/answers",
            json={"answers": _answers(rows, pos), "submit": True},
            headers={"X-Expert-Token": t},
        )
        assert r.status_code == 200
    r = client.post(f"/api/panels/{pid}/pool", json={"pool": "mean"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["experts"] == ["ana", "ben"] and out["waiting"] == ["chloe"]
    assert out["scenario"] == f"ukraine-2025-panel-{pid}@1"
    sv = Store(str(tmp_path / "web.sqlite")).get_scenario(f"ukraine-2025-panel-{pid}")
    us = [s for s in sv.data["stances"] if s["actor"] == "united_states" and s["issue"] == "us_sanctions"][0]
    assert us["position"] == 40 and us["sd"] == pytest.approx(28.2842712, rel=1e-6)  # mean of 20, 60; SD
    assert sv.data["panel"]["experts"] == ["ana", "ben"] and sv.data["panel"]["pool"] == "mean"
    assert client.post(f"/api/panels/{pid}/pool", json={"pool": "mode"}).status_code == 422


def test_expert_links_work_without_the_app_token(make_client) -> None:
    client = make_client(token="s3cret")
    assert client.post("/api/panels", json={"scenario": "ukraine-2025", "experts": "ana"}).status_code == 401
    auth = {"Authorization": "Bearer s3cret"}
    r = client.post("/api/panels", json={"scenario": "ukraine-2025", "experts": "ana"}, headers=auth)
    assert r.status_code == 201
    t = _token(r.json()["links"]["ana"])
    client.cookies.clear()
    assert client.get("/expert").status_code == 200  # the page and its script open without the app token
    assert client.get("/static/expert.js").status_code == 200
    assert client.get("/static/htmx.min.js").status_code == 401  # nothing else of the app
    assert len(_rows(client, t)) == 60
    assert client.get(f"/api/panels/{r.json()['id']}").status_code == 401  # the analyst's view does not
    assert client.get("/panels").status_code == 401


def test_pages_render(client) -> None:
    assert "New panel" in client.get("/panels").text
    p = _create(client)
    page = client.get(f"/panels/{p['id']}").text
    assert "Progress" in page and "ana" in page and "#" not in page.split("Progress")[1].split("Pool")[0]
    assert 'id="expert-form"' in client.get("/expert").text


def test_form_posts_with_origin_null_need_the_csrf_token(client) -> None:
    """Chromium sends ``Origin: null`` with a same-origin form post under ``Referrer-Policy: no-referrer``
    (this app's): the form passes on its CSRF token; without it, or as JSON, it is refused."""
    import re

    page = client.get("/panels").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"scenario": "ukraine-2025", "experts": "ana"}
    null = {"Origin": "null"}
    assert client.post("/ui/panels", data=form | {"csrf_token": token}, headers=null).status_code == 200
    r = client.post("/ui/panels", data=form | {"csrf_token": "wrong"}, headers=null)
    assert r.status_code == 403 and "CSRF" in r.text
    r = client.post("/api/panels", json=form, headers=null)
    assert r.status_code == 403 and "Origin: null" in r.text


def test_the_dashboard_run_shows_the_disagreement_section() -> None:
    from pathlib import Path

    from detente.analysis.panel import pool_panel
    from detente.core.panel import Panel
    from detente.io.builtin import load_builtin
    from detente.io.questionnaire import read_questionnaire
    from detente.web.service import part_sections

    sc = load_builtin("ukraine-2025")
    files = sorted((Path(__file__).resolve().parents[2] / "examples" / "panel").glob("*.csv"))
    qs = [read_questionnaire(f, sc) for f in files]
    pooled = pool_panel(
        sc, Panel(experts=tuple(q.expert for q in qs), answers=tuple(a for q in qs for a in q.answers))
    )
    sections, _notes = part_sections(pooled)
    panel = [s for s in sections if "Expert panel" in str(s.get("title", ""))]
    assert panel, [s.get("title") for s in sections]
