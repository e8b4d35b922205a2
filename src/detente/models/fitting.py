"""Grid fitting of model coefficients: the one cyclic coordinate search (docs/backtest.md §5, §7).

The ``anchored`` and ``calibrated`` models (and the backtest protocol that selects among their
pre-registered candidates) fit their coefficients with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from detente._typing import FloatArray

Predict = Callable[[Mapping[str, "float | FloatArray"]], FloatArray]


def grid_fit(
    predict: Predict,
    y: FloatArray,
    grids: Mapping[str, FloatArray],
    start: Mapping[str, float],
    free: Sequence[str],
    *,
    sweeps: int,
    grid_shape: tuple[int, ...] = (-1, 1),
) -> dict[str, float]:
    """Least-absolute-error fit of the ``free`` coefficients by cyclic coordinate search on grids.

    Starting from ``start`` (every coefficient; those not free keep their start value), each sweep
    sets each free coefficient in turn to the value of its grid with the smallest ``Σ |ŷ − y|``, the
    others held; ties go to the grid value closest to the coefficient's start value. Stops after
    ``sweeps`` sweeps or after a sweep that changed nothing.

    ``predict(coef)`` returns forecasts whose last axis matches ``y``; the coefficient being
    searched is passed as its whole grid, reshaped to ``grid_shape`` (``(-1, 1)`` for forecasts
    shaped (n,), ``(-1, 1, 1)`` for (A, n) inputs reduced over A), so one call scores the grid.

    >>> grid_fit(lambda c: c["k"] * np.array([1.0, 2.0]), np.array([2.0, 4.0]),
    ...          {"k": np.linspace(0, 3, 7)}, {"k": 1.0}, ("k",), sweeps=3)
    {'k': 2.0}
    """
    coef = {k: float(v) for k, v in start.items()}
    for _ in range(sweeps):
        changed = False
        for name in free:
            grid = grids[name]
            trial: dict[str, float | FloatArray] = {
                k: (grid.reshape(grid_shape) if k == name else v) for k, v in coef.items()
            }
            err = np.abs(predict(trial) - y).sum(axis=-1)
            tie_order = np.argsort(np.abs(grid - start[name]), kind="stable")  # ties -> nearest the start
            best = float(grid[tie_order[np.argmin(err[tie_order])]])
            if best != coef[name]:
                coef[name] = best
                changed = True
        if not changed:
            break
    return coef
