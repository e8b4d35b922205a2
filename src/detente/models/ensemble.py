"""Ensemble model: a weighted combination of other models' forecasts (issue #14 item 5).

Forecast combination (Bates & Granger 1969, *Operational Research Quarterly* 20(4):451–468;
Graefe, Armstrong, Jones & Cuzán 2014, *Int. J. Forecasting* 30:43–54). Per issue, on the unit
scale, the ensemble's forecast is the weighted mean of its members' forecasts,

    ŷ = Σ_m w_m ŷ_m / Σ_{m: ŷ_m defined} w_m,

the weights renormalised over the members that give a forecast on the issue (NaN only if none
does). The mean of point forecasts is the median of the *quantile average* of degenerate
predictive distributions (Vincentization: averaging quantile functions, Genest 1992, *J. Amer.
Statist. Assoc.* 87:1100–1105; Lichtendahl, Grushka-Cockayne & Winkler 2013, *Management Science*
59(8):1594–1611); the ensemble's own predictive distribution comes, like any model's, from its
error model fitted on its cross-fitted residuals (docs/calibration.md). Each member's forecast
lies in the hull of the present positions, so the weighted mean does too.

Weights are learned on the calibration data by :func:`fit_weights` (a grid over the simplex,
minimising the mean absolute error on the unit scale) and checked by :func:`cross_fit_weights`
(grouped K-fold: every fold's weights are learned on the other folds' proposals only). The
defaults are the fit on the DEU dev file (docs/calibration.md, "The ensemble"); never on a file
reported as held out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from detente._typing import FloatArray
from detente.core.arrays import ScenarioArrays
from detente.core.results import Diagnostics, Prediction
from detente.errors import ModelConfigError
from detente.models.base import ModelInfo

DEFAULT_MEMBERS = "compromise,mixture"
# fit_weights (quantile CRPS) on the 210 issues of the DEU dev file: 0.5/0.5 (with the median as a
# third member it gets weight 0); scripts/fit_ensemble_weights.py, docs/calibration.md "The ensemble"
DEFAULT_WEIGHTS = "0.5,0.5"
GRID_STEP = 0.05


def _names(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in text.split(",") if x.strip())


def _weights(text: str, n: int) -> FloatArray:
    try:
        w = np.array([float(x) for x in _names(text)], dtype=np.float64)
    except ValueError as exc:
        raise ModelConfigError("weights", "numbers separated by commas", text) from exc
    if w.size != n:
        raise ModelConfigError("weights", f"{n} weights, one per member", text)
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ModelConfigError("weights", "non-negative numbers with a positive sum", text)
    return np.asarray(w / w.sum(), dtype=np.float64)


def combine(forecasts: npt.ArrayLike, weights: npt.ArrayLike) -> FloatArray:
    """Weighted mean over the members' axis 0 of ``forecasts`` (M, ...), renormalised where a
    member is NaN; NaN where every member is.

    >>> combine([[0.2, np.nan], [0.6, 0.5]], [0.75, 0.25]).round(3).tolist()
    [0.3, 0.5]
    """
    f = np.asarray(forecasts, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64).reshape((-1,) + (1,) * (f.ndim - 1))
    ok = np.isfinite(f)
    wsum = np.sum(np.where(ok, w, 0.0), axis=0)
    num = np.sum(np.where(ok, w * np.where(ok, f, 0.0), 0.0), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(wsum > 0, num / np.where(wsum > 0, wsum, 1.0), np.nan), dtype=np.float64)


def simplex_grid(m: int, step: float = GRID_STEP) -> FloatArray:
    """Every weight vector of ``m`` members on the grid ``0, step, …, 1`` that sums to 1 (rows)."""
    k = round(1.0 / step)
    rows = [c for c in product(range(k + 1), repeat=m - 1) if sum(c) <= k]
    return np.array([[*c, k - sum(c)] for c in rows], dtype=np.float64) / k


LEVELS: FloatArray = np.round(np.arange(1, 20) * 0.05, 2)
"""The 19 levels 5 … 95 % of the quantile-averaged predictive distributions (as analysis.predictive)."""


def residual_quantiles(forecasts: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    """Each member's empirical residual quantiles ``r_m(τ)`` of ``y − ŷ_m`` at :data:`LEVELS` (M, 19):
    split-conformal residual quantiles (Lei et al. 2018, *JASA* 113:1094–1111, §2.2)."""
    f = np.asarray(forecasts, dtype=np.float64)
    t = np.asarray(y, dtype=np.float64)
    out = np.zeros((f.shape[0], LEVELS.size))
    for m in range(f.shape[0]):
        r = (t - f[m])[np.isfinite(t) & np.isfinite(f[m])]
        if r.size:
            out[m] = np.quantile(r, LEVELS)
    return out


def quantile_average(forecasts: npt.ArrayLike, resid_q: npt.ArrayLike, weights: npt.ArrayLike) -> FloatArray:
    """Quantile averaging (Vincentization) of the members' predictive distributions
    ``clip(ŷ_m + r_m(τ), 0, 1)``: ``Q(τ) = Σ w_m Q_m(τ) / Σ w_m`` over the members defined on each
    issue; ``forecasts`` (M, n), ``resid_q`` (M, 19), ``weights`` (G, M) → (G, n, 19)."""
    f = np.asarray(forecasts, dtype=np.float64)
    q = np.clip(f[:, :, None] + np.asarray(resid_q)[:, None, :], 0.0, 1.0)  # (M, n, 19)
    defined = np.isfinite(f).astype(np.float64)  # (M, n)
    w = np.atleast_2d(np.asarray(weights, dtype=np.float64))
    num = np.einsum("gm,mnl->gnl", w, np.where(np.isfinite(q), q, 0.0))
    den = (w @ defined)[:, :, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan), dtype=np.float64)


def quantile_crps(q: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    """The quantile CRPS ``(2/L) Σ_τ PB_τ(Q(τ), y)`` over the last axis (pinball loss; Berrisch &
    Ziel 2023, *J. Econometrics* 237(2)): the objective of :func:`fit_weights` (reported scores use
    scoringrules, docs/calibration.md)."""
    qq = np.asarray(q, dtype=np.float64)
    t = np.asarray(y, dtype=np.float64)[..., None]
    d = t - qq
    return np.asarray(2.0 * np.mean(np.maximum(LEVELS * d, (LEVELS - 1.0) * d), axis=-1), dtype=np.float64)


def fit_weights(
    forecasts: npt.ArrayLike, y: npt.ArrayLike, step: float = GRID_STEP, objective: str = "crps"
) -> FloatArray:
    """The grid weights (:func:`simplex_grid`) with the smallest mean score on the issues with an
    outcome (``forecasts`` (M, n), ``y`` (n,), unit scale): ``"crps"`` the quantile CRPS of the
    quantile average of the members' residual-quantile distributions (fitted on the same issues),
    ``"mae"`` the absolute error of the weighted mean. Ties go to the first grid point."""
    f = np.asarray(forecasts, dtype=np.float64)
    t = np.asarray(y, dtype=np.float64)
    grid = simplex_grid(f.shape[0], step)
    ok = np.isfinite(t) & np.any(np.isfinite(f), axis=0)
    fo, to = f[:, ok], t[ok]
    if objective == "crps":
        qa = quantile_average(fo, residual_quantiles(fo, to), grid)  # (G, n, 19)
        err = np.nanmean(quantile_crps(qa, to[None, :]), axis=1)
    elif objective == "mae":
        defined = np.isfinite(fo).astype(np.float64)
        preds = (grid @ np.where(defined > 0, fo, 0.0)) / np.maximum(grid @ defined, 1e-300)
        err = np.nanmean(np.abs(np.where(grid @ defined > 0, preds, np.nan) - to), axis=1)
    else:
        raise ValueError(f"objective: expected 'crps' or 'mae', got {objective!r}")
    return np.asarray(grid[int(np.nanargmin(err))], dtype=np.float64)


def cross_fit_weights(
    forecasts: npt.ArrayLike,
    y: npt.ArrayLike,
    folds: Sequence[npt.NDArray[np.bool_]],
    step: float = GRID_STEP,
    objective: str = "crps",
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Out-of-fold ensemble forecasts (n,), their quantile-averaged predictive quantiles (n, 19)
    and each fold's weights (K, M): fold ``k``'s issues are combined with weights and residual
    quantiles learned on the other folds only (``folds``: test masks, e.g. grouped by proposal with
    :func:`detente.analysis.backtest.grouped_folds`)."""
    f = np.asarray(forecasts, dtype=np.float64)
    t = np.asarray(y, dtype=np.float64)
    out = np.full(t.shape, np.nan)
    qs = np.full(t.shape + (LEVELS.size,), np.nan)
    ws = []
    for test in folds:
        train = ~test
        w = fit_weights(f[:, train], t[train], step, objective)
        out[test] = combine(f[:, test], w)
        qs[test] = quantile_average(f[:, test], residual_quantiles(f[:, train], t[train]), w)[0]
        ws.append(w)
    return out, qs, np.array(ws)


