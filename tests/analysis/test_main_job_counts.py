"""`detente run` computes each thing once (issue #13 item 1): a counting model proves it.

Every registered model class's ``predict`` and the simulator's ``simulate`` are wrapped with a
counter; the whole main job of ``detente run`` (quick mode: the results and every part rendered
from them) runs on ukraine-2025 and each model must be called once per purpose:

- point forecast (one call; reused by the brief, the tables, the EUM/exchange/SMP parts and the intervals);
- each sweep chunk (300 draws = one chunk here);
- knock-out: the base and every actor left out, with the tornado's cases and the first grid of the
  what-it-takes searches, one batch;
- levers: the finer grid inside every search's bracket, one batch;
- other variants: exchange at random rates (one batch); SMP on its three dimensions jointly, issue by
  issue and with stochastic transitions (one call each).

The simulator runs once per distinct configuration (as configured, then each what-if switch).
Whichever model the levers use (the expected-utility model, or those of ``models/mean.py``), it runs
once per purpose too, and ``detente report`` calls no model more often than ``detente run``.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

import pytest
from typer.testing import CliRunner

from detente.analysis import main_job as mj
from detente.io.builtin import load_builtin
from detente.models import MODELS, model_class

SIM_TARGET = 6  # as configured + 5 what-if switches ("as configured" is the base run itself)
SMP_VARIANTS = 3  # joint, issue by issue and stochastic, on its three dimensions (not all of ukraine's six)


def _count(monkeypatch: pytest.MonkeyPatch) -> tuple[Counter[str], list[Any]]:
    calls: Counter[str] = Counter()
    sims: list[Any] = []
    classes = {name: model_class(name) for name in MODELS}
    originals = {name: cls.predict for name, cls in classes.items()}  # before any is wrapped

    def wrap(orig: Any) -> Any:
        def predict(self: Any, arrays: Any, rng: Any) -> Any:
            calls[type(self).info.name] += 1
            return orig(self, arrays, rng)

        return predict

    for name, cls in classes.items():
        monkeypatch.setattr(cls, "predict", wrap(originals[name]))
    from detente.sim import engine

    # the simulator counted here, not in the forked worker of detente.parallel.side_process
    monkeypatch.setenv("DETENTE_SIDE_PROCESS", "0")
    real = engine.simulate

    def simulate(*args: Any, **kwargs: Any) -> Any:
        sims.append(kwargs.get("seed"))
        return real(*args, **kwargs)

    for mod in list(sys.modules.values()):  # every module that imported the function by name
        if getattr(mod, "__name__", "").startswith("detente") and getattr(mod, "simulate", None) is real:
            monkeypatch.setattr(mod, "simulate", simulate)
    return calls, sims


def _expected(names: list[str], chunks: dict[str, int], lever_model: str) -> dict[str, int]:
    """Calls per model: point forecast, each sweep chunk, knock-out + levers, the read-outs' variants."""
    out: dict[str, int] = {}
    for name in names:
        n = 1 + chunks.get(name, 0)  # point forecast, sweep chunks
        n += 2 if name == lever_model else 0  # the knock-out batch, the levers batch
        n += {"exchange": 1, "smp": SMP_VARIANTS}.get(name, 0)
        out[name] = n
    if lever_model not in out:
        out[lever_model] = 2
    return out


def test_detente_run_calls_each_model_once_per_purpose(monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.cli.cmd_core import build_parts

    calls, sims = _count(monkeypatch)
    parts = build_parts(load_builtin("ukraine-2025"), seed=0, quick=True)
    names = [p.name for p in parts]
    assert names[:8] == [
        "forecasts",
        "eum",
        "exchange",
        "smp",
        "uncertainty",
        "levers",
        "cohesion",
        "simulator",
    ]
    sweep = next(p for p in parts if p.name == "uncertainty").manifest["models"]
    chunks = {m: v["n_chunks"] for m, v in sweep.items()}
    assert chunks == dict.fromkeys(mj.SWEPT, 1)  # 300 draws: one chunk each
    assert dict(calls) == _expected(mj.overview_models(), chunks, mj.LEVER_MODEL)
    assert calls["compromise"] == 4  # was 47 before issue #13, then 7 with the rounds of bisection
    assert calls["eum"] == 2 and calls["mean"] == 2  # was 4 and 51
    assert len(sims) == SIM_TARGET


@pytest.mark.parametrize(
    ("lever_model", "scenario"),
    [
        ("eum", "ktab-dummy-3dim"),  # the EUM is slow on many levers: a small scenario
        ("compromise", "ukraine-2025"),  # models/mean.py
        ("mean", "ukraine-2025"),
        ("status_quo", "ukraine-2025"),
    ],
)
def test_each_lever_model_runs_once_per_purpose(
    lever_model: str, scenario: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mj, "LEVER_MODEL", lever_model)
    calls, _ = _count(monkeypatch)
    job = mj.main_job(load_builtin(scenario), mj.MainJobOptions(seed=0, parts=("uncertainty", "levers")))
    assert job.sweep is not None and job.levers is not None
    chunks = {m: e.n_chunks for m, e in job.sweep.ensembles.items()}
    assert dict(calls) == _expected(list(mj.SWEPT), chunks, lever_model)
    assert calls[lever_model] == (4 if lever_model in mj.SWEPT else 2)
    assert len(job.levers.searches) == len(job.scenario.issues)


@pytest.mark.slow
def test_detente_report_calls_no_model_more_often_than_detente_run(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from detente.cli.app import app

    calls, sims = _count(monkeypatch)
    runner = CliRunner()
    seen: dict[str, tuple[Counter[str], int]] = {}
    for command in ("run", "report"):
        calls.clear()
        sims.clear()
        out = tmp_path / f"{command}.html"
        res = runner.invoke(app, [command, "ukraine-2025", "--report", str(out)])
        assert res.exit_code == 0, res.output
        assert out.stat().st_size > 0
        seen[command] = (Counter(calls), len(sims))
    (run, run_sims), (report, report_sims) = seen["run"], seen["report"]
    assert run and all(report[m] <= run[m] for m in report), (report, run)
    assert report == run and report_sims == run_sims == SIM_TARGET  # the same main job, computed once


def test_the_main_job_hashes_its_scenario_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The input hash every point forecast and the provenance record is computed once per job (it
    walks every stance: ≈ 4 ms a time on ukraine-2025), and is the scenario's hash."""
    from detente.core import hashing

    sc = load_builtin("ukraine-2025")
    seen: list[Any] = []
    real = hashing._scenario_hash

    def counted(scenario: Any) -> str:
        seen.append(scenario)
        return real(scenario)

    monkeypatch.setattr(hashing, "_scenario_hash", counted)
    job = mj.main_job(sc, mj.MainJobOptions(seed=0, parts=("forecasts",)))
    assert sum(s is sc for s in seen) == 1
    digest = real(sc)
    assert job.provenance.input_sha256 == digest
    assert len(job.forecasts) >= 5
    assert {fc.scenario_hash for fc in job.forecasts.values()} == {digest}
