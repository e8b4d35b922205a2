"""The JSON API's request fields are the command line's words (docs/vocabulary.md); the old names
still work for one release, give the same answer, and the response says they are deprecated."""

from __future__ import annotations

import time

import pytest

EMISSION = "emission-standards-1994"


def _deprecations(r) -> list[str]:
    return [w.split('"')[1] for w in r.headers.get_list("warning")]


def _job(client, r):
    assert r.status_code == 202, r.text
    t0 = time.monotonic()
    while time.monotonic() - t0 < 30:
        j = client.get(f"/api/jobs/{r.json()['id']}").json()
        if j["status"] in ("done", "failed"):
            assert j["status"] == "done", j
            return {k: v for k, v in j["result"].items() if k != "run_id"}
        time.sleep(0.05)
    raise AssertionError("job did not finish")


@pytest.mark.parametrize(
    ("path", "old", "new", "notes"),
    [
        (
            "/api/forecast",
            {"ref": f"builtin:{EMISSION}", "model": "median", "params": {"tie": "upper"}},
            {"scenario": EMISSION, "model": "median", "set": {"tie": "upper"}},
            [
                "ref is deprecated; use scenario",
                f"ref 'builtin:{EMISSION}' is deprecated; use '{EMISSION}'",
                "params is deprecated; use set",
            ],
        ),
        (
            "/api/forecast",
            {"scenario": f"builtin:{EMISSION}"},
            {"scenario": EMISSION},
            [f"scenario 'builtin:{EMISSION}' is deprecated; use '{EMISSION}'"],
        ),
        (
            "/api/whatif",
            {"ref": f"builtin:{EMISSION}", "changes": [{"actor": "uk", "salience": 0.1}]},
            {"scenario": EMISSION, "changes": [{"actor": "uk", "salience": 0.1}]},
            ["ref is deprecated; use scenario", f"ref 'builtin:{EMISSION}' is deprecated; use '{EMISSION}'"],
        ),
        (
            "/api/compare",
            {"a": f"builtin:{EMISSION}", "b": EMISSION},
            {"a": EMISSION, "b": EMISSION},
            [f"a 'builtin:{EMISSION}' is deprecated; use '{EMISSION}'"],
        ),
    ],
)
def test_old_fields_give_the_same_answer_and_say_so(client, path, old, new, notes):
    a, b = client.post(path, json=old), client.post(path, json=new)
    assert a.status_code == b.status_code == 200, (a.text, b.text)
    assert a.json() == b.json()
    assert a.headers["deprecation"] == "true" and _deprecations(a) == notes
    assert "deprecation" not in b.headers and _deprecations(b) == []


def test_old_job_fields(client):
    old = client.post(
        "/api/sweep", json={"ref": f"builtin:{EMISSION}", "model": "median", "n_draws": 40, "seed": 2}
    )
    assert "n_draws is deprecated; use draws" in _deprecations(old)
    new = client.post("/api/sweep", json={"scenario": EMISSION, "model": "median", "draws": 40, "seed": 2})
    assert _deprecations(new) == []
    assert _job(client, old) == _job(client, new)
    old = client.post("/api/simulate", json={"ref": "builtin:ukraine-2025", "n_runs": 30, "seed": 1})
    assert "n_runs is deprecated; use draws" in _deprecations(old)
    new = client.post("/api/simulate", json={"scenario": "ukraine-2025", "draws": 30, "seed": 1})
    assert _deprecations(new) == []
    assert _job(client, old) == _job(client, new)


def test_old_ledger_fields(client):
    old = client.post(
        "/api/ledger",
        json={
            "question": "Deal?",
            "value": 0.3,
            "resolution_date": "2026-06-30",
            "scenario_ref": "ukraine-2025@2",
        },
    )
    assert old.status_code == 201 and _deprecations(old) == [
        "resolution_date is deprecated; use resolves",
        "scenario_ref is deprecated; use scenario",
    ]
    new = client.post(
        "/api/ledger",
        json={"question": "Deal?", "value": 0.3, "resolves": "2026-06-30", "scenario": "ukraine-2025@2"},
    )
    assert new.status_code == 201 and _deprecations(new) == []
    drop = ("id", "created_at")
    assert {k: v for k, v in old.json().items() if k not in drop} == {
        k: v for k, v in new.json().items() if k not in drop
    }
    assert new.json()["resolution_date"] == "2026-06-30" and new.json()["scenario_ref"] == "ukraine-2025@2"


def test_old_and_new_name_together_is_refused(client):
    r = client.post("/api/sweep", json={"scenario": EMISSION, "draws": 5, "n_draws": 6})
    assert r.status_code == 422 and "n_draws and draws" in r.json()["error"]


def test_an_old_ref_keeps_its_meaning_a_stored_key(client):
    """``ref: NAME`` was a stored key; ``scenario: NAME`` is the built-in, as on the command line."""
    r = client.post("/api/forecast", json={"ref": EMISSION})
    assert r.status_code == 404  # nothing stored under that key, as before
    assert client.post("/api/forecast", json={"scenario": EMISSION}).status_code == 200
