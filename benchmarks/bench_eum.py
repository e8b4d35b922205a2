"""Benchmark of the expected-utility model (models.md §4 "Cost"; issue 3 "Done when").

Prints JSON:
- ``single_50x10_s``: one run, 50 actors × 10 issues, 10 rounds (target: < 1 s on one core);
- ``batched_20x10``: 20 actors × 10 issues × ``--draws`` Monte Carlo draws in one vectorised call,
  10 rounds: seconds, issue-runs per second, and the time extrapolated to 10,000 draws
  (target: ~10 s on 2 cores for 10,000 draws, i.e. ~20 s of one core);
- ``batched_20x10_float32``: the same with ``precision="float32"`` (the Monte Carlo setting);
- ``reference``: the same model called once per draw (no batching) on ``--ref-draws`` draws,
  measured in the same run; ``speedup_batched_vs_per_draw`` is the ratio of per-issue-run times.

Usage: python benchmarks/bench_eum.py [--draws 10000] [--ref-draws 50]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import warnings

import numpy as np

from detente.core.arrays import ScenarioArrays
from detente.models.eum import ExpectedUtility


def random_scenario(
    rng: np.random.Generator, n_actors: int, n_issues: int, batch: tuple[int, ...] = ()
) -> ScenarioArrays:
    shape = (*batch, n_actors, n_issues)
    cap = np.broadcast_to(rng.uniform(0.1, 2.0, (*batch, n_actors, 1)), shape).copy()
    return ScenarioArrays(
        actor_ids=tuple(f"a{k}" for k in range(n_actors)),
        issue_ids=tuple(f"i{k}" for k in range(n_issues)),
        position=rng.uniform(0.0, 1.0, shape),
        salience=rng.uniform(0.05, 1.0, shape),
        capability=cap,
        present=np.ones(shape, dtype=bool),
        reference=np.full((*batch, n_issues), np.nan),
    )


def timed(fn, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    """Best wall time of ``repeat`` calls."""
    return timed2(fn, repeat)[0]


def timed2(fn, repeat: int = 1) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Best (wall, process CPU) times of ``repeat`` calls; CPU time is robust to a busy machine."""
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best, best_cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--ref-draws", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(args.seed)
    gen = np.random.default_rng(0)
    model = ExpectedUtility()

    big = random_scenario(rng, 50, 10)
    model.predict(big, gen)  # warm-up
    t50 = timed(lambda: model.predict(big, gen), repeat=3)

    base = random_scenario(rng, 20, 10)
    # Monte Carlo draws: the base scenario with perturbed positions and saliences
    shape = (args.draws, 20, 10)
    draws = ScenarioArrays(
        base.actor_ids,
        base.issue_ids,
        np.clip(base.position + rng.normal(0, 0.05, shape), 0, 1),
        np.clip(base.salience + rng.normal(0, 0.05, shape), 0.01, 1),
        np.broadcast_to(base.capability, shape).copy(),
        np.ones(shape, dtype=bool),
        np.full((args.draws, 10), np.nan),
    )
    tb, tb_cpu = timed2(lambda: model.predict(draws, gen))
    m32 = ExpectedUtility(precision="float32")
    t32, t32_cpu = timed2(lambda: m32.predict(draws, gen))
    runs = args.draws * 10

    n_ref = min(args.ref_draws, args.draws)
    singles = [draws.take(k) for k in range(n_ref)]
    tr, tr_cpu = timed2(lambda: [model.predict(s, gen) for s in singles])
    per_run_batched = tb / runs
    per_run_single = tr / (n_ref * 10)
    cpu_ratio = (tr_cpu / (n_ref * 10)) / (tb_cpu / runs)
    print(
        json.dumps(
            {
                "benchmark": "eum",
                "machine": {
                    "python": platform.python_version(),
                    "numpy": np.__version__,
                    "cpus": os.cpu_count(),
                },
                "single_50x10_s": round(t50, 4),
                "single_50x10_target_s": 1.0,
                "batched_20x10": {
                    "draws": args.draws,
                    "rounds": model.rounds,
                    "seconds": round(tb, 3),
                    "cpu_seconds": round(tb_cpu, 3),
                    "cpu_us_per_issue_round": round(1e6 * tb_cpu / (runs * model.rounds), 2),
                    "extrapolated_10000_draws_cpu_s": round(tb_cpu * 10_000 / args.draws, 2),
                    "issue_runs_per_s": round(runs / tb, 1),
                    "us_per_issue_round": round(1e6 * tb / (runs * model.rounds), 2),
                    "extrapolated_10000_draws_s": round(tb * 10_000 / args.draws, 2),
                },
                "batched_20x10_float32": {
                    "seconds": round(t32, 3),
                    "cpu_seconds": round(t32_cpu, 3),
                    "cpu_us_per_issue_round": round(1e6 * t32_cpu / (runs * model.rounds), 2),
                    "extrapolated_10000_draws_cpu_s": round(t32_cpu * 10_000 / args.draws, 2),
                    "speedup_vs_float64_cpu": round(tb_cpu / t32_cpu, 2),
                },
                "reference": {
                    "per_draw_calls": n_ref,
                    "seconds": round(tr, 3),
                    "cpu_seconds": round(tr_cpu, 3),
                },
                "speedup_batched_vs_per_draw": round(per_run_single / per_run_batched, 2),
                "speedup_batched_vs_per_draw_cpu": round(cpu_ratio, 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
