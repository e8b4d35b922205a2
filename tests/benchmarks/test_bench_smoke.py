"""The issue-15 benchmarks run at a tiny size (CI smoke): JSON with ratios, exponents and the README table."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(autouse=True)
def _bench_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCH))


def test_bench_scale_smoke() -> None:
    import bench_scale

    argv = ["--size", "smoke", "--models", "exchange", "compromise", "--actors", "5", "10"]
    argv += ["--issues", "3", "--draws", "1", "20", "--markdown"]
    with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(io.StringIO()):
        doc = bench_scale.main(argv)
    cells = doc["cells"]
    assert len(cells) == 8 and all("error" not in c and not c.get("skipped") for c in cells)
    for c in cells:
        assert c["seconds"] > 0 and c["draws_per_s"] > 0 and c["peak_rss_mb"] >= c["base_rss_mb"] > 0
        assert c["chunk1_ratio"] > 0
    ex = [c for c in cells if c["model"] == "exchange"]
    assert all(c["reference_ratio"] > 0 and c["reference_equal"] for c in ex)  # same numbers as the oracle
    assert {(g["model"], g["draws"]) for g in doc["growth"]} == {
        (m, d) for m in ("exchange", "compromise") for d in (1, 20)
    }
    table = out.getvalue()
    assert "| model | actors | issues | draws |" in table and "growth exponent" in table


def test_bench_commands_smoke() -> None:
    import bench_commands

    argv = ["--size", "smoke", "--repeat", "1", "--cases", "help", "forecast_exchange_200x10", "--markdown"]
    with contextlib.redirect_stdout(io.StringIO()) as out:
        doc = bench_commands.main(argv)
    cases = doc["cases"]
    assert set(cases) == {"help", "forecast_exchange_200x10"}
    for case in cases.values():
        assert "error" not in case, case
        assert case["wall_s"] > 0 and case["cpu_s"] > 0 and case["peak_rss_mb"] > 0
    assert "| forecast_exchange_200x10 |" in out.getvalue()
    assert doc["machine"]["cpu_count"] == os.cpu_count()
    ref = doc["machine"]["reference"]  # the machine's speed on fixed workloads, beside the times
    assert ref["python_loop_10M_s"] > 0 and ref["numpy_exp_50M_s"] > 0
    assert "Machine speed (CPU s, same run)" in out.getvalue()
