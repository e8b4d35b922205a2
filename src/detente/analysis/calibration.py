"""Model error learned from real outcomes: the error model, its fit and cross-fitting (docs/calibration.md).

Pure (NumPy + SciPy's linear-programming solver). Everything here is on the unit scale (an issue's
scale mapped to [0, 1]); :func:`to_scale` maps a predictive distribution back.

The error model is a set of linear conditional quantile curves of the outcome, one per level
τ of a fixed grid (:data:`FIT_LEVELS`), in the features known before the outcome:

    Q_τ(Y | f, s) = b0_τ + b1_τ · f + b2_τ · s

with ``f`` the model's point forecast and ``s`` the spread of the actors' positions (the c·s
weighted standard deviation; docs/calibration.md §2). Two fits share this form:

- ``quantile_regression``: each τ by linear quantile regression (Koenker & Bassett 1978, eq. 1.5,
  solved as its linear programme), curves rearranged to be non-decreasing in τ (Chernozhukov,
  Fernández-Val & Galichon 2010, §2);
- ``residual``: ``b1 = 1``, ``b2 = 0`` and ``b0_τ`` the empirical τ-quantile of the residuals
  ``y − f`` — split-conformal residual quantiles (Vovk et al. 2005; Lei et al. 2018, §2.2), the
  *conformal compromise* baseline of issue #14 when ``f`` is the compromise forecast;
- ``hurdle`` (the default, :data:`DEFAULT_KIND`): the end point masses from their own multinomial
  logit (:mod:`detente.analysis.end_masses`) and the curves fitted by quantile regression on the
  issues whose outcome lies strictly inside the scale — a zero-and-one inflated distribution
  (Ospina & Ferrari 2012, eq. 2.1).

A predictive distribution is the curve clipped to [0, 1]: the share of levels whose curve lies
at or beyond an end becomes that end's point mass (:mod:`detente.analysis.predictive`). With
input uncertainty (several forecasts per issue, e.g. the seeded sweep) the predictive is the
equal-weight mixture of the curves at each draw (the law of total probability over the draws).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from detente._typing import FloatArray
from detente.analysis.end_masses import EndModel, end_classes, end_design, end_shares, fit_end_model
from detente.analysis.predictive import LEVELS, Predictive, combine_curves, curve_draws, from_weighted_samples
from detente.core.arrays import ScenarioArrays

FIT_LEVELS: FloatArray = LEVELS
"""Levels at which the error model's curves are fitted (the 19 levels 5 … 95 %)."""
FEATURES: tuple[str, ...] = ("forecast", "spread")
"""The conditioning features, in the order of the coefficients after the intercept."""
KINDS: tuple[str, ...] = ("quantile_regression", "residual", "hurdle")
DEFAULT_KIND = "hurdle"
"""The kind the backtest's cross-fitting and ``detente calibrate`` fit (docs/calibration.md §2)."""
DEFAULT_FOLDS = 5
"""K of the K-fold cross-fitting grouped by proposal (backtest)."""
MIN_QR = 20
"""Fewer issues than this: the quantile-regression fit falls back to the residual kind."""
FORMAT_VERSION = 2
"""The error-model file format this version writes and the newest it reads (docs/calibration.md §5)."""
CONFORMAL_BASELINE = "conformal_compromise"
"""The conformal baseline's entry: compromise forecast + unconditional residual quantiles."""


