"""Anchored compromise: the compromise model corrected toward the median, away from the status
quo and toward the nearer scale end, with coefficients fitted on DEU by cross-validation.

Pre-registered in docs/backtest.md §5 (before any fit). On the unit scale, with ``m`` the
compromise (``c·s`` mean, Achen 2006; models.md §1), ``d`` the ``c·s`` weighted median (lower
tie, Black 1948; models.md §2), ``q`` the reference point and ``L, H`` the lowest and highest
present position::

    z  = m + a·(d − m) + b·1[q known]·(m − q) + e·(1[m > 1/2] − m)
    x̂ = clip(z, L, H)

Sources of the terms: repulsion from the disagreement point as in the Nash bargaining solution
(Nash 1950; Achen 2006 derives the compromise model as its linear approximation; models.md §3);
a calibrated combination of mean- and median-type forecasts (stacking: Wolpert 1992,
Breiman 1996); extremising toward the nearer end (Baron et al. 2014, *Decision Analysis*
11:133–145). Defaults are the fit on all 210 dev issues of DEU (docs/backtest.md §6); with
``a = b = e = 0`` the model is the compromise model clipped to the hull (i.e. the compromise).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np

from detente._typing import FloatArray
from detente.core.arrays import ScenarioArrays
from detente.core.results import Diagnostics, Prediction
from detente.kernels.weighted import weighted_mean, weighted_median
from detente.models.base import ModelInfo, check_literal, check_range
from detente.models.fitting import grid_fit

COEFFICIENTS: tuple[str, ...] = ("a", "b", "e")
CANDIDATES: dict[str, tuple[str, ...]] = {"C1": ("b",), "C2": ("a",), "C3": ("a", "b"), "C4": ("a", "b", "e")}
GRID: FloatArray = np.round(np.arange(-1.0, 2.0 + 1e-9, 0.01), 2)


def anchored_features(arrays: ScenarioArrays, weighting: str = "cs") -> dict[str, FloatArray]:
    """Per-issue inputs of the anchored model, each shaped (..., I) on the unit scale.

    ``m`` compromise, ``d`` weighted median, ``rep`` = 1[q]·(m − q), ``ext`` = 1[m > 1/2] − m,
    ``low``/``high`` = hull of present positions.
    """
    w = arrays.weights(weighting)
    m, _ = weighted_mean(arrays.position, w, arrays.present)
    d = weighted_median(arrays.position, w, arrays.present, tie="lower")
    q = np.broadcast_to(arrays.reference, m.shape)
    rep = np.where(np.isnan(q), 0.0, m - np.where(np.isnan(q), 0.0, q))
    ext = (m > 0.5).astype(np.float64) - m
    low = np.where(arrays.present, arrays.position, np.inf).min(axis=-2)
    high = np.where(arrays.present, arrays.position, -np.inf).max(axis=-2)
    return {"m": m, "d": d, "rep": rep, "ext": ext, "low": low, "high": high}


def combine(
    f: dict[str, FloatArray], a: float | FloatArray, b: float | FloatArray, e: float | FloatArray
) -> FloatArray:
    """``clip(m + a(d − m) + b·rep + e·ext, L, H)`` (docs/backtest.md §5); broadcasts over coefficients."""
    z = f["m"] + a * (f["d"] - f["m"]) + b * f["rep"] + e * f["ext"]
    return np.asarray(np.clip(z, f["low"], f["high"]), dtype=np.float64)


def fit_anchored(
    f: dict[str, FloatArray], y: FloatArray, free: tuple[str, ...], sweeps: int = 5
) -> dict[str, float]:
    """Least-absolute-error fit of the free coefficients (others 0) by cyclic coordinate search on
    ``GRID`` (docs/backtest.md §5). ``f``: features of the training issues (1-D), ``y`` unit-scale outcomes."""
    return grid_fit(
        lambda c: combine(f, c["a"], c["b"], c["e"]),
        y,
        dict.fromkeys(COEFFICIENTS, GRID),
        dict.fromkeys(COEFFICIENTS, 0.0),  # ties -> smaller |coefficient|
        free,
        sweeps=sweeps,
    )


@dataclass(frozen=True, slots=True)
class Anchored:
    """Compromise corrected toward the median (``a``), away from the status quo (``b``) and toward
    the nearer scale end (``e``), clipped to the positions' hull (docs/backtest.md §5–§6)."""

    a: float = 0.0  # C1 was selected (docs/backtest.md §6): a, e not free
    b: float = 0.02  # full-dev fit of C1 (LOPO MAE 24.01 vs compromise 23.93: no gain)
    e: float = 0.0
    weighting: Literal["cs", "c", "s", "none"] = "cs"
    info: ClassVar[ModelInfo] = ModelInfo(
        "anchored",
        dynamic=False,
        stochastic=False,
        mirror_symmetric=False,  # the median's lower tie rule and 1[m > 1/2] at m = 1/2
        description="compromise pulled toward the median, away from the status quo, toward the ends (fitted on DEU)",
    )

    def __post_init__(self) -> None:
        check_literal(self)
        for name in COEFFICIENTS:
            check_range(name, getattr(self, name), -5.0, 5.0)

    def predict(self, arrays: ScenarioArrays, rng: np.random.Generator) -> Prediction:
        f = anchored_features(arrays, self.weighting)
        out = combine(f, self.a, self.b, self.e)
        return Prediction(
            outcome=out,
            diagnostics=Diagnostics.closed_form(
                out.shape, {"no_reference": np.isnan(np.broadcast_to(arrays.reference, out.shape))}
            ),
        )
