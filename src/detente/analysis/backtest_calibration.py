"""Predictive distributions for every model of a backtest (issue #14; docs/calibration.md §4).

Pure. After :func:`detente.analysis.backtest.run_backtest`, :func:`calibrate_backtest` gives every
model a predictive distribution per issue (``BacktestResult.predictive``, raw 0–100 units):

- ``"crossfit"`` (default): the error model (:mod:`detente.analysis.calibration`, kind
  ``hurdle`` by default: end masses + interior quantile regression) is fitted K times, each time on the other folds' proposals only, and predicts the
  held-out fold — no issue's distribution uses any issue of its own proposal;
- an :class:`~detente.analysis.calibration.ErrorModelSet` (``--calibration FILE``): fitted elsewhere, applied as is;
- ``"none"``: no model-error part; stochastic models keep their seeds' spread, deterministic
  ones a point mass at the forecast.

It also adds the ``conformal_compromise`` baseline: the compromise point forecast with the
unconditional residual quantiles (fitted the same way), the reference issue #14 sets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from detente._typing import FloatArray
from detente.analysis.backtest import N_DRAWS, BacktestResult, Case
from detente.analysis.calibration import (
    CONFORMAL_BASELINE,
    DEFAULT_FOLDS,
    DEFAULT_KIND,
    ErrorModelSet,
    cross_fit,
    predict,
    to_scale,
    weighted_spread,
)
from detente.analysis.end_masses import end_shares
from detente.analysis.predictive import Predictive
from detente.core.scale import to_unit


def add_predictive_scores(res: BacktestResult, rows: list[dict[str, Any]], n_draws: int = N_DRAWS) -> None:
    """Add to each leaderboard row (``analysis.backtest.leaderboard``) whose model has a predictive
    distribution its proper scores (``analysis.prob_scores``, docs/calibration.md §3) and the paired
    CRPS difference to the conformal-compromise baseline; replaces the seed-ensemble CRPS/coverage."""
    from detente.analysis.prob_scores import paired_crps_difference, probabilistic_metrics

    g = np.asarray(res.proposal_ids, dtype=object)
    base = res.predictive.get(CONFORMAL_BASELINE)
    for row in rows:
        name = row["model"]
        if name not in res.predictive:
            continue
        row.update(probabilistic_metrics(res.predictive[name], res.outcome, g, n_draws=n_draws))
        if base is not None and name != CONFORMAL_BASELINE:
            row["crps_diff_vs_" + CONFORMAL_BASELINE] = paired_crps_difference(
                res.predictive[name], base, res.outcome, g, n_draws=n_draws
            )


def case_columns(cases: Sequence[Case]) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per issue in case order: spread of positions (unit), scale low and high."""
    if not cases:
        z = np.zeros(0)
        return z, z, z
    spread = np.concatenate([weighted_spread(c.arrays) for c in cases])
    return spread, np.concatenate([c.scale_low for c in cases]), np.concatenate([c.scale_high for c in cases])


def case_end_shares(cases: Sequence[Case]) -> FloatArray:
    """Per issue in case order (n, 2): the c·s-weighted shares of positions at the low and high end."""
    if not cases:
        return np.zeros((0, 2))
    return np.concatenate([end_shares(c.arrays) for c in cases])


