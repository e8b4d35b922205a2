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
    r = cli(
        "forecast", "emission-standards-1994", "--model", "compromise", "--model", "median", "--format", "csv"
    )
    assert r.exit_code == 0
    lines = r.stdout.strip().splitlines()
    assert lines[0] == "model,issue,forecast,scale_low,scale_high,status,reason"
    assert lines[1].startswith("compromise,emission,7.38996")
    r = cli("forecast", "ukraine-2025", "--model", "compromise")
    assert r.exit_code == 0 and "Security guarantees" in r.stdout


def test_forecast_set_and_errors(cli) -> None:
    r = cli(
        "forecast",
        "emission-standards-1994",
        "--model",
        "compromise",
        "--set",
        "weighting=none",
        "--format",
        "json",
    )
    assert json.loads(r.stdout)["results"][0]["issues"][0]["forecast"] == pytest.approx(6.7)
    r = cli("forecast", "emission-standards-1994", "--model", "compromise", "--set", "weighting=bogus")
    assert r.exit_code == 2 and "weighting" in r.output and "Traceback" not in r.output
    r = cli("forecast", "emission-standards-1994", "--model", "nosuch")
    assert r.exit_code == 2 and "unknown model" in r.output
    assert len(r.output.strip().splitlines()) == 1, (
        r.output
    )  # no warning about the error model of a model that is not
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
    assert "50% with" in r.stdout and "90% from" in r.stdout  # intervals next to each forecast (issue 4)
    # a plain-language summary closes the terminal read-out and opens the report
    brief = r.stdout[r.stdout.index("In brief") :]
    assert "Ceasefire track" in brief and "Cohesion of us and european_allies" in brief
    assert "Strongest single lever" in brief
    assert '<section id="brief">' in text
    assert "Methods" in text and "input_sha256" in text


def test_report_out_bad_folder(cli, tmp_path: Path) -> None:
    r = cli("report", "emission-standards-1994", "--report", str(tmp_path / "nope" / "r.html"))
    assert r.exit_code == 2 and "does not exist" in r.output


def test_forecast_json_reports_status_and_manifest(cli) -> None:
    r = cli("forecast", "emission-standards-1994", "--model", "eum", "--set", "rounds=8", "--format", "json")
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)["results"][0]
    iss = res["issues"][0]
    assert iss["status"] == "oscillating" and iss["rounds"] == 8
    assert len(iss["trajectory"]) == 9
    assert len(res["input_sha256"]) == 64 and res["detente_version"]


@pytest.fixture(scope="module")
def ukraine_parts():
    """The main job's parts of the default scenario, built once for the read-out tests below."""
    from detente.cli.cmd_core import build_parts, error_models
    from detente.io.builtin import load_builtin

    # as detente run builds them: with the shipped error models (--calibration default)
    return build_parts(load_builtin("ukraine-2025"), seed=0, quick=True, error_model=error_models("default"))


@pytest.fixture()
def run80(cli, ukraine_parts, monkeypatch, tmp_path: Path):
    """``detente run`` on an 80-column console, reusing the parts built once."""
    from detente.cli import cmd_core, common

    monkeypatch.setattr(cmd_core, "build_parts", lambda *a, **k: ukraine_parts)
    monkeypatch.setattr(common.console, "_width", 80)

    def invoke(*args: str):
        r = cli("run", "--report", str(tmp_path / "r.html"), *args)
        assert r.exit_code == 0, r.output
        return r.stdout

    return invoke


