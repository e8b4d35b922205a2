"""Scaling benchmark (issue 15): every model over actors × issues × draws, with ratios, not just times.

For each model, actors (10/20/50/100/200/500) × issues (1/10) × draws (1/1,000/10,000) on the
seeded synthetic scenario of ``bench_sweep.synthetic``, each cell in a fresh process (so its peak
RSS is its own):

- ``seconds`` (wall), ``cpu_s`` and ``draws_per_s`` of ``run_ensemble`` with the default chunk (after one warm-up
  draw that pays imports and any JIT; ``first_draw_s`` records it);
- ``peak_rss_mb`` (``ru_maxrss`` of the cell's process) and ``base_rss_mb`` (after the warm-up);
- ``chunk1_ratio``: batched draws/s ÷ ``--chunk 1`` draws/s, the chunk-1 run measured in the same
  process on as many draws as fit in ``--ref-seconds``;
- ``reference_ratio`` (draws ≤ 1,000, where a readable reference kernel exists): the reference's
  time ÷ the kernel's time on the same arrays: ``exchange`` against the full re-evaluation loop of
  ``tests/kernels/exchange_reference.py``, ``eum`` against the row-layout oracle ``run_rows`` of
  ``tests/models/eum_oracle.py``;
- ``growth_exponent``: per model, issues and draws, the slope of log(CPU seconds) on log(actors)
  (least squares over the measured actor counts; 2 means quadratic in n).

Cells whose pilot estimate exceeds ``--max-seconds`` are skipped and listed with the estimate.
Prints one JSON document (``--out FILE`` also writes it) and, with ``--markdown``, the table for
benchmarks/README.md. ``--size smoke`` is a tiny grid for CI (tests/benchmarks/test_bench_smoke.py).

    python benchmarks/bench_scale.py --size full --markdown
    python benchmarks/bench_scale.py --models exchange --actors 200 --issues 10 --draws 1
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIZES: dict[str, dict[str, list[int]]] = {
    "smoke": {"actors": [5, 10], "issues": [1, 3], "draws": [1, 20]},
    "quick": {"actors": [10, 20, 50], "issues": [1, 10], "draws": [1, 1000]},
    "full": {"actors": [10, 20, 50, 100, 200, 500], "issues": [1, 10], "draws": [1, 1000, 10000]},
}
DEFAULT_MODELS = ["compromise", "median", "eum", "exchange", "smp", "nbs"]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _import_from(folder: Path, module: str) -> Any:
    sys.path.insert(0, str(folder))
    try:
        return __import__(module)
    finally:
        sys.path.remove(str(folder))


def _best_time(fn: Any, repeat: int = 3, enough: float = 0.5) -> tuple[float, Any]:
    """Best wall time of ``fn()`` over up to ``repeat`` calls (one call when it takes over ``enough`` s)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
        if best > enough:
            break
    return best, out


def _reference_ratio(name: str, model: Any, spec: Any, n: int) -> dict[str, Any]:
    """Time of the readable reference ÷ time of the kernel, on the same draws."""
    import numpy as np

    from detente.analysis.montecarlo import run_ensemble

    if name == "exchange":
        from detente.kernels import exchange as kernel

        ref = _import_from(ROOT / "tests" / "kernels", "exchange_reference").reference_phase
        t_fast, fast = _best_time(lambda: run_ensemble(model, spec, n_draws=n, seed=5))
        saved = kernel.exchange_phase
        kernel.exchange_phase = ref
        try:
            t_ref, slow = _best_time(lambda: run_ensemble(model, spec, n_draws=n, seed=5))
        finally:
            kernel.exchange_phase = saved
        return {
            "reference": "tests/kernels/exchange_reference.py",
            "reference_s": round(t_ref, 4),
            "reference_ratio": round(t_ref / t_fast, 2),
            "reference_equal": bool(np.array_equal(fast.outcomes, slow.outcomes)),
        }
    if name == "eum":
        from detente.kernels.eum import run_eum
        from detente.kernels.eum_spec import EUMSettings

        rows = _import_from(ROOT / "tests" / "models", "eum_oracle").run_rows
        g = np.random.default_rng(0)
        a, i = spec.base.n_actors, spec.base.n_issues
        b = n * i
        x, s = g.random((b, a)), g.uniform(0.05, 1.0, (b, a))
        w, present, st = g.uniform(0.1, 2.0, (b, a)) * s, np.ones((b, a), bool), EUMSettings()
        t_fast, _ = _best_time(lambda: run_eum(x, w, s, present, st, 10, record=False))
        t_ref, _ = _best_time(lambda: rows(x, w, s, present, st, 10))
        return {
            "reference": "tests/models/eum_oracle.py run_rows",
            "reference_s": round(t_ref, 4),
            "reference_ratio": round(t_ref / t_fast, 2),
        }
    return {}


