"""How much of a backtest's interval coverage comes from outcomes tied with a point mass (docs/calibration.md §6.2).

    python scripts/coverage_ties.py BACKTEST.csv [BACKTEST2.csv …]

Reads the per-issue CSV of ``detente backtest FILE --out BACKTEST.csv`` (quantiles ``q05 … q95``,
``p_low_end``, ``p_high_end``, ``outcome``) and prints per model, for the equal-tailed 50 % and 80 %
intervals ``[Q(α), Q(1 − α)]`` (``Predictive.equal_tailed``; the leaderboard's ``coverage50/80`` use
the content-exact intervals since, its ``coverage_equal_tailed50/80`` these):

- ``closed``: the share of outcomes inside the closed interval (``coverage_equal_tailed``);
- ``expected``: the coverage the forecast itself expects for its closed interval,
  ``F(Q(1 − α)) − F(Q(α)−)`` averaged over issues — above the nominal level whenever an end of the
  interval sits on a point mass (an interval ``[0, x]`` with 30 % at 0 contains every outcome at 0);
- ``PIT``: the share of randomised PIT values (Czado, Gneiting & Held 2009, eq. 1) in ``[α, 1 − α]``,
  the coverage without ties: the nominal level for a calibrated forecast, whatever its point masses;
- the mean end masses and the observed shares of outcomes at each end.

A calibrated forecast has ``closed ≈ expected`` and ``PIT ≈ nominal``. Diagnostic only.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from detente.analysis.predictive import QUANTILE_COLUMNS, cdf, cdf_left, make_predictive
from detente.analysis.prob_scores import pit


def main(argv: list[str]) -> int:
    if not argv:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    for path in argv:
        df = pd.read_csv(path)
        df = df[np.isfinite(df["outcome"]) & np.isfinite(df["q50"])]
        sys.stdout.write(f"{path}\n")
        sys.stdout.write(
            "model                  n  | 50%: closed expected PIT | 80%: closed expected PIT | p_low p_high | at 0  at 100\n"
        )
        for model, g in df.groupby("model", sort=False):
            pred = make_predictive(g[list(QUANTILE_COLUMNS)].to_numpy(), g["p_low_end"], g["p_high_end"])
            y = g["outcome"].to_numpy(dtype=np.float64)
            u = pit(pred, y)
            cells = []
            for level in (0.5, 0.8):
                a, b = pred.equal_tailed(level)
                closed = float(np.mean((y >= a) & (y <= b)))
                expected = float(np.mean(cdf(pred, b) - cdf_left(pred, a)))
                a0 = (1 - level) / 2
                inside = float(np.mean((u >= a0) & (u <= 1 - a0)))
                cells.append(f"{closed:6.2f} {expected:8.2f} {inside:4.2f}")
            sys.stdout.write(
                f"{model:20s} {len(g):4d}  | {cells[0]}     | {cells[1]}     | "
                f"{pred.p_low_end.mean():5.2f} {pred.p_high_end.mean():6.2f} | "
                f"{np.mean(y <= 0):4.2f} {np.mean(y >= 100):5.2f}\n"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
