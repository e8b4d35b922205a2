"""Benchmark of the exchange model (models.md §5).

Prints JSON. Reference measured in the same run: the slow, obvious greedy loop of
tests/models/test_exchange.py (``_slow_phase``, written from the spec, one candidate at a time)
against the vectorised ``kernels.exchange.exchange_phase`` on Copenhagen 2009 (11 actors × 7
issues). Also: COP21 (15 × 13) single draws, equal gain and random rate, a batch of draws, and a
random 50-actor × 10-issue scenario.

    /work/venv/bin/python benchmarks/bench_exchange.py [--quick]
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from detente.core.arrays import ScenarioArrays, to_arrays
from detente.io.builtin import load_builtin
from detente.kernels.exchange import exchange_phase
from detente.models.exchange import Exchange
from detente.testing import random_arrays


def _slow_phase():  # type: ignore[no-untyped-def]
    path = Path(__file__).resolve().parents[1] / "tests" / "models" / "test_exchange.py"
    spec = importlib.util.spec_from_file_location("_test_exchange", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod._slow_phase


def best_of(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(quick: bool) -> dict[str, object]:
    warnings.simplefilter("ignore")
    rep = 1 if quick else 3
    out: dict[str, object] = {"quick": quick}

    cph = to_arrays(load_builtin("copenhagen-2009"))
    x = np.where(cph.present, cph.position, 0.0)
    s = np.where(cph.present, cph.salience, 0.0)
    w = np.where(cph.present, cph.capability * s, 0.0)
    slow = _slow_phase()
    t_fast = best_of(lambda: exchange_phase(x, s, w, cph.present, rng=np.random.default_rng(0)), rep)
    t_slow = best_of(lambda: slow(x, s, cph.capability, cph.present), 1)
    n_ex = len(exchange_phase(x, s, w, cph.present, rng=np.random.default_rng(0)).steps)
    out["copenhagen_phase"] = {
        "exchanges": n_ex,
        "fast_s": t_fast,
        "slow_loop_s": t_slow,
        "speedup": t_slow / t_fast,
    }

    cop = to_arrays(load_builtin("cop21-2015"))
    for label, model in (
        ("equal_gain", Exchange()),
        ("random_rate_p0.5", Exchange(p=0.5)),
        ("rounds3", Exchange(rounds=3)),
    ):
        t = best_of(lambda m=model: m.predict(cop, np.random.default_rng(1)), rep)
        n = int(model.predict(cop, np.random.default_rng(1)).extras["n_exchanges"])
        out[f"cop21_{label}"] = {"seconds": t, "exchanges": n}

    draws = 20 if quick else 100
    rng = np.random.default_rng(2)
    noisy = ScenarioArrays(
        cop.actor_ids,
        cop.issue_ids,
        np.clip(cop.position + rng.normal(0, 0.05, (draws, *cop.position.shape)), 0, 1),
        np.broadcast_to(cop.salience, (draws, *cop.salience.shape)),
        np.broadcast_to(cop.capability, (draws, *cop.capability.shape)),
        np.broadcast_to(cop.present, (draws, *cop.present.shape)),
        np.broadcast_to(cop.reference, (draws, *cop.reference.shape)),
    )
    t = best_of(lambda: Exchange().predict(noisy, np.random.default_rng(3)), 1)
    out["cop21_batch"] = {"draws": draws, "seconds": t, "per_draw_s": t / draws}

    big = random_arrays(np.random.default_rng(4), n_actors=50, n_issues=10, absent=0.1)
    t = best_of(lambda: Exchange().predict(big, np.random.default_rng(5)), 1)
    n = int(Exchange().predict(big, np.random.default_rng(5)).extras["n_exchanges"])
    out["random_50x10"] = {"seconds": t, "exchanges": n}
    return out


if __name__ == "__main__":
    print(json.dumps(main("--quick" in sys.argv), indent=2))
