"""The JSON outputs under test: every command's ``--format json`` and the web service's JSON results.

Each case runs one command (fixed seeds, few draws) and returns its parsed JSON with the parts that
change from run to run (wall-clock times, timestamps, temporary paths) replaced by fixed text.
``python tests/io/json_cases.py`` rewrites the golden files in tests/golden/json/ (only when an
output is meant to change; the tests compare against them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden" / "json"
DEU_DEV = REPO / "data" / "deu" / "deu3_dev.tsv"

UK = "ukraine-2025"
EM = "emission-standards-1994"
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def _runner() -> Callable[..., Any]:
    from typer.testing import CliRunner

    from detente.cli.app import app

    runner = CliRunner()

    def run(*args: str) -> Any:
        r = runner.invoke(app, list(args), catch_exceptions=False)
        assert r.exit_code == 0, (args, r.output)
        return json.loads(r.stdout)

    return run


def _mask_times(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _mask_times(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_mask_times(v) for v in obj]
    if isinstance(obj, str) and TIME.match(obj):
        return "<time>"
    return obj


# --------------------------------------------------------------------------------------------- CLI
# name -> (document kind, the command's arguments); the kind names the model in detente.io.documents
CLI_CASES: dict[str, tuple[str, tuple[str, ...]]] = {
    "forecast_ukraine": ("forecast", ("forecast", UK, "--format", "json")),
    "forecast_emission": ("forecast", ("forecast", EM, "--seed", "3", "--format", "json")),
    "sweep_ukraine": (
        "sweep",
        ("sweep", UK, "--draws", "40", "--seed", "7", "--threshold", "us_sanctions=50", "--format", "json"),
    ),
    "sweep_emission": (
        "sweep",
        (
            "sweep",
            EM,
            "-m",
            "median",
            "-m",
            "exchange",
            "--draws",
            "30",
            "--seed",
            "1",
            "--threshold",
            "emission=7",
            "--threshold",
            "emission=9",
            "--format",
            "json",
        ),
    ),  # fmt: skip
    "levers_ukraine": (
        "levers",
        ("levers", UK, "--issue", "us_sanctions", "--target", ">=60", "--format", "json"),
    ),
    "levers_emission": (
        "levers",
        ("levers", EM, "--issue", "emission", "--target", "<=6", "--format", "json"),
    ),
    "cohesion_ukraine": ("cohesion", ("cohesion", UK, "--format", "json")),
    "cohesion_emission": ("cohesion", ("cohesion", EM, "--groups", "germany,uk", "--format", "json")),
    "sensitivity_tornado": ("sensitivity", ("sensitivity", UK, "--top", "3", "--format", "json")),
    "sensitivity_knockout": ("sensitivity", ("sensitivity", EM, "--method", "knockout", "--format", "json")),
    "sensitivity_sobol": (
        "sensitivity",
        (
            "sensitivity",
            EM,
            "--method",
            "sobol",
            "--draws",
            "16",
            "--seed",
            "2",
            "--top",
            "4",
            "--format",
            "json",
        ),
    ),
    "simulate_ukraine": (
        "simulate",
        ("simulate", UK, "--draws", "40", "--months", "12", "--seed", "1", "--format", "json"),
    ),
    "simulate_rubinstein": (
        "simulate",
        ("simulate", "--preset", "rubinstein", "--draws", "20", "--months", "6", "--format", "json"),
    ),
    "simulate_fearon": (
        "simulate",
        ("simulate", "--preset", "fearon", "--draws", "20", "--months", "6", "--format", "json"),
    ),
}


def write_deu_subset(folder: Path) -> Path:
    """The header and the first 11 issues (4 proposals) of the DEU dev file, as in tests/io/test_deu.py."""
    lines = DEU_DEV.read_text(encoding="utf-8").splitlines()
    p = folder / "subset.tsv"
    p.write_text("\n".join(lines[:12]) + "\n", encoding="utf-8")
    return p


def backtest_output(folder: Path) -> Any:
    """``detente backtest`` on the subset (two models); run times and the file's folder masked."""
    run = _runner()
    data = write_deu_subset(folder)
    doc = run("backtest", str(data), "-m", "compromise", "-m", "anchored", "--format", "json")
    doc["settings"]["data"] = "<folder>/" + Path(doc["settings"]["data"]).name
    doc["runtime_s"] = {k: "<seconds>" for k in doc["runtime_s"]}
    return doc


