"""JSON API: same answers as the library, OpenAPI schema, store round trips, background jobs."""

from __future__ import annotations

import threading
import time

import pytest
import yaml

from detente.io.builtin import load_builtin
from detente.models import forecast, get_model

EMISSION = "emission-standards-1994"


def test_openapi_lists_the_operations(client):
    doc = client.get("/api/openapi.json").json()
    paths = set(doc["paths"])
    for p in (
        "/api/forecast",
        "/api/whatif",
        "/api/compare",
        "/api/sweep",
        "/api/simulate",
        "/api/jobs/{job_id}",
        "/api/scenarios",
        "/api/scenarios/{ref}",
        "/api/scenarios/{key}/versions",
        "/api/parse",
        "/api/validate",
        "/api/ledger",
        "/api/ledger/{entry_id}/resolve",
        "/api/ledger/score",
        "/api/models",
    ):
        assert p in paths, p
    assert not any(p.startswith("/ui") for p in paths)
    assert "ForecastBody" in doc["components"]["schemas"]
    assert client.get("/api/docs").status_code == 200


def test_forecast_matches_the_library(client):
    sc = load_builtin("emission-standards-1994")
    for model in ("compromise", "median"):
        r = client.post("/api/forecast", json={"scenario": "emission-standards-1994", "model": model})
        assert r.status_code == 200, r.text
        want = float(forecast(get_model(model), sc, seed=0).outcome[0])
        assert r.json()["issues"][0]["forecast"] == pytest.approx(want)
        assert len(r.json()["input_sha256"]) == 64


def test_forecast_carries_the_predictive_intervals(client):
    """Each issue has the shipped error model's intervals (as ``detente forecast``): nested, about
    the predictive median, within the scale; the caveat says the scenario is not EU legislation."""
    r = client.post("/api/forecast", json={"scenario": "ukraine-2025", "model": "compromise"})
    assert r.status_code == 200, r.text
    doc = r.json()
    issues = [i for i in doc["issues"] if i["forecast"] is not None]
    assert issues
    for i in issues:
        (lo50, hi50), (lo80, hi80), (lo90, hi90) = (i["intervals"][k] for k in ("50", "80", "90"))
        low, high = i["scale"]
        assert low <= lo90 <= lo80 <= lo50 <= i["quantiles"]["50"] <= hi50 <= hi80 <= hi90 <= high
        assert hi90 - lo90 > hi50 - lo50 > 0  # model error gives a spread, not the point alone
        assert "model error" in i["interval_source"] and "decisions" in i["interval_source"]
        assert 0 <= i["p_low_end"] <= 1 and 0 <= i["p_high_end"] <= 1
    assert doc["interval_caveat"].startswith("Not EU legislation")


def test_models_list_and_bad_model(client):
    names = [m["name"] for m in client.get("/api/models").json()]
    assert "compromise" in names and "median" in names
    r = client.post("/api/forecast", json={"scenario": "emission-standards-1994", "model": "compromize"})
    assert r.status_code == 422 and "compromise" in r.json()["error"]
    r = client.post(
        "/api/forecast",
        json={"scenario": "emission-standards-1994", "model": "median", "set": {"tie": "sideways"}},
    )
    assert r.status_code == 422 and "tie" in r.json()["error"]


def test_whatif_equals_forecast_on_the_changed_scenario(client):
    from dataclasses import replace

    sc = load_builtin("emission-standards-1994")
    r = client.post(
        "/api/whatif",
        json={
            "scenario": "emission-standards-1994",
            "model": "compromise",
            "changes": [{"actor": "uk", "issue": "emission", "salience": 0.1}],
        },
    )
    assert r.status_code == 200, r.text
    changed = replace(
        sc, stances=tuple(replace(s, salience=0.1) if s.actor == "uk" else s for s in sc.stances)
    )
    want = float(forecast(get_model("compromise"), changed, seed=0).outcome[0])
    base = float(forecast(get_model("compromise"), sc, seed=0).outcome[0])
    assert r.json()["whatif"]["issues"][0]["forecast"] == pytest.approx(want)
    assert r.json()["baseline"]["issues"][0]["forecast"] == pytest.approx(base)
    assert want != pytest.approx(base)
    bad = client.post(
        "/api/whatif",
        json={"scenario": "emission-standards-1994", "changes": [{"actor": "mars", "salience": 0.5}]},
    )
    assert bad.status_code == 422 and "mars" in bad.json()["error"]
    bad = client.post(
        "/api/whatif",
        json={"scenario": "emission-standards-1994", "changes": [{"actor": "uk", "salience": 3}]},
    )
    assert bad.status_code == 422 and "salience" in bad.json()["error"]


