"""Fit the ensemble model's weights on the DEU dev file and check them by cross-fitting.

    python scripts/fit_ensemble_weights.py [data/deu/deu3_dev.tsv] [--members compromise,median,mixture]

Prints, for the members' forecasts on every issue with an outcome (unit scale): the weights fitted
on the whole file (the defaults of ``detente.models.ensemble``), the weights of each of K = 5 folds
grouped by proposal, and the out-of-fold MAE (0-100) of the ensemble beside each member's, with a
proposal-bootstrap interval of the paired difference to the compromise. Never run it on a file
that is reported as held out (docs/calibration.md).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from detente.analysis.backtest import grouped_folds, paired_difference, run_backtest
from detente.io.deu import backtest_cases, load_deu
from detente.models import get_model
from detente.models.ensemble import (
    DEFAULT_MEMBERS,
    LEVELS,
    cross_fit_weights,
    fit_weights,
    quantile_average,
    residual_quantiles,
)


def say(*parts: object) -> None:
    """One line of the script's report on stdout."""
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", nargs="?", default="data/deu/deu3_dev.tsv")
    ap.add_argument("--members", default=DEFAULT_MEMBERS)
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    members = [m.strip() for m in args.members.split(",")]
    cases, _meta = backtest_cases(load_deu(args.data, empty="skip"))
    res = run_backtest(cases, {m: get_model(m) for m in members})
    y = res.outcome
    f = np.stack([res.forecasts[m] for m in members]) / 100.0  # DEU scales are 0-100
    groups = np.array(res.proposal_ids, dtype=object)
    ok = np.isfinite(y)
    w = fit_weights(f[:, ok], y[ok] / 100.0)
    say(
        "MAE-optimal weights on the whole file:",
        ",".join(f"{x:g}" for x in fit_weights(f[:, ok], y[ok] / 100.0, objective="mae")),
    )
    say("members:", ",".join(members))
    say("weights on the whole file:", ",".join(f"{x:g}" for x in w))
    folds = grouped_folds(groups[ok], args.folds)
    oof, oof_q, fold_w = cross_fit_weights(f[:, ok], y[ok] / 100.0, folds)
    for k, fw in enumerate(fold_w):
        say(f"fold {k + 1} weights:", ",".join(f"{x:g}" for x in fw))
    say(f"issues with an outcome: {int(ok.sum())}, proposals: {len(set(groups[ok]))}")
    ens = oof * 100.0
    say(f"ensemble (cross-fitted weights) MAE {np.nanmean(np.abs(ens - y[ok])):.2f}")
    import scoringrules as sr

    t = y[ok]
    say(f"ensemble quantile CRPS {np.mean(sr.crps_quantile(t, 100 * oof_q, LEVELS, backend='numpy')):.2f}")
    for j, m in enumerate(members):
        one = np.zeros(len(members))
        one[j] = 1.0
        q = np.full((int(ok.sum()), LEVELS.size), np.nan)
        for test in folds:  # the member alone, its residual quantiles cross-fitted the same way
            rq = residual_quantiles(f[:, ok][:, ~test], t[~test] / 100.0)
            q[test] = quantile_average(f[:, ok][:, test], rq, one)[0]
        good = np.all(np.isfinite(q), axis=1)
        crps = np.mean(sr.crps_quantile(t[good], 100 * q[good], LEVELS, backend="numpy"))
        say(
            f"{m} MAE {np.nanmean(np.abs(res.forecasts[m][ok] - t)):.2f}, quantile CRPS {crps:.2f} (n {int(good.sum())})"
        )
    for m in members:
        d = paired_difference(ens, res.forecasts[m][ok], y[ok], groups[ok])
        say(f"ensemble - {m} paired MAE difference {d['diff']:+.2f} [{d['low']:+.2f}, {d['high']:+.2f}]")


if __name__ == "__main__":
    main()