def run_cell(name: str, actors: int, issues: int, draws: int, max_seconds: float, ref_seconds: float) -> dict:
    """One cell, in this process (called in a child process by :func:`main`)."""
    warnings.simplefilter("ignore")
    t_start = time.perf_counter()
    from bench_sweep import synthetic

    from detente.analysis.montecarlo import prepare, run_ensemble
    from detente.core.perturb import Perturbation
    from detente.models import get_model

    model = get_model(name)
    spec = prepare(synthetic(actors, issues), Perturbation())
    cell: dict[str, Any] = {"model": name, "actors": actors, "issues": issues, "draws": draws}
    t0 = time.perf_counter()
    run_ensemble(model, spec, n_draws=1, seed=1)  # warm-up: imports, JIT, caches
    cell["first_draw_s"] = round(time.perf_counter() - t0, 4)
    cell["startup_s"] = round(t0 - t_start, 4)
    cell["base_rss_mb"] = round(_rss_mb(), 1)
    if draws > 50:  # pilot: skip cells that would take too long
        pilot = 50
        t0 = time.perf_counter()
        run_ensemble(model, spec, n_draws=pilot, seed=2)
        est = (time.perf_counter() - t0) * draws / pilot
        if est > max_seconds:
            return {**cell, "skipped": True, "estimated_s": round(est, 1)}
    elif cell["first_draw_s"] * draws > max_seconds:
        return {**cell, "skipped": True, "estimated_s": round(cell["first_draw_s"] * draws, 1)}
    t0, c0 = time.perf_counter(), time.process_time()
    run_ensemble(model, spec, n_draws=draws, seed=3)
    t, cpu = time.perf_counter() - t0, time.process_time() - c0
    cell.update(seconds=round(t, 4), cpu_s=round(cpu, 4), draws_per_s=round(draws / t, 2))
    cell["peak_rss_mb"] = round(_rss_mb(), 1)
    # --chunk 1 reference: one unbatched predict per draw, as many draws as fit in ref_seconds
    t1 = max(cell["first_draw_s"], 1e-6)
    n1 = int(min(draws, max(1, ref_seconds / t1)))
    t0 = time.perf_counter()
    run_ensemble(model, spec, n_draws=n1, seed=3, chunk_size=1)
    rate1 = n1 / (time.perf_counter() - t0)
    cell.update(
        chunk1_draws=n1, chunk1_draws_per_s=round(rate1, 2), chunk1_ratio=round((draws / t) / rate1, 2)
    )
    if draws <= 1000 and t * 30 < max_seconds:  # the reference may be ~30x slower
        try:
            cell.update(_reference_ratio(name, model, spec, draws))
        except Exception as exc:  # a reference that moved or changed: say so, keep the cell
            cell["reference_error"] = f"{type(exc).__name__}: {exc}"
    return cell


def growth_exponents(cells: list[dict]) -> list[dict]:
    """Slope of log(seconds) against log(actors) per model × issues × draws (≥ 2 actor counts)."""
    groups: dict[tuple, list[tuple[float, float]]] = {}
    for c in cells:
        if c.get("seconds"):  # CPU seconds when measured: robust to other load on the machine
            secs = c.get("cpu_s") or c["seconds"]
            groups.setdefault((c["model"], c["issues"], c["draws"]), []).append((c["actors"], secs))
    out = []
    for (m, i, d), pts in sorted(groups.items()):
        if len({a for a, _ in pts}) < 2:
            continue
        xs, ys = [math.log(a) for a, _ in pts], [math.log(max(s, 1e-9)) for _, s in pts]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
        out.append(
            {"model": m, "issues": i, "draws": d, "growth_exponent": round(slope, 2), "points": len(pts)}
        )
    return out


