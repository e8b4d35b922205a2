"""Whole commands as a user runs them (issue 15's table), with wall time, CPU time and peak RSS.

Each case runs ``detente …`` in a fresh process ``--repeat`` times (best wall time kept; CPU
seconds and peak RSS from ``os.wait4`` of that process), with Python's bytecode cache on as in an
installed package (``PYTHONDONTWRITEBYTECODE`` is dropped for the children and the cache goes to
``PYTHONPYCACHEPREFIX``, a temporary folder). Cases (issue 15):

- ``sweep`` EUM, 20 actors × 10 issues × 10,000 draws (synthetic scenario of ``bench_sweep``);
- ``forecast`` EUM, 200 × 10 (with peak RSS); ``forecast`` exchange, 200 × 10;
- ``run`` on ``ukraine-2025`` (writes the HTML report into a temporary folder);
- batched vs ``--chunk 1``: ``sweep`` EUM 20 × 10, draws/s of the default chunk ÷ draws/s with
  ``--chunk 1`` (the chunk-1 run on ``--chunk1-draws`` draws), both in-process (``--processes 1``);
- ``detente --help``;
- Dask: ``sweep`` EUM 20 × 10 × ``--dask-draws`` on a local cluster of 1 and of 2 workers; the
  speed-up ratio and whether both printed the same numbers (``--dask`` to include; needs the
  ``distributed`` extra).

Prints one JSON document and, with ``--markdown``, the table of benchmarks/README.md with the
issue's targets. ``--size smoke`` runs every case at a tiny size (CI).

    python benchmarks/bench_commands.py --markdown
    python benchmarks/bench_commands.py --dask --markdown
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

# (case, target, goal) of issue 15: seconds unless noted
TARGETS: dict[str, tuple[str, str]] = {
    "sweep_eum_20x10x10k": ("< 3 s", "< 1.5 s"),
    "forecast_eum_200x10": ("< 1.5 s, < 300 MB", "< 0.5 s"),
    "forecast_exchange_200x10": ("< 2 s", "< 0.5 s"),
    "run_ukraine_2025": ("< 1.5 s", "< 1 s"),
    "batched_vs_chunk1_eum_20x10": ("≥ 50×", "≥ 100×"),
    "help": ("< 0.3 s", ""),
    "dask_1_to_2_workers_20x10": ("near-linear (≈ 2×)", ""),
}


# as an installed package runs: bytecode cached (a PYTHONDONTWRITEBYTECODE environment would recompile
# every module of detente at every start); the cache goes to a folder of its own, not the source tree
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
_ENV.setdefault("PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / "detente-bench-pycache"))


def _detente() -> list[str]:
    exe = shutil.which("detente", path=str(Path(sys.executable).parent)) or shutil.which("detente")
    return [exe] if exe else [sys.executable, "-m", "detente.cli"]


def timed(argv: list[str], cwd: Path) -> dict[str, Any]:
    """Run once; wall seconds, CPU seconds (user + sys) and peak RSS of the child, and its output."""
    with tempfile.TemporaryFile("w+") as fo, tempfile.TemporaryFile("w+") as fe:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=fo, stderr=fe, text=True, env=_ENV)
        _, status, ru = os.wait4(proc.pid, 0)  # this child's own rusage (peak RSS, CPU)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read(), fe.read()
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(ru.ru_utime + ru.ru_stime, 3),
        "peak_rss_mb": round(ru.ru_maxrss / 1024, 1),
        "exit": proc.returncode,
        "stdout": out,
        "stderr": err[-2000:],
    }


def best(argv: list[str], cwd: Path, repeat: int) -> dict[str, Any]:
    runs = [timed(argv, cwd) for _ in range(repeat)]
    bad = [r for r in runs if r["exit"] != 0]
    if bad:
        return {"argv": argv[1:], "error": bad[0]["stderr"].strip().splitlines()[-1:] or ["?"]}
    top = min(runs, key=lambda r: r["wall_s"])
    return {
        "argv": argv[1:],
        **{k: v for k, v in top.items() if k not in ("stdout", "stderr")},
        "stdout": top["stdout"],
    }


def machine_reference(repeat: int = 3) -> dict[str, float]:
    """CPU seconds of two fixed workloads on this machine, best of ``repeat``: a pure-Python loop of
    10 million additions and ``numpy.exp`` over 10 million doubles 5 times. Machines of the same kind
    differ (measured here: the same commands 1.3–1.5× slower on one machine than on another of this
    kind), so a table of times is read against this line of the same run."""
    import numpy as np

    def loop() -> None:
        s = 0
        for i in range(10_000_000):
            s += i

    x = np.linspace(0.0, 1.0, 10_000_000)

    def vexp() -> None:
        for _ in range(5):
            np.exp(x)

    out = {}
    for name, work in (("python_loop_10M_s", loop), ("numpy_exp_50M_s", vexp)):
        times = []
        for _ in range(repeat):
            t0 = time.process_time()
            work()
            times.append(time.process_time() - t0)
        out[name] = round(min(times), 3)
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", choices=["smoke", "full"], default="full")
    p.add_argument("--repeat", type=int, default=3, help="runs per case (best wall time)")
    p.add_argument("--chunk1-draws", type=int, default=200)
    p.add_argument("--dask", action="store_true", help="include the Dask 1 → 2 workers case")
    p.add_argument("--dask-draws", type=int, default=100_000)
    p.add_argument("--cases", nargs="+", choices=sorted(TARGETS), help="only these cases (default: all)")
    p.add_argument("--markdown", action="store_true")
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    smoke = args.size == "smoke"
    big, sweep_n, c1_n = (12, 3_00, 20) if smoke else (200, 10_000, args.chunk1_draws)
    dask_n = 2_000 if smoke else args.dask_draws
    sys.path.insert(0, str(HERE))
    from bench_sweep import synthetic

    from detente.io.files import write_scenario

    det = _detente()
    doc: dict[str, Any] = {
        "benchmark": "commands",
        "size": args.size,
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "load_average": os.getloadavg()[0],
        },
        "cases": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        small, large = cwd / "s20x10.json", cwd / f"s{big}x10.json"
        write_scenario(synthetic(20, 10), small)
        write_scenario(synthetic(big, 10), large)
        cases = doc["cases"]
        want = set(args.cases or TARGETS) - (
            set() if args.dask or args.cases else {"dask_1_to_2_workers_20x10"}
        )
        sweep = [*det, "sweep", str(small), "-m", "eum", "--format", "json"]
        best([*det, "--help"], cwd, 1)  # fills the bytecode cache
        if "sweep_eum_20x10x10k" in want:
            cases["sweep_eum_20x10x10k"] = best([*sweep, "--draws", str(sweep_n)], cwd, args.repeat)
        for model in ("eum", "exchange"):
            if f"forecast_{model}_200x10" in want:
                argv = [*det, "forecast", str(large), "-m", model]
                cases[f"forecast_{model}_200x10"] = best(argv, cwd, args.repeat)
        if "run_ukraine_2025" in want:
            cases["run_ukraine_2025"] = best([*det, "run", "ukraine-2025"], cwd, args.repeat)
        if "help" in want:
            cases["help"] = best([*det, "--help"], cwd, max(args.repeat, 3))
        if "batched_vs_chunk1_eum_20x10" in want:
            one = [*sweep, "--processes", "1"]
            batched = best([*one, "--draws", str(sweep_n)], cwd, 1)
            chunk1 = best([*one, "--draws", str(c1_n), "--chunk", "1"], cwd, 1)
            ratio: dict[str, Any] = {"batched": batched, "chunk1": chunk1}
            if "error" not in batched and "error" not in chunk1:
                ratio["ratio"] = round((sweep_n / batched["wall_s"]) / (c1_n / chunk1["wall_s"]), 1)
            cases["batched_vs_chunk1_eum_20x10"] = ratio
        if "dask_1_to_2_workers_20x10" in want:
            runs = {w: best([*sweep, "--draws", str(dask_n), "--workers", str(w)], cwd, 1) for w in (1, 2)}
            dask: dict[str, Any] = {"draws": dask_n, "workers_1": runs[1], "workers_2": runs[2]}
            if all("error" not in r for r in runs.values()):
                dask["ratio"] = round(runs[1]["wall_s"] / runs[2]["wall_s"], 2)
                dask["same_numbers"] = _sweep_numbers(runs[1]["stdout"]) == _sweep_numbers(runs[2]["stdout"])
            cases["dask_1_to_2_workers_20x10"] = dask
    # after the cases: a child's peak RSS (os.wait4) starts from this process's peak at the fork (Linux
    # copies the high-water mark), and the reference's arrays would raise it
    doc["machine"]["reference"] = machine_reference(1 if smoke else 3)
    for case in doc["cases"].values():  # keep the JSON small: no stdout
        for r in (case, *(v for v in case.values() if isinstance(v, dict))):
            r.pop("stdout", None)
    text = json.dumps(doc, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    if args.markdown:
        print(markdown(doc))
    return doc


def _sweep_numbers(stdout: str) -> Any:
    """The numbers of a ``sweep --format json`` document, without timings or provenance."""
    data = json.loads(stdout)
    for key in ("elapsed_s", "seconds", "provenance", "executor", "workers", "created"):
        if isinstance(data, dict):
            data.pop(key, None)
    return data


def markdown(doc: dict[str, Any]) -> str:
    m = doc["machine"]
    lines = [
        f"Machine: {m['cpu_count']} cores, {m['platform']}, Python {m['python']}, load average "
        f"{m['load_average']:.1f} at the start; {doc['when']}; best of the runs per case. Machine speed "
        f"(CPU s, same run): pure-Python loop of 10M additions {m['reference']['python_loop_10M_s']} s, "
        f"numpy.exp over 50M doubles {m['reference']['numpy_exp_50M_s']} s.",
        "",
        "| case | measured | target | goal |",
        "|---|---|---|---|",
    ]
    for name, case in doc["cases"].items():
        target, goal = TARGETS.get(name, ("", ""))
        if "error" in case:
            cell = f"error: {case['error']}"
        elif "ratio" in case and "workers_1" in case:
            cell = (
                f"{case['ratio']}× ({case['workers_1']['wall_s']} s → {case['workers_2']['wall_s']} s, "
                f"{case['draws']:,} draws; same numbers: {case.get('same_numbers')})"
            )
        elif "ratio" in case:
            cell = f"{case['ratio']}× (batched {case['batched']['wall_s']} s, chunk 1 {case['chunk1']['wall_s']} s)"
        elif "wall_s" in case:
            cell = f"{case['wall_s']} s wall, {case.get('cpu_s', '?')} s CPU, {case.get('peak_rss_mb', '?')} MB peak RSS"
        else:
            cell = "error: " + "; ".join(str(v.get("error")) for v in case.values() if isinstance(v, dict))
        lines.append(f"| {name} | {cell} | {target} | {goal} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
