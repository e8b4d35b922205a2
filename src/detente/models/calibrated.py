"""Calibrated compromise: the compromise model with fitted capability/salience exponents and a
fitted weight for the Commission and the EP (pre-registered in docs/backtest.md §7).

``x̂ = Σ_i w_i x_i / Σ_i w_i`` with ``w_i = κ_i (c_i / max_j c_j)^α s_i^β`` (``κ_i = κ`` for the
actors ``com`` and ``ep``, 1 otherwise). ``α = β = κ = 1`` is the compromise model (Achen 2006,
models.md §1); ``α = 0, β = 1`` the salience-weighted mean (Schneider, Finke & Bailer 2010).
Defaults are the fit of the protocol in docs/backtest.md §7–§8 on the DEU dev file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from detente._typing import BoolArray, FloatArray
from detente.core.arrays import ScenarioArrays
from detente.core.results import Diagnostics, Prediction
from detente.kernels.weighted import weighted_mean
from detente.models.base import ModelInfo, check_range
from detente.models.fitting import grid_fit

PARAMS: tuple[str, ...] = ("alpha", "beta", "kappa")
CANDIDATES: dict[str, tuple[str, ...]] = {
    "D1": ("alpha", "beta"),
    "D2": ("kappa",),
    "D3": ("alpha", "beta", "kappa"),
}
GRIDS: dict[str, FloatArray] = {
    "alpha": np.round(np.arange(0.0, 3.0 + 1e-9, 0.05), 2),
    "beta": np.round(np.arange(0.0, 3.0 + 1e-9, 0.05), 2),
    "kappa": np.round(np.arange(0.0, 3.0 + 1e-9, 0.05), 2),
}
INSTITUTIONS: tuple[str, ...] = ("com", "ep")


def calibrated_weights(
    capability: FloatArray,
    salience: FloatArray,
    present: BoolArray,
    institution: BoolArray,
    alpha: float | FloatArray,
    beta: float | FloatArray,
    kappa: float | FloatArray,
) -> FloatArray:
    """``κ_i (c_i / max c)^α s_i^β`` over axis -2 (docs/backtest.md §7); 0 where absent.

    ``institution`` broadcasts against (..., A, I) (True for Commission/EP rows).
    """
    cmax = np.where(present, capability, 0.0).max(axis=-2, keepdims=True)
    rel = np.where(cmax > 0, capability / np.where(cmax > 0, cmax, 1.0), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.power(rel, alpha) * np.power(salience, beta)
    w = np.where(institution, kappa * w, w)
    return np.asarray(np.where(present, w, 0.0), dtype=np.float64)


def calibrated_mean(
    x: FloatArray,
    capability: FloatArray,
    salience: FloatArray,
    present: BoolArray,
    institution: BoolArray,
    alpha: float | FloatArray,
    beta: float | FloatArray,
    kappa: float | FloatArray,
) -> FloatArray:
    w = calibrated_weights(capability, salience, present, institution, alpha, beta, kappa)
    out, _ = weighted_mean(np.broadcast_to(x, w.shape), w, np.broadcast_to(present, w.shape))
    return out


def fit_calibrated(
    data: dict[str, np.ndarray], y: FloatArray, free: tuple[str, ...], sweeps: int = 4
) -> dict[str, float]:
    """Least-absolute-error fit on padded per-issue matrices ``data`` = {x, c, s, present, inst} (A, n)
    by cyclic coordinate search over :data:`GRIDS` (docs/backtest.md §7). ``y``: unit-scale outcomes."""
    x, c, s, pr, inst = data["x"], data["c"], data["s"], data["present"], data["inst"]
    return grid_fit(
        lambda v: calibrated_mean(x, c, s, pr, inst, v["alpha"], v["beta"], v["kappa"]),  # (G, n)
        y,
        GRIDS,
        dict.fromkeys(PARAMS, 1.0),  # ties -> closest to 1
        free,
        sweeps=sweeps,
        grid_shape=(-1, 1, 1),
    )


@dataclass(frozen=True, slots=True)
class Calibrated:
    """Compromise with weights ``κ_i (c_i/max c)^α s_i^β`` (docs/backtest.md §7)."""

    alpha: float = 0.6  # full-dev fit of D1, the LOPO-selected candidate (docs/backtest.md §8)
    beta: float = 2.75
    kappa: float = 1.0  # not free in D1
    info: ClassVar[ModelInfo] = ModelInfo(
        "calibrated",
        dynamic=False,
        stochastic=False,
        description="compromise with fitted capability/salience exponents and Commission/EP weight (fitted on DEU)",
    )

    def __post_init__(self) -> None:
        for name in PARAMS:
            check_range(name, getattr(self, name), 0.0, 10.0)

    def predict(self, arrays: ScenarioArrays, rng: np.random.Generator) -> Prediction:
        inst = np.array([a in INSTITUTIONS for a in arrays.actor_ids], dtype=bool)[:, None]
        w = calibrated_weights(
            arrays.capability, arrays.salience, arrays.present, inst, self.alpha, self.beta, self.kappa
        )
        out, fb = weighted_mean(arrays.position, w, arrays.present)
        return Prediction(outcome=out, diagnostics=Diagnostics.closed_form(out.shape, {"fallback": fb}))
