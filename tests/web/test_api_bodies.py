"""JSON API request bodies are strict: an unknown field is a 422 that names it and lists the expected ones.

A typo such as ``"models"`` for ``"model"`` used to be ignored silently (the default model ran).
"""

from __future__ import annotations

import base64

import pytest

EMISSION = "emission-standards-1994"
SCENARIO = {
    "id": "t",
    "actors": [{"id": "a"}, {"id": "b"}],
    "issues": [{"id": "x", "scale": {"low": 0, "high": 10}}],
    "stances": [
        {"actor": "a", "issue": "x", "position": 2, "salience": 0.5},
        {"actor": "b", "issue": "x", "position": 8, "salience": 0.9},
    ],
}

# every endpoint that takes a JSON body: (path, a valid body, the unknown field, a field it expects)
BODIES = [
    ("/api/forecast", {"scenario": EMISSION}, "models", "model"),
    ("/api/whatif", {"scenario": EMISSION}, "change", "changes"),
    ("/api/compare", {"a": EMISSION, "b": EMISSION}, "seeds", "seed"),
    ("/api/sweep", {"scenario": EMISSION}, "drawz", "draws"),
    ("/api/simulate", {"scenario": EMISSION}, "runs", "draws"),
    ("/api/scenarios", {"scenario": SCENARIO}, "authr", "author"),
    ("/api/validate", {"scenario": SCENARIO}, "scenarios", "scenario"),
    (
        "/api/parse",
        {"filename": "t.json", "content_base64": base64.b64encode(b"{}").decode()},
        "content",
        "content_base64",
    ),
    ("/api/ledger", {"question": "q", "value": 0.5}, "probability", "value"),
    ("/api/ledger/1/resolve", {"outcome": 1}, "result", "outcome"),
]


@pytest.mark.parametrize(("path", "body", "unknown", "expected"), BODIES, ids=[b[0] for b in BODIES])
def test_unknown_body_field_is_rejected_by_name(client, path, body, unknown, expected):
    r = client.post(path, json={**body, unknown: 1})
    assert r.status_code == 422, r.text
    err = r.json()
    assert set(err) <= {"error", "status", "problems"}
    assert err["status"] == 422
    msg = err["error"]
    assert msg.startswith(f"{unknown}: unknown field"), msg
    assert expected in msg  # says what is expected
    assert "Traceback" not in r.text and "extra_forbidden" not in r.text
    # nothing happened: no run, no version, no ledger entry
    if path == "/api/scenarios":
        assert client.get("/api/scenarios").json()["stored"] == []
    if path == "/api/ledger":
        assert client.get("/api/ledger").json() == []


def test_a_close_typo_gets_a_suggestion(client):
    r = client.post("/api/forecast", json={"scenario": EMISSION, "models": "median"})
    assert r.status_code == 422
    assert "did you mean 'model'?" in r.json()["error"]


def test_unknown_field_in_a_nested_change_names_its_path(client):
    r = client.post(
        "/api/whatif",
        json={"scenario": EMISSION, "changes": [{"actor": "uk", "issue": "emission", "saliance": 0.1}]},
    )
    assert r.status_code == 422
    msg = r.json()["error"]
    assert msg.startswith("changes.0.saliance: unknown field"), msg
    assert "salience" in msg


def test_every_body_model_forbids_extra_fields():
    from pydantic import BaseModel

    from detente.web import schemas as web_app  # the request bodies (schemas.py)

    models = [
        v
        for v in vars(web_app).values()
        if isinstance(v, type) and issubclass(v, BaseModel) and v.__module__ == web_app.__name__
    ]
    assert len(models) >= 11
    for m in models:
        assert m.model_config.get("extra") == "forbid", m.__name__


def test_valid_bodies_still_work(client):
    r = client.post("/api/forecast", json={"scenario": EMISSION, "model": "median", "seed": 1})
    assert r.status_code == 200, r.text
    r = client.post("/api/ledger", json={"question": "q", "value": 0.5})
    assert r.status_code == 201, r.text