def calibrate_backtest(
    res: BacktestResult,
    cases: Sequence[Case],
    calibration: str | ErrorModelSet = "crossfit",
    *,
    k: int = DEFAULT_FOLDS,
    kind: str = DEFAULT_KIND,
) -> dict[str, Any]:
    """Fill ``res.predictive`` for every model with forecasts (and the conformal baseline);
    returns a description of how (recorded in the backtest's settings). ``kind``: the error model
    the cross-fitting fits (``hurdle`` or ``quantile_regression``)."""
    spread, lo, hi = case_columns(cases)
    shares = case_end_shares(cases)
    scales = np.stack([lo, hi], axis=-1)
    y_unit = to_unit(res.outcome, scales) if res.outcome.size else res.outcome
    groups = np.asarray(res.proposal_ids, dtype=object)
    if "compromise" in res.forecasts:
        res.forecasts[CONFORMAL_BASELINE] = res.forecasts["compromise"].copy()
    for name, f in res.forecasts.items():
        f_unit = to_unit(f, scales)
        pred: Predictive
        if calibration == "none":
            draws = res.ensembles.get(name)
            # draws are (issues, seeds); to_unit wants the issue axis last (core.scale.bounds takes
            # (I, 2) scales only: the (I, 1, 2) broadcast crashed --calibration none on smp/exchange)
            src = f_unit[:, None] if draws is None else to_unit(draws.T, scales).T
            pred = predict(None, src, spread)
        elif isinstance(calibration, ErrorModelSet):
            key = "compromise" if name == CONFORMAL_BASELINE else name
            em = calibration.get(key)
            if name == CONFORMAL_BASELINE and "conformal_compromise" in calibration.models:
                em = calibration.models["conformal_compromise"]
            label = f"{calibration.source}, {calibration.n:,} decisions"
            pred = predict(em, f_unit, spread, error_source=label, shares=shares)
        else:
            pred, _ = cross_fit(
                f_unit,
                spread,
                y_unit,
                groups,
                kind="residual" if name == CONFORMAL_BASELINE else kind,
                k=k,
                source="cross-fitted in this file",
                shares=shares,
            )
        res.predictive[name] = to_scale(pred, lo, hi)
    if calibration == "none":
        return {"mode": "none", "description": "no model-error part (input/seed spread only)"}
    if isinstance(calibration, ErrorModelSet):
        return {
            "mode": "file",
            "description": f"error models from {calibration.source} ({calibration.n:,} decisions)",
            "provenance": dict(calibration.provenance),
        }
    how = (
        "end point masses from a multinomial logit on the forecast, whether it sits at an end, the "
        "spread and the weighted shares of positions at each end, and linear quantile regression of "
        "the outcomes inside the scale on the forecast and the spread at 19 levels"
        if kind == "hurdle"
        else "linear quantile regression of the outcome on the forecast and the spread of positions at 19 levels"
    )
    return {
        "mode": "crossfit",
        "folds": k,
        "kind": kind,
        "description": (
            f"{k}-fold cross-fitting grouped by proposal: {how}; conformal_compromise = compromise "
            "+ unconditional residual quantiles"
        ),
    }


def fit_error_model_set(
    res: BacktestResult,
    cases: Sequence[Case],
    *,
    source: str,
    domain: str = "EU legislation",
    provenance: dict[str, Any] | None = None,
    kind: str = DEFAULT_KIND,
) -> ErrorModelSet:
    """Error models for every model of a backtest, each fitted on all issues with a forecast and an
    outcome (``kind``, by default ``hurdle``), plus ``conformal_compromise`` (residual kind on the compromise
    forecast) — what ``detente calibrate`` writes."""
    from detente.analysis.calibration import fit_error_model

    spread, lo, hi = case_columns(cases)
    shares = case_end_shares(cases)
    scales = np.stack([lo, hi], axis=-1)
    y_unit = to_unit(res.outcome, scales)
    groups = np.asarray(res.proposal_ids, dtype=object)
    models = {}
    for name, f in res.forecasts.items():
        if name == CONFORMAL_BASELINE or not np.isfinite(f).any():
            continue
        models[name] = fit_error_model(
            to_unit(f, scales), spread, y_unit, kind=kind, groups=groups, source=source, shares=shares
        )
    if "compromise" in res.forecasts:
        models[CONFORMAL_BASELINE] = fit_error_model(
            to_unit(res.forecasts["compromise"], scales),
            spread,
            y_unit,
            kind="residual",
            groups=groups,
            source=source,
        )
    ok = np.isfinite(res.outcome)
    n = int(ok.sum())
    default = "compromise" if "compromise" in models else next(iter(models))
    return ErrorModelSet(models, source, n, domain, default, dict(provenance or {}))


def zero_width_note(rows: Sequence[dict[str, Any]]) -> str | None:
    """Why some models' predictive ranges have no width, or None: the leaderboard rows (``width80``)
    of models that give one number per issue (deterministic, or every seed agrees) with no model
    error added (``--calibration none``). Issue #14: no interval of zero width without saying why;
    the terminal and the report print the same sentence."""
    points = [str(r["model"]) for r in rows if r.get("n_prob") and r.get("width80") == 0]
    if not points:
        return None
    return (
        f"Width 0: {', '.join(points)} give one number per issue here (deterministic, or every seed "
        "agrees) and no model error was added, so their ranges are points that cover only exact hits."
    )
