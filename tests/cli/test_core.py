"""The CLI contract of issue 2: run, forecast (table/json/csv), models, scenarios, report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def test_forecast_emission_compromise_json(cli) -> None:
    r = cli("forecast", "emission-standards-1994", "--model", "compromise", "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert set(doc) >= {"detente_version", "scenario", "results"}
    assert len(doc["scenario"]["sha256"]) == 64
    res = doc["results"][0]
    assert res["model"] == "compromise"
    iss = res["issues"][0]
    assert iss["forecast"] == pytest.approx(7.38996, abs=1e-4)
    assert iss["scale"] == [4.0, 10.0]
    assert iss["trajectory"] is None


def test_forecast_emission_median_json(cli) -> None:
    r = cli("forecast", "emission-standards-1994", "--model", "median", "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["results"][0]["issues"][0]["forecast"] == 7.0


def test_forecast_csv_and_table(cli) -> None:
    r = cli("forecast", "emission-standards-1994", "--model", "compromise", "--model", "median", "--format", "csv")
    assert r.exit_code == 0
    lines = r.stdout.strip().splitlines()
    assert lines[0] == "model,issue,forecast,scale_low,scale_high,status"
    assert lines[1].startswith("compromise,emission,7.38996")
    r = cli("forecast", "ukraine-2025", "--model", "compromise")
    assert r.exit_code == 0 and "Security guarantees" in r.stdout


def test_forecast_set_and_errors(cli) -> None:
    r = cli("forecast", "emission-standards-1994", "--model", "compromise", "--set", "weighting=none", "--format", "json")
    assert json.loads(r.stdout)["results"][0]["issues"][0]["forecast"] == pytest.approx(6.7)
    r = cli("forecast", "emission-standards-1994", "--model", "compromise", "--set", "weighting=bogus")
    assert r.exit_code == 2 and "weighting" in r.output and "Traceback" not in r.output
    r = cli("forecast", "emission-standards-1994", "--model", "nosuch")
    assert r.exit_code == 2 and "unknown model" in r.output
    r = cli("forecast", "no-such-scenario.yaml")
    assert r.exit_code != 0 and "Traceback" not in r.output


def test_models_and_scenarios(cli) -> None:
    r = cli("models")
    assert r.exit_code == 0 and "compromise" in r.stdout and "weighting" in r.stdout
    r = cli("scenarios")
    assert r.exit_code == 0 and "ukraine-2025" in r.stdout and "emission-standards-1994" in r.stdout


@pytest.mark.slow
def test_run_default_writes_report(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = cli("run")
    assert r.exit_code == 0, r.output
    report = tmp_path / "detente-report.html"
    assert report.exists() and str(report.resolve()) in r.stdout.replace("\n", "")
    text = report.read_text(encoding="utf-8")
    assert text.count("Plotly.newPlot") >= 2
    # plotly.js inlined once; outside that bundle nothing refers to the network
    from detente.report.html import plotly_js

    bundle = plotly_js()
    assert text.count(bundle) == 1
    rest = text.replace(bundle, "")
    assert "cdn.plot.ly" not in rest and 'src="http' not in rest and 'href="http' not in rest
    assert "Ceasefire sequencing" in r.stdout
    assert "90% interval" in r.stdout  # intervals next to each forecast (issue 4)
    # a plain-language summary closes the terminal read-out and opens the report
    brief = r.stdout[r.stdout.index("In brief") :]
    assert "Ceasefire track" in brief and "Cohesion of us and european_allies" in brief
    assert "Strongest single lever" in brief
    assert '<section id="brief">' in text
    assert "Methods" in text and "input_sha256" in text


def test_report_out_bad_folder(cli, tmp_path: Path) -> None:
    r = cli("report", "emission-standards-1994", "--out", str(tmp_path / "nope" / "r.html"))
    assert r.exit_code == 2 and "does not exist" in r.output


def test_forecast_json_reports_status_and_manifest(cli) -> None:
    r = cli("forecast", "emission-standards-1994", "--model", "eum", "--set", "rounds=8", "--format", "json")
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)["results"][0]
    iss = res["issues"][0]
    assert iss["status"] == "oscillating" and iss["rounds"] == 8
    assert len(iss["trajectory"]) == 9
    assert len(res["input_sha256"]) == 64 and res["detente_version"]
