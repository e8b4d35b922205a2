"""Numbers of docs/decision_rules.md §4 on the DEU dev file: the procedural models by subgroup, the
variants that were tried, and the cross-fitted rule-aware model choice (proposal bootstrap, 95 %).

Run: ``python benchmarks/decision_rules_dev.py [data/deu/deu3_dev.tsv]``. Deterministic.
"""

from __future__ import annotations

import dataclasses
import sys

import numpy as np

from detente.analysis.backtest import (
    BacktestResult,
    bootstrap_metrics,
    paired_difference,
    point_metrics,
    run_backtest,
)
from detente.analysis.backtest_groups import rule_aware_selection, subgroup_leaderboard
from detente.io.deu import backtest_cases, load_deu
from detente.models import get_model

MODELS = ("compromise", "median", "procedural", "rule_compromise")


def _line(name: str, f: np.ndarray, res: BacktestResult) -> str:
    y, g = res.outcome, np.asarray(res.proposal_ids, dtype=object)
    pm, ci = point_metrics(f, y, g), bootstrap_metrics(f, y, g)
    d = paired_difference(f, res.forecasts["compromise"], y, g)
    return (
        f"{name:34s} n={pm['n']:3d} MAE {pm['mae']:6.2f} [{ci['mae'][0]:.2f}, {ci['mae'][1]:.2f}]"
        f"  vs compromise {d['diff']:+.2f} [{d['low']:+.2f}, {d['high']:+.2f}]"
    )


def main(path: str) -> None:
    scs = load_deu(path, empty="skip")
    cases, meta = backtest_cases(scs)
    res = run_backtest(cases, {n: get_model(n) for n in MODELS})
    print("== all issues")
    for n in MODELS:
        print(_line(n, res.forecasts[n], res))
    print("== by subgroup (MAE [95 % CI]; paired difference to compromise)")
    for r in subgroup_leaderboard(res, meta):
        d = r.get("diff_vs_compromise")
        diff = "" if d is None else f" diff {d['diff']:+.2f} [{d['low']:+.2f}, {d['high']:+.2f}]"
        print(f"{r['split']:15s} {r['level']:14s} n={r['n']:3d} {r['model']:16s} MAE {r['mae']:6.2f} "
              f"[{r['mae_ci'][0]:.2f}, {r['mae_ci'][1]:.2f}]{diff}")  # fmt: skip
    print("== variants (not the pre-declared specification; reported, not selected)")
    has_rp = np.isfinite(np.concatenate([c.arrays.reference for c in cases]))
    sub = dataclasses.replace(res, outcome=np.where(has_rp, res.outcome, np.nan))
    for n in MODELS:
        print(_line(f"{n} (issues with a reference point)", sub.forecasts[n], sub))
    com_setter = []  # the Commission as agenda setter under co-decision too
    for c in cases:
        a = c.arrays
        r = a.rules
        assert r is not None
        k = a.actor_ids.index("com") if "com" in a.actor_ids else -1
        setter = np.where(r.setter < 0, k, r.setter)
        arr = dataclasses.replace(a, rules=dataclasses.replace(r, setter=setter))
        out = get_model("procedural").predict(arr, np.random.default_rng(0)).outcome
        com_setter.append(np.asarray(out) * 100)
    print(_line("procedural, Commission setter in COD", np.concatenate(com_setter), res))
    print("== cross-fitted rule-aware choice among", ", ".join(MODELS))
    for k in (None, 10):
        for split in ("council_rule", "procedure", "rule_procedure"):
            oof = rule_aware_selection(res, meta, MODELS, split=split, k=k)
            print(_line(f"choice by {split} ({'LOPO' if k is None else f'{k}-fold'})", oof, res))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/deu/deu3_dev.tsv")
