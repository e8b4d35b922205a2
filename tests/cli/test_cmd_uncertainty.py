"""CLI of issue 4: sweep (JSON contract, reproducibility, Dask), levers, cohesion, sensitivity."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from detente.core.hashing import scenario_hash
from detente.core.perturb import Perturbation
from detente.io.builtin import load_builtin


def _sweep(cli, *args: str) -> dict:
    r = cli("sweep", *args, "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_sweep_ukraine_json_contract(cli) -> None:
    doc = _sweep(cli, "ukraine-2025", "--draws", "2000", "--seed", "7", "--threshold", "us_sanctions=50")
    assert list(doc) == ["detente_version", "scenario", "seed", "draws", "results"]
    assert doc["seed"] == 7 and doc["draws"] == 2000
    sc = load_builtin("ukraine-2025")
    # provenance: the input hash, each model's parameters (variant included) and the noise drawn
    assert doc["scenario"] == {"id": sc.id, "title": sc.title, "sha256": scenario_hash(sc)}
    eum = next(r for r in doc["results"] if r["model"] == "eum")
    assert eum["params"]["rounds"] == 10 and "prob" in eum["params"]
    assert doc["results"][0]["perturbation"] == dataclasses.asdict(Perturbation())
    models = [r["model"] for r in doc["results"]]
    assert models[:2] == ["compromise", "median"]
    for res in doc["results"]:
        assert [i["issue"] for i in res["issues"]] == list(sc.issue_ids)
        for iss in res["issues"]:
            assert {"issue", "mean", "sd", "input_quantiles", "p_at_least", "p_win"} <= set(iss)
            q = iss["input_quantiles"]
            assert list(q) == ["5", "25", "50", "75", "95"]
            assert q["5"] <= q["25"] <= q["50"] <= q["75"] <= q["95"]
            scale = sc.issue(iss["issue"]).scale
            assert scale.low - 1e-9 <= q["5"] and q["95"] <= scale.high + 1e-9
            assert iss["sd"] >= 0 and all(0 <= p <= 1 for p in iss["p_win"].values())
            with_stance = {s.actor for s in sc.stances if s.issue == iss["issue"]}
            assert set(iss["p_win"]) == with_stance
            if iss["issue"] == "us_sanctions":
                assert list(iss["p_at_least"]) == ["50"] and 0 <= iss["p_at_least"]["50"] <= 1
            else:
                assert iss["p_at_least"] == {}
        dynamic = res["model"] == "eum"
        for iss in res["issues"]:
            assert ("status" in iss) == dynamic
            if dynamic:
                assert math.isclose(sum(iss["status"].values()), 1.0)


def test_sweep_same_numbers_for_any_chunk(cli) -> None:
    base = ["emission-standards-1994", "--draws", "300", "--seed", "3", "-m", "median", "-m", "compromise"]
    a = _sweep(cli, *base, "--chunk", "1")
    b = _sweep(cli, *base, "--chunk", "7")
    c = _sweep(cli, *base)
    assert a == b == c
    d = _sweep(
        cli, "emission-standards-1994", "--draws", "300", "--seed", "4", "-m", "median", "-m", "compromise"
    )
    assert d != a  # another seed, other numbers


def test_sweep_noise_options_change_numbers(cli) -> None:
    base = ["emission-standards-1994", "--draws", "200", "-m", "compromise"]
    a = _sweep(cli, *base)
    b = _sweep(cli, *base, "--position-sd", "0.2", "--dropout", "0.2")
    assert a["results"][0]["issues"][0]["sd"] < b["results"][0]["issues"][0]["sd"]
    zero = _sweep(cli, *base, "--position-sd", "0", "--salience-sd", "0", "--capability-sd", "0")
    iss = zero["results"][0]["issues"][0]
    assert iss["sd"] == pytest.approx(0, abs=1e-12) and iss["input_quantiles"]["5"] == pytest.approx(
        7.38996, abs=1e-4
    )


def test_sweep_table(cli) -> None:
    r = cli("sweep", "emission-standards-1994", "--draws", "100", "--threshold", "emission=8")
    assert r.exit_code == 0, r.output
    assert "compromise" in r.stdout and "median" in r.stdout and "≥8:" in r.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--threshold", "nope=3"], "unknown issue 'nope'"),
        (["--threshold", "emission"], "expected ISSUE=VALUE"),
        (["--threshold", "emission=abc"], "expected a number"),
        (["--draws", "0"], "--draws"),
        (["--chunk", "0"], "--chunk"),
        (["--format", "xml"], "--format"),
        (["-m", "nosuch"], "unknown model"),
        (["--dropout", "1.5"], "dropout"),
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "both"),
    ],
)
def test_sweep_errors_are_one_line(cli, args: list[str], needle: str) -> None:
    r = cli("sweep", "emission-standards-1994", "--draws", "10", *args)
    assert r.exit_code == 2, r.output
    assert needle in r.output and "Traceback" not in r.output
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_sweep_unreachable_scheduler_is_one_line(cli) -> None:
    pytest.importorskip("distributed")
    r = cli("sweep", "emission-standards-1994", "--draws", "10", "--scheduler", "tcp://127.0.0.1:9")
    assert r.exit_code == 2 and "cannot connect" in r.output and "Traceback" not in r.output


@pytest.mark.slow
def test_sweep_workers_dask_identical(cli) -> None:
    pytest.importorskip("distributed")
    base = ["emission-standards-1994", "--draws", "200", "--seed", "5", "--chunk", "30"]
    assert _sweep(cli, *base, "--workers", "2") == _sweep(cli, *base)


def test_levers_known_answer(cli, tmp_path) -> None:
    f = tmp_path / "duo.yaml"
    f.write_text(
        "id: duo\nactors: [{id: a, name: Alpha}, {id: b, name: Beta}]\n"
        "issues: [{id: x, scale: {low: 0, high: 100}}]\n"
        "stances:\n"
        "  - {actor: a, issue: x, position: 0, salience: 1, evidence: [{quote: q}]}\n"
        "  - {actor: b, issue: x, position: 100, salience: 1, evidence: [{quote: q}]}\n",
        encoding="utf-8",
    )
    r = cli("levers", str(f), "--issue", "x", "--target", ">=60", "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    lv = {(d["actor"], d["input"]): d for d in doc["levers"]}
    assert doc["forecast"] == pytest.approx(50) and not doc["already"]
    assert lv[("a", "position")]["value"] == pytest.approx(20, abs=1e-3)
    assert lv[("b", "capability")]["value"] == pytest.approx(1.5, abs=1e-3)
    assert not lv[("b", "position")]["feasible"] and lv[("b", "position")]["value"] is None
    assert "No change of Beta's position" in lv[("b", "position")]["statement"]
    r = cli("levers", str(f), "--issue", "x", "--target", ">=60")
    assert r.exit_code == 0 and "Alpha" in r.stdout and "What would it take" in r.stdout


def _header(doc: dict, ref: str) -> None:
    """The provenance header every analysis document starts with: version and the scenario's input hash."""
    sc = load_builtin(ref)
    assert list(doc)[:2] == ["detente_version", "scenario"]
    assert doc["scenario"] == {"id": sc.id, "title": sc.title, "sha256": scenario_hash(sc)}