def test_run_puts_the_brief_first_in_44_lines_at_80_columns(run80, ukraine_parts) -> None:
    """Issue 12 item 4 and the QA pass: the answer comes first and fits a screen (41 lines today),
    one line per issue with the model's own point forecast (the number every command gives) and
    informative intervals, what the model error implies said once, no trailing spaces; --full adds
    every table."""
    from detente.io.builtin import load_builtin

    out = run80()
    lines = out.splitlines()
    assert len(lines) <= 44, f"{len(lines)} lines"
    assert max(len(x) for x in lines) <= 80
    assert not [x for x in lines if x != x.rstrip()]  # nothing pads the lines (pasting into a mail)
    start = next(n for n, x in enumerate(lines) if x.startswith("In brief"))
    assert start <= 4 and "point forecast" in lines[start]
    assert "50% with" in lines[start + 1] and "model error" in lines[start + 2]
    assert "90% from" in lines[start + 1] and "inputs only" in lines[start + 2]
    briefs = {b.issue: b for p in ukraine_parts if p.name == "forecasts" for b in p.brief}
    compromise = next(p for p in ukraine_parts if p.name == "forecasts").tables
    # one line per issue: name, point forecast, 50% combined, 90% inputs only, range of the models
    for issue in load_builtin("ukraine-2025").issues:
        row = next(x for x in lines[start:] if x.startswith(issue.name[:30]))
        cells = row[len(issue.name[:30]) :].split()[-4:]
        b, d = briefs[issue.id], briefs[issue.id].detail
        assert float(cells[0]) == pytest.approx(b.forecast, abs=0.05) == d.point, row
        assert (
            cells[1] == f"{d.mid_low:.1f}–{d.mid_high:.1f}"
            and cells[2] == f"{d.input_low:.1f}–{d.input_high:.1f}"
        )
        assert b.range_low <= b.forecast <= b.range_high and d.low <= b.forecast <= d.high  # inside
        table = next(t for t in compromise if t.title.startswith(issue.name))
        assert next(r for r in table.rows if r[0] == "compromise")[1] == cells[0]  # the same number in --full
    assert "┃" not in out and "│" not in out  # no detail tables by default
    assert out.index("Ceasefire track") > out.index("Humanitarian exchanges")
    assert "report written to" in out and "detente run --full" in out
    # issue #14: the end points and what model error implies, once for all issues
    flat = " ".join(out.split())
    assert flat.count("With model error learned on 210 EU decisions") == 1
    # the width phrase follows the shipped error models (analysis.intervals.brief_reading)
    assert "decisions the 90 % intervals " in flat and "exact outcome with" in flat
    assert "Not EU legislation here" in flat and "lower bound" not in flat
    assert "ends: " not in out and " 0.0–100.0" not in out  # no uninformative interval
    # the binding rules in one bullet, with the United States' name as it is
    assert flat.count("• Decision rules move the compromise on 4 issues") == 1 and "States's" not in out
    full = run80("--full")
    assert full.index("In brief") < full.index("Expected-utility model") < full.index("report written to")
    for title in (
        "Exchange model: outcome before and after trading",
        "90 % and 50 % intervals from the inputs alone",
    ):
        assert title in full
    assert len(full.splitlines()) > 200


def test_models_lists_every_default_whole_at_80_columns(cli, monkeypatch) -> None:
    """QA item 12: the defaults users copy into --set are never cut ("variant='scholz201…")."""
    import dataclasses

    from detente.cli import common
    from detente.models import available_models, model_class

    monkeypatch.setattr(common.console, "_width", 80)
    r = cli("models")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert max(len(x) for x in lines) <= 80 and all(x == x.rstrip() for x in lines)
    assert "…" not in r.stdout
    flat = " ".join(r.stdout.split())
    for name in available_models():
        for f in dataclasses.fields(model_class(name)):
            assert f"{f.name}={f.default!r}" in flat, (name, f.name)


def test_flags_show_no_value_in_help(cli) -> None:
    """--full is a flag: help must not print ``<bool>`` after it (nor after any flag, --help included)."""
    for cmd in ("run", "report", "sweep", "forecast"):
        r = cli(cmd, "--help")
        assert r.exit_code == 0 and "<bool>" not in r.stdout, cmd
    assert "--full" in cli("run", "--help").stdout


def test_status_quo_without_reference_says_so(cli) -> None:
    """Issue 12 item 6: no number where there is no status quo; JSON null + reason, CSV empty + reason."""
    r = cli("forecast", "ukraine-2025", "--model", "status_quo", "--format", "json")
    issues = {i["issue"]: i for i in json.loads(r.stdout)["results"][0]["issues"]}
    assert issues["ceasefire_sequencing"]["forecast"] is None
    assert issues["ceasefire_sequencing"]["reason"] == "no status quo given"
    assert issues["security_guarantees"]["forecast"] == 15.0 and "reason" not in issues["security_guarantees"]
    r = cli("forecast", "ukraine-2025", "--model", "status_quo", "--format", "csv")
    rows = r.stdout.strip().splitlines()
    row = next(x for x in rows if x.startswith("status_quo,ceasefire_sequencing,"))
    assert row.split(",")[2] == "" and row.endswith(",no status quo given")


