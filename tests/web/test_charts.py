"""The dashboard's charts: drawn by the report's vendored plotly.js basic bundle (scatter, bar, pie),
and every run status a page shows is defined on that page (issue #12, items 5 and 9)."""

from __future__ import annotations

import html
import re
import time

import numpy as np
import pytest

from detente.report.glossary import STATUS_MEANINGS, statuses_in
from plotly_bundle import STATIC, bundle_trace_types, trace_types, vendored_bundle


def _defined(fragment: str, status: str) -> bool:
    return f"<b>{status}</b>: {html.escape(STATUS_MEANINGS[status])}" in fragment


def _poll(client, hx, text: str) -> str:
    m = re.search(r'hx-get="/ui/jobs/([0-9a-f]+)"', text)
    for _ in range(1200):
        if m is None or "job-done" in text or "failed" in text:
            return text
        time.sleep(0.05)
        text = client.get(f"/ui/jobs/{m.group(1)}", headers=hx).text
    raise AssertionError("job did not finish")


@pytest.fixture(scope="module")
def ukraine_pages(tmp_path_factory) -> dict[str, str]:
    """What the dashboard draws for ukraine-2025 (the one built-in with every part, the simulator
    included): the editor page, an EUM run, a what-if, a comparison and the "Report charts" job."""
    from fastapi.testclient import TestClient

    from detente.web import create_app

    app = create_app(db_url=str(tmp_path_factory.mktemp("web") / "web.sqlite"))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        page = client.get("/s/ukraine-2025")
        token = client.cookies.get("detente_csrf")
        hx = {"HX-Request": "true", "X-CSRF-Token": token}
        form = {
            "csrf_token": token,
            "base": html.unescape(re.search(r'name="base" value="([^"]*)"', page.text).group(1)),
            "origin": html.unescape(re.search(r'name="origin" value="([^"]*)"', page.text).group(1)),
            "scenario": "ukraine-2025",
            "model": "eum",
            "seed": "0",
        }
        out = {"editor": page.text, "run": client.post("/ui/run", data=form, headers=hx).text}
        out["whatif"] = client.post(
            "/ui/whatif",
            data={**form, "wi_actor": "united_states", "wi_salience": "0.2"},
            headers=hx,
        ).text
        out["compare"] = client.get("/compare?a=ukraine-2025&b=emission-standards-1994&model=eum").text
        out["sections"] = _poll(client, hx, client.post("/ui/job/sections", data=form, headers=hx).text)
    for name, text in out.items():
        assert "Plotly.newPlot" in text, name
    return out


def test_served_plotly_is_the_reports_vendored_basic_bundle(client):
    page = client.get("/").text
    assert '<script src="/static/plotly-basic.min.js"></script>' in page and "plotly.min.js" not in page
    js = client.get("/static/plotly-basic.min.js")
    assert js.status_code == 200 and js.content == (STATIC / "plotly-basic.min.js").read_bytes()
    assert js.headers["content-type"] == "text/javascript; charset=utf-8"
    assert js.headers["cache-control"] == "public, max-age=86400"
    assert bundle_trace_types(js.text) == {"bar", "pie", "scatter"}
    assert len(js.content) < 1_500_000  # the full plotly.min.js is 4.8 MB
    assert client.get("/static/plotly.min.js").status_code == 404  # no second copy


def test_dashboard_pages_draw_charts_lazily_as_the_report_does(client):
    """Every page loads the report's lazy-charts.js right after plotly.js, so a chart of a fragment
    ("Report charts", Run, Compare) is drawn once it comes near the window, not as it is swapped in."""
    from detente.report.html import lazy_charts_js

    page = client.get("/").text
    assert (
        '<script src="/static/plotly-basic.min.js"></script>\n<script src="/static/lazy-charts.js"></script>'
        in page
    )
    js = client.get("/static/lazy-charts.js")
    assert js.status_code == 200 and js.text == lazy_charts_js()
    assert js.headers["content-type"] == "text/javascript; charset=utf-8"
    assert (STATIC / "lazy-charts.js").read_text(encoding="utf-8") == js.text  # one home: report/static


@pytest.mark.slow
def test_every_dashboard_chart_uses_only_trace_types_of_the_bundle(ukraine_pages):
    registered = bundle_trace_types(vendored_bundle())
    for name, text in ukraine_pages.items():
        used = trace_types(text)
        assert used and used <= registered, (name, used - registered)
    # the "Report charts" job drew every part, the simulator's too (animation frames are checked as well)
    sections = ukraine_pages["sections"]
    assert all(f'id="p-{p}-' in sections for p in ("eum", "simulator", "exchange", "smp", "cohesion"))


