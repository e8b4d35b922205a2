"""The JSON outputs: unchanged against the golden files, and valid against the published models.

Golden files (tests/golden/json/, written by ``python tests/io/json_cases.py``) hold every command's
``--format json`` and the web service's JSON results for fixed seeds; parsed JSON must be equal,
floats to 1e-9 relative (their last bits depend on the CPU: ``json_cases.json_differences``). Every
output also validates against its model in ``detente.io.documents`` (which forbid unexpected keys),
and the committed schema files in docs/schema/ are the models' schemas.
"""

from __future__ import annotations

import functools
import json
import time
from pathlib import Path
from typing import Any

import pytest
from json_cases import (
    CLI_CASES,
    EM,
    UK,
    WEB_CASES,
    backtest_output,
    golden,
    json_differences,
    ledger_outputs,
)
from json_cases import cli_output as _cli_output
from json_cases import web_output as _web_output
from pydantic import ValidationError

from detente.io import documents
from detente.io.documents import DOCUMENTS

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "docs" / "schema"
LEDGER_KINDS = {
    "ledger_add": "ledger_entry",
    "ledger_resolve": "ledger_entry",
    "ledger_list": "ledger_list",
    "ledger_history": "ledger_history",
    "ledger_score": "ledger_score",
}

cli_output = functools.cache(_cli_output)  # each command runs once for both kinds of test
web_output = functools.cache(_web_output)


def _valid(kind: str, doc: Any) -> None:
    DOCUMENTS[kind].model_validate_json(json.dumps(doc, allow_nan=False))


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return ledger_outputs(tmp_path_factory.mktemp("ledger"))


@pytest.fixture(scope="module")
def backtest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return backtest_output(tmp_path_factory.mktemp("backtest"))


@pytest.mark.parametrize("name", list(CLI_CASES))
def test_cli_json_unchanged(name: str) -> None:
    assert json_differences(cli_output(name), golden(name)) == []


@pytest.mark.parametrize("name", list(WEB_CASES))
def test_web_json_unchanged(name: str) -> None:
    assert json_differences(web_output(name), golden(name)) == []


def test_backtest_json_unchanged(backtest: dict) -> None:
    assert json_differences(backtest, golden("backtest_subset")) == []


def test_ledger_json_unchanged(ledger: dict) -> None:
    for name, (_kind, doc) in ledger.items():
        assert json_differences(doc, golden(name)) == [], name


def test_the_comparison_sees_what_matters() -> None:
    """Last-bit noise passes; a changed float beyond 1e-9, a changed integer, string or key does not."""
    doc = golden("forecast_emission")
    assert json_differences(doc, golden("forecast_emission")) == []
    issue = doc["results"][0]["issues"][0]
    v = issue["forecast"]
    issue["forecast"] = v * (1 + 1e-12)
    assert json_differences(doc, golden("forecast_emission")) == []
    issue["forecast"] = v * (1 + 1e-7) + 1e-7
    changed = f"/results[0]/issues[0]/forecast: {issue['forecast']!r}, expected {v!r}"
    assert json_differences(doc, golden("forecast_emission")) == [changed]
    issue["forecast"] = v
    doc["results"][0]["seed"] += 1
    doc["results"][0]["model"] = "other"
    doc["unexpected"] = 1
    found = json_differences(doc, golden("forecast_emission"))
    assert len(found) == 3 and found[0].startswith("/: keys ['unexpected']")


def test_golden_files_are_all_used() -> None:
    names = {p.stem for p in (Path(__file__).resolve().parents[1] / "golden" / "json").glob("*.json")}
    used = (
        set(CLI_CASES) | set(WEB_CASES) | {"backtest_subset"} | {n for n in names if n.startswith("ledger_")}
    )
    assert names == used


# ------------------------------------------------------------------------------------ the models
@pytest.mark.parametrize("name", list(CLI_CASES))
def test_cli_json_validates(name: str) -> None:
    _valid(CLI_CASES[name][0], cli_output(name))


@pytest.mark.parametrize("name", list(WEB_CASES))
def test_web_service_json_validates(name: str) -> None:
    _valid(WEB_CASES[name][0], web_output(name))


def test_backtest_and_ledger_json_validate(tmp_path: Path) -> None:
    doc = backtest_output(tmp_path)  # run times masked: validate a fresh, unmasked run too
    doc["runtime_s"] = {k: 0.5 for k in doc["runtime_s"]}
    _valid("backtest", doc)
    for name, (kind, out) in ledger_outputs(tmp_path).items():
        assert LEDGER_KINDS[name] == kind
        _valid(kind, out)


def test_unexpected_keys_fail() -> None:
    """extra keys are refused at the top and inside (an issue of a forecast, a sweep's summary)."""
    for name, (kind, _args) in CLI_CASES.items():
        with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
            _valid(kind, {**golden(name), "unexpected": 1})
    fc = golden("forecast_emission")
    fc["results"][0]["issues"][0]["forcast"] = 7.0
    with pytest.raises(ValidationError, match="forcast"):
        _valid("forecast", fc)
    sw = golden("sweep_emission")
    del sw["results"][0]["issues"][0]["p_win"]
    with pytest.raises(ValidationError, match="p_win"):
        _valid("sweep", sw)
    web = golden("web_sweep_ukraine")
    web["n_draws"] = web.pop("draws")  # the old spelling is not a field of the document
    with pytest.raises(ValidationError):
        _valid("web_sweep", web)


