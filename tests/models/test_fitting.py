"""The one grid fit (detente.models.fitting.grid_fit) behind the anchored and calibrated models."""

from __future__ import annotations

import numpy as np

from detente.models.fitting import grid_fit


def test_finds_the_least_absolute_error_point_and_keeps_fixed_coefficients() -> None:
    x = np.linspace(0.0, 1.0, 11)
    y = 0.5 + 2.0 * x
    grid = np.round(np.arange(-3.0, 3.0 + 1e-9, 0.5), 2)
    start = {"a": 0.5, "b": 0.0, "c": 7.0}
    fit = grid_fit(lambda c: c["a"] + c["b"] * x, y, {"a": grid, "b": grid}, start, ("b",), sweeps=10)
    assert fit == {"a": 0.5, "b": 2.0, "c": 7.0}
    # both free: a cyclic search under absolute loss may stop at a point no single coordinate improves
    both = grid_fit(lambda c: c["a"] + c["b"] * x, y, {"a": grid, "b": grid}, start, ("a", "b"), sweeps=10)
    err = np.abs(both["a"] + both["b"] * x - y).sum()
    for k in ("a", "b"):
        for v in grid:
            alt = {**both, k: v}
            assert np.abs(alt["a"] + alt["b"] * x - y).sum() >= err


def test_ties_go_to_the_grid_value_nearest_the_start() -> None:
    grid = np.array([-1.0, 0.0, 1.0, 2.0])
    flat = lambda c: np.zeros(3) + 0.0 * c["k"]  # noqa: E731 - every grid value fits equally
    assert grid_fit(flat, np.zeros(3), {"k": grid}, {"k": 0.0}, ("k",), sweeps=2) == {"k": 0.0}
    assert grid_fit(flat, np.zeros(3), {"k": grid}, {"k": 1.2}, ("k",), sweeps=2) == {"k": 1.0}


def test_grid_shape_scores_a_whole_grid_against_padded_inputs() -> None:
    x = np.array([[0.0, 1.0], [1.0, 3.0]])  # (A, n)
    y = np.array([1.0, 4.0])
    fit = grid_fit(
        lambda c: (c["w"] * x).sum(axis=-2),
        y,
        {"w": np.arange(0.0, 3.0, 1.0)},
        {"w": 0.0},
        ("w",),
        sweeps=1,
        grid_shape=(-1, 1, 1),
    )
    assert fit == {"w": 1.0}
