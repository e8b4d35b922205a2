"""Sweep throughput: draws per second, peak memory and the speed-up of batched chunks over --chunk 1.

For each model (compromise, median, eum, exchange), actors (10, 20, 50, 100), issues (1, 10) and
draws (1,000 / 10,000 / 100,000) on a synthetic scenario (seeded), measured in one process:

- the ``--chunk 1`` reference throughput (one unbatched ``predict`` per draw) on as many draws as
  fit in ~``--ref-seconds``;
- a pilot batched run that estimates each cell's time; cells estimated above ``--max-seconds``
  (default 120) are skipped and listed with their estimate;
- the timed batched run with the default chunk (``default_chunk_size``), its draws/s and the
  speed-up over the chunk-1 throughput;
- peak memory (tracemalloc) of a separate run: the whole cell when it takes under 15 s, else three
  chunks (``peak_scope``), next to the formula of docs/uncertainty.md.

Prints one JSON document. Run: ``python benchmarks/bench_sweep.py`` (add ``--quick`` for a
smaller grid, ``--models eum --actors 20 --issues 10 --draws 10000`` for one cell).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import tracemalloc
import warnings

import numpy as np

from detente._version import __version__
from detente.analysis.montecarlo import (
    BYTES_PER_CELL,
    MEMORY_BUDGET,
    PAIRWISE_TEMPORARIES,
    default_chunk_size,
    prepare,
    run_ensemble,
)
from detente.core import Scenario
from detente.core.perturb import Perturbation
from detente.models import available_models, get_model
from detente.testing.inputs import synthetic_scenario


def synthetic(n_actors: int, n_issues: int, seed: int = 0) -> Scenario:
    return synthetic_scenario(n_actors, n_issues, seed)


def timed(fn, *args, **kw) -> float:
    t0 = time.perf_counter()
    fn(*args, **kw)
    return time.perf_counter() - t0


def peak_bytes(fn, *args, **kw) -> int:
    tracemalloc.start()
    try:
        fn(*args, **kw)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def formula_bytes(k: int, a: int, i: int, pairwise: int) -> int:
    return k * a * i * (BYTES_PER_CELL + 8 * pairwise * a)


def bench(args: argparse.Namespace) -> dict:
    warnings.simplefilter("ignore")
    avail = set(available_models())
    out: dict = {
        "benchmark": "sweep",
        "detente_version": __version__,
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "platform": platform.platform(),
        },
        "max_seconds": args.max_seconds,
        "memory_budget_mb": MEMORY_BUDGET / 2**20,
        "perturbation": Perturbation().as_dict(),
        "cells": [],
        "skipped": [],
        "unavailable_models": [m for m in args.models if m not in avail],
    }
    pert = Perturbation()
    for name in args.models:
        if name not in avail:
            continue
        model = get_model(name)
        pairwise = PAIRWISE_TEMPORARIES if type(model).info.dynamic else 0  # as run_ensemble
        for a in args.actors:
            for i in args.issues:
                spec = prepare(synthetic(a, i), pert)
                chunk = default_chunk_size(a, i, pairwise=pairwise)
                # chunk-1 reference: pilot, then as many draws as fit in ref_seconds
                t_pilot = timed(run_ensemble, model, spec, pert, n_draws=3, seed=1, chunk_size=1) / 3
                n_ref = int(min(2000, max(3, args.ref_seconds / max(t_pilot, 1e-9))))
                t_ref = timed(run_ensemble, model, spec, pert, n_draws=n_ref, seed=1, chunk_size=1)
                ref_rate = n_ref / t_ref
                # batched pilot: one chunk (or fewer draws if a chunk alone would be too slow)
                n_pilot = min(chunk, max(8, int(2.0 / max(t_pilot, 1e-9))))
                t_b = (
                    timed(run_ensemble, model, spec, pert, n_draws=n_pilot, seed=2, chunk_size=chunk)
                    / n_pilot
                )
                for n in args.draws:
                    est = n * t_b
                    cell = {"model": name, "actors": a, "issues": i, "draws": n, "chunk": min(chunk, n)}
                    if est > args.max_seconds:
                        out["skipped"].append(
                            {
                                **cell,
                                "estimated_s": round(est, 1),
                                "reason": f"estimated {est:.0f} s > {args.max_seconds:g} s",
                            }
                        )
                        continue
                    t = timed(run_ensemble, model, spec, pert, n_draws=n, seed=3, chunk_size=chunk)
                    rate = n / t
                    if t < 15:
                        peak, scope = (
                            peak_bytes(run_ensemble, model, spec, pert, n_draws=n, seed=3, chunk_size=chunk),
                            "all",
                        )
                    else:
                        m = min(n, 3 * chunk)
                        peak, scope = (
                            peak_bytes(run_ensemble, model, spec, pert, n_draws=m, seed=3, chunk_size=chunk),
                            "3 chunks",
                        )
                    cell.update(
                        seconds=round(t, 3),
                        draws_per_s=round(rate, 1),
                        chunk1_draws_per_s=round(ref_rate, 1),
                        chunk1_draws_measured=n_ref,
                        speedup_vs_chunk1=round(rate / ref_rate, 2),
                        peak_mb=round(peak / 2**20, 1),
                        peak_scope=scope,
                        formula_chunk_mb=round(formula_bytes(min(chunk, n), a, i, pairwise) / 2**20, 1),
                    )
                    out["cells"].append(cell)
                    if args.verbose:
                        print(json.dumps(cell), file=sys.stderr, flush=True)
    target = [
        c
        for c in out["cells"]
        if c["model"] == "eum" and c["actors"] == 20 and c["issues"] == 10 and c["draws"] == 10000
    ]
    skipped = [
        c
        for c in out["skipped"]
        if c["model"] == "eum" and c["actors"] == 20 and c["issues"] == 10 and c["draws"] == 10000
    ]
    if target:
        c = target[0]
        out["target_eum_20x10_10k"] = {
            "seconds": c["seconds"],
            "under_10_s": c["seconds"] < 10,
            "speedup_vs_chunk1": c["speedup_vs_chunk1"],
            "at_least_50x": c["speedup_vs_chunk1"] >= 50,
        }
    elif skipped:
        out["target_eum_20x10_10k"] = {"skipped": skipped[0]["reason"], "under_10_s": False}
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="+", default=["compromise", "median", "eum", "exchange"])
    p.add_argument("--actors", nargs="+", type=int, default=[10, 20, 50, 100])
    p.add_argument("--issues", nargs="+", type=int, default=[1, 10])
    p.add_argument("--draws", nargs="+", type=int, default=[1000, 10000, 100000])
    p.add_argument("--max-seconds", type=float, default=120.0)
    p.add_argument(
        "--ref-seconds", type=float, default=2.0, help="time spent on the chunk-1 reference per size"
    )
    p.add_argument("--quick", action="store_true", help="10 and 20 actors, 1,000 and 10,000 draws")
    p.add_argument("--verbose", action="store_true", help="print each cell to stderr as it finishes")
    args = p.parse_args()
    if args.quick:
        args.actors, args.draws = [10, 20], [1000, 10000]
    print(json.dumps(bench(args), indent=2))


if __name__ == "__main__":
    main()
