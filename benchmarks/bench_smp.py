"""Benchmark of the Spatial Model of Politics (models.md §6): 20/50/100 actors × 1/3/6 dimensions.

Prints JSON. Reference measured in the same run: the slow per-pair loop version of one turn
(tests/models/test_smp.py::_slow_turn, written from the spec) against the vectorised
``kernels.smp.turn`` on the smallest case; plus one batched call of 32 draws against 32 single calls.

    /work/venv/bin/python benchmarks/bench_smp.py [--quick]
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from detente.core.arrays import ScenarioArrays
from detente.errors import ConvergenceWarning
from detente.kernels import smp as K
from detente.models.smp import SpatialModel


def scenario(rng: np.random.Generator, A: int, D: int, batch: tuple[int, ...] = ()) -> ScenarioArrays:
    """KTAB-like random actors: capability 10-130, positions 0-1, total salience ≤ 1."""
    pos = np.round(rng.uniform(0, 1, (*batch, A, D)), 4)
    sal = rng.uniform(0.05, 0.5, (*batch, A, D))
    sal = sal / np.maximum(sal.sum(-1, keepdims=True), 1.0)
    cap = np.broadcast_to(rng.uniform(10, 130, (*batch, A, 1)), (*batch, A, D)).copy()
    return ScenarioArrays(
        tuple(f"a{k}" for k in range(A)),
        tuple(f"d{k}" for k in range(D)),
        pos,
        sal,
        cap,
        np.ones((*batch, A, D), dtype=bool),
        np.full((*batch, D), np.nan),
    )


def timed(fn, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return float(best)


def main() -> None:
    quick = "--quick" in sys.argv
    rng = np.random.default_rng(2025)
    warnings.simplefilter("ignore", ConvergenceWarning)
    model = SpatialModel()
    out: dict[str, object] = {"model": "smp", "settings": "KTAB reference defaults", "cases": []}

    # reference: slow per-pair loop turn vs vectorised turn, smallest case (20 actors, 1 dimension)
    spec = importlib.util.spec_from_file_location(
        "test_smp", Path(__file__).resolve().parents[1] / "tests" / "models" / "test_smp.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    arr = scenario(rng, 20, 1)
    c = arr.capability[:, 0] / arr.capability[:, 0].max()
    prm = K.Params()
    t_slow = timed(lambda: mod._slow_turn(arr.position, arr.salience, c, prm))
    args = (arr.position[None], arr.salience[None], c[None], np.ones((1, 20), dtype=bool), prm)
    t_fast = timed(lambda: K.turn(*args), repeat=5)
    same = np.allclose(mod._slow_turn(arr.position, arr.salience, c, prm), K.turn(*args).new_x[0], atol=1e-9)
    out["reference"] = {
        "case": "one turn, 20 actors, 1 dimension",
        "loop_s": round(t_slow, 4),
        "vectorised_s": round(t_fast, 5),
        "speedup": round(t_slow / t_fast, 1),
        "same_result": bool(same),
    }

    sizes = [20, 50] if quick else [20, 50, 100]
    for A in sizes:
        for D in (1, 3, 6):
            arr = scenario(rng, A, D)
            res: dict[str, object] = {}

            def go(arr: ScenarioArrays = arr, res: dict[str, object] = res) -> None:
                p = model.predict(arr, np.random.default_rng(0))
                res["rounds"] = int(p.diagnostics.rounds.max())
                res["status"] = str(p.diagnostics.status.ravel()[0])

            t = timed(go, repeat=1 if A >= 100 else 2)
            rounds = int(res["rounds"])  # type: ignore[call-overload]
            out["cases"].append(  # type: ignore[attr-defined]
                {
                    "actors": A,
                    "dims": D,
                    "seconds": round(t, 4),
                    "turns": rounds,
                    "ms_per_turn": round(1000 * t / max(rounds, 1), 2),
                    "status": res["status"],
                }
            )

    # batch: 32 draws in one call vs 32 single calls (20 actors, 3 dims)
    many = scenario(rng, 20, 3, batch=(32,))
    t_batch = timed(lambda: model.predict(many, np.random.default_rng(0)))
    t_loop = timed(lambda: [model.predict(many.take(b), np.random.default_rng(0)) for b in range(32)])
    out["batch"] = {
        "case": "32 draws, 20 actors, 3 dims",
        "batched_s": round(t_batch, 4),
        "loop_s": round(t_loop, 4),
        "speedup": round(t_loop / t_batch, 2),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
