"""Test helpers shared by tests/report and tests/web: the vendored plotly.js basic bundle and the
figures a page draws with it (``tests/`` is on ``sys.path`` through its conftest.py).

``bundle_trace_types`` reads the bundle's source on its own (it does not call the package's
``detente.report.html.bundle_trace_types``), so the tests check the package against the file.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

STATIC = resources.files("detente.report") / "static"


def vendored_bundle() -> str:
    """The text of ``src/detente/report/static/plotly-basic.min.js``."""
    return (STATIC / "plotly-basic.min.js").read_text(encoding="utf-8")


def bundle_trace_types(js: str) -> set[str]:
    """The trace types a plotly.js bundle registers (each trace module says ``moduleType:"trace",name:"…"``)."""
    return set(re.findall(r'moduleType:\s*"trace",\s*name:\s*"(\w+)"', js))


def figures(text: str) -> dict[str, tuple[list[dict[str, Any]], dict[str, Any]]]:
    """div id -> (traces, layout) of every ``Plotly.newPlot`` call in a page."""
    dec = json.JSONDecoder()
    out: dict[str, tuple[list[dict[str, Any]], dict[str, Any]]] = {}
    for m in re.finditer(r'Plotly\.newPlot\(\s*"([^"]+)",\s*', text):
        data, end = dec.raw_decode(text, m.end())
        layout, _ = dec.raw_decode(text, text.index("{", end))
        out[m.group(1)] = (data, layout)
    return out


def frame_traces(text: str) -> list[dict[str, Any]]:
    """The traces of every animation frame of a page (``Plotly.addFrames`` calls)."""
    dec = json.JSONDecoder()
    out: list[dict[str, Any]] = []
    for m in re.finditer(r"Plotly\.addFrames\(\s*['\"][^'\"]+['\"],\s*", text):
        frames, _ = dec.raw_decode(text, m.end())
        out += [t for f in frames for t in f.get("data", [])]
    return out


def trace_types(text: str) -> set[str]:
    """Every trace type the figures of a page use, animation frames included (default ``scatter``)."""
    traces = [t for data, _ in figures(text).values() for t in data] + frame_traces(text)
    return {t.get("type", "scatter") for t in traces}
