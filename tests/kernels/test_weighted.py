"""The one home of weighted statistics: detente.kernels.weighted.weighted_quantile and friends."""

from __future__ import annotations

import numpy as np
import pytest

from detente.kernels.eum_spec import weighted_mean_rows, weighted_median_rows
from detente.kernels.weighted import shares, weighted_mean, weighted_median, weighted_quantile


def col(*v: float) -> np.ndarray:
    """Values of one issue as an (A, 1) column."""
    return np.array(v, dtype=np.float64)[:, None]


def q(x: np.ndarray, w: np.ndarray, level: float, **kw: object) -> float:
    return float(weighted_quantile(x, w, np.ones(x.shape, bool), level, **kw)[0])  # type: ignore[arg-type]


def test_hand_cases() -> None:
    x, w = col(3, 1, 2, 4), col(1, 1, 1, 1)  # sorted 1 2 3 4, cumulative 1 2 3 4 of 4
    assert q(x, w, 0.25) == 1.0
    assert q(x, w, 0.26) == 2.0
    assert q(x, w, 0.75) == 3.0
    assert q(x, w, 1.0) == 4.0
    assert q(x, w, 0.0) == 1.0
    heavy = col(0.1, 0.5, 0.9)
    assert q(heavy, col(1, 1, 5), 0.5) == 0.9  # one heavy actor is the median
    assert q(heavy, col(1, 1, 5), 2 / 7) == 0.5


def test_exact_ties_lower_upper_midpoint() -> None:
    x, w = col(0.2, 0.8), col(1, 1)  # cumulative weight 1 of 2 = exactly half at 0.2
    assert q(x, w, 0.5) == 0.2
    assert q(x, w, 0.5, tie="upper") == 0.8
    assert q(x, w, 0.5, tie="midpoint") == 0.5
    # not a tie: the three rules agree
    for tie in ("lower", "upper", "midpoint"):
        assert q(col(0.2, 0.8), col(1, 1.5), 0.5, tie=tie) == 0.8
    # equal values tie among themselves without mattering
    assert q(col(0.4, 0.4, 0.9), col(1, 1, 1), 0.5, tie="midpoint") == 0.4


def test_zero_weights_and_absent_actors() -> None:
    x = col(0.1, 0.5, 0.9)
    # a zero-weight actor does not count
    assert q(x, col(1, 0, 1), 0.5) == 0.1
    assert q(x, col(1, 0, 1), 0.5, tie="midpoint") == 0.5
    # all weights zero: equal weights of the present actors
    assert q(x, col(0, 0, 0), 0.5) == 0.5
    # absent actors never matter, whatever their position and weight
    present = col(1, 1, 0).astype(bool)
    out = weighted_quantile(col(0.1, 0.5, np.nan), col(1, 1, 100), present, 0.5, tie="midpoint")
    assert out[0] == pytest.approx(0.3)
    # nobody present: NaN
    assert np.isnan(weighted_quantile(x, col(1, 1, 1), np.zeros((3, 1), bool), 0.5)[0])


def test_total_for_shares_and_tolerance() -> None:
    # shares that sum to 1 up to rounding: total=1.0 makes the threshold exactly level
    x, m = col(0.1, 0.4, 0.9), col(0.2, 0.3, 0.5)
    assert q(x, m, 0.5, tie="midpoint", tol=1e-9, total=1.0) == pytest.approx(0.65)
    assert q(x, col(0.2, 0.31, 0.49), 0.5, tie="midpoint", tol=1e-9, total=1.0) == 0.4


def test_axis_and_batch_shapes_match_the_row_layout() -> None:
    rng = np.random.default_rng(3)
    x = np.round(rng.random((4, 6, 3)), 1)
    w = np.floor(rng.random((4, 6, 3)) * 3)
    present = rng.random((4, 6, 3)) < 0.8
    for tie in ("lower", "upper", "midpoint"):
        a = weighted_median(x, w, present, tie=tie)
        b = weighted_median(
            x.swapaxes(-1, -2), w.swapaxes(-1, -2), present.swapaxes(-1, -2), tie=tie, axis=-1
        )
        assert a.shape == (4, 3) and np.array_equal(a, b, equal_nan=True)
    t = (x.swapaxes(-1, -2), w.swapaxes(-1, -2), present.swapaxes(-1, -2))
    assert np.array_equal(weighted_median_rows(*t), weighted_median(x, w, present), equal_nan=True)
    mean, _ = weighted_mean(x, w, present)
    rows = weighted_mean_rows(*t)
    some = present.any(axis=-2)
    assert np.array_equal(rows[some], mean[some]) and np.isnan(rows[~some]).all()


def test_shares() -> None:
    present = col(1, 1, 0).astype(bool)
    assert shares(col(1, 3, 0), present)[:, 0].tolist() == [0.25, 0.75, 0.0]
    assert shares(col(0, 0, 0), present)[:, 0].tolist() == [0.5, 0.5, 0.0]
    assert shares(col(0, 0, 0), np.zeros((3, 1), bool))[:, 0].tolist() == [0.0, 0.0, 0.0]