def markdown(doc: dict) -> str:
    """The table of benchmarks/README.md."""
    lines = [
        f"Machine: {doc['machine']['cpu_count']} cores, {doc['machine']['platform']}, "
        f"Python {doc['machine']['python']}; detente {doc['detente_version']}; {doc['when']}; load average "
        f"{doc['machine']['load_average']:.1f} at the start (CPU s is this process's own time).",
        "",
        "| model | actors | issues | draws | s | CPU s | draws/s | peak RSS MB | × chunk 1 | × reference |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in doc["cells"]:
        if c.get("skipped"):
            lines.append(
                f"| {c['model']} | {c['actors']} | {c['issues']} | {c['draws']:,} | skipped "
                f"(est. {c['estimated_s']:g} s) | | | | | |"
            )
            continue
        ref = f"{c['reference_ratio']:g}" if "reference_ratio" in c else ""
        lines.append(
            f"| {c['model']} | {c['actors']} | {c['issues']} | {c['draws']:,} | {c['seconds']:.3g} | {c['cpu_s']:.3g} | "
            f"{c['draws_per_s']:,.3g} | {c['peak_rss_mb']:.0f} | {c['chunk1_ratio']:g} | {ref} |"
        )
    if doc["growth"]:
        lines += ["", "| model | issues | draws | growth exponent in n (actors) |", "|---|---:|---:|---:|"]
        lines += [
            f"| {g['model']} | {g['issues']} | {g['draws']:,} | {g['growth_exponent']} |"
            for g in doc["growth"]
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", choices=sorted(SIZES), default="quick", help="grid of actors, issues and draws")
    p.add_argument("--models", nargs="+", default=None, help=f"default: {' '.join(DEFAULT_MODELS)}")
    p.add_argument("--actors", nargs="+", type=int)
    p.add_argument("--issues", nargs="+", type=int)
    p.add_argument("--draws", nargs="+", type=int)
    p.add_argument("--max-seconds", type=float, default=60.0, help="skip cells estimated above this")
    p.add_argument("--ref-seconds", type=float, default=1.0, help="time for the --chunk 1 reference per cell")
    p.add_argument("--out", type=Path, help="also write the JSON here")
    p.add_argument("--markdown", action="store_true", help="print the README table after the JSON")
    p.add_argument("--cell", nargs=4, metavar=("MODEL", "ACTORS", "ISSUES", "DRAWS"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.cell:
        m, a, i, d = args.cell
        print(json.dumps(run_cell(m, int(a), int(i), int(d), args.max_seconds, args.ref_seconds)))
        return {}
    grid = SIZES[args.size]
    models = args.models or DEFAULT_MODELS
    import numpy as np

    from detente._version import __version__
    from detente.models import available_models

    avail = set(available_models())
    doc: dict[str, Any] = {
        "benchmark": "scale",
        "size": args.size,
        "detente_version": __version__,
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "platform": platform.platform(),
            "load_average": os.getloadavg()[0],
        },
        "unavailable_models": [m for m in models if m not in avail],
        "cells": [],
    }
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    for m in (m for m in models if m in avail):
        for i in args.issues or grid["issues"]:
            for d in args.draws or grid["draws"]:
                for a in args.actors or grid["actors"]:
                    cmd = [sys.executable, str(HERE / "bench_scale.py"), "--cell", m, str(a), str(i), str(d)]
                    cmd += ["--max-seconds", str(args.max_seconds), "--ref-seconds", str(args.ref_seconds)]
                    res = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
                    if res.returncode != 0:
                        err = (res.stderr.strip().splitlines() or ["?"])[-1]
                        cell = {"model": m, "actors": a, "issues": i, "draws": d, "error": err}
                    else:
                        cell = json.loads(res.stdout.strip().splitlines()[-1])
                    doc["cells"].append(cell)
                    print(json.dumps(cell), file=sys.stderr, flush=True)
    doc["cells"] = [c for c in doc["cells"] if "error" not in c] + [c for c in doc["cells"] if "error" in c]
    doc["growth"] = growth_exponents(doc["cells"])
    text = json.dumps(doc, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    if args.markdown:
        print(markdown({**doc, "cells": [c for c in doc["cells"] if "error" not in c]}))
    return doc


if __name__ == "__main__":
    main()
