"""The ensemble model: weighted mean of members, weights learned on the calibration data by cross-fitting."""

from __future__ import annotations

import numpy as np
import pytest

from detente.analysis.backtest import grouped_folds
from detente.errors import ModelConfigError
from detente.models import get_model
from detente.models.ensemble import (
    LEVELS,
    combine,
    cross_fit_weights,
    fit_weights,
    quantile_average,
    quantile_crps,
    residual_quantiles,
    simplex_grid,
)
from detente.testing import random_arrays


def test_predict_is_the_weighted_mean_of_its_members() -> None:
    arrays = random_arrays(np.random.default_rng(5), n_actors=7, n_issues=4)
    rng = np.random.default_rng(0)
    ens = get_model("ensemble", members="compromise,median", weights="3,1").predict(arrays, rng)
    a = get_model("compromise").predict(arrays, rng).outcome
    b = get_model("median").predict(arrays, rng).outcome
    assert np.allclose(ens.outcome, 0.75 * a + 0.25 * b)


def test_a_member_without_forecast_is_left_out() -> None:
    assert combine([[0.2, np.nan, np.nan], [0.6, 0.5, np.nan]], [0.5, 0.5]).tolist()[:2] == pytest.approx(
        [0.4, 0.5]
    )
    assert np.isnan(combine([[np.nan], [np.nan]], [0.5, 0.5])[0])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"members": "compromise,median", "weights": "1"}, "weights"),
        ({"members": "compromise,median", "weights": "1,-1"}, "weights"),
        ({"members": "compromise,median", "weights": "a,b"}, "weights"),
        ({"members": "compromise,ensemble", "weights": "1,1"}, "members"),
        ({"members": "compromise,eum", "weights": "1,1"}, "members"),
        ({"members": "", "weights": ""}, "members"),
    ],
)
def test_bad_settings_are_refused(params, field) -> None:
    with pytest.raises(ModelConfigError, match=field):
        get_model("ensemble", **params)


def test_simplex_grid_sums_to_one() -> None:
    g = simplex_grid(3, 0.25)
    assert g.shape == (15, 3) and np.allclose(g.sum(axis=1), 1.0) and (g >= 0).all()


def test_fit_weights_finds_the_member_that_is_right() -> None:
    rng = np.random.default_rng(1)
    y = rng.uniform(0, 1, 300)
    good = np.clip(y + rng.normal(0, 0.02, 300), 0, 1)
    bad = rng.uniform(0, 1, 300)
    for objective in ("crps", "mae"):
        w = fit_weights(np.stack([bad, good]), y, objective=objective)
        assert w[1] >= 0.9, objective


def test_quantile_average_is_monotone_and_clipped() -> None:
    rng = np.random.default_rng(2)
    f = rng.uniform(0, 1, (2, 50))
    y = np.clip(f[0] + rng.normal(0, 0.3, 50), 0, 1)
    q = quantile_average(f, residual_quantiles(f, y), simplex_grid(2, 0.5))
    assert q.shape == (3, 50, LEVELS.size)
    assert (np.diff(q, axis=-1) >= -1e-12).all() and (q >= 0).all() and (q <= 1).all()


def test_quantile_crps_matches_the_library() -> None:
    import scoringrules as sr

    rng = np.random.default_rng(3)
    q = np.sort(rng.uniform(0, 100, (20, LEVELS.size)), axis=1)
    y = rng.uniform(0, 100, 20)
    assert quantile_crps(q, y) == pytest.approx(sr.crps_quantile(y, q, LEVELS, backend="numpy"))


def test_cross_fitting_never_uses_the_fold_it_predicts() -> None:
    """Each fold's weights come from the other folds: a member that is perfect on the other folds
    but wrong on this one still gets the weight (learned elsewhere), so its error shows out of fold."""
    rng = np.random.default_rng(4)
    n = 200
    groups = np.array([f"p{i // 4}" for i in range(n)])
    folds = grouped_folds(groups, 5)
    y = rng.uniform(0, 1, n)
    a = y.copy()
    b = rng.uniform(0, 1, n)
    a[folds[0]] = 1.0 - y[folds[0]]  # member a is wrong only on fold 0
    b[folds[0]] = y[folds[0]]  # member b is right only on fold 0
    oof, _q, ws = cross_fit_weights(np.stack([a, b]), y, folds, objective="mae")
    assert ws[0][0] == pytest.approx(1.0)  # fold 0's weights learned on folds 1-4, where a is right
    assert np.allclose(oof[folds[0]], a[folds[0]])
    for test in folds:  # no proposal is in two folds
        assert not set(groups[test]) & set(groups[~test])
