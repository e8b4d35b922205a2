"""Benchmark of the expected-utility model (models.md §4 "Cost"; issue 3 "Done when"; issue 4 targets).

Prints JSON (wall seconds and process CPU seconds; the CPU time is robust to a busy machine):
- ``single_50x10_s``: one run, 50 actors × 10 issues, 10 rounds (target: < 1 s on one core);
- ``batched_20x10``: 20 actors × 10 issues × ``--draws`` draws in one ``predict`` call, 10 rounds,
  per engine (``numpy``; ``numba`` when the ``fast`` extra is installed) and for the NumPy engine
  in ``precision="float32"``;
- ``reference``: the same model called once per draw on ``--ref-draws`` draws (no batching),
  measured in the same run; ``speedup_batched_vs_per_draw`` is the ratio of per-issue-run times;
- ``monte_carlo`` (issue 4 target: EUM 20 × 10, default 10 rounds, ≥ 10,000 draws in < 10 s on 2
  cores and ≥ 50× the ``--chunk 1`` throughput): ``run_ensemble`` on a synthetic 20 × 10 scenario
  (the default perturbation) with ``--draws`` draws in-process and on a ``--workers`` process pool,
  per engine, and the ``chunk_size=1`` reference (one unbatched ``predict`` per draw) on as many
  draws as fit in ``--ref-seconds``; ``speedup_vs_chunk1`` = batched draws/s ÷ chunk-1 draws/s.
  ``same_outcomes`` checks that every engine and executor gave identical numbers.

Usage: python benchmarks/bench_eum.py [--draws 10000] [--ref-draws 50] [--workers 2] [--ref-seconds 20]
       [--skip-batched] [--skip-mc]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import warnings

import numpy as np
from bench_sweep import synthetic  # the same seeded synthetic scenarios as the sweep benchmark

from detente.analysis.montecarlo import run_ensemble
from detente.core.arrays import ScenarioArrays
from detente.kernels.eum import numba_available
from detente.models.eum import ExpectedUtility
from detente.parallel import get_executor


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


def monte_carlo(args: argparse.Namespace, engines: list[str]) -> dict:  # type: ignore[type-arg]
    """run_ensemble throughput for EUM 20 × 10: in-process and on a process pool, vs chunk 1."""
    sc = synthetic(20, 10)
    n = args.draws
    out: dict = {"draws": n, "actors": 20, "issues": 10, "rounds": 10, "workers": args.workers}  # type: ignore[type-arg]
    outcomes = {}
    for eng in engines:
        model = ExpectedUtility(engine=eng)  # type: ignore[arg-type]
        run_ensemble(model, sc, n_draws=8, seed=1)  # warm-up (numba: load the compiled kernels)
        row: dict = {}  # type: ignore[type-arg]
        # chunk 1: one unbatched predict per draw (the reference), as many draws as fit in ref_seconds
        t0 = time.perf_counter()
        run_ensemble(model, sc, n_draws=4, seed=2, chunk_size=1)
        per = (time.perf_counter() - t0) / 4
        n1 = int(min(n, max(8, args.ref_seconds / max(per, 1e-9))))
        t1, c1 = timed2(lambda m=model, k=n1: run_ensemble(m, sc, n_draws=k, seed=3, chunk_size=1))
        row["chunk1"] = {
            "draws": n1,
            "seconds": round(t1, 3),
            "cpu_seconds": round(c1, 3),
            "draws_per_s": round(n1 / t1, 1),
        }
        ens = None

        def inproc(m: ExpectedUtility = model) -> None:
            nonlocal ens
            ens = run_ensemble(m, sc, n_draws=n, seed=3)

        ti, ci = timed2(inproc)
        assert ens is not None
        outcomes[(eng, "inline")] = ens.outcomes
        row["in_process"] = {
            "seconds": round(ti, 3),
            "cpu_seconds": round(ci, 3),
            "draws_per_s": round(n / ti, 1),
            "chunk": ens.chunk_size,
            "speedup_vs_chunk1": round((n / ti) / (n1 / t1), 1),
            "cpu_speedup_vs_chunk1": round((n / ci) / (n1 / c1), 1),
        }
        if args.workers > 1:
            with get_executor("process", workers=args.workers) as ex:
                run_ensemble(
                    model, sc, n_draws=2 * args.workers, seed=1, chunk_size=1, executor=ex
                )  # start workers
                t0 = time.perf_counter()
                # chunks small enough that every worker gets several
                chunk = max(1, min(ens.chunk_size, -(-n // (4 * args.workers))))
                pe = run_ensemble(model, sc, n_draws=n, seed=3, chunk_size=chunk, executor=ex)
                tp = time.perf_counter() - t0
            outcomes[(eng, "process")] = pe.outcomes
            row["process_pool"] = {
                "seconds": round(tp, 3),
                "draws_per_s": round(n / tp, 1),
                "chunk": chunk,
                "speedup_vs_chunk1": round((n / tp) / (n1 / t1), 1),
                "under_10_s": tp < 10.0,
            }
        out[eng] = row
    ref = next(iter(outcomes.values()))
    out["same_outcomes"] = all(np.array_equal(ref, v) for v in outcomes.values())
    return out


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
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--ref-seconds", type=float, default=20.0)
    ap.add_argument("--skip-batched", action="store_true")
    ap.add_argument("--skip-mc", action="store_true")
    args = ap.parse_args()
    engines = ["numpy", "numba"] if numba_available() else ["numpy"]
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(args.seed)
    gen = np.random.default_rng(0)
    out: dict = {  # type: ignore[type-arg]
        "benchmark": "eum",
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "cpus": os.cpu_count(),
            "load_average": [round(v, 2) for v in os.getloadavg()],
        },
        "engines": engines,
    }
    model = ExpectedUtility()
    big = random_scenario(rng, 50, 10)
    model.predict(big, gen)  # warm-up
    out["single_50x10_s"] = round(timed(lambda: model.predict(big, gen), repeat=3), 4)
    out["single_50x10_target_s"] = 1.0
    if not args.skip_batched:
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
        runs = args.draws * 10
        n_ref = min(args.ref_draws, args.draws)
        singles = [draws.take(k) for k in range(n_ref)]
        variants = [(eng, ExpectedUtility(engine=eng)) for eng in engines]  # type: ignore[arg-type]
        variants.append(("numpy_float32", ExpectedUtility(precision="float32")))
        for name, m in variants:
            m.predict(singles[0], gen)  # warm-up
            tb, tb_cpu = timed2(lambda: m.predict(draws, gen))  # noqa: B023
            tr, tr_cpu = timed2(lambda: [m.predict(s, gen) for s in singles])  # noqa: B023
            out[f"batched_20x10_{name}"] = {
                "draws": args.draws,
                "rounds": m.rounds,
                "seconds": round(tb, 3),
                "cpu_seconds": round(tb_cpu, 3),
                "cpu_us_per_issue_round": round(1e6 * tb_cpu / (runs * m.rounds), 2),
                "extrapolated_10000_draws_cpu_s": round(tb_cpu * 10_000 / args.draws, 2),
                "issue_runs_per_s": round(runs / tb, 1),
                "per_draw_calls": n_ref,
                "per_draw_cpu_seconds": round(tr_cpu, 3),
                "speedup_batched_vs_per_draw_cpu": round((tr_cpu / (n_ref * 10)) / (tb_cpu / runs), 2),
            }
    if not args.skip_mc:
        out["monte_carlo"] = monte_carlo(args, engines)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