@dataclass(frozen=True, slots=True)
class ErrorModel:
    """Linear conditional quantile curves of the outcome (unit scale), one row per level.

    ``coef`` (L, 1 + len(FEATURES)): intercept, forecast, spread; ``levels`` (L,); ``n`` issues
    and ``n_groups`` proposals it was fitted on; ``source`` names them (e.g. the DEU file).
    ``ends`` (kind ``hurdle``): the end-mass logit; the curves are then those of the interior.
    """

    kind: str
    coef: FloatArray
    levels: FloatArray = field(default_factory=lambda: FIT_LEVELS.copy())
    n: int = 0
    n_groups: int = 0
    source: str = ""
    ends: EndModel | None = None

    def curves(self, forecast: npt.ArrayLike, spread: npt.ArrayLike) -> FloatArray:
        """Unclipped, rearranged quantile curves (..., L) at ``forecast`` and ``spread`` (broadcast)."""
        f = np.asarray(forecast, dtype=np.float64)
        s = np.broadcast_to(np.asarray(spread, dtype=np.float64), f.shape)
        c = self.coef
        q = c[:, 0] + f[..., None] * c[:, 1] + s[..., None] * c[:, 2]
        return np.sort(q, axis=-1)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "kind": self.kind,
            "features": list(FEATURES),
            "levels": [float(x) for x in self.levels],
            "coef": [[float(x) for x in row] for row in self.coef],
            "n": self.n,
            "n_groups": self.n_groups,
            "source": self.source,
        }
        if self.ends is not None:
            d["ends"] = self.ends.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ErrorModel:
        """The inverse of :meth:`to_dict`; raises ``ValueError`` naming the field that is wrong."""
        kind = str(d.get("kind", ""))
        if kind not in KINDS:
            raise ValueError(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}")
        if list(d.get("features", [])) != list(FEATURES):
            raise ValueError(f"features: expected {list(FEATURES)}, got {d.get('features')!r}")
        levels = np.asarray(d.get("levels", []), dtype=np.float64)
        coef = np.asarray(d.get("coef", []), dtype=np.float64)
        if (
            levels.ndim != 1
            or levels.size < 2
            or np.any(np.diff(levels) <= 0)
            or levels[0] <= 0
            or levels[-1] >= 1
        ):
            raise ValueError("levels: expected an increasing list of numbers strictly between 0 and 1")
        if coef.shape != (levels.size, 1 + len(FEATURES)) or not np.all(np.isfinite(coef)):
            raise ValueError(f"coef: expected {levels.size} rows of {1 + len(FEATURES)} finite numbers")
        ends = None
        if kind == "hurdle":
            raw = d.get("ends")
            if not isinstance(raw, Mapping):
                raise ValueError("ends: a hurdle error model needs its end-mass model (an object)")
            ends = EndModel.from_dict(raw)
        n, n_groups, source = int(d.get("n", 0)), int(d.get("n_groups", 0)), str(d.get("source", ""))
        return cls(kind, coef, levels, n, n_groups, source, ends)


# --------------------------------------------------------------------------- features
def weighted_spread(arrays: ScenarioArrays) -> FloatArray:
    """Per issue (I,): the c·s-weighted standard deviation of the present actors' positions (unit
    scale; 0 if nobody has weight). A feature known before the outcome (docs/calibration.md §2)."""
    w = np.where(arrays.present, arrays.capability * arrays.salience, 0.0)
    tot = w.sum(axis=-2)
    safe = np.where(tot > 0, tot, 1.0)
    m = (w * arrays.position).sum(axis=-2) / safe
    var = (w * (arrays.position - m[..., None, :]) ** 2).sum(axis=-2) / safe
    return np.asarray(np.where(tot > 0, np.sqrt(np.maximum(var, 0.0)), 0.0), dtype=np.float64)


# --------------------------------------------------------------------------- fitting
def quantile_regression(X: FloatArray, y: FloatArray, tau: float) -> FloatArray:
    """Linear quantile regression coefficients: ``argmin_b Σ ρ_τ(y − Xb)`` (Koenker & Bassett
    1978, eq. 1.5). Solved through its dual linear programme ``max y'a`` s.t. ``X'a = (1 − τ)X'1``,
    ``0 ≤ a ≤ 1`` (Koenker 2005, §6.2; about three times faster than the primal here): the
    coefficients are the multipliers of the equality constraints, from HiGHS."""
    from scipy.optimize import linprog

    n = X.shape[0]
    res = linprog(-y, A_eq=X.T, b_eq=(1.0 - tau) * X.sum(axis=0), bounds=[(0.0, 1.0)] * n, method="highs")
    if not res.success:  # pragma: no cover - feasible (a = 1 − τ) and bounded for 0 < τ < 1
        raise ValueError(f"quantile regression at τ={tau} did not solve: {res.message}")
    return np.asarray(-res.eqlin.marginals, dtype=np.float64)


