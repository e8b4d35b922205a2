"""Benchmark of the ceasefire simulator: 10,000 runs x 24 months of the ukraine-2025 default.

Prints JSON: wall times (best of ``repeat``), runs per second, and ratios against a reference
measured in the same process (1,000 runs: the batch axis should scale sub-linearly to linearly;
the late-phase config, where deals happen, exercises every branch). Target: < 30 s on 2 cores.

    python benchmarks/bench_sim.py [--runs 10000] [--months 24] [--repeat 3]
    python benchmarks/bench_sim.py --plausibility   # simulator.md §7 stylized facts, default and late phase
    python benchmarks/bench_sim.py --ablation       # second-pass rules switched back to v1 one at a time
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


V1_SECOND_PASS = {
    "loss_aversion": 1.0,
    "terr_curvature": 1.0,
    "recognition": False,
    "settlement_reference": "ceasefire",
    "settle_after": 0,
    "tau_obs": 0.02,
    "hazard_shape": 1.0,
}
"""The v1 values of the parameters added by the second pass (docs/simulator.md)."""


def ablation() -> list[dict[str, object]]:
    """Default, v1, and each second-pass rule switched back alone: 4,000 runs, 36 months, seed 1."""
    import numpy as np

    from detente.sim.summary import plausibility

    variants: list[tuple[str, dict[str, object]]] = [("v1", V1_SECOND_PASS), ("default", {})]
    variants += [(f"{k}={v}", {k: v}) for k, v in V1_SECOND_PASS.items()]
    out = []
    for name, over in variants:
        r = simulate(with_overrides(GameConfig(), over), n_runs=4000, seed=1, months=36)
        pl = {x["fact"]: x["value"] for x in plausibility(r)}
        s = r.outcome == 1
        gap = r.terms[s, 0] - r.q[s, r.end_month[s]]
        out.append(
            {
                "variant": name,
                "V6b": pl["V6b"],
                "V9": pl["V9"],
                "V11_days": pl["V11"],
                "settled": round(float(s.mean()), 4),
                "frozen": round(float((r.outcome == 2).mean()), 4),
                "terr0": round(float((r.terms[s, 0] == 0).mean()), 4) if s.any() else None,
                "terr_mean": round(float(r.terms[s, 0].mean()), 4) if s.any() else None,
                "gap_mean": round(float(gap.mean()), 4) if s.any() else None,
                "blame_month1": round(float(np.mean(r.beta[:, 1])), 4),
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--plausibility", action="store_true", help="print the stylized-fact table instead")
    ap.add_argument("--ablation", action="store_true", help="second-pass rules switched back one at a time")
    a = ap.parse_args()
    if a.ablation:
        print(json.dumps(ablation(), indent=2))
        return
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
