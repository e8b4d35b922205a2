"""Benchmark of the ceasefire simulator: 10,000 runs x 24 months of the ukraine-2025 default.

Prints JSON: wall times (best of ``repeat``), runs per second, and ratios against a reference
measured in the same process (1,000 runs: the batch axis should scale sub-linearly to linearly;
the late-phase config, where deals happen, exercises every branch). Target: < 30 s on 2 cores.

    python benchmarks/bench_sim.py [--runs 10000] [--months 24] [--repeat 3]
    python benchmarks/bench_sim.py --plausibility   # simulator.md §7 stylized facts, default and late phase
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

from detente.sim import GameConfig, simulate, with_overrides


def best_time(cfg: GameConfig, runs: int, months: int, repeat: int) -> float:
    best = float("inf")
    for k in range(repeat):
        t0 = time.perf_counter()
        simulate(cfg, n_runs=runs, seed=k, months=months)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--plausibility", action="store_true", help="print the stylized-fact table instead")
    a = ap.parse_args()
    if a.plausibility:
        from detente.sim.summary import plausibility

        out = {}
        for name, over in (("default", {}), ("late_phase", {"C0_R": 0.4, "C0_U": 0.6})):
            r = simulate(with_overrides(GameConfig(), over), n_runs=4000, seed=1, months=36)
            out[name] = plausibility(r)
        print(json.dumps(out, indent=2))
        return
    default = GameConfig()
    late = with_overrides(default, {"C0_R": 0.4, "C0_U": 0.6})
    simulate(default, n_runs=100, seed=0, months=3)  # warm-up (imports, caches)
    t_ref = best_time(default, 1_000, a.months, a.repeat)
    t_default = best_time(default, a.runs, a.months, a.repeat)
    t_late = best_time(late, a.runs, a.months, a.repeat)
    out = {
        "benchmark": "sim.simulate",
        "runs": a.runs,
        "months": a.months,
        "seconds_default": round(t_default, 4),
        "seconds_late_phase": round(t_late, 4),
        "seconds_reference_1000_runs": round(t_ref, 4),
        "ratio_default_vs_reference": round(t_default / t_ref, 2),
        "runs_x_months_per_second": round(a.runs * a.months / t_default),
        "target_seconds": 30.0,
        "within_target": bool(max(t_default, t_late) < 30.0),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
