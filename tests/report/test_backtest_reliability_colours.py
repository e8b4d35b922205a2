"""The backtest report's reliability diagram gives every model its own colour and draws its dashed
equal-tailed line in that colour (QA: with plotly's 10-colour cycle and two lines per model,
compromise and conformal_compromise were both green)."""

from __future__ import annotations

import math

from detente.report.backtest import predictive_section


def leaderboard_row(
    model: str,
    k: int,
    *,
    offset: float | None = None,
    equal_tailed_offset: float = 0.02,
    crps: float | None = None,
    pit_hist: list[int] | None = None,
) -> dict:
    """A backtest leaderboard row of model ``model`` (the ``k``-th) with a predictive part, for the
    report's figures (also used by test_backtest_phone_width.py)."""
    off = 0.01 * k if offset is None else offset
    pts = [
        {"nominal": c / 10, "observed": c / 10 + off, "observed_equal_tailed": c / 10 + equal_tailed_offset}
        for c in range(1, 10)
    ]
    ci = (math.nan, math.nan)
    return {
        "model": model,
        "n_prob": 210,
        "crps": 16.0 + k if crps is None else crps,
        "crps_ci": ci,
        "crps_quantile": 17.0,
        "interval_score80": 95.0,
        "coverage50": 0.5,
        "coverage80": 0.8,
        "coverage80_ci": ci,
        "coverage90": 0.9,
        "width80": 60.0,
        "pit_ks": 0.04,
        "pit_ks_ci": ci,
        "pit_hist": [21] * 10 if pit_hist is None else pit_hist,
        "reliability": pts,
    }


def test_each_model_one_colour_shared_with_its_equal_tailed_line() -> None:
    models = [f"model{k}" for k in range(12)]  # more than plotly's default 10-colour cycle
    section = predictive_section([leaderboard_row(m, k) for k, m in enumerate(models)], {})
    rel = section.figures[0]
    solid = {t["name"]: t["line"]["color"] for t in rel.data if t["name"] in models}
    dashed = {
        t["name"].removesuffix(" (equal-tailed)"): t["line"]["color"]
        for t in rel.data
        if "(equal-tailed)" in t["name"]
    }
    assert set(solid) == set(models) and len(set(solid.values())) == len(models)
    assert all(c is not None for c in solid.values())
    assert dashed == solid


def test_the_crps_table_gives_each_models_n_and_signed_differences() -> None:
    """Models are scored on 154–210 issues: the report's table says each row's n (as the terminal
    does), and a difference's interval is signed at both ends."""
    rows = [
        leaderboard_row("compromise", 0),
        leaderboard_row("reference", 1),
        leaderboard_row("conformal_compromise", 2),
    ]
    rows[1]["n_prob"] = 154
    rows[0]["crps_diff_vs_conformal_compromise"] = {"diff": -0.66, "low": -1.34, "high": 0.04}
    table = predictive_section(rows, {}).tables[0]
    assert table.columns[:3] == ["model", "n", "CRPS [95 % CI]"]
    by_model = {r[0]: r for r in table.rows}
    assert by_model["reference"][1] == "154" and by_model["compromise"][1] == "210"
    assert by_model["compromise"][3] == "-0.66 [-1.34, +0.04]"