def test_save_versions_share_and_compare(client):
    data = client.get(f"/api/scenarios/{EMISSION}").json()["scenario"]
    r = client.post("/api/scenarios", json={"scenario": data, "author": "ana"})
    assert r.status_code == 201 and r.json()["scenario"] == "emission-standards-1994@1"
    data["stances"][0]["salience"] = 0.3
    r = client.post("/api/scenarios", json={"scenario": data, "author": "bo"})
    assert r.json()["version"] == 2 and "salience 0.8 → 0.3" in r.json()["summary"]
    hist = client.get("/api/scenarios/emission-standards-1994/versions").json()
    assert [(h["version"], h["author"]) for h in hist] == [(1, "ana"), (2, "bo")]
    assert (
        client.get("/api/scenarios/emission-standards-1994@1").json()["scenario"]["stances"][0]["salience"]
        == 0.8
    )
    page = client.get("/s/emission-standards-1994@2")
    assert page.status_code == 200 and "version 2" in page.text and 'value="0.3"' in page.text
    cmp = client.post(
        "/api/compare", json={"a": "emission-standards-1994@1", "b": "emission-standards-1994@2"}
    ).json()
    d = cmp["differences"][0]
    assert d["difference"] == pytest.approx(d["b"] - d["a"]) and d["difference"] != 0
    html = client.get("/compare", params={"a": "emission-standards-1994@1", "b": "emission-standards-1994@2"})
    assert html.status_code == 200 and html.text.count('class="side"') == 2
    listing = client.get("/api/scenarios").json()
    assert EMISSION in listing["builtin"] and listing["stored"][0]["scenario"] == "emission-standards-1994@2"


def test_invalid_scenario_names_the_field(client):
    data = client.get(f"/api/scenarios/{EMISSION}").json()["scenario"]
    data["stances"][2]["salience"] = 1.7
    r = client.post("/api/validate", json={"scenario": data})
    assert r.json()["ok"] is False
    assert any("salience" in p for p in r.json()["problems"])
    r = client.post("/api/scenarios", json={"scenario": data})
    assert r.status_code == 422 and "salience" in r.json()["error"]
    r = client.post("/api/forecast", json={"scenario": {"id": "x"}})
    assert r.status_code == 422 and "Traceback" not in r.text


def test_downloads_yaml_and_report(client):
    r = client.get(f"/api/scenarios/{EMISSION}/yaml")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    from detente.core.hashing import scenario_hash
    from detente.io.mapping import parse_scenario

    assert scenario_hash(parse_scenario(yaml.safe_load(r.text))) == scenario_hash(
        load_builtin("emission-standards-1994")
    )
    r = client.get(f"/api/scenarios/{EMISSION}/report")
    assert r.status_code == 200 and r.text.lstrip().lower().startswith("<!doctype html")
    assert "<h1>EC emission standards" in r.text and '"input_sha256"' in r.text.replace("&#34;", '"')


def test_ledger_api(client):
    e = client.post("/api/ledger", json={"question": "Deal by June?", "value": 0.7, "resolves": "2026-06-30"})
    assert e.status_code == 201 and e.json()["kind"] == "binary"
    r = client.post(f"/api/ledger/{e.json()['id']}/resolve", json={"outcome": 1})
    assert r.json()["score"] == pytest.approx(0.09)
    assert client.get("/api/ledger/score").json()["mean_brier"] == pytest.approx(0.09)
    assert client.post("/api/ledger/99/resolve", json={"outcome": 1}).status_code == 404
    assert "Deal by June?" in client.get("/ledger").text


def _wait(client, job_id, timeout=30):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        j = client.get(f"/api/jobs/{job_id}").json()
        if j["status"] in ("done", "failed"):
            return j
        time.sleep(0.05)
    raise AssertionError("job did not finish")


