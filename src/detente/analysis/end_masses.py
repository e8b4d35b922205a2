"""The scale-end point masses of a predictive distribution, modelled on their own (docs/calibration.md §2).

Pure NumPy + SciPy's L-BFGS. A third of the DEU outcomes are exactly at a scale end (0 or 100).
The ``hurdle`` error model (:mod:`detente.analysis.calibration`) treats the outcome as a
zero-and-one inflated distribution (Ospina & Ferrari 2012, *Computational Statistics & Data
Analysis* 56(6), eq. 2.1: a mixture of point masses at the two ends and a continuous part inside):

    P(Y = low) = π_low(x),  P(Y = high) = π_high(x),  Y | low < Y < high  ~  the interior curves,

with ``(π_low, 1 − π_low − π_high, π_high)`` from a multinomial logit on features ``x`` known
before the outcome (McFadden 1974; Agresti 2013 §8.1, eq. 8.1: ``log π_j/π_interior = x'β_j``),
fitted by penalised maximum likelihood with a ridge penalty on the slopes of the standardised
features (le Cessie & van Houwelingen 1992, eq. 2), and the interior curves from linear quantile
regression on the issues whose outcome lies strictly inside the scale.

The features (unit scale, :data:`END_FEATURES`): the model's forecast, whether the forecast sits
exactly at the low / high end, the spread of positions, and the c·s-weighted shares of the present
actors whose position is exactly at the low / high end (:func:`end_shares`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from detente._typing import FloatArray
from detente.core.arrays import ScenarioArrays

END_FEATURES: tuple[str, ...] = ("forecast", "at_low", "at_high", "spread", "w_low", "w_high")
"""Features of the end-mass logit, in the order of its coefficients after the intercept."""
END_TOL = 1e-9
"""A unit-scale value within this of an end counts as at that end."""
RIDGE = 1.0
"""Ridge penalty on the standardised slopes (not tuned: the first value tried; docs/calibration.md §6)."""


def end_shares(arrays: ScenarioArrays) -> FloatArray:
    """Per issue (I, 2): the c·s-weighted shares of the present actors whose position is exactly at
    the low end and at the high end of the unit scale (0 where nobody has weight)."""
    w = np.where(arrays.present, arrays.capability * arrays.salience, 0.0)
    tot = w.sum(axis=-2)
    safe = np.where(tot > 0, tot, 1.0)
    low = (w * (arrays.position <= END_TOL)).sum(axis=-2) / safe
    high = (w * (arrays.position >= 1.0 - END_TOL)).sum(axis=-2) / safe
    return np.asarray(np.stack([low, high], axis=-1), dtype=np.float64)


def end_design(forecast: npt.ArrayLike, spread: npt.ArrayLike, shares: npt.ArrayLike) -> FloatArray:
    """The feature matrix (..., 6) of :data:`END_FEATURES` for forecasts ``(...)`` (unit scale),
    spreads and end shares ``(..., 2)`` broadcast against them."""
    f = np.asarray(forecast, dtype=np.float64)
    s = np.broadcast_to(np.asarray(spread, dtype=np.float64), f.shape)
    sh = np.broadcast_to(np.asarray(shares, dtype=np.float64), (*f.shape, 2))
    at_low = (f <= END_TOL).astype(np.float64)
    at_high = (f >= 1.0 - END_TOL).astype(np.float64)
    return np.stack([f, at_low, at_high, s, sh[..., 0], sh[..., 1]], axis=-1)


def end_classes(y: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """0 = at the low end, 1 = inside, 2 = at the high end (unit-scale outcomes)."""
    t = np.asarray(y, dtype=np.float64)
    return np.where(t <= END_TOL, 0, np.where(t >= 1.0 - END_TOL, 2, 1)).astype(np.int64)


@dataclass(frozen=True, slots=True)
class EndModel:
    """Multinomial logit for (low end, inside, high end): ``mean``/``scale`` (6,) standardise the
    features; ``coef`` (7, 2): intercept + 6 slopes, one column each for low and high (inside is
    the reference category)."""

    mean: FloatArray
    scale: FloatArray
    coef: FloatArray

    def probabilities(self, X: npt.ArrayLike) -> FloatArray:
        """``(π_low, π_inside, π_high)`` (..., 3) for features ``X`` (..., 6)."""
        z = (np.asarray(X, dtype=np.float64) - self.mean) / self.scale
        eta = self.coef[0] + z @ self.coef[1:]  # (..., 2)
        logits = np.stack([eta[..., 0], np.zeros(eta.shape[:-1]), eta[..., 1]], axis=-1)
        logits -= logits.max(axis=-1, keepdims=True)
        e = np.exp(logits)
        return np.asarray(e / e.sum(axis=-1, keepdims=True), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(END_FEATURES),
            "mean": [float(x) for x in self.mean],
            "scale": [float(x) for x in self.scale],
            "coef": [[float(x) for x in row] for row in self.coef],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> EndModel:
        """The inverse of :meth:`to_dict`; raises ``ValueError`` naming the field that is wrong."""
        if list(d.get("features", [])) != list(END_FEATURES):
            raise ValueError(f"ends.features: expected {list(END_FEATURES)}, got {d.get('features')!r}")
        k = len(END_FEATURES)
        mean = np.asarray(d.get("mean", []), dtype=np.float64)
        scale = np.asarray(d.get("scale", []), dtype=np.float64)
        coef = np.asarray(d.get("coef", []), dtype=np.float64)
        if mean.shape != (k,) or scale.shape != (k,) or np.any(scale <= 0):
            raise ValueError(f"ends.mean/scale: expected {k} numbers each, scales positive")
        if coef.shape != (k + 1, 2) or not np.all(np.isfinite(coef)):
            raise ValueError(f"ends.coef: expected {k + 1} rows of 2 finite numbers")
        return cls(mean, scale, coef)


def fit_end_model(X: npt.ArrayLike, classes: npt.ArrayLike, lam: float = RIDGE) -> EndModel:
    """Penalised maximum likelihood of the multinomial logit (module doc): minimise
    ``−Σ log π_{c_i}(x_i) + lam · ‖slopes‖²`` over the standardised features (L-BFGS, analytic
    gradient). A class absent from the training data gets a probability near 0."""
    from scipy.optimize import minimize

    x = np.asarray(X, dtype=np.float64)
    c = np.asarray(classes, dtype=np.int64)
    mean = x.mean(axis=0)
    sd = x.std(axis=0)
    scale = np.where(sd > 1e-9, sd, 1.0)
    Z = np.column_stack([np.ones(x.shape[0]), (x - mean) / scale])
    Y = np.eye(3)[c][:, [0, 2]]  # indicators of low and high; inside is the reference
    p = Z.shape[1]
    pen = np.full((p, 1), lam)
    pen[0] = 0.0

    def objective(b: FloatArray) -> tuple[float, FloatArray]:
        B = b.reshape(p, 2)
        eta = Z @ B
        m = np.maximum(eta.max(axis=1), 0.0)
        lse = m + np.log(np.exp(-m) + np.exp(eta - m[:, None]).sum(axis=1))
        nll = float(lse.sum() - (Y * eta).sum())
        P = np.exp(eta - lse[:, None])
        grad = Z.T @ (P - Y) + 2.0 * pen * B
        return nll + float((pen * B**2).sum()), grad.ravel()

    res = minimize(objective, np.zeros(2 * p), jac=True, method="L-BFGS-B")
    coef = np.clip(res.x.reshape(p, 2), -50.0, 50.0)
    return EndModel(mean, scale, coef)