@pytest.mark.slow
def test_sections_define_the_statuses_they_show(ukraine_pages):
    frag = ukraine_pages["sections"]
    body = re.sub(r"<script\b.*?</script>", "", frag, flags=re.S)
    shown: set[str] = set()
    for sid, sec in re.findall(r'<section class="report-section" id="([^"]+)">(.*?)</section>', body, re.S):
        before = sec.split('<div class="statuses">')[0]  # caption (and title): the definitions follow it
        tables = "".join(re.findall(r"<table.*?</table>", sec, re.S))
        for s in statuses_in([html.unescape(re.sub(r"<[^>]+>", " ", before + tables))]):
            assert _defined(sec, s), (sid, s)
            shown.add(s)
    assert {"capped", "cycled"} <= shown  # ukraine-2025: the EUM and uncertainty sections


def test_a_run_defines_the_statuses_in_its_table(client, editor_form):
    form, hx = editor_form(client)  # emission-standards-1994: EUM keeps oscillating
    eum = client.post("/ui/run", data={**form, "model": "eum"}, headers=hx).text
    assert "<td>oscillating</td>" in eum and _defined(eum, "oscillating")
    assert not _defined(eum, "capped")  # only the statuses shown
    closed = client.post("/ui/run", data=form, headers=hx).text  # compromise: a formula
    # a formula has no rounds: like detente forecast, the table leaves that status out (nothing to define)
    assert "<td>closed_form</td>" not in closed and not _defined(closed, "closed_form")


def _traces(fragment: str) -> list[dict]:
    """The traces of every ``Plotly.newPlot(id, data, layout, …)`` call in a fragment."""
    import json

    out = []
    for m in re.finditer(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*", fragment):
        data, _ = json.JSONDecoder().raw_decode(fragment, m.end())
        out += data
    return out


def test_run_chart_draws_the_tables_intervals(client, editor_form):
    """Run: the "Forecast by model" chart draws the 50 % and 90 % interval bars of the very
    distribution the table prints (one computation, forecast_intervals), and says where they come from."""
    form, hx = editor_form(client)  # emission-standards-1994: EU legislation, the error model's domain
    text = client.post("/ui/run", data=form, headers=hx).text
    cells = re.findall(r'<td class="num interval" data-level="(50|90)">(-?[\d.]+)–(-?[\d.]+)</td>', text)
    table = {lv: [(float(lo), float(hi)) for lev, lo, hi in cells if lev == lv] for lv in ("50", "90")}
    assert len(table["50"]) == len(table["90"]) >= 1
    # per subplot (one per issue) a 50 % and a 90 % bar, [lo, hi, null] on the model's row, equal to
    # the table's cells (2 decimals there)
    per_axis: dict[str, dict[str, tuple[float, float]]] = {}
    for t in _traces(text):
        if t.get("name", "").endswith("% interval"):
            assert len(t["x"]) == 3 and t["y"][:2] == ["compromise", "compromise"], t
            per_axis.setdefault(t["xaxis"], {})[t["name"][:2]] = (t["x"][0], t["x"][1])
    axes = sorted(per_axis, key=lambda a: int(a[1:] or 1))
    assert len(axes) == len(table["50"])
    for k, ax in enumerate(axes):
        for lv in ("50", "90"):
            lo, hi = per_axis[ax][lv]
            assert abs(lo - table[lv][k][0]) <= 0.0051 and abs(hi - table[lv][k][1]) <= 0.0051, (ax, lv)
    assert "model error learned on" in text  # the bars' caption under the chart


def test_compare_sides_show_their_intervals(client):
    """Compare: each side's table has the 50 % and 90 % intervals and its chart the same bars (as Run),
    with the line saying where the intervals come from."""
    text = client.get("/compare?a=ukraine-2025&b=emission-standards-1994&model=compromise").text
    cells = re.findall(r'<td class="num interval" data-level="(50|90)">(-?[\d.]+)–(-?[\d.]+)</td>', text)
    assert len(cells) == 2 * (6 + 1), len(cells)  # 6 issues + 1 issue, two levels each
    assert text.count('class="muted interval-source"') == 2
    bars = [t for t in _traces(text) if t.get("name", "").endswith("% interval")]
    assert len(bars) == 2 * (6 + 1)
    drawn = sorted(round(x, 2) for t in bars for x in t["x"][:2])
    shown = sorted(float(v) for _, lo, hi in cells for v in (lo, hi))
    assert np.allclose(drawn, shown, atol=0.0051)