def test_levers_json_provenance(cli) -> None:
    args = ["levers", "emission-standards-1994", "--issue", "emission", "--target", "<=6", "--format", "json"]
    r = cli(*args, "-m", "eum", "--set", "rounds=4", "--seed", "5")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    _header(doc, "emission-standards-1994")
    assert doc["model"] == "eum" and doc["seed"] == 5 and doc["params"]["rounds"] == 4


def test_levers_table_and_errors(cli) -> None:
    r = cli("levers", "ukraine-2025", "--issue", "us_sanctions", "--target", ">=60")
    assert r.exit_code == 0, r.output
    assert "United States" in r.stdout
    r = cli("levers", "emission-standards-1994", "--issue", "emission", "--target", ">=11")
    assert r.exit_code == 2 and "outside the scale of issue 'emission' (expected 4 to 10)" in r.output
    r = cli("levers", "emission-standards-1994", "--issue", "emission", "--target", ">=10")
    assert r.exit_code == 0 and "Nothing within the scale reaches >= 10" in " ".join(r.stdout.split())
    r = cli("levers", "emission-standards-1994", "--issue", "emission", "--target", "60")
    assert r.exit_code == 2 and "target" in r.output
    r = cli("levers", "emission-standards-1994", "--issue", "nope", "--target", ">=6")
    assert r.exit_code == 2 and "unknown issue" in r.output


