"""Compare end-mass models of the hurdle error model by cross-fitted CRPS (docs/calibration.md §6.3).

    python scripts/end_mass_candidates.py [data/deu/deu3_dev.tsv] [--model compromise ...]

For each model, every candidate is fitted by K = 5 folds grouped by proposal (the backtest's folds)
and scored on the held-out folds with the package's scores: the quantile-regression error model
(the previous default) and hurdle error models whose end-mass logit uses different features; the
interior is always the quantile regression on forecast + spread fitted on the outcomes inside the
scale. Printed: mixture CRPS with its proposal-bootstrap interval, the paired difference to the
shipped hurdle, closed coverage 50/80 %, PIT KS and the mean end masses. Never run it on a file
that is reported as held out.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from _dev_backtest import dev_backtest

from detente.analysis.backtest import grouped_folds
from detente.analysis.calibration import cross_fit, fit_error_model
from detente.analysis.end_masses import end_classes, end_design, fit_end_model
from detente.analysis.predictive import LEVELS, Predictive, curve_draws, from_weighted_samples
from detente.analysis.prob_scores import paired_crps_difference, probabilistic_metrics
from detente.core.scale import to_unit


def _hurdle(
    X: np.ndarray, f: np.ndarray, s: np.ndarray, y: np.ndarray, g: np.ndarray, lam: float
) -> Predictive:
    """Out-of-fold hurdle predictive (unit scale) with end-mass features ``X`` (n, p)."""
    n = y.size
    q = np.full((n, LEVELS.size), np.nan)
    pl, ph = np.zeros(n), np.zeros(n)
    for test in grouped_folds(g, 5):
        tr = ~test
        ends = fit_end_model(X[tr], end_classes(y[tr]), lam=lam)
        inside = tr & (end_classes(y) == 1)
        inner = fit_error_model(f[inside], s[inside], y[inside])
        p = ends.probabilities(X[test])
        cont = curve_draws(inner.curves(f[test], s[test]), inner.levels, 400)
        vals = np.concatenate([np.zeros((p.shape[0], 1)), np.ones((p.shape[0], 1)), cont], axis=1)
        w = np.concatenate([p[:, [0, 2]], np.repeat(p[:, 1:2] / 400, 400, axis=1)], axis=1)
        pr = from_weighted_samples(vals, w, 0.0, 1.0)
        q[test], pl[test], ph[test] = pr.quantiles, pr.p_low_end, pr.p_high_end
    return Predictive(q * 100, pl, ph, np.zeros(n), np.full(n, 100.0))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", default="data/deu/deu3_dev.tsv")
    ap.add_argument("--model", action="append", default=None)
    a = ap.parse_args(argv)
    names = a.model or ["compromise", "procedural", "rule_compromise", "median"]
    dev = dev_backtest(a.data, names)
    cases, res, spread, scales = dev.cases, dev.result, dev.spread, dev.scales
    shares = dev.shares
    ref = np.concatenate([c.arrays.reference for c in cases])
    for name in names:
        ok = np.isfinite(res.outcome) & np.isfinite(res.forecasts[name])
        y = to_unit(res.outcome, scales)[ok]
        f = to_unit(res.forecasts[name], scales)[ok]
        s, sh, g = spread[ok], shares[ok], np.asarray(res.proposal_ids, dtype=object)[ok]
        rp = ref[ok]
        rp_cols = np.column_stack([np.nan_to_num(rp, nan=0.5), np.isnan(rp), rp <= 1e-9, rp >= 1 - 1e-9])
        X6 = end_design(f, s, sh)  # forecast, at_low, at_high, spread, w_low, w_high (shipped)
        cands = {
            "hurdle, shipped features (6)": (X6, 1.0),
            "hurdle, forecast only": (X6[:, :1], 1.0),
            "hurdle, forecast + at-an-end flags": (X6[:, :3], 1.0),
            "hurdle, without the spread": (X6[:, [0, 1, 2, 4, 5]], 1.0),
            "hurdle, shipped + reference point": (np.column_stack([X6, rp_cols]), 1.0),
            "hurdle, shipped, ridge 0.3": (X6, 0.3),
            "hurdle, shipped, ridge 3": (X6, 3.0),
        }
        y100 = y * 100
        qr, _ = cross_fit(f, s, y, g, kind="quantile_regression")
        preds = {"quantile regression (previous default)": Predictive(
            qr.quantiles * 100, qr.p_low_end, qr.p_high_end, np.zeros(y.size), np.full(y.size, 100.0)
        )}  # fmt: skip
        preds.update({k: _hurdle(X, f, s, y, g, lam) for k, (X, lam) in cands.items()})
        base = preds["hurdle, shipped features (6)"]
        sys.stdout.write(
            f"\n{name} on {a.data}: {y.size} issues, {len(set(g.tolist()))} proposals, 5 folds\n"
        )
        for k, pred in preds.items():
            m = probabilistic_metrics(pred, y100, g)
            d = paired_crps_difference(pred, base, y100, g)
            sys.stdout.write(
                f"{k:42s} CRPS {m['crps']:6.2f} [{m['crps_ci'][0]:.2f}, {m['crps_ci'][1]:.2f}]  "
                f"Δ {d['diff']:+.2f} [{d['low']:+.2f}, {d['high']:+.2f}]  cov50 {m['coverage50']:.2f} "
                f"cov80 {m['coverage80']:.2f}  PIT-KS {m['pit_ks']:.3f}  "
                f"p_low {np.mean(pred.p_low_end):.2f} p_high {np.mean(pred.p_high_end):.2f}\n"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