def test_schema_files_are_the_models_schemas() -> None:
    """docs/schema/ holds one file per document, equal to its model's schema
    (after changing a model: python -m detente.io.documents docs/schema)."""
    assert sorted(p.stem for p in SCHEMA_DIR.glob("*.json")) == sorted(DOCUMENTS)
    for name in DOCUMENTS:
        assert (SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8") == documents.schema_text(name), name


def test_write_schemas(tmp_path: Path) -> None:
    assert documents.main([str(tmp_path / "schema")]) == 0
    assert sorted(p.name for p in (tmp_path / "schema").iterdir()) == sorted(f"{n}.json" for n in DOCUMENTS)


def test_docs_name_every_schema_file() -> None:
    text = (SCHEMA_DIR.parent / "json.md").read_text(encoding="utf-8")
    for name in DOCUMENTS:
        assert f"schema/{name}.json" in text, name


# ------------------------------------------------------------------------------ CLI versus web
def test_web_forecast_is_the_cli_forecast() -> None:
    """The web's forecast carries the CLI's values (same builder): numbers, scale, status, params, hash,
    and the predictive distribution of ``detente forecast``'s default calibration (shipped error model)."""
    for web_name, cli_name, model in (
        ("web_forecast_ukraine_eum", "forecast_ukraine", "eum"),
        ("web_forecast_ukraine_status_quo", "forecast_ukraine", "status_quo"),
    ):
        web = web_output(web_name)
        cli = next(r for r in cli_output(cli_name)["results"] if r["model"] == model)
        same = ("model", "params", "seed", "input_sha256")
        assert {k: web[k] for k in same} == {k: cli[k] for k in same}
        assert web["detente_version"] == cli["detente_version"]
        for w, c in zip(web["issues"], cli["issues"], strict=True):
            assert (w["issue"], w["forecast"], w["scale"], w["status"]) == (
                c["issue"], c["forecast"], c["scale"], c["status"],
            )  # fmt: skip
            if c["forecast"] is None:
                assert w["in_words"] == c["reason"]
            pred = ("quantiles", "p_low_end", "p_high_end", "interval_source", "intervals")
            assert {k: w[k] for k in pred} == {k: c[k] for k in pred}
        assert any(w["intervals"] for w in web["issues"])  # the shipped error model gave intervals


def test_web_sweep_is_the_cli_sweep() -> None:
    """Same model, draws and seed: the web's quantiles and mean are the CLI's, exactly."""
    cli = cli_output_args("sweep", UK, "-m", "compromise", "--draws", "30", "--seed", "4", "--format", "json")
    web = web_output("web_sweep_ukraine")
    for w, c in zip(web["issues"], cli["results"][0]["issues"], strict=True):
        q = c["input_quantiles"]
        assert [w["p05"], w["p25"], w["median"], w["p75"], w["p95"], w["mean"]] == [
            q["5"], q["25"], q["50"], q["75"], q["95"], c["mean"],
        ]  # fmt: skip


def test_web_simulate_summary_is_the_cli_document() -> None:
    cli = cli_output_args(
        "simulate", UK, "--draws", "30", "--months", "12", "--seed", "1", "--format", "json"
    )
    assert web_output("web_simulate_ukraine")["summary"] == cli


def cli_output_args(*args: str) -> Any:
    from json_cases import _runner

    return _runner()(*args)


# ------------------------------------------------------------------------------------ the API
def test_api_responses_validate(tmp_path: Path) -> None:
    """The API's JSON for the same purposes (forecast, what-if, sweep and simulate jobs, ledger)."""
    pytest.importorskip("fastapi", reason="the web extra (fastapi) is not installed")
    from fastapi.testclient import TestClient

    from detente.web import create_app

    client = TestClient(create_app(db_url=str(tmp_path / "web.sqlite")), base_url="http://127.0.0.1")

    def ok(r: Any, kind: str) -> Any:
        assert r.status_code in (200, 201, 202), r.text
        _valid(kind, r.json())
        return r.json()

    ok(client.post("/api/forecast", json={"scenario": UK, "model": "status_quo"}), "web_forecast")
    ok(client.post("/api/forecast", json={"scenario": EM, "model": "eum", "record": True}), "web_forecast")
    change = {"actor": "germany", "issue": "emission", "position": 9}
    ok(
        client.post("/api/whatif", json={"scenario": EM, "model": "median", "changes": [change]}),
        "web_whatif",
    )

    def job(r: Any) -> Any:
        assert r.status_code == 202, r.text
        for _ in range(600):
            j = client.get(f"/api/jobs/{r.json()['id']}").json()
            if j["status"] in ("done", "failed", "error"):
                break
            time.sleep(0.05)
        assert j["status"] == "done", j
        return j["result"]

    sweep = job(
        client.post("/api/sweep", json={"scenario": EM, "model": "compromise", "draws": 20, "seed": 1})
    )
    _valid("web_sweep", sweep)
    assert isinstance(sweep["run_id"], int)
    _valid("web_simulate", job(client.post("/api/simulate", json={"scenario": UK, "draws": 20, "seed": 1})))

    e = ok(client.post("/api/ledger", json={"question": "Ceasefire by 2026?", "value": 0.3}), "ledger_entry")
    ok(client.post(f"/api/ledger/{e['id']}/resolve", json={"outcome": 1}), "ledger_entry")
    ok(client.get("/api/ledger"), "ledger_list")
    ok(client.get("/api/ledger/score"), "ledger_score")
