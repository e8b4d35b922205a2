"""Decision rules as features of the error model and of the ensemble's weights (issue #16 item 3).

Pure. Candidates measured by ``scripts/rule_feature_candidates.py`` (docs/calibration.md §9):

- :func:`error_model_rule_features`: per issue, on the unit scale, the rule code (``unanimity``:
  unanimity or consensus vs any other rule; ``setter``: an agenda setter, which on DEU is the
  consultation procedure, docs/decision_rules.md §1) and the pivot distances of a *forecast*:
  ``outside``, its signed distance to the acceptable set ``S = [low, high]`` of the rule's pivots
  (docs/decision_rules.md eqs. 1–2; + above the set, − below, 0 inside), and ``set_width``,
  ``high − low``. Extra columns for the linear quantile regression of
  :mod:`detente.analysis.calibration` (Koenker & Bassett 1978, eq. 1.5).
- :func:`rule_labels`: the rule kind per issue (``"fallback"`` where none is declared), the groups
  of the rule-aware ensemble;
- :func:`cross_fit_group_weights`: ensemble weights learned per group (e.g. per voting rule) by the
  ensemble's own criterion (:func:`detente.models.ensemble.fit_weights`, quantile CRPS of the
  quantile average), falling back to the weights of the whole training set for a group with fewer
  than ``min_n`` training issues; cross-fitted like
  :func:`detente.models.ensemble.cross_fit_weights`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from detente._typing import FloatArray
from detente.core.arrays import ScenarioArrays
from detente.models.ensemble import (
    GRID_STEP,
    LEVELS,
    combine,
    fit_weights,
    quantile_average,
    residual_quantiles,
)
from detente.models.procedural import rule_pivots

UNANIMOUS_KINDS = ("unanimity", "consensus")
MIN_GROUP = 30
"""Training issues a group needs for weights of its own (else the whole training set's)."""


def rule_labels(arrays: ScenarioArrays) -> npt.NDArray[np.object_]:
    """Per issue (I,): the declared rule kind, ``"fallback"`` where none is declared."""
    if arrays.rules is None:
        return np.array(["fallback"] * arrays.n_issues, dtype=object)
    r = arrays.rules
    return np.array([k if d else "fallback" for k, d in zip(r.kind, r.declared, strict=True)], dtype=object)


def error_model_rule_features(arrays: ScenarioArrays, forecast: npt.ArrayLike) -> dict[str, FloatArray]:
    """Rule code and pivot distances of a unit-scale ``forecast`` (I,) (module docstring), each (I,)."""
    piv, rules = rule_pivots(arrays)
    f = np.asarray(forecast, dtype=np.float64)
    kinds = [k if d else "" for k, d in zip(rules.kind, rules.declared, strict=True)]
    lo, hi = np.asarray(piv.low, dtype=np.float64), np.asarray(piv.high, dtype=np.float64)
    return {
        "unanimity": np.array([k in UNANIMOUS_KINDS for k in kinds], dtype=np.float64),
        "setter": (np.asarray(rules.setter) >= 0).astype(np.float64),
        "outside": np.maximum(f - hi, 0.0) - np.maximum(lo - f, 0.0),
        "set_width": hi - lo,
    }


def cross_fit_group_weights(
    forecasts: npt.ArrayLike,
    y: npt.ArrayLike,
    labels: Sequence[str] | npt.ArrayLike,
    folds: Sequence[npt.NDArray[np.bool_]],
    *,
    step: float = GRID_STEP,
    min_n: int = MIN_GROUP,
) -> tuple[FloatArray, FloatArray, dict[str, list[list[float]]]]:
    """Out-of-fold ensemble forecasts (n,) and quantile-averaged quantiles (n, 19) with weights per
    group: fold ``k``'s issues of group ``g`` use weights fitted on the other folds' issues of ``g``
    (on all other folds' issues if ``g`` has fewer than ``min_n`` there); the members' residual
    quantiles are the whole training set's, as in the pooled ensemble. Also the weights used, per
    group, one row per fold. ``forecasts`` (M, n), ``y`` (n,), unit scale."""
    f = np.asarray(forecasts, dtype=np.float64)
    t = np.asarray(y, dtype=np.float64)
    lab = np.asarray(labels, dtype=object)
    out = np.full(t.shape, np.nan)
    qs = np.full(t.shape + (LEVELS.size,), np.nan)
    used: dict[str, list[list[float]]] = {}
    for test in folds:
        train = ~test
        pooled = fit_weights(f[:, train], t[train], step)
        rq = residual_quantiles(f[:, train], t[train])
        for g in sorted(set(lab[test].tolist())):
            sel_tr = train & (lab == g) & np.isfinite(t)
            w = fit_weights(f[:, sel_tr], t[sel_tr], step) if sel_tr.sum() >= min_n else pooled
            sel = test & (lab == g)
            out[sel] = combine(f[:, sel], w)
            qs[sel] = quantile_average(f[:, sel], rq, w)[0]
            used.setdefault(str(g), []).append([float(x) for x in w])
    return out, qs, used