def test_run_brief_and_tables_leave_out_models_without_forecast(run80, ukraine_parts) -> None:
    """The range in brief counts only models with a forecast; the tables show '—' and the reason."""
    forecasts = next(p for p in ukraine_parts if p.name == "forecasts")
    cease = next(h for h in forecasts.headline if h.startswith("Ceasefire sequencing"))
    assert "no forecast from" in cease and "status_quo" in cease and "(no status quo given)" in cease
    b = next(b for b in forecasts.brief if b.issue == "ceasefire_sequencing")
    assert "status_quo" in b.left_out and b.range_low_model != "status_quo" != b.range_high_model
    table = next(t for t in forecasts.tables if t.title.startswith("Ceasefire sequencing"))
    sq = dict(zip(table.columns, next(r for r in table.rows if r[0] == "status_quo"), strict=True))
    assert sq["forecast"] == "—" and sq["status"] == "no status quo given"
    out = run80()
    assert "No forecast from nbs, status_quo on Ceasefire sequencing (no status quo given)" in " ".join(
        out.split()
    )


def test_nbs_zero_width_interval_is_explained(ukraine_parts) -> None:
    """NBS intervals like 15.0–15.0 are genuine (no outcome beats the status quo for everyone in the
    draws, so the NBS keeps it); the table and a note say so."""
    import numpy as np

    from detente.analysis.montecarlo import run_ensemble
    from detente.core.perturb import Perturbation
    from detente.io.builtin import load_builtin
    from detente.models import get_model

    sc = load_builtin("ukraine-2025")
    k = sc.issue_ids.index("security_guarantees")
    ens = run_ensemble(get_model("nbs"), sc, Perturbation.from_metadata(sc.metadata), n_draws=200, seed=0)
    assert np.mean(ens.raw_outcomes()[:, k] == sc.issues[k].reference) >= 0.9  # the behaviour is real
    forecasts = next(p for p in ukraine_parts if p.name == "forecasts")
    table = next(t for t in forecasts.tables if t.title.startswith("Security guarantees"))
    nbs = dict(zip(table.columns, next(r for r in table.rows if r[0] == "nbs"), strict=True))
    ninety = next(c for c in table.columns if c.startswith("90 % interval"))
    lo, hi = (float(x) for x in nbs[ninety].split("–"))
    assert hi > lo and nbs["status"].startswith("status quo kept")  # issue #14: model error gives it a width
    note = next(n for n in forecasts.notes if n.startswith("nbs on "))
    assert "Security guarantees for Ukraine" in note and "better off than the status quo" in note
    assert "perturbed inputs alone has no width" in note
    assert "Line of separation" not in note  # its interval has width: nothing to explain there


def test_forecast_json_gives_predictive_quantiles(cli) -> None:
    """--draws gives each issue 19 non-decreasing quantiles inside the scale, the end masses and
    where the spread comes from; the shipped error models add model error by default; with
    --calibration none and no draws a point forecast says 'none' instead of a zero-width interval."""
    import json

    def issues(*args: str) -> list:
        r = cli("forecast", "ukraine-2025", "-m", "compromise", "--seed", "2", *args, "--format", "json")
        assert r.exit_code == 0, r.output
        return json.loads(r.stdout)["results"][0]["issues"]

    only_input = issues("--draws", "40", "--calibration", "none")
    both = issues("--draws", "40")
    for i, j in zip(only_input, both, strict=True):
        assert list(i["quantiles"]) == [str(a) for a in range(5, 100, 5)]
        for d in (i, j):
            q = [d["quantiles"][str(a)] for a in range(5, 100, 5)]
            assert q == sorted(q) and d["scale"][0] <= q[0] and q[-1] <= d["scale"][1]
            assert 0.0 <= d["p_low_end"] <= 1.0 and 0.0 <= d["p_high_end"] <= 1.0
        assert i["quantiles"]["95"] > i["quantiles"]["5"]  # the sweep gives the compromise a spread
        assert i["interval_source"] == "input uncertainty (40 draws)"
        assert j["interval_source"].startswith("input uncertainty (40 draws) and model error (DEU III")
        # model error widens the 90 % interval
        assert j["quantiles"]["95"] - j["quantiles"]["5"] > i["quantiles"]["95"] - i["quantiles"]["5"]
    i = issues("--calibration", "none")[0]
    assert i["quantiles"] is None and i["interval_source"] == "none"
    i = issues()[0]
    assert i["interval_source"].startswith("model error (") and i["quantiles"]["95"] > i["quantiles"]["5"]


