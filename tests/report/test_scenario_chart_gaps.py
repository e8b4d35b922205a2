"""The scenario chart of a large scenario (audit: 60 actors × 10 issues) left 518 px of blank page
between each two panels, 4,660 px in all: the gap was a fixed share of a panel that grows with the
actors. Now the gap is at most GAP_PX; a small scenario's chart is as it was."""

from __future__ import annotations

import sys
from pathlib import Path

from detente.io.builtin import load_builtin
from detente.report.charts import GAP_PX
from detente.report.parts.forecasts import scenario_section


def _gaps_px(scenario) -> list[float]:
    fig = scenario_section(scenario).figures[0]
    m = fig.layout["margin"]
    paper = fig.layout["height"] - m["t"] - m["b"]
    doms = sorted((v["domain"] for k, v in fig.layout.items() if k.startswith("yaxis")), key=lambda d: -d[1])
    return [(a[0] - b[1]) * paper for a, b in zip(doms, doms[1:], strict=False)]


def test_large_scenario_has_no_blank_page_between_panels() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from bench_sweep import synthetic

    gaps = _gaps_px(synthetic(60, 10))
    assert len(gaps) == 9 and all(60 <= g <= GAP_PX + 0.5 for g in gaps)


def test_small_scenario_keeps_its_gaps() -> None:
    gaps = _gaps_px(load_builtin("ukraine-2025"))
    assert all(abs(g - 91) < 2 for g in gaps)  # about 35 % of a 260 px slot, as before