def test_sweep_job_reports_progress_and_records_the_run(client):
    r = client.post(
        "/api/sweep", json={"scenario": "emission-standards-1994", "model": "median", "draws": 300, "seed": 5}
    )
    assert r.status_code == 202
    j = _wait(client, r.json()["id"])
    assert j["status"] == "done", j
    from detente.analysis.montecarlo import run_ensemble

    ens = run_ensemble(get_model("median"), load_builtin("emission-standards-1994"), n_draws=300, seed=5)
    import numpy as np

    assert j["result"]["issues"][0]["median"] == pytest.approx(float(np.median(ens.raw_outcomes()[:, 0])))
    runs = client.get("/api/runs").json()
    assert runs[0]["variant"] == "sweep" and runs[0]["seed"] == 5 and runs[0]["arrays_path"].endswith(".npz")
    assert client.get("/api/jobs/nope").status_code == 404
    assert (
        client.post("/api/sweep", json={"scenario": "emission-standards-1994", "draws": 10**9}).status_code
        == 422
    )


def test_long_jobs_do_not_block_other_requests(client, monkeypatch):
    from detente.web import service

    release = threading.Event()
    started = threading.Event()

    def slow_sweep(sc, model, *, draws, seed, progress=None, params=None):
        started.set()
        progress(0.5)
        assert release.wait(20)
        return {"issues": [], "draws": draws}

    monkeypatch.setattr(service, "sweep", slow_sweep)
    job = client.post("/api/sweep", json={"scenario": "emission-standards-1994", "draws": 10}).json()
    assert started.wait(10)
    t0 = time.monotonic()
    assert client.post("/api/forecast", json={"scenario": "emission-standards-1994"}).status_code == 200
    assert time.monotonic() - t0 < 5
    j = client.get(f"/api/jobs/{job['id']}").json()
    assert j["status"] == "running" and j["progress"] == 0.5
    release.set()
    assert _wait(client, job["id"])["status"] == "done"


def test_simulate_job_matches_the_library(client):
    from detente.sim import GameConfig, headline, simulate

    r = client.post("/api/simulate", json={"scenario": "ukraine-2025", "draws": 100, "seed": 3})
    assert r.status_code == 202
    j = _wait(client, r.json()["id"])
    assert j["status"] == "done", j
    want = headline(simulate(GameConfig(), n_runs=100, seed=3, months=24))
    assert j["result"]["headline"] == pytest.approx({k: v for k, v in want.items()})


def test_dashboard_sweep_uses_the_scenarios_own_uncertainty() -> None:
    """With zero noise in the scenario's metadata every draw equals the point forecast (as in `detente sweep`)."""
    import dataclasses

    from detente.io.builtin import load_builtin
    from detente.models import forecast, get_model
    from detente.web import service

    sc = load_builtin("emission-standards-1994")
    quiet = dataclasses.replace(
        sc,
        metadata=(
            *sc.metadata,
            ("uncertainty.position_sd", "0"),
            ("uncertainty.salience_sd", "0"),
            ("uncertainty.capability_sd", "0"),
        ),
    )
    out = service.sweep(quiet, "compromise", draws=50, seed=1)
    point = float(forecast(get_model("compromise"), quiet).outcome[0])
    iss = out["issues"][0]
    assert iss["p05"] == pytest.approx(point) and iss["p95"] == pytest.approx(point)


def test_ledger_api_re_resolving_needs_force_and_keeps_the_history(client):
    e = client.post("/api/ledger", json={"question": "Truce by May?", "value": 0.3, "resolves": "2026-05-31"})
    url = f"/api/ledger/{e.json()['id']}/resolve"
    assert client.post(url, json={"outcome": 0}).status_code == 200
    again = client.post(url, json={"outcome": 1})
    assert (
        again.status_code == 400
        and "already resolved" in again.json()["error"]
        and "needs force" in again.json()["error"]
    )
    forced = client.post(url, json={"outcome": 1, "force": True})
    assert forced.status_code == 200 and forced.json()["outcome"] == 1
    assert forced.json()["earlier_resolutions"] == 1  # the first one, kept in the history