@pytest.mark.parametrize(
    ("value", "message"),
    [("crossfit", "only detente backtest cross-fits"), ("nothere.json", "cannot read the error-model file")],
)
def test_calibration_option_errors(cli, value, message) -> None:
    r = cli("forecast", "ukraine-2025", "-m", "compromise", "--calibration", value)
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output


def test_brief_shows_the_parts_of_each_interval_at_80_columns(monkeypatch) -> None:
    """Issue #14 item 6: the combined interval first (50 %, with model error), then its input part
    (90 % over perturbed inputs), each line under 80 columns; one paragraph on the end points and the
    caveat off EU legislation; without an error model, the sweep alone."""
    from detente.cli import cmd_core, common
    from detente.io.builtin import load_builtin

    sc = load_builtin("ukraine-2025")
    monkeypatch.setattr(common.console, "_width", 80)
    for calibration in ("default", "none"):
        parts = cmd_core.build_parts(
            sc, seed=0, quick=True, only=["forecasts"], error_model=cmd_core.error_models(calibration)
        )
        with common.console.capture() as cap:
            cmd_core._print_brief(sc, parts)
        out = cap.get()
        flat = " ".join(out.split())
        assert max(len(x.rstrip()) for x in out.splitlines()) <= 80
        assert "inputs only" in out
        if calibration == "default":
            assert "50% with" in out and "model error" in out and "exact outcome with" in flat
            assert "Not EU legislation here" in flat
        else:
            assert "50% with" not in out and "model-error part" in flat


def test_readme_run_example_is_what_run_prints(run80) -> None:
    """The README's `detente run` example is the real output at 80 columns (QA: after the error models
    changed it still showed the old intervals and model-error paragraph)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ detente run\n", 1)[1].split("report written to", 1)[0]
    out = run80().split("report written to", 1)[0]
    assert block == out


@pytest.mark.parametrize("command", ["run", "report"])
def test_unwritable_report_is_refused_before_the_work(cli, tmp_path, command):
    """--report into a missing folder (or onto a folder): one line and exit 2 before anything is
    computed or printed (run printed its whole brief, then failed at the end)."""
    for target, said in ((tmp_path / "missing" / "r.html", "does not exist"), (tmp_path, "is a directory")):
        r = cli(command, "emission-standards-1994", "--report", str(target))
        assert r.exit_code == 2, r.output
        lines = r.output.strip().splitlines()
        assert len(lines) == 1 and said in lines[0] and "Traceback" not in r.output, r.output


def test_run_full_at_80_columns_cuts_no_number(run80, ukraine_parts) -> None:
    """Every table of ``run --full`` at 80 columns: no line over 80, and every cell of numbers only
    appears whole (rich had cut '71.7–93.9' to '71.7–93…' once the forecast table gained a column);
    text columns wrap at words, columns that do not fit go into a further table."""
    from detente.core.text import is_numeric

    out = run80("--full")
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    words = {w for line in lines for w in line.split()}
    for part in ukraine_parts:
        for t in part.tables:
            for row in t.rows:
                for cell in map(str, row):
                    if is_numeric(cell) and cell.strip() != "—":
                        # an interval printed "33.4 – 51.8" is three words; each must be whole
                        assert all(w in words for w in cell.split()), (t.title, cell)
