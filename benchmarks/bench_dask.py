"""Dask speed-up from 1 to 2 workers on an EUM sweep (issue 15 §6), cluster start-up excluded.

For each worker count a local cluster (``detente.parallel.get_executor("dask")``) is started, warmed
up with a small sweep (imports and JIT in every worker), then ``run_ensemble`` is timed on the
synthetic 20 actors × 10 issues scenario of ``bench_sweep`` with ``--draws`` draws. Prints JSON:
seconds per worker count, ``speedup_1_to_2`` (near 2 = linear) and ``identical`` (both equal the
in-process numbers of the same seed, bit for bit). The start-up time of each cluster is reported
separately (``startup_s``); ``bench_commands.py --dask`` measures the whole command instead.

    python benchmarks/bench_dask.py --draws 100000
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings

import numpy as np
from bench_sweep import synthetic

from detente.analysis.montecarlo import prepare, run_ensemble
from detente.core.perturb import Perturbation
from detente.models import get_model
from detente.parallel import get_executor


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--draws", type=int, default=100_000)
    p.add_argument("--actors", type=int, default=20)
    p.add_argument("--issues", type=int, default=10)
    p.add_argument("--model", default="eum")
    p.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    args = p.parse_args(argv)
    warnings.simplefilter("ignore")
    model = get_model(args.model)
    spec = prepare(synthetic(args.actors, args.issues), Perturbation())
    out: dict = {
        "benchmark": "dask",
        "model": args.model,
        "actors": args.actors,
        "issues": args.issues,
        "draws": args.draws,
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg()[0],
        "runs": {},
    }
    results = {}
    for w in args.workers:
        t0 = time.perf_counter()
        with get_executor("dask", workers=w) as ex:
            startup = time.perf_counter() - t0
            run_ensemble(model, spec, n_draws=min(args.draws, 64 * w), seed=1, executor=ex)  # warm-up
            t0 = time.perf_counter()
            results[w] = run_ensemble(model, spec, n_draws=args.draws, seed=7, executor=ex)
            sec = time.perf_counter() - t0
        out["runs"][str(w)] = {
            "seconds": round(sec, 3),
            "draws_per_s": round(args.draws / sec, 1),
            "startup_s": round(startup, 2),
        }
    inline = run_ensemble(model, spec, n_draws=args.draws, seed=7)
    out["identical"] = all(
        np.array_equal(r.outcomes, inline.outcomes) and np.array_equal(r.statuses, inline.statuses)
        for r in results.values()
    )
    if {1, 2} <= set(results):
        out["speedup_1_to_2"] = round(out["runs"]["1"]["seconds"] / out["runs"]["2"]["seconds"], 2)
    print(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
