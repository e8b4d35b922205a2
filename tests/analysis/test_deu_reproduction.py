"""The compromise baseline reproduces the dev reference numbers (validation.md §4) to 0.01."""

from __future__ import annotations

import numpy as np
import pytest

from detente.analysis.backtest import (
    bootstrap_metrics,
    leaderboard,
    paired_difference,
    point_metrics,
    run_backtest,
)
from detente.io.deu import backtest_cases, load_deu
from detente.models import get_model

BASELINES = {
    "compromise": get_model("compromise"),
    "salience_mean": get_model("compromise", weighting="s"),
    "mean": get_model("mean"),
    "median": get_model("median"),
    "commission": None,
    "reference": None,
}


@pytest.fixture(scope="module")
def result(data_dir):
    cases, _ = backtest_cases(load_deu(data_dir / "deu" / "deu3_dev.tsv"))
    return run_backtest(cases, BASELINES)


def test_compromise_mae_23_93(result):
    m = point_metrics(result.forecasts["compromise"], result.outcome, result.proposal_ids)
    assert m["n"] == 210
    assert abs(m["mae"] - 23.93) < 0.01
    assert abs(m["rmse"] - 31.31) < 0.01 and abs(m["hit_rate"] - 0.305) < 0.001
    assert abs(m["median_ae"] - 17.5) < 0.05 and abs(m["per_proposal_mae"] - 23.09) < 0.01
    lo, hi = bootstrap_metrics(result.forecasts["compromise"], result.outcome, result.proposal_ids)["mae"]
    assert abs(lo - 21.3) < 0.2 and abs(hi - 26.8) < 0.2


@pytest.mark.parametrize(
    ("name", "n", "mae", "rmse", "hit"),
    [
        ("salience_mean", 210, 23.84, 31.05, 0.314),
        ("mean", 210, 23.98, 31.85, 0.329),
        ("median", 210, 29.26, 42.81, 0.429),
        ("commission", 206, 36.12, 49.88, 0.335),
        ("reference", 154, 51.13, 62.44, 0.234),
    ],
)
def test_other_baselines(result, name, n, mae, rmse, hit):
    m = point_metrics(result.forecasts[name], result.outcome, result.proposal_ids)
    assert m["n"] == n
    assert abs(m["mae"] - mae) < 0.01 and abs(m["rmse"] - rmse) < 0.01 and abs(m["hit_rate"] - hit) < 0.001


def test_paired_differences(result):
    y, g, base = result.outcome, result.proposal_ids, result.forecasts["compromise"]
    med = paired_difference(result.forecasts["median"], base, y, g)
    assert abs(med["diff"] - 5.34) < 0.01 and abs(med["low"] - 2.42) < 0.2 and abs(med["high"] - 8.39) < 0.2
    assert abs(paired_difference(result.forecasts["mean"], base, y, g)["diff"] - 0.05) < 0.01
    rows = {r["model"]: r for r in leaderboard(result)}
    assert "diff_vs_compromise" not in rows["compromise"]
    assert rows["salience_mean"]["diff_vs_compromise"]["diff"] == pytest.approx(-0.09, abs=0.01)
    assert np.isfinite(rows["reference"]["mae_ci"]).all()
