"""The backtest leaderboard split by decision rule and procedure (docs/decision_rules.md §4).

Pure. Per subgroup (DEU ``counvte``: QMV / Unan / QMV(10); ``proc``: COD / CNS; and their
combination) and model: MAE with its proposal-bootstrap 95 % interval, the paired difference to
the compromise model with its interval, and CRPS where the model gave an ensemble (validation.md
§2: proposals are resampled, never issues). Small subgroups are kept and flagged (``small``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from detente.analysis.backtest import (
    N_DRAWS,
    BacktestResult,
    bootstrap_counts,
    bootstrap_metrics,
    crps_ensemble,
    group_codes,
    paired_difference,
    point_metrics,
)

SPLITS: tuple[tuple[str, str], ...] = (
    ("council_rule", "Council voting rule"),
    ("procedure", "procedure"),
    ("rule_procedure", "rule × procedure"),
)
SMALL = 20  # issues: below this a subgroup's numbers are shown for completeness only
MIN_PROPOSALS_CI = 3
"""Proposals: below this a subgroup's bootstrap interval (resampling proposals) is degenerate, e.g.
[7.27, 7.27] for one proposal, so it is shown as 'n too small' instead (validation.md §2)."""
TOO_FEW = "n too small"


def has_interval(row: Mapping[str, Any]) -> bool:
    """Whether a subgroup row's proposal-bootstrap intervals mean anything (``MIN_PROPOSALS_CI``)."""
    return int(row.get("n_proposals", 0)) >= MIN_PROPOSALS_CI


def _labels(res: BacktestResult, meta: Mapping[str, Mapping[str, str]], key: str) -> np.ndarray:
    def one(iid: str) -> str:
        m = meta.get(iid, {})
        if key == "rule_procedure":
            return f"{m.get('council_rule') or 'n/a'} / {m.get('procedure') or 'n/a'}"
        return m.get(key, "") or "n/a"

    return np.array([one(i) for i in res.issue_ids], dtype=object)


def subgroup_leaderboard(
    res: BacktestResult,
    meta: Mapping[str, Mapping[str, str]],
    *,
    baseline: str = "compromise",
    n_draws: int = N_DRAWS,
) -> list[dict[str, Any]]:
    """One row per (split, level, model): ``split``, ``level``, ``n``, ``n_proposals``, ``small``,
    ``model``, ``mae``, ``mae_ci``, ``diff_vs_<baseline>`` ({n, diff, low, high}), ``crps`` (of the
    seeds' ensemble; NaN if none) and, for a model with a calibrated predictive distribution
    (``res.predictive``, issue #14), ``crps_predictive`` with ``crps_predictive_ci``."""
    y = res.outcome
    g = np.asarray(res.proposal_ids, dtype=object)
    base = res.forecasts.get(baseline)
    per_crps = {name: _predictive_crps(pred, y) for name, pred in getattr(res, "predictive", {}).items()}
    rows: list[dict[str, Any]] = []
    for key, _label in SPLITS:
        vals = _labels(res, meta, key)
        for lev in sorted(set(vals[np.isfinite(y)].tolist())):
            sel = vals == lev
            n = int((sel & np.isfinite(y)).sum())
            n_prop = len(set(g[sel & np.isfinite(y)].tolist()))
            for name, f in res.forecasts.items():
                pm = point_metrics(f[sel], y[sel], g[sel])
                ci = bootstrap_metrics(f[sel], y[sel], g[sel], n_draws)
                row: dict[str, Any] = {
                    "split": key,
                    "level": lev,
                    "n": int(pm["n"]),
                    "n_proposals": n_prop,
                    "small": n < SMALL,
                    "model": name,
                    "mae": float(pm["mae"]),
                    "mae_ci": ci["mae"],
                    "crps": float("nan"),
                }
                if base is not None and name != baseline:
                    row["diff_vs_" + baseline] = paired_difference(f[sel], base[sel], y[sel], g[sel], n_draws)
                ens = res.ensembles.get(name)
                if ens is not None:
                    ok = sel & np.isfinite(y) & np.all(np.isfinite(ens), axis=1)
                    if ok.any():
                        row["crps"] = float(crps_ensemble(ens[ok], y[ok]).mean())
                if name in per_crps:
                    row["crps_predictive"], row["crps_predictive_ci"] = _mean_ci(
                        per_crps[name][sel], g[sel], n_draws
                    )
                rows.append(row)
    return rows


def _predictive_crps(pred: Any, y: np.ndarray) -> np.ndarray:
    from detente.analysis.prob_scores import crps_mixture

    return np.asarray(crps_mixture(pred, y), dtype=np.float64)


def _mean_ci(values: np.ndarray, groups: np.ndarray, n_draws: int) -> tuple[float, tuple[float, float]]:
    """Mean of the finite ``values`` and its proposal-bootstrap 95 % interval (validation.md §2)."""
    ok = np.isfinite(values)
    if not ok.any():
        return float("nan"), (float("nan"), float("nan"))
    codes, G = group_codes(groups[ok])
    cnt = bootstrap_counts(G, n_draws).astype(np.float64)
    s = np.bincount(codes, weights=values[ok], minlength=G)
    n = np.bincount(codes, minlength=G).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        stats = (cnt @ s) / (cnt @ n)
    stats = stats[np.isfinite(stats)]
    lo, hi = np.percentile(stats, [2.5, 97.5]) if stats.size else (np.nan, np.nan)
    return float(values[ok].mean()), (float(lo), float(hi))


def split_levels(rows: list[dict[str, Any]], split: str) -> list[str]:
    """The levels of ``split`` in ``rows``, in order."""
    return list(dict.fromkeys(r["level"] for r in rows if r["split"] == split))


def rule_aware_selection(
    res: BacktestResult,
    meta: Mapping[str, Mapping[str, str]],
    candidates: tuple[str, ...],
    *,
    split: str = "rule_procedure",
    default: str = "compromise",
    k: int | None = None,
) -> np.ndarray:
    """Cross-fitted choice of model per subgroup: for each grouped fold (by proposal; LOPO when
    ``k`` is None), each subgroup's held-out issues get the forecast of the candidate with the
    lowest MAE on that subgroup's training issues (``default`` when it has none). Out-of-fold
    forecasts, shape (issues,); the honest number for "does knowing the rule help pick a model?"."""
    from detente.analysis.backtest import grouped_folds

    y = res.outcome
    labels = _labels(res, meta, split)
    out = np.full(y.shape, np.nan)
    for test in grouped_folds(res.proposal_ids, k):
        train = ~test & np.isfinite(y)
        for lev in set(labels[test].tolist()):
            tr = train & (labels == lev)
            best = default
            if tr.any():
                maes = {c: float(np.nanmean(np.abs(res.forecasts[c][tr] - y[tr]))) for c in candidates}
                best = min(candidates, key=lambda c: (maes[c], candidates.index(c)))
            te = test & (labels == lev)
            out[te] = res.forecasts[best][te]
    return out