def fit_error_model(
    forecast: npt.ArrayLike,
    spread: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    kind: str = "quantile_regression",
    groups: Sequence[str] | npt.ArrayLike | None = None,
    source: str = "",
    shares: npt.ArrayLike | None = None,
) -> ErrorModel:
    """Fit an :class:`ErrorModel` on the issues where forecast, spread and outcome are finite (unit
    scale). Kind ``hurdle`` needs ``shares`` (n, 2), the end shares of positions
    (:func:`detente.analysis.end_masses.end_shares`)."""
    f, s, t = (np.asarray(v, dtype=np.float64) for v in (forecast, spread, y))
    ok = np.isfinite(f) & np.isfinite(s) & np.isfinite(t)
    f, s, t = f[ok], s[ok], t[ok]
    n = int(t.size)
    if n < 1:
        raise ValueError("an error model needs at least one issue with a forecast and an outcome (got none)")
    if kind in ("quantile_regression", "hurdle") and n < MIN_QR:
        kind = "residual"  # too few issues for three coefficients per level: the residual quantiles
    if kind == "hurdle":
        if shares is None:
            raise ValueError("a hurdle error model needs the end shares of positions (shares)")
        sh = np.asarray(shares, dtype=np.float64).reshape(-1, 2)[ok]
        return _fit_hurdle(
            f, s, t, sh, groups if groups is None else np.asarray(groups, dtype=object)[ok], source
        )
    n_groups = n if groups is None else len({str(x) for x in np.asarray(groups, dtype=object)[ok].tolist()})
    L = FIT_LEVELS.size
    if kind == "residual":
        coef = np.column_stack([np.quantile(t - f, FIT_LEVELS), np.ones(L), np.zeros(L)])
    elif kind == "quantile_regression":
        X = np.column_stack([np.ones(n), f, s])
        coef = np.stack([quantile_regression(X, t, float(tau)) for tau in FIT_LEVELS])
    else:
        raise ValueError(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    return ErrorModel(kind, coef, FIT_LEVELS.copy(), n, n_groups, source)


def _fit_hurdle(
    f: FloatArray, s: FloatArray, t: FloatArray, shares: FloatArray, groups: Any, source: str
) -> ErrorModel:
    """The ``hurdle`` kind on finite rows: the end-mass logit on every issue, the curves by quantile
    regression on the issues strictly inside the scale (residual quantiles below :data:`MIN_QR`)."""
    ends = fit_end_model(end_design(f, s, shares), end_classes(t))
    inside = end_classes(t) == 1
    if int(inside.sum()) >= MIN_QR:
        inner = fit_error_model(f[inside], s[inside], t[inside])
    elif inside.any():
        inner = fit_error_model(f[inside], s[inside], t[inside], kind="residual")
    else:  # every outcome at an end: the interior is never used with any weight worth a curve
        inner = fit_error_model(f, s, np.clip(t, 0.0, 1.0), kind="residual")
    n_groups = t.size if groups is None else len({str(x) for x in groups.tolist()})
    return ErrorModel("hurdle", inner.coef, FIT_LEVELS.copy(), int(t.size), n_groups, source, ends)


# --------------------------------------------------------------------------- predicting
def predict(
    model: ErrorModel | None,
    forecast: npt.ArrayLike,
    spread: npt.ArrayLike,
    *,
    error_source: str | None = None,
    shares: npt.ArrayLike | None = None,
) -> Predictive:
    """Unit-scale predictive distributions (n issues) from point forecasts (n,) or input draws
    (n, m): the mixture over the draws of the error model's clipped curves (kind ``hurdle``: of
    its end masses and interior curves, which needs the end shares ``shares`` (n, 2)).
    ``model=None``: no model error, the draws' own distribution (input uncertainty only)."""
    f = np.array(forecast, dtype=np.float64)
    draws = f[:, None] if f.ndim == 1 else f
    n = draws.shape[0]
    s = np.broadcast_to(np.asarray(spread, dtype=np.float64), (n,))
    if model is None:
        return combine_curves(draws[:, :, None], np.array([0.5]), 0.0, 1.0)
    curves = model.curves(draws, s[:, None])  # (n, m, L)
    src = model.source if error_source is None else error_source
    if model.ends is None:
        return combine_curves(
            curves, model.levels, 0.0, 1.0, input_draws=draws, error_source=src, error_n=model.n
        )
    if shares is None:
        raise ValueError("a hurdle error model needs the end shares of positions (shares)")
    sh = np.broadcast_to(np.asarray(shares, dtype=np.float64).reshape(-1, 2), (n, 2))
    return _hurdle_mixture(model, draws, s, sh, src)


def _hurdle_mixture(
    model: ErrorModel, draws: FloatArray, s: FloatArray, sh: FloatArray, src: str
) -> Predictive:
    """The equal-weight mixture over the input draws (n, m) of ``π_low δ_0 + π_high δ_1 +
    π_inside · (interior curve clipped to [0, 1])``, each curve quantised at midpoint levels."""
    assert model.ends is not None
    n, m = draws.shape
    probs = model.ends.probabilities(end_design(draws, s[:, None], sh[:, None, :]))  # (n, m, 3)
    J = max(50, 2000 // max(m, 1))
    cont = curve_draws(model.curves(draws, s[:, None]), model.levels, J).reshape(n, m * J)
    values = np.concatenate([np.zeros((n, m)), np.ones((n, m)), cont], axis=1)
    weights = np.concatenate(
        [probs[..., 0] / m, probs[..., 2] / m, np.repeat(probs[..., 1] / (m * J), J, axis=1)], axis=1
    )
    iq = np.quantile(np.clip(draws, 0.0, 1.0), LEVELS, axis=1).T
    return from_weighted_samples(
        values, weights, 0.0, 1.0, input_quantiles=iq, error_source=src, error_n=model.n
    )


def to_scale(pred: Predictive, low: npt.ArrayLike, high: npt.ArrayLike) -> Predictive:
    """A unit-scale predictive distribution mapped to issue scales ``[low, high]`` (n,)."""
    lo = np.broadcast_to(np.asarray(low, dtype=np.float64), (pred.n,))
    hi = np.broadcast_to(np.asarray(high, dtype=np.float64), (pred.n,))
    w = (hi - lo)[:, None]
    iq = None if pred.input_quantiles is None else lo[:, None] + w * pred.input_quantiles
    return Predictive(
        lo[:, None] + w * pred.quantiles,
        pred.p_low_end.copy(),
        pred.p_high_end.copy(),
        lo.copy(),
        hi.copy(),
        iq,
        pred.error_source,
        pred.error_n,
    )


# --------------------------------------------------------------------------- cross-fitting
def cross_fit(
    forecast: npt.ArrayLike,
    spread: npt.ArrayLike,
    y: npt.ArrayLike,
    groups: Sequence[str] | npt.ArrayLike,
    *,
    kind: str = "quantile_regression",
    k: int = DEFAULT_FOLDS,
    source: str = "cross-fitted",
    shares: npt.ArrayLike | None = None,
) -> tuple[Predictive, list[npt.NDArray[np.bool_]]]:
    """Out-of-fold predictive distributions (unit scale): K folds of whole proposals (groups dealt
    round-robin in label order, :func:`detente.analysis.backtest.grouped_folds`); each fold's
    issues get the error model fitted on the other folds only, so no issue's distribution uses
    any issue of its own proposal. Returns the predictive (n issues; NaN rows where the forecast
    is missing) and the test masks. Kind ``hurdle`` needs ``shares`` (n, 2)."""
    from detente.analysis.backtest import grouped_folds

    f = np.asarray(forecast, dtype=np.float64)
    s = np.asarray(spread, dtype=np.float64)
    t = np.asarray(y, dtype=np.float64)
    g = np.asarray([str(x) for x in np.asarray(groups, dtype=object).tolist()], dtype=object)
    folds = grouped_folds(g, k)
    n = f.shape[0]
    sh = None if shares is None else np.asarray(shares, dtype=np.float64).reshape(n, 2)
    q = np.full((n, LEVELS.size), np.nan)
    pl, ph = np.full(n, np.nan), np.full(n, np.nan)
    iq = np.full((n, LEVELS.size), np.nan)
    n_fit = 0
    for test in folds:
        train = ~test
        idx = np.flatnonzero(test & np.isfinite(f))
        if idx.size == 0:
            continue
        usable = train & np.isfinite(f) & np.isfinite(s) & np.isfinite(t)
        em = (
            fit_error_model(
                f[train],
                s[train],
                t[train],
                kind=kind,
                groups=g[train],
                shares=None if sh is None else sh[train],
            )
            if usable.any()
            else None
        )
        n_fit = max(n_fit, 0 if em is None else em.n)
        # no usable training issue: the point forecast alone
        p = predict(em, f[idx], s[idx], shares=None if sh is None else sh[idx])
        q[idx], pl[idx], ph[idx] = p.quantiles, p.p_low_end, p.p_high_end
        if p.input_quantiles is not None:
            iq[idx] = p.input_quantiles
    label = f"{source} ({k} folds by proposal)"
    return Predictive(q, pl, ph, np.zeros(n), np.ones(n), iq, label, n_fit), folds


# --------------------------------------------------------------------------- a set of error models (a file)
@dataclass(frozen=True, slots=True)
class ErrorModelSet:
    """One :class:`ErrorModel` per forecasting model, with where they come from.

    ``source``: what they were learned on (e.g. ``"DEU III dev split (data/deu/deu3_dev.tsv)"``);
    ``n``: on how many decisions; ``domain``: what kind of decisions; ``provenance``: file hash,
    date, licence, version, method. A model without its own entry uses ``default``'s. Implements
    the ``ErrorModel`` protocol of :mod:`detente.analysis.intervals` (:meth:`residuals`).
    """

    models: Mapping[str, ErrorModel]
    source: str
    n: int
    domain: str = "EU legislation"
    default: str = "compromise"
    provenance: Mapping[str, Any] = field(default_factory=dict)

    def missing(self, names: Iterable[str]) -> list[str]:
        """The models among ``names`` without an error model of their own (they use ``default``'s)."""
        return [n for n in dict.fromkeys(names) if n not in self.models and n != CONFORMAL_BASELINE]

    def get(self, model: str) -> ErrorModel:
        """The error model of ``model`` (its own, else the default's)."""
        if model in self.models:
            return self.models[model]
        return self.models[self.default]

    def predictive(
        self, arrays: ScenarioArrays, model: str, forecast: npt.ArrayLike, scales: npt.ArrayLike
    ) -> Predictive:
        """Raw-unit predictive distributions of one model on a scenario: ``forecast`` (I,) point
        forecasts or (I, m) input draws in raw units, ``scales`` (I, 2) rows ``(low, high)``."""
        sc = np.asarray(scales, dtype=np.float64).reshape(-1, 2)
        lo, hi = sc[:, 0], sc[:, 1]
        f = np.asarray(forecast, dtype=np.float64)
        unit = (f - (lo if f.ndim == 1 else lo[:, None])) / (hi - lo if f.ndim == 1 else (hi - lo)[:, None])
        em = self.get(model)
        # the decisions this model's error model was fitted on (nbs: 154 with a status quo), not the set's 210:
        # "model error (154 decisions, DEU III (…), 210 decisions)" read as a contradiction (QA)
        src = f"{self.source}, {em.n:,} decisions"
        pred = predict(em, unit, weighted_spread(arrays), error_source=src, shares=end_shares(arrays))
        return to_scale(pred, lo, hi)

    def residuals(self, scenario: Any, model: str, point: FloatArray, m: int = 200) -> FloatArray:
        """Draws (I, m) of ``outcome − forecast`` in the issues' raw units at the point forecasts
        ``point`` (I,): the error model's curve quantised at ``m`` midpoint levels, minus the point
        (so ``clip(point + residual)`` is the model's predictive distribution)."""
        from detente.analysis.predictive import grid
        from detente.core.arrays import to_arrays

        arrays = to_arrays(scenario)
        lo = np.array([iss.scale.low for iss in scenario.issues], dtype=np.float64)
        hi = np.array([iss.scale.high for iss in scenario.issues], dtype=np.float64)
        p = np.asarray(point, dtype=np.float64)
        em = self.get(model)
        unit = (p - lo) / (hi - lo)
        if em.ends is not None:  # the mixture's own midpoint quantisation (end masses included)
            pred = predict(em, unit, weighted_spread(arrays), shares=end_shares(arrays))
            draws = grid(pred, m)
        else:
            draws = curve_draws(em.curves(unit, weighted_spread(arrays)), em.levels, m)
        return np.asarray((draws - unit[:, None]) * (hi - lo)[:, None], dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "detente-error-models",
            "format_version": FORMAT_VERSION,
            "source": self.source,
            "n": self.n,
            "domain": self.domain,
            "default": self.default,
            "provenance": dict(self.provenance),
            "models": {k: v.to_dict() for k, v in self.models.items()},
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ErrorModelSet:
        """The inverse of :meth:`to_dict`; raises ``ValueError`` naming the field that is wrong."""
        if d.get("format") != "detente-error-models":
            raise ValueError("format: expected 'detente-error-models' (a file written by detente calibrate)")
        version = d.get("format_version", 1)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ValueError(
                f"format_version: expected a whole number from 1 to {FORMAT_VERSION}, got {version!r}"
            )
        if version > FORMAT_VERSION:
            raise ValueError(
                f"format_version: {version} is newer than this detente reads ({FORMAT_VERSION}); "
                "update detente or re-run detente calibrate"
            )
        raw = d.get("models")
        if not isinstance(raw, Mapping) or not raw:
            raise ValueError("models: expected a non-empty mapping of model name to error model")
        models: dict[str, ErrorModel] = {}
        for name, em in raw.items():
            try:
                models[str(name)] = ErrorModel.from_dict(em)
            except (ValueError, TypeError, AttributeError) as exc:
                raise ValueError(f"models.{name}.{exc}") from None
        default = str(d.get("default", "compromise"))
        if default not in models:
            raise ValueError(f"default: {default!r} is not one of the models ({', '.join(models)})")
        prov = d.get("provenance", {})
        return cls(
            models,
            str(d.get("source", "")),
            int(d.get("n", 0)),
            str(d.get("domain", "")),
            default,
            dict(prov) if isinstance(prov, Mapping) else {},
        )
