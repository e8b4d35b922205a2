"""The HTML report a reader opens (issue #12, item 5): small, offline, every chart drawable, readable.

One ukraine-2025 report (quick mode, as ``detente report`` writes it) is built once for the module.
"""

from __future__ import annotations

import hashlib
import html as _html
import re
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

from detente.analysis.main_job import MainJobOptions, main_job
from detente.io.builtin import load_builtin
from detente.report.html import plotly_js, render_scenario_report
from detente.report.parts import part_builders
from plotly_bundle import STATIC, bundle_trace_types, figures, trace_types, vendored_bundle

MAX_BYTES = 2_500_000


@pytest.fixture(scope="module")
def report() -> str:
    sc = load_builtin("ukraine-2025")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        job = main_job(sc, MainJobOptions(seed=0, quick=True))
        parts = [build(job) for _, build in part_builders()]
    return render_scenario_report(sc, parts, seed=0)


def sections(text: str) -> dict[str, str]:
    """section id -> its HTML, scripts removed (what a reader can see, plus markup)."""
    body = re.sub(r"<script\b.*?</script>", "", text, flags=re.S)
    return dict(re.findall(r'<section id="([^"]+)">(.*?)</section>', body, flags=re.S))


def visible(fragment: str) -> str:
    return _html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def test_report_is_small(report: str) -> None:
    size = len(report.encode("utf-8"))
    assert size <= MAX_BYTES, f"report is {size / 1e6:.2f} MB"