@dataclass(frozen=True, slots=True)
class Ensemble:
    """Weighted mean of the members' forecasts (module docstring). ``members``: model names
    separated by commas; ``weights``: one non-negative number per member (normalised)."""

    members: str = DEFAULT_MEMBERS
    weights: str = DEFAULT_WEIGHTS
    info: ClassVar[ModelInfo] = ModelInfo(
        "ensemble",
        dynamic=False,
        stochastic=False,
        description="weighted mean of other models' forecasts (weights learned on DEU dev by cross-fitting)",
    )

    def __post_init__(self) -> None:
        names = _names(self.members)
        if not names:
            raise ModelConfigError("members", "model names separated by commas", self.members)
        if "ensemble" in names:
            raise ModelConfigError("members", "other models than ensemble itself", self.members)
        from detente.models.registry import get_model

        for n in names:
            info = type(get_model(n)).info
            if info.dynamic or info.stochastic:
                raise ModelConfigError(
                    "members", "static, deterministic models (no dynamic or stochastic ones)", n
                )
        _weights(self.weights, len(names))

    def predict(self, arrays: ScenarioArrays, rng: np.random.Generator) -> Prediction:
        from detente.models.registry import get_model

        names = _names(self.members)
        w = _weights(self.weights, len(names))
        outs = [np.asarray(get_model(n).predict(arrays, rng).outcome, dtype=np.float64) for n in names]
        out = combine(np.stack(outs), w)
        return Prediction(outcome=out, diagnostics=Diagnostics.closed_form(out.shape, {}))
