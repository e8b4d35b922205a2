"""Pre-registered protocol of docs/backtest_research2.md §3 for the `mixture` model (run once).

Usage: python scripts/deu_research2.py [DEU_FILE] [--json OUT.json]

Families F1 (mixture median) and F2 (+ agenda setter) are fitted by exhaustive grid search of the
training MAE; per-family LOPO by proposal (prnr); nested estimate = outer LOPO with the family
chosen by grouped 5-fold inner CV (analysis.backtest.protocol_cv). Bootstrap and paired
differences: analysis.backtest (2,000 draws, default_rng(1), percentile).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from detente.analysis.backtest import (
    Case,
    bootstrap_metrics,
    paired_difference,
    point_metrics,
    protocol_cv,
)
from detente.io.deu import backtest_cases, load_deu
from detente.models.mean import Compromise
from detente.models.mixture import Mixture, family_grid

DEFAULT = Path(__file__).resolve().parents[1] / "data" / "deu" / "deu3_dev.tsv"
FAMILIES = ("F1", "F2")


def unit_forecasts(cases: list[Case], model: Any) -> np.ndarray:
    """Unit-scale forecasts of ``model`` on every issue with an outcome (case order)."""
    rng = np.random.default_rng(0)
    out = [np.asarray(model.predict(c.arrays, rng).outcome)[np.isfinite(c.outcome)] for c in cases]
    return np.concatenate(out)


def outcomes(cases: list[Case]) -> tuple[np.ndarray, np.ndarray]:
    y, g = [], []
    for c in cases:
        ok = np.isfinite(c.outcome)
        span = c.scale_high - c.scale_low
        y.append(((c.outcome - c.scale_low) / span)[ok])
        g += [c.proposal_id] * int(ok.sum())
    return np.concatenate(y), np.asarray(g, dtype=object)


def grid_fit(pred: np.ndarray, y: np.ndarray, train: np.ndarray) -> int:
    """Index of the grid point with the smallest training MAE (first in tie order)."""
    err = np.abs(pred[:, train] - y[train]).mean(axis=1)
    return int(np.argmin(err))


def summary(pred: np.ndarray, comp: np.ndarray, y: np.ndarray, g: np.ndarray) -> dict[str, Any]:
    pm: dict[str, Any] = dict(point_metrics(pred * 100, y * 100, g))
    pm["mae_ci"] = bootstrap_metrics(pred * 100, y * 100, g)["mae"]
    pm["diff_vs_compromise"] = paired_difference(pred * 100, comp * 100, y * 100, g)
    return pm


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", nargs="?", default=str(DEFAULT))
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    t0 = time.perf_counter()
    cases, _ = backtest_cases(load_deu(args.data))  # recipe: votes, impute 50 (validation.md §2)
    y, g = outcomes(cases)
    comp = unit_forecasts(cases, Compromise())
    grids = {f: family_grid(f) for f in FAMILIES}
    preds = {
        f: np.stack([unit_forecasts(cases, Mixture(*pt)) for pt in grids[f]]) for f in FAMILIES
    }  # (G, n)
    t_pred = time.perf_counter() - t0

    def make(f: str) -> Any:
        def fit(train: np.ndarray) -> int:
            return grid_fit(preds[f], y, train)

        def predict(idx: int, mask: np.ndarray) -> np.ndarray:
            return np.asarray(preds[f][idx, mask])

        return fit, predict

    cands = {f: make(f) for f in FAMILIES}
    res = protocol_cv(cands, y, g, inner_k=5)
    labels = np.asarray([str(x) for x in g])
    lopo_points: dict[str, dict[str, int]] = {}
    for f in FAMILIES:
        counts: dict[str, int] = {}
        for u in sorted(set(labels.tolist())):
            k = str(grids[f][grid_fit(preds[f], y, labels != u)])
            counts[k] = counts.get(k, 0) + 1
        lopo_points[f] = counts
    chosen = res["chosen"]
    full_idx = grid_fit(preds[chosen], y, np.ones(y.size, dtype=bool))
    full = grids[chosen][full_idx]
    out: dict[str, Any] = {
        "data": str(args.data),
        "n_issues": int(y.size),
        "n_proposals": len(set(labels.tolist())),
        "grid_sizes": {f: len(grids[f]) for f in FAMILIES},
        "compromise_mae": float(np.abs(comp - y).mean() * 100),
        "nested": summary(res["nested"], comp, y, g),
        "nested_picks": res["nested_picks"],
        "lopo": {f: summary(res["lopo"][f], comp, y, g) for f in FAMILIES},
        "lopo_grid_points": lopo_points,
        "chosen_family": chosen,
        "full_fit": dict(zip(("lam_m", "lam_q", "lam_e", "lam_p"), full, strict=True)),
        "full_fit_in_sample_mae": float(np.abs(preds[chosen][full_idx] - y).mean() * 100),
        "seconds_forecasts": round(t_pred, 2),
        "seconds_total": round(time.perf_counter() - t0, 2),
    }
    text = json.dumps(out, indent=1, default=str)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    print(text)  # noqa: T201 (script output)


if __name__ == "__main__":
    main()