def test_exactly_one_plotly_copy_the_vendored_bundle(report: str) -> None:
    bundle = vendored_bundle()
    assert plotly_js() == bundle and report.count(bundle) == 1
    assert len(re.findall(r"\* plotly\.js (?:\([^)]*\) )?v\d", report)) == 1  # no second (full) bundle
    # the file is the one its README names (npm plotly.js-basic-dist-min, same plotly.js as python plotly)
    readme = (STATIC / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256((STATIC / "plotly-basic.min.js").read_bytes()).hexdigest()
    assert digest in readme and (STATIC / "LICENSE.plotly.js").read_text().startswith("MIT License")
    from plotly.offline import get_plotlyjs_version

    assert f"v{get_plotlyjs_version()}" in bundle[:200] and f"**{get_plotlyjs_version()}**" in readme
    # offline: outside the bundle nothing points at the network
    rest = report.replace(bundle, "")
    assert "cdn.plot.ly" not in rest and 'src="http' not in rest and 'href="http' not in rest


def test_every_trace_type_is_in_the_bundle(report: str) -> None:
    registered = bundle_trace_types(vendored_bundle())
    assert registered == {"bar", "pie", "scatter"}
    from detente.report.html import bundle_trace_types as used_by_the_package

    assert used_by_the_package() == registered
    used = trace_types(report)  # animation frames included
    assert used and used <= registered, used - registered


def test_backtest_charts_use_only_bundle_traces() -> None:
    """Error boxes and the PIT histogram of the backtest report are drawn with bundle trace types."""
    from detente.report.backtest import calibration_section, error_distribution_section

    rng = np.random.default_rng(0)
    y = rng.uniform(0, 100, 40)
    res = SimpleNamespace(
        outcome=y,
        forecasts={"compromise": y + rng.normal(0, 10, 40), "median": y + rng.normal(0, 20, 40)},
        ensembles={"eum": y[:, None] + rng.normal(0, 15, (40, 20))},
    )
    figs = (
        error_distribution_section(res, ["compromise", "median"]).figures + calibration_section(res).figures
    )
    used = {t["type"] for f in figs for t in f.to_dict()["data"]}
    assert used <= bundle_trace_types(vendored_bundle()), used


def test_terms_chart_speaks_words_on_its_own_axes(report: str) -> None:
    data, layout = figures(report)["sim-terms-fig0"]
    codes = {"terr", "buf", "cap", "align", "guar"}
    assert not codes & {t.get("name") for t in data}
    assert not codes & set(re.findall(r"\b\w+\b", visible(sections(report)["sim-terms"])))
    # one axis per issue: 0.05 … 0.5 (share of land) never shares an axis with 0, 1, 2 (guarantee levels)
    axes = [t.get("xaxis", "x") for t in data]
    assert len(axes) == len(set(axes)) == len(codes)
    guar = next(t for t in data if t["name"] == "Security guarantees")
    assert [x.replace("<br>", " ") for x in guar["x"]] == ["none", "on paper", "EU monitoring", "binding"]


def test_runs_pluralised(report: str) -> None:
    from detente.report.parts.simulator import _terms_note

    assert _terms_note(1).startswith("Only 1 run reaches ")
    assert _terms_note(5).startswith("Only 5 runs reach ")
    assert _terms_note(0).startswith("No run reaches ")
    assert not re.search(r"\b1 runs\b", visible(report))


def test_methods_is_a_table_with_the_json_behind_details(report: str) -> None:
    methods = sections(report)["methods"]
    assert "<table" in methods
    before, _, after = methods.partition("<details")
    assert "<pre>" not in before and "<pre>" in after and "input_sha256" in after
    text = visible(before)
    for word in ("input sha256", "seed", "detente version", "model", "variant", "parameters", "scholz2011"):
        assert word in text


def test_every_status_shown_is_defined(report: str) -> None:
    from detente.report.glossary import STATUS_MEANINGS, statuses_in

    used_somewhere = set()
    for sid, frag in sections(report).items():
        glossary = "".join(re.findall(r'<div class="statuses">.*?</div>', frag, flags=re.S))
        rest = frag.replace(glossary, "") if glossary else frag
        if sid == "methods":  # the run facts repeat the statuses verbatim
            continue
        used = statuses_in([visible(rest)])
        used_somewhere |= set(used)
        for s in used:
            assert f"<b>{s}</b>: {_html.escape(STATUS_MEANINGS[s])}" in glossary, (sid, s)
    assert {"capped", "cycled"} <= used_somewhere  # ukraine-2025: EUM and the uncertainty draws


def test_eum_rounds_chart_has_no_overprinting_axis_titles(report: str) -> None:
    _, layout = figures(report)["eum-trajectories-fig0"]
    ytitles = [v.get("title", {}).get("text") for k, v in layout.items() if k.startswith("yaxis")]
    assert not any(ytitles), ytitles
    titles = [a["text"] for a in layout.get("annotations", [])]
    assert any("unconditional ceasefire first" in t for t in titles)  # the scale's ends, in the panel title


def test_coalition_map_labels_do_not_overprint(report: str) -> None:
    data, _ = figures(report)["cohesion-fig1"]
    pts = [
        (x, y, txt)
        for t in data
        for x, y, txt in zip(t["x"], t["y"], t.get("text") or [], strict=False)
        if txt
    ]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    span = max(max(xs) - min(xs), max(ys) - min(ys))
    for i, (x1, y1, a) in enumerate(pts):
        for x2, y2, b in pts[i + 1 :]:
            assert not (abs(x1 - x2) < 0.08 * span and abs(y1 - y2) < 0.03 * span), (a, b)
    labelled = " ".join(p[2] for p in pts)
    for name in ("United Kingdom", "European Union", "France", "Germany", "Ukraine", "Russia"):
        assert name in labelled


def test_declutter_merges_only_colliding_labels() -> None:
    from detente.report.charts import declutter_labels

    out = declutter_labels(
        [0.0, 0.01, 0.02, 1.0], [0.0, 0.005, 0.0, 0.0], ["A", "B", "C", "D"], px_per_x=500, px_per_y=500
    )
    assert out == ["", "B<br>A<br>C", "", "D"]


def test_declutter_aligned_labels_and_merged_boxes() -> None:
    from detente.report.charts import declutter_labels

    # a label that ends at its point ("left") and one that starts there ("right") 30 px apart overlap
    xs, ys = [0.0, 30.0], [0.0, 0.0]
    assert declutter_labels(xs, ys, ["AAAA", "BBBB"], px_per_x=1, px_per_y=1) == ["AAAA", "BBBB"]
    out = declutter_labels(xs, ys, ["AAAA", "BBBB"], px_per_x=1, px_per_y=1, align=["right", "left"])
    assert sorted(out) == ["", "AAAA<br>BBBB"]
    # A and B merge into a two-line label on B; that taller label now covers C's, so C joins them
    out = declutter_labels([0, 0, 0], [0, 10, 30], ["A", "B", "C"], px_per_x=1, px_per_y=1)
    assert out == ["", "", "C<br>B<br>A"]


def _label_boxes(texts: list[str], where: list[str], px: list[float], py: list[float]) -> list[tuple]:
    """Label boxes (left, right, bottom, top) in px, 6.5 px a character, 16 px a line, above the point."""
    out = []
    for t, pos, x, y in zip(texts, where, px, py, strict=True):
        if not t:
            continue
        lines = t.split("<br>")
        w = 6.5 * max(len(_html.unescape(x)) for x in lines)
        left = {"top left": x - w - 3, "top right": x + 3}.get(pos, x - w / 2)
        out.append((left, left + w, y + 5, y + 5 + 16 * len(lines), t))
    return out


def test_perspective_labels_stay_in_their_panels_and_apart(report: str) -> None:
    """For every viewer in the menu, at the width the labels are laid out for (the dashboard's column
    at a 1280 px window): each label inside its panel, no two labels overlapping, the title updated."""
    from detente.report.parts.eum import PERSPECTIVE_WIDTH

    data, layout = figures(report)["eum-perspective-fig0"]
    m = layout["margin"]
    plot_w, plot_h = PERSPECTIVE_WIDTH - m["l"] - m["r"], layout["height"] - m["t"] - m["b"]
    buttons = layout["updatemenus"][0]["buttons"]
    labelled = 0
    for b in buttons:
        assert b["args"][1]["title.text"].startswith(f"Perspective of {b['label']}")
        view = b["args"][0]  # the menu swaps each viewer's points into the same traces
        for n, t in enumerate(data):
            if not view["text"][n] or not view["x"][n]:  # the label traces (one a panel) carry the text
                continue
            xa, ya = "xaxis" + t["xaxis"][1:], "yaxis" + t["yaxis"][1:]
            (x0, x1), (y0, y1) = b["args"][1][f"{xa}.range"], b["args"][1][f"{ya}.range"]
            w = plot_w * (layout[xa]["domain"][1] - layout[xa]["domain"][0])
            h = plot_h * (layout[ya]["domain"][1] - layout[ya]["domain"][0])
            px = [(x - x0) / (x1 - x0) * w for x in view["x"][n]]
            py = [(y - y0) / (y1 - y0) * h for y in view["y"][n]]
            boxes = _label_boxes(view["text"][n], view["textposition"][n], px, py)
            labelled += len(boxes)
            for left, right, _bottom, top, text in boxes:
                assert left >= 0 and right <= w and top <= h, (b["label"], t["xaxis"], text)
            for i, a in enumerate(boxes):
                for c in boxes[i + 1 :]:
                    overlap = a[0] < c[1] and c[0] < a[1] and a[2] < c[3] and c[2] < a[3]
                    assert not overlap, (b["label"], a[4], c[4])
    assert labelled >= 4 * len(buttons)


def test_terms_chart_panel_titles_fit_their_panels(report: str) -> None:
    """Each panel title of the simulator's terms chart fits its panel in a 700 px chart (16 px type,
    ~8.5 px a character): four small panels in a row left each 127 px and the titles overprinted."""
    _, layout = figures(report)["sim-terms-fig0"]
    plot_w = 700 - layout["margin"]["l"] - layout["margin"]["r"]
    titles = [a for a in layout["annotations"] if a.get("yanchor") == "bottom"]
    assert len(titles) == 5
    for a in titles:
        panels = [
            v["domain"]
            for k, v in layout.items()
            if k.startswith("xaxis") and abs((v["domain"][0] + v["domain"][1]) / 2 - a["x"]) < 1e-6
        ]
        assert panels, a["text"]
        assert len(a["text"]) * 8.5 <= plot_w * (panels[0][1] - panels[0][0]), a["text"]


def test_methods_say_each_setting_once():
    """Methods: a part's setting equal to the report's is not repeated under "Other settings" (the
    backtest report listed data, seed, bootstrap and every model twice), and a mapping of mappings
    (each model's settings) is one row per entry, not one cell of all of them."""
    from detente.report.base import Part
    from detente.report.html import methods_tables

    manifest = {
        "data": "deu.tsv",
        "seed": 0,
        "models": {"compromise": {"class": "Compromise", "weighting": "cs"}, "mean": {"class": "Mean"}},
    }
    part = Part("backtest", manifest={**manifest, "folds": 5})
    tables = {t.title: t for t in methods_tables(manifest, [part])}
    run = [tuple(r) for r in tables["This report"].rows]
    assert ("models › compromise", "class=Compromise, weighting=cs") in run and ("seed", "0") in run
    assert not any(r[0] == "models" for r in run)
    other = [tuple(r) for r in tables["Other settings and run facts"].rows]
    assert other == [("backtest", "folds", "5")]
