"""Backtest metrics on toy data, against slow obvious versions (analysis/backtest.py)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from detente.analysis.backtest import (
    bootstrap_counts,
    bootstrap_metrics,
    coverage,
    crps_ensemble,
    grouped_folds,
    paired_difference,
    point_metrics,
)


def test_point_metrics_toy():
    pred = [10, 20, 50, np.nan, 90]
    y = [0, 20, 100, 5, 85]
    g = ["a", "a", "b", "b", "c"]
    m = point_metrics(pred, y, g)
    assert m["n"] == 4
    assert m["mae"] == pytest.approx((10 + 0 + 50 + 5) / 4)
    assert m["rmse"] == pytest.approx(np.sqrt((100 + 0 + 2500 + 25) / 4))
    assert m["median_ae"] == pytest.approx(7.5)
    assert m["hit_rate"] == pytest.approx(3 / 4)  # |e| <= 10 counts 10 as a hit
    assert m["per_proposal_mae"] == pytest.approx((5 + 50 + 5) / 3)
    assert point_metrics([np.nan], [1], ["a"])["n"] == 0


def test_crps_ensemble_matches_double_loop():
    rng = np.random.default_rng(3)
    x = rng.normal(50, 20, size=(7, 9))
    y = rng.uniform(0, 100, size=7)
    slow = np.array(
        [
            np.mean(np.abs(x[i] - y[i])) - 0.5 * np.mean(np.abs(x[i][:, None] - x[i][None, :]))
            for i in range(7)
        ]
    )
    np.testing.assert_allclose(crps_ensemble(x, y), slow, atol=1e-12)
    # a one-point ensemble is the absolute error
    np.testing.assert_allclose(crps_ensemble(np.full((2, 5), 3.0), [1.0, 7.0]), [2.0, 4.0])


def test_coverage():
    assert coverage([0, 10, 20], [10, 20, 30], [5, 25, 20]) == pytest.approx(2 / 3)
    assert np.isnan(coverage([np.nan], [1], [0]))


def test_bootstrap_counts_are_resamples():
    cnt = bootstrap_counts(5, 100, seed=1)
    assert cnt.shape == (100, 5) and (cnt.sum(axis=1) == 5).all()
    rng = np.random.default_rng(1)
    idx = rng.integers(0, 5, size=(100, 5))
    np.testing.assert_array_equal(cnt[0], np.bincount(idx[0], minlength=5))


def test_bootstrap_metrics_against_loop():
    rng = np.random.default_rng(0)
    g = np.repeat([f"p{k}" for k in range(12)], rng.integers(1, 4, 12))
    y = rng.uniform(0, 100, g.size)
    pred = y + rng.normal(0, 15, g.size)
    ci = bootstrap_metrics(pred, y, g, n_draws=300, seed=5)
    labels = list(dict.fromkeys(g.tolist()))
    idx = np.random.default_rng(5).integers(0, len(labels), size=(300, len(labels)))
    maes = []
    for row in idx:
        sel = np.concatenate([np.flatnonzero(g == labels[k]) for k in row])
        maes.append(np.abs(pred[sel] - y[sel]).mean())
    lo, hi = np.percentile(maes, [2.5, 97.5])
    assert ci["mae"] == pytest.approx((lo, hi), abs=1e-10)
    # one proposal only: every resample is the data itself
    one = bootstrap_metrics([1, 2], [0, 0], ["a", "a"], n_draws=50)
    assert one["mae"] == pytest.approx((1.5, 1.5))


def test_paired_difference():
    y = np.array([0.0, 50, 100, 30])
    base = np.array([10.0, 40, 80, 30])
    better = np.array([5.0, 45, 90, 30])
    d = paired_difference(better, base, y, ["a", "a", "b", "c"], n_draws=200)
    assert d["diff"] == pytest.approx(((5 - 10) + (5 - 10) + (10 - 20) + 0) / 4)
    assert d["low"] <= d["diff"] <= d["high"] and d["high"] <= 0
    same = paired_difference(base, base, y, ["a", "b", "c", "d"], n_draws=100)
    assert same["diff"] == same["low"] == same["high"] == 0
    # issues missing from either side are left out of the pairing
    assert paired_difference([np.nan, 1, 1, 1], base, y, ["a", "a", "b", "c"])["n"] == 3


def test_grouped_folds():
    g = ["b", "a", "b", "c", "a"]
    lopo = grouped_folds(g)
    assert len(lopo) == 3 and sum(m.sum() for m in lopo) == 5
    for m in lopo:
        assert len(set(np.asarray(g)[m])) == 1
    two = grouped_folds(g, 2)
    assert [np.asarray(g)[m].tolist() for m in two] == [["a", "c", "a"], ["b", "b"]]
    for a, b in itertools.combinations(two, 2):
        assert not (a & b).any()


def test_one_list_of_in_sample_models():
    from detente.analysis.backtest import in_sample_models, in_sample_note
    from detente.analysis.main_job import FITTED_ON_DEU

    assert in_sample_models(["compromise", "mixture", "ensemble", "anchored"]) == [
        n for n in FITTED_ON_DEU if n in ("mixture", "ensemble", "anchored")
    ]
    assert "mixture" in in_sample_note({"mixture": 1}) and in_sample_note(["compromise"]) == ""


def test_subgroup_interval_needs_enough_proposals():
    from detente.analysis.backtest_groups import MIN_PROPOSALS_CI, has_interval

    assert not has_interval({"n_proposals": 1}) and not has_interval({"n_proposals": MIN_PROPOSALS_CI - 1})
    assert has_interval({"n_proposals": MIN_PROPOSALS_CI})