def ledger_outputs(folder: Path) -> dict[str, tuple[str, Any]]:
    """Every ledger command's JSON on a fresh database: name -> (kind, output with times masked)."""
    run = _runner()
    db = str(folder / "ledger.db")
    out: dict[str, tuple[str, Any]] = {}
    out["ledger_add"] = ("ledger_entry", run("ledger", "add", "Ceasefire by 2026?", "0.3", "--resolves", "2026-06-30",
                                             "--db", db, "--format", "json"))  # fmt: skip
    run("ledger", "add", "Sanctions level", "55", "--quantiles", "10:40,25:48,50:55,75:61,90:70", "--db", db,
        "--format", "json")  # fmt: skip
    run("ledger", "resolve", "2", "64", "--db", db, "--format", "json")
    out["ledger_resolve"] = (
        "ledger_entry",
        run("ledger", "resolve", "1", "1", "--db", db, "--format", "json"),
    )
    run("ledger", "resolve", "1", "0", "--force", "--db", db, "--format", "json")
    out["ledger_list"] = ("ledger_list", run("ledger", "list", "--db", db, "--format", "json"))
    out["ledger_history"] = ("ledger_history", run("ledger", "history", "1", "--db", db, "--format", "json"))
    out["ledger_score"] = ("ledger_score", run("ledger", "score", "--db", db, "--format", "json"))
    return {k: (kind, _mask_times(v)) for k, (kind, v) in out.items()}


def cli_output(name: str) -> Any:
    return _runner()(*CLI_CASES[name][1])


# --------------------------------------------------------------------------------------------- web
def _web_forecast(ref: str, model: str, seed: int) -> Any:
    from detente.web import service

    sc, _data, _ref = service.load_ref(f"builtin:{ref}", None)
    return service.forecast_json(sc, service.run_forecast(sc, model, {}, seed))


def _web_sweep(ref: str, model: str, draws: int, seed: int) -> Any:
    from detente.web import service

    sc, _data, _ref = service.load_ref(f"builtin:{ref}", None)
    res = service.sweep(sc, model, draws=draws, seed=seed)
    res.pop("_arrays")  # kept by the server for the store, never sent (api /jobs drops '_' keys)
    return res


def _web_simulate(ref: str, runs: int, seed: int, months: int) -> Any:
    from detente.web import service

    sc, _data, _ref = service.load_ref(f"builtin:{ref}", None)
    return service.simulate(sc, draws=runs, seed=seed, months=months)


WEB_CASES: dict[str, tuple[str, Callable[[], Any]]] = {
    "web_forecast_ukraine_eum": ("web_forecast", lambda: _web_forecast(UK, "eum", 0)),
    "web_forecast_ukraine_status_quo": ("web_forecast", lambda: _web_forecast(UK, "status_quo", 0)),
    "web_forecast_emission_exchange": ("web_forecast", lambda: _web_forecast(EM, "exchange", 1)),
    "web_sweep_ukraine": ("web_sweep", lambda: _web_sweep(UK, "compromise", 30, 4)),
    "web_sweep_emission": ("web_sweep", lambda: _web_sweep(EM, "eum", 20, 2)),
    "web_sweep_status_quo": ("web_sweep", lambda: _web_sweep(UK, "status_quo", 10, 0)),
    "web_simulate_ukraine": ("web_simulate", lambda: _web_simulate(UK, 30, 1, 12)),
}


def web_output(name: str) -> Any:
    return json.loads(json.dumps(WEB_CASES[name][1](), allow_nan=False))


def golden(name: str) -> Any:
    return json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))


# floats agree to this (docs/performance.md "Numbers across machines"): NumPy's exp/log and the BLAS
# pick their instructions by CPU (AVX-512 or not), so the last bits of a result depend on the machine
RTOL, ATOL = 1e-9, 1e-12


def json_differences(actual: Any, expected: Any, path: str = "", out: list[str] | None = None) -> list[str]:
    """Where two parsed JSON documents differ: keys, lengths, strings, integers and booleans exactly,
    floats to ``RTOL``/``ATOL`` (as ``math.isclose``). Empty when they agree; at most 10 entries."""
    import math

    out = [] if out is None else out
    if len(out) >= 10:
        return out
    if isinstance(expected, dict) and isinstance(actual, dict):
        if set(actual) != set(expected):
            out.append(f"{path or '/'}: keys {sorted(set(actual) ^ set(expected))}")
        for k in expected.keys() & actual.keys():
            json_differences(actual[k], expected[k], f"{path}/{k}", out)
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(actual) != len(expected):
            out.append(f"{path}: {len(actual)} items, expected {len(expected)}")
        for i, (a, e) in enumerate(zip(actual, expected, strict=False)):
            json_differences(a, e, f"{path}[{i}]", out)
    elif isinstance(expected, float) and isinstance(actual, float):
        if not math.isclose(actual, expected, rel_tol=RTOL, abs_tol=ATOL):
            out.append(f"{path}: {actual!r}, expected {expected!r}")
    elif type(actual) is not type(expected) or actual != expected:
        out.append(f"{path}: {actual!r}, expected {expected!r}")
    return out


def _write(name: str, obj: Any) -> None:
    (GOLDEN / f"{name}.json").write_text(
        json.dumps(obj, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def main() -> None:  # pragma: no cover - run by hand
    import tempfile

    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name in CLI_CASES:
        _write(name, cli_output(name))
    for name in WEB_CASES:
        _write(name, web_output(name))
    with tempfile.TemporaryDirectory() as tmp:
        _write("backtest_subset", backtest_output(Path(tmp)))
    with tempfile.TemporaryDirectory() as tmp:
        for name, (_kind, doc) in ledger_outputs(Path(tmp)).items():
            _write(name, doc)


if __name__ == "__main__":
    main()
