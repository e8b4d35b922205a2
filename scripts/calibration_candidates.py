"""Compare candidate error models for the compromise forecast by cross-fitted CRPS (docs/calibration.md §6).

    python scripts/calibration_candidates.py [data/deu/deu3_dev.tsv] [--model compromise]

Every candidate is fitted by K = 5 folds grouped by proposal (the backtest's folds) and scored on
the held-out folds with the package's scores (mixture CRPS, coverage 50/80 %, mean 80 % width), with
the proposal-bootstrap interval of the paired CRPS difference to the conformal (residual) baseline.
Candidates: residual quantiles (the baseline); linear quantile regression of the outcome on the
forecast alone, on forecast + spread (the shipped choice), and on forecast + spread + one more
feature from issue #14's list (distance to the nearer end, number of actors with a position,
unanimity). Never run it on a file that is reported as held out.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from _dev_backtest import dev_backtest

from detente.analysis.backtest import grouped_folds
from detente.analysis.calibration import quantile_regression
from detente.analysis.predictive import LEVELS, combine_curves
from detente.analysis.prob_scores import paired_crps_difference, probabilistic_metrics
from detente.core.scale import to_unit


def _fit_predict(X: np.ndarray, y: np.ndarray, groups: np.ndarray, residual: bool) -> np.ndarray:
    """Out-of-fold unclipped quantile curves (n, 19): residual quantiles around column 1 of X, or
    linear quantile regression on X."""
    out = np.full((y.size, LEVELS.size), np.nan)
    for test in grouped_folds(groups, 5):
        tr = ~test
        if residual:
            out[test] = X[test, 1][:, None] + np.quantile(y[tr] - X[tr, 1], LEVELS)[None, :]
        else:
            B = np.stack([quantile_regression(X[tr], y[tr], float(t)) for t in LEVELS], axis=1)
            out[test] = np.sort(X[test] @ B, axis=1)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", default="data/deu/deu3_dev.tsv")
    ap.add_argument("--model", default="compromise")
    a = ap.parse_args(argv)
    dev = dev_backtest(a.data, [a.model])
    cases, res, spread, scales = dev.cases, dev.result, dev.spread, dev.scales
    ok = np.isfinite(res.outcome) & np.isfinite(res.forecasts[a.model])
    y = to_unit(res.outcome, scales)[ok]
    f = to_unit(res.forecasts[a.model], scales)[ok]
    s = spread[ok]
    g = np.asarray(res.proposal_ids, dtype=object)[ok]
    n_act = np.concatenate([c.arrays.present.sum(axis=0) for c in cases])[ok] / 30.0
    unan = np.concatenate(
        [np.array([k in ("unanimity", "consensus") for k in c.arrays.rules.kind]) if c.arrays.rules else
         np.zeros(c.arrays.n_issues, bool) for c in cases]
    )[ok].astype(float)  # fmt: skip
    one = np.ones_like(f)
    cands = {
        "residual quantiles (conformal baseline)": (np.column_stack([one, f]), True),
        "QR: forecast": (np.column_stack([one, f]), False),
        "QR: forecast + spread (shipped)": (np.column_stack([one, f, s]), False),
        "QR: + distance to the nearer end": (np.column_stack([one, f, s, np.minimum(f, 1 - f)]), False),
        "QR: + number of actors": (np.column_stack([one, f, s, n_act]), False),
        "QR: + unanimity": (np.column_stack([one, f, s, unan]), False),
    }
    y100 = y * 100
    base = None
    sys.stdout.write(
        f"{a.model} on {a.data}: {y.size} issues, {len(set(g.tolist()))} proposals, 5 folds by proposal\n"
    )
    for name, (X, resid) in cands.items():
        curves = _fit_predict(X, y, g, resid)
        pred = combine_curves(curves[:, None, :] * 100, LEVELS, 0.0, 100.0)
        m = probabilistic_metrics(pred, y100, g)
        if base is None:
            base = pred
            diff = "baseline"
        else:
            d = paired_crps_difference(pred, base, y100, g)
            diff = f"{d['diff']:+.2f} [{d['low']:.2f}, {d['high']:.2f}]"
        sys.stdout.write(
            f"{name:42s} CRPS {m['crps']:6.2f} [{m['crps_ci'][0]:.2f}, {m['crps_ci'][1]:.2f}]  Δ {diff:22s} "
            f"cov50 {m['coverage50']:.2f} cov80 {m['coverage80']:.2f} w80 {m['width80']:5.1f} PIT-KS {m['pit_ks']:.3f}\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
