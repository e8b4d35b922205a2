"""Do the decision rule and the pivot distances help the error model and the ensemble? (issue #16 item 3)

    python scripts/rule_feature_candidates.py [data/deu/deu3_dev.tsv] [--models compromise,median,...]

Error model (docs/calibration.md §2), per model, cross-fitted by K = 5 folds grouped by proposal
(the backtest's folds), linear quantile regression at the 19 levels on
(a) the shipped features: forecast + spread of positions;
(b) (a) + rule code: unanimity (vs QMV), agenda setter (consultation vs co-decision);
(c) (a) + pivot distances: signed distance of the forecast to the pivots' acceptable set, its width;
(d) (a) + both.
Ensemble (docs/ensemble.md): pooled cross-fitted weights vs weights per Council voting rule
(``analysis.rule_calibration.cross_fit_group_weights``), for the shipped members and a rule-diverse
pool. Scores: mixture and quantile CRPS (0-100), 80 % coverage, the paired per-issue CRPS and
quantile-CRPS differences to (a) (to the pooled weights for the ensemble) with proposal-bootstrap
95 % intervals (validation.md §2). Development numbers: never run it on a file reported as held out.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from _dev_backtest import dev_backtest

from detente.analysis.backtest import bootstrap_counts, group_codes, grouped_folds
from detente.analysis.calibration import quantile_regression
from detente.analysis.predictive import LEVELS, Predictive, combine_curves
from detente.analysis.prob_scores import paired_crps_difference, probabilistic_metrics, quantile_crps
from detente.analysis.rule_calibration import cross_fit_group_weights, error_model_rule_features, rule_labels
from detente.core.scale import to_unit
from detente.models.ensemble import cross_fit_weights

MODELS = "compromise,median,procedural,rule_compromise,mixture"
POOLS = ("compromise,mixture", "compromise,median,procedural,rule_compromise")


def say(text: str) -> None:
    sys.stdout.write(text + "\n")


def oof_qr(X: np.ndarray, y: np.ndarray, folds: list[np.ndarray]) -> np.ndarray:
    """Out-of-fold quantile curves (n, 19) of the linear quantile regression of y on X."""
    out = np.full((y.size, LEVELS.size), np.nan)
    for test in folds:
        B = np.stack([quantile_regression(X[~test], y[~test], float(t)) for t in LEVELS], axis=1)
        out[test] = np.sort(X[test] @ B, axis=1)
    return out


def to_pred(curves: np.ndarray) -> Predictive:
    return combine_curves(curves[:, None, :] * 100, LEVELS, 0.0, 100.0)


def paired_qcrps(
    pred: Predictive, base: Predictive, y: np.ndarray, g: np.ndarray
) -> tuple[float, float, float]:
    """Mean paired quantile-CRPS difference with its proposal-bootstrap 95 % interval."""
    d = quantile_crps(pred, y) - quantile_crps(base, y)
    ok = np.isfinite(d)
    codes, G = group_codes(g[ok])
    cnt = bootstrap_counts(G).astype(np.float64)
    s = np.bincount(codes, weights=d[ok], minlength=G)
    n = np.bincount(codes, minlength=G).astype(np.float64)
    lo, hi = np.percentile((cnt @ s) / (cnt @ n), [2.5, 97.5])
    return float(d[ok].mean()), float(lo), float(hi)


def row(name: str, pred: Predictive, base: Predictive | None, y: np.ndarray, g: np.ndarray) -> str:
    m = probabilistic_metrics(pred, y, g)
    head = (
        f"| {name} | {m['crps']:.2f} [{m['crps_ci'][0]:.2f}, {m['crps_ci'][1]:.2f}] | {m['crps_quantile']:.2f} "
        f"| {m['coverage80']:.2f} [{m['coverage80_ci'][0]:.2f}, {m['coverage80_ci'][1]:.2f}] | {m['width80']:.1f} |"
    )
    if base is None:
        return head + " baseline | baseline |"
    d = paired_crps_difference(pred, base, y, g)
    q = paired_qcrps(pred, base, y, g)
    return (
        head
        + f" {d['diff']:+.2f} [{d['low']:+.2f}, {d['high']:+.2f}] | {q[0]:+.2f} [{q[1]:+.2f}, {q[2]:+.2f}] |"
    )


HEADER = (
    "| candidate | CRPS [95 % CI] | quantile CRPS | cov 80 % [95 % CI] | width 80 % | Δ CRPS [95 % CI] | Δ quantile CRPS [95 % CI] |\n"
    "|---|---|---|---|---|---|---|"
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("data", nargs="?", default="data/deu/deu3_dev.tsv")
    ap.add_argument("--models", default=MODELS)
    a = ap.parse_args(argv)
    names = [m.strip() for m in a.models.split(",") if m.strip()]
    pool_names = sorted({m for p in POOLS for m in p.split(",")} | set(names))
    dev = dev_backtest(a.data, pool_names)
    cases, res, spread, scales = dev.cases, dev.result, dev.spread, dev.scales
    ok = np.isfinite(res.outcome)
    y = to_unit(res.outcome, scales)
    g = np.asarray(res.proposal_ids, dtype=object)
    labels = np.concatenate([rule_labels(c.arrays) for c in cases])
    folds = grouped_folds(g[ok], 5)
    y100 = y[ok] * 100
    say(
        f"{a.data}: {int(ok.sum())} issues with an outcome, {len(set(g[ok].tolist()))} proposals, 5 folds by proposal"
    )
    say(f"voting rules: {dict(zip(*np.unique(labels[ok], return_counts=True), strict=True))}")
    for name in names:
        f = to_unit(res.forecasts[name], scales)
        feats: dict[str, np.ndarray] = {}
        start = 0
        for c in cases:
            n = c.arrays.n_issues
            for k, v in error_model_rule_features(c.arrays, f[start : start + n]).items():
                feats.setdefault(k, []).append(v)  # type: ignore[arg-type]
            start += n
        F = {k: np.concatenate(v)[ok] for k, v in feats.items()}  # type: ignore[arg-type]
        fo, so = f[ok], spread[ok]
        base_cols = [np.ones_like(fo), fo, so]
        cands = {
            "(a) forecast + spread (shipped)": base_cols,
            "(b) (a) + rule code (unanimity, setter)": [*base_cols, F["unanimity"], F["setter"]],
            "(c) (a) + pivot distances (outside, width)": [*base_cols, F["outside"], F["set_width"]],
            "(d) (a) + rule code + pivot distances": [
                *base_cols,
                F["unanimity"],
                F["setter"],
                F["outside"],
                F["set_width"],
            ],  # fmt: skip
        }
        say(f"\n### error model of {name} (forecast outside the acceptable set on "
            f"{int(np.sum(np.abs(F['outside']) > 1e-9))} issues)\n")  # fmt: skip
        say(HEADER)
        base = None
        for cname, cols in cands.items():
            pred = to_pred(oof_qr(np.column_stack(cols), y[ok], folds))
            say(row(cname, pred, base, y100, g[ok]))
            base = base or pred
    for pool in POOLS:
        members = pool.split(",")
        fm = np.stack([to_unit(res.forecasts[m], scales)[ok] for m in members])
        _o, q_pooled, w_pooled = cross_fit_weights(fm, y[ok], folds)
        _o2, q_rule, w_rule = cross_fit_group_weights(fm, y[ok], labels[ok], folds)
        say(f"\n### ensemble {pool}\n")
        say(HEADER)
        base_p = to_pred(q_pooled)
        say(row("pooled weights (shipped way)", base_p, None, y100, g[ok]))
        say(row("weights per voting rule", to_pred(q_rule), base_p, y100, g[ok]))
        say("\npooled weights per fold: " + "; ".join("/".join(f"{x:g}" for x in w) for w in w_pooled))
        for lab, ws in w_rule.items():
            say(f"{lab} weights per fold: " + "; ".join("/".join(f"{x:g}" for x in w) for w in ws))
    return 0


if __name__ == "__main__":
    sys.exit(main())