def test_cohesion_ukraine(cli) -> None:
    r = cli("cohesion", "ukraine-2025", "--groups", "us,european_allies", "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    _header(doc, "ukraine-2025")  # no model, no seed: the scenario is the whole input
    assert "params" not in doc and "seed" not in doc
    assert doc["groups"] == ["us", "european_allies"] and 0 <= doc["index"] <= 1
    assert doc["members"]["us"] == ["united_states"]
    assert len(doc["splits"]) == 3 and doc["splits"][0] in {i["issue"] for i in doc["issues"]}
    shares = [i["share"] for i in doc["issues"] if i["share"] is not None]
    assert math.isclose(sum(shares), 1.0)
    assert sorted(a for bloc in doc["coalitions"] for a in bloc) == sorted(
        load_builtin("ukraine-2025").actor_ids
    )
    r2 = cli("cohesion", "ukraine-2025")  # default groups
    assert r2.exit_code == 0 and "cohesion us – european_allies" in r2.stdout
    r3 = cli("cohesion", "ukraine-2025", "--groups", "us")
    assert r3.exit_code == 2 and "two names" in r3.output
    r4 = cli("cohesion", "ukraine-2025", "--groups", "us,martians")
    assert r4.exit_code == 2 and "martians" in r4.output


def test_cohesion_table_at_80_columns(cli, monkeypatch) -> None:
    """The issue names take the room the numbers leave: at 80 columns every issue of the built-in
    scenario but the longest fits on one line, with its four numbers right-aligned beside it."""
    from detente.cli import common

    monkeypatch.setattr(common.console, "width", 80)
    r = cli("cohesion", "ukraine-2025")
    assert r.exit_code == 0, r.output
    assert max(len(line) for line in r.stdout.splitlines()) <= 80
    lines = r.stdout.splitlines()
    for name in (
        "US sanctions on Russia",
        "Security guarantees for Ukraine",
        "Line of separation / 'buffer zone'",
    ):
        row = next(line for line in lines if line.strip().startswith(name))
        assert row.split()[-1].endswith("%") and row.rstrip().endswith(row.split()[-1]), row
    assert "share: the issue's part of the whole split" in r.stdout


def test_sensitivity_commands(cli) -> None:
    r = cli("sensitivity", "emission-standards-1994", "--format", "json", "--top", "3")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    _header(doc, "emission-standards-1994")
    assert doc["model"] == "compromise" and doc["seed"] == 0 and "weighting" in doc["params"]
    top = doc["issues"][0]["top"]
    assert len(top) == 3 and top[0]["swing"] >= top[1]["swing"] >= top[2]["swing"]
    r = cli(
        "sensitivity", "emission-standards-1994", "--method", "knockout", "-m", "median", "--format", "json"
    )
    doc = json.loads(r.stdout)
    _header(doc, "emission-standards-1994")
    assert doc["method"] == "knockout" and doc["model"] == "median" and doc["seed"] == 0
    iss = doc["issues"][0]
    assert iss["forecast"] == 7.0 and iss["change"]["netherlands"] == pytest.approx(3.0)
    r = cli("sensitivity", "ukraine-2025", "--method", "knockout")
    assert r.exit_code == 0 and "without each actor" in r.stdout
    r = cli("sensitivity", "ukraine-2025", "--method", "morris")
    assert r.exit_code == 2 and "--method" in r.output
    r = cli(
        "sensitivity",
        "ukraine-2025",
        "--method",
        "sobol",
        "-i",
        "us_sanctions",
        "--format",
        "json",
        "-n",
        "256",
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    _header(doc, "ukraine-2025")
    assert doc["draws"] == 256 and doc["seed"] == 0 and "weighting" in doc["params"]
    top = doc["issues"][0]["top"]
    assert top[0]["actor"] == "united_states" and top[0]["input"] == "position" and top[0]["total"] > 0.3
    r = cli("sensitivity", "ukraine-2025", "--method", "sobol", "-n", "64")
    assert r.exit_code == 0 and "share of its variance" in r.stdout


def test_workers_without_dask_names_the_extra(cli, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    r = cli("sweep", "emission-standards-1994", "--draws", "10", "--workers", "2")
    assert r.exit_code == 2 and "detente[distributed]" in r.output and "Traceback" not in r.output
    assert len(r.stderr.strip().splitlines()) == 1
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://127.0.0.1:8786")
    r = cli("sweep", "emission-standards-1994", "--draws", "10")
    assert r.exit_code == 2 and "distributed extra" in r.output


def test_get_executor_kinds() -> None:
    from concurrent.futures import ProcessPoolExecutor

    from detente.errors import DetenteError
    from detente.parallel import get_executor

    with get_executor("process", workers=1) as ex:
        assert isinstance(ex, ProcessPoolExecutor)
    with pytest.raises(DetenteError, match="executor"), get_executor("gpu"):  # type: ignore[arg-type]
        pass


def test_progress_bar_only_for_tables(cli, monkeypatch) -> None:
    import detente.cli.cmd_sweep as mod

    monkeypatch.setattr(mod, "show_progress", lambda: True)  # pretend stderr is a terminal
    r = cli("sweep", "emission-standards-1994", "--draws", "50", "-m", "median")
    assert r.exit_code == 0, r.output
    assert "median: 50 draws" in r.stdout
    r = cli("sweep", "emission-standards-1994", "--draws", "50", "-m", "median", "--format", "json")
    assert r.exit_code == 0 and r.stderr == "" and json.loads(r.stdout)["draws"] == 50


def test_sweep_processes_give_identical_json(cli) -> None:
    """--processes 2 (a local process pool) prints the same numbers as one process; 0 is refused."""
    args = (
        "sweep",
        "emission-standards-1994",
        "-m",
        "eum",
        "--draws",
        "1000",
        "--seed",
        "3",
        "--format",
        "json",
    )
    one = cli(*args, "--processes", "1")
    two = cli(*args, "--processes", "2")
    assert one.exit_code == 0 and two.exit_code == 0, two.output
    assert one.stdout == two.stdout
    bad = cli(*args, "--processes", "0")
    assert bad.exit_code == 2 and "--processes" in bad.output and "Traceback" not in bad.output


def test_auto_processes_only_for_dynamic_models_with_many_draws() -> None:
    from detente.cli.cmd_sweep import _auto_processes
    from detente.models import get_model

    assert _auto_processes([get_model("compromise")], 100_000) == 1
    assert _auto_processes([get_model("eum")], 999) == 1
    import os

    cores = len(os.sched_getaffinity(0))
    assert _auto_processes([get_model("compromise"), get_model("eum")], 1000) == (cores if cores > 1 else 1)


def test_sensitivity_table_names_the_issue_of_an_input_only_when_it_differs(cli) -> None:
    """Tornado table: the "on issue" column appears when an input on another issue moves the forecast
    (the exchange model trades across issues), not for a one-issue model, where it only repeated the
    table's title and wrapped the table at 80 columns."""
    r = cli("sensitivity", "ukraine-2025", "-i", "us_sanctions", "--top", "4")
    assert r.exit_code == 0, r.output
    assert "on issue" not in r.output and "swing" in r.output
    assert max(len(x) for x in r.output.splitlines()) <= 80
    r = cli("sensitivity", "ukraine-2025", "-m", "exchange", "--top", "8")
    assert r.exit_code == 0, r.output
    assert "on issue" in r.output
