"""Load test of the dashboard API on loopback: N concurrent clients running forecasts for a bounded time.

Starts ``detente serve``'s app (uvicorn, one process, like ``detente serve``) on 127.0.0.1 with a
throwaway SQLite store, then ``--clients`` threads (default 20) post ``/api/forecast`` and
``/api/whatif`` requests in a loop for ``--duration`` seconds (default 60; env
``DETENTE_BENCH_DURATION``). Every answer is checked against the same forecast computed
in-process before the run; any HTTP error or wrong number counts as a failure.

Prints one JSON object: requests, errors, wrong answers, throughput (requests/s), latency
percentiles (ms), and the reference: one client alone for a few seconds in the same run, with
the ratio of concurrent to single-client throughput.

    python benchmarks/bench_web_load.py --duration 60 --clients 20
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import warnings

MODELS = ("compromise", "median", "nbs", "eum", "exchange", "smp")
SCENARIOS = ("ukraine-2025", "emission-standards-1994")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(db: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    code = (  # exactly what `detente serve` runs
        "import uvicorn; uvicorn.run('detente.web.app:create_app_from_env', factory=True, "
        f"host='127.0.0.1', port={port}, log_level='error', access_log=False)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "DETENTE_DB": db})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/api/health", timeout=1):
                return proc, base
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SystemExit("server did not start") from None
            time.sleep(0.1)


def _requests() -> list[tuple[str, dict, list[float]]]:
    """(path, body, expected outcomes) computed in-process with the library."""
    from dataclasses import replace

    from detente.io.builtin import builtin_names, load_builtin
    from detente.models import available_models, forecast, get_model

    out = []
    models = [m for m in MODELS if m in available_models()]
    for name in SCENARIOS:
        if name not in builtin_names():
            continue
        sc = load_builtin(name)
        for m in models:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                want = [float(x) for x in forecast(get_model(m), sc, seed=0).outcome]
            out.append(("/api/forecast", {"ref": f"builtin:{name}", "model": m, "seed": 0}, want))
        s0 = sc.stances[0]
        changed = replace(sc, stances=tuple(replace(s, salience=0.2) if s is s0 else s for s in sc.stances))
        want = [float(x) for x in forecast(get_model("compromise"), changed, seed=0).outcome]
        body = {
            "ref": f"builtin:{name}",
            "model": "compromise",
            "changes": [{"actor": s0.actor, "issue": s0.issue, "salience": 0.2}],
        }
        out.append(("/api/whatif", body, want))
    return out


def _worker(base: str, reqs: list, stop: float, offset: int, lat: list[float], fails: list[str]) -> None:
    import httpx

    k = offset
    with httpx.Client(base_url=base, timeout=30) as c:
        while time.monotonic() < stop:
            path, body, want = reqs[k % len(reqs)]
            k += 1
            t0 = time.perf_counter()
            try:
                r = c.post(path, json=body)
                dt = time.perf_counter() - t0
                if r.status_code != 200:
                    fails.append(f"{path} {r.status_code}: {r.text[:100]}")
                    continue
                doc = r.json()
                got = [i["forecast"] for i in (doc["whatif"] if path == "/api/whatif" else doc)["issues"]]
                if len(got) != len(want) or any(
                    (g is None) != (w != w) or (g is not None and abs(g - w) > 1e-9 * max(1.0, abs(w)))
                    for g, w in zip(got, want, strict=True)
                ):
                    fails.append(f"{path} {body.get('model')}: wrong answer {got} != {want}")
                    continue
                lat.append(dt)
            except Exception as exc:  # network errors count as failures
                fails.append(f"{path}: {type(exc).__name__}: {exc}")


def _phase(base: str, reqs: list, clients: int, seconds: float) -> dict:
    lat: list[float] = []
    fails: list[str] = []
    stop = time.monotonic() + seconds
    t0 = time.perf_counter()
    threads = [
        threading.Thread(target=_worker, args=(base, reqs, stop, k * 3, lat, fails)) for k in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    ms = sorted(x * 1000 for x in lat)

    def pct(p: float) -> float | None:
        return round(ms[min(len(ms) - 1, int(p * len(ms)))], 2) if ms else None

    return {
        "clients": clients,
        "seconds": round(wall, 2),
        "ok": len(lat),
        "errors": len(fails),
        "first_errors": fails[:5],
        "throughput_rps": round(len(lat) / wall, 1),
        "latency_ms": {
            "p50": pct(0.50),
            "p95": pct(0.95),
            "p99": pct(0.99),
            "max": pct(1.0),
            "mean": round(statistics.fmean(ms), 2) if ms else None,
        },
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=float(os.environ.get("DETENTE_BENCH_DURATION", "60")))
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--reference-seconds", type=float, default=5.0)
    args = ap.parse_args()
    reqs = _requests()
    with tempfile.TemporaryDirectory() as tmp:
        proc, base = _start_server(os.path.join(tmp, "load.sqlite"))
        try:
            _phase(base, reqs, 2, 1.0)  # warm-up (imports, caches)
            single = _phase(base, reqs, 1, min(args.reference_seconds, args.duration))
            load = _phase(base, reqs, args.clients, args.duration)
        finally:
            proc.terminate()
            proc.wait(10)
    out = {
        "benchmark": "web_load",
        "endpoint_mix": f"{len(reqs)} request kinds: /api/forecast x {len(reqs) - len(SCENARIOS)} (models x scenarios), "
        "/api/whatif",
        "cpus": os.cpu_count(),
        "load": load,
        "reference_single_client": single,
        "throughput_ratio_vs_single_client": round(load["throughput_rps"] / single["throughput_rps"], 2)
        if single["throughput_rps"]
        else None,
        "passed": load["errors"] == 0 and load["ok"] > 0,
    }
    print(json.dumps(out, indent=2))
    return 0 if out["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
