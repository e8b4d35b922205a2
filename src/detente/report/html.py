"""Self-contained HTML report: plotly.js inlined once, every figure without its own copy.

``render_report`` assembles the :class:`~detente.report.base.Part` s of the main job; templates
hold no logic beyond loops. No request leaves the file (no CDN, no web fonts, no geo traces).
The inlined plotly.js is the vendored *basic* partial bundle (``static/plotly-basic.min.js``:
scatter, bar and pie traces; see ``static/README.md``), a quarter of the full bundle's size.
"""

from __future__ import annotations

import datetime as _dt
import functools
import html as _html
import json
import logging
import re
from collections.abc import Sequence
from importlib import resources
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, select_autoescape

from detente.core.text import is_numeric
from detente.report.base import Part, Section, Table
from detente.report.figure import Figure, template, to_json
from detente.report.fit import fit
from detente.report.glossary import status_glossary_html, status_glossary_text, statuses_in

_env = Environment(
    loader=PackageLoader("detente.report", "templates"), autoescape=select_autoescape(["html", "j2"])
)


PLOTLY_BUNDLE = "plotly-basic.min.js"
"""The vendored plotly.js partial bundle (same plotly.js version as the installed ``plotly``)."""


@functools.cache
def plotly_js() -> str:
    """The vendored plotly.js basic bundle the report inlines and the dashboard serves (scatter, bar and
    pie traces only)."""
    return (resources.files("detente.report") / "static" / PLOTLY_BUNDLE).read_text(encoding="utf-8")


def bundle_trace_types(js: str | None = None) -> set[str]:
    """The trace types a plotly.js bundle registers (``moduleType:"trace",name:"bar"`` in its source)."""
    return set(re.findall(r'moduleType:\s*"trace",\s*name:\s*"(\w+)"', plotly_js() if js is None else js))


LAZY_CHARTS = "lazy-charts.js"
"""detente's own script that draws each chart when it comes near the window (``static/``)."""


@functools.cache
def lazy_charts_js() -> str:
    """The script that draws charts lazily (``window.detenteCharts``): the report inlines it after
    plotly.js, the dashboard serves it. A chart comes within a window height of the visible part of the
    page (IntersectionObserver) or the page is printed: it is drawn, one chart per task. Without this
    script (or without IntersectionObserver) each chart is drawn as its script runs, as before."""
    return (resources.files("detente.report") / "static" / LAZY_CHARTS).read_text(encoding="utf-8")


FIGURE_CONFIG = {"displaylogo": False, "responsive": True}
"""plotly.js config of every chart: no plotly logo in the mode bar; resize with the page."""


def figure_html(fig: Figure, div_id: str) -> str:
    """One figure (:class:`detente.report.figure.Figure`) as a <div> and the script that draws it, without
    plotly.js (inlined once per page). Its layout gets plotly's default template unless it sets one; an
    animated figure (``frames``) starts playing once drawn. The markup is the one plotly's ``to_html``
    writes, so the page's CSS and scripts find the charts as before, except that the script hands the
    drawing to ``detenteCharts.add`` (:func:`lazy_charts_js`: drawn once near the window) and draws at
    once only on a page without that script. The <div>'s height is the figure's, so a chart not drawn
    yet takes its place on the page (links to anchors land where they will be)."""
    d = fig.to_dict()
    layout = d["layout"] if "template" in d["layout"] else {**d["layout"], "template": template()}
    size = {
        k: f"{layout[k]}px" if isinstance(layout.get(k), int | float) else "100%" for k in ("height", "width")
    }
    frames = ""
    if d.get("frames"):
        frames = (
            f".then(function(){{Plotly.addFrames('{div_id}', {to_json(d['frames'])});}})"
            f".then(function(){{Plotly.animate('{div_id}', null);}})"
        )
    return (
        f'<div style="height:{size["height"]}; width:{size["width"]};">'
        f'<div id="{div_id}" class="plotly-graph-div" style="height:100%; width:100%;"></div>'
        "<script>window.PLOTLYENV=window.PLOTLYENV || {};"
        f'(window.detenteCharts || {{add: function (i, draw) {{ draw(); }}}}).add("{div_id}", function () {{'
        f'if (document.getElementById("{div_id}")) {{return Plotly.newPlot("{div_id}", {to_json(d["data"])}, '
        f"{to_json(layout)}, {json.dumps(FIGURE_CONFIG)}){frames};}}}});</script></div>"
    )


def _td(v: Any) -> str:
    text = str(v)
    num = ' class="num"' if is_numeric(text) else ""  # kept on one line; its table scrolls
    return f"<td{num}>{_html.escape(text)}</td>"


def table_html(table: Table) -> str:
    esc = _html.escape
    head = "".join(f"<th>{esc(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(_td(v) for v in row) + "</tr>" for row in table.rows)
    cap = f"<caption>{esc(table.title)}</caption>" if table.title else ""
    note = f'<p class="caption">{esc(table.caption)}</p>' if table.caption else ""
    return (
        f'<div class="scroll-x"><table class="data">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
        f"</table></div>{note}"
    )


def section_context(section: Section, prefix: str = "") -> dict[str, Any]:
    """Template data of a section; the statuses its caption or tables use are defined under it."""
    texts = [section.caption] + [
        x for t in section.tables for x in (t.title, t.caption, *(str(v) for row in t.rows for v in row))
    ]
    return {
        "id": prefix + section.id,
        "title": section.title,
        "caption": section.caption,
        "figures": [figure_html(f, f"{prefix}{section.id}-fig{k}") for k, f in enumerate(section.figures)],
        "tables": [table_html(t) for t in section.tables],
        "html": section.html,
        "glossary": status_glossary_html(statuses_in(texts)),  # right under the caption
    }


def _value(v: Any) -> str:
    """A manifest value for a table cell: scalars as they are, lists joined, small dicts as k=v pairs."""
    if isinstance(v, dict):
        return ", ".join(f"{k}={_value(x)}" for k, x in v.items()) or "—"
    if isinstance(v, list | tuple):
        return ", ".join(_value(x) for x in v) or "—"
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def _nested(v: Any) -> bool:
    """A mapping of mappings (e.g. each model's settings): shown one row per entry."""
    return isinstance(v, dict) and any(isinstance(x, dict) for x in v.values())


def _model_runs(
    part: str, d: Any, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    """Every dict with a ``params`` key in a part's manifest (one model run each), with its key path."""
    if not isinstance(d, dict):
        return []
    if isinstance(d.get("params"), dict):
        return [(path, d)]
    return [r for k, v in d.items() for r in _model_runs(part, v, (*path, str(k)))]


def methods_tables(manifest: dict[str, Any], parts: Sequence[Part]) -> list[Table]:
    """The Methods section as tables: the run (input hash, seed, version), every model run with its
    variant, parameters and seed, and the other settings of each part."""
    run_rows: list[list[str]] = []
    for k, v in manifest.items():
        label = str(k).replace("_", " ")
        if _nested(v):  # one row per entry (a model's settings), not one cell of all of them
            run_rows += [[f"{label} › {k2}", _value(v2)] for k2, v2 in v.items()]
        else:
            run_rows.append([label, _value(v)])
    run = Table("This report", ["setting", "value"], run_rows)
    models: list[list[str]] = []
    other: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    for p in parts:
        runs = _model_runs(p.name, p.manifest)
        for path, d in runs:
            params = dict(d["params"])
            if len(path) >= 2 and path[-2] == "models":
                name = path[-1]
            else:
                name = str(d.get("model") or p.name)
            where = " › ".join([p.name, *(x for x in path if x not in ("models", name))])
            row = [
                name,
                where,
                str(params.pop("variant", "—")),
                _value(params),
                _value(d.get("seed", p.manifest.get("seed", manifest.get("seed")))),
            ]
            key = (row[0], *row[2:])
            if key not in seen:
                seen.add(key)
                models.append(row)
        in_runs = {path[0] for path, _ in runs if path}
        top_is_run = any(not path for path, _ in runs)
        for k, v in p.manifest.items():
            if k in in_runs or (top_is_run and k in ("model", "params", "seed")):
                continue
            if k in manifest and manifest[k] == v:  # said once, in "This report"
                continue
            label = str(k).replace("_", " ")
            if _nested(v):
                other += [[p.name, f"{label} › {k2}", _value(v2)] for k2, v2 in v.items()]
            else:
                other.append([p.name, label, _value(v)])
    out = [run]
    if models:
        out.append(Table("Models", ["model", "run in", "variant", "parameters", "seed"], models))
    if other:
        out.append(Table("Other settings and run facts", ["part", "setting", "value"], other))
    return out


def prepare() -> None:
    """Compile the report's template and read the plotly.js bundle now, as the first render would
    (``detente run`` calls it while it waits for the simulator's worker)."""
    _env.get_template("report.html.j2")
    plotly_js()
    lazy_charts_js()


def _fit(fig: Figure) -> None:
    try:
        fit(fig)
    except Exception:  # cosmetic: a figure that cannot be fitted is drawn as it was built
        logging.getLogger("detente.report").exception("could not fit a figure to a phone's width")


def render_report(
    title: str,
    parts: Sequence[Part],
    *,
    manifest: dict[str, Any],
    subtitle: str = "",
    plotlyjs: Literal["inline", "none"] = "inline",
    generated: str | None = None,
) -> str:
    """Render a self-contained report from parts. ``manifest`` goes into the methods section verbatim.

    Every figure's titles are first wrapped to fit a phone (:func:`detente.report.fit.fit`; the page
    lets a chart narrower than that scroll sideways in its box)."""
    for f in (f for p in parts for s in p.sections for f in s.figures):
        _fit(f)
    sections = [section_context(s) for p in parts for s in p.sections]
    notes = [n for p in parts for n in p.notes]
    defined = status_glossary_text(statuses_in(notes))
    if defined:
        notes.append(defined)
    brief = [h for p in parts for h in p.headline]
    return _env.get_template("report.html.j2").render(
        title=title,
        subtitle=subtitle,
        brief=brief,
        sections=sections,
        notes=notes,
        methods=[table_html(t) for t in methods_tables(manifest, parts)],
        manifest_json=json.dumps(manifest, indent=2, default=str, ensure_ascii=False),
        parts_manifest=[
            (p.name, json.dumps(p.manifest, indent=2, default=str, ensure_ascii=False))
            for p in parts
            if p.manifest
        ],
        plotly_js=plotly_js() if plotlyjs == "inline" else "",
        lazy_charts_js=lazy_charts_js(),
        generated=generated or _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def render_scenario_report(scenario: Any, parts: Sequence[Part], *, seed: int, source: str = "") -> str:
    """The main job's report for a scenario: manifest (input hash, seed, version, parts) + sections."""
    from detente._version import __version__
    from detente.core.hashing import scenario_hash

    manifest: dict[str, Any] = {
        "scenario": scenario.id,
        "title": scenario.title,
        "as_of": scenario.as_of,
        "input_sha256": scenario_hash(scenario),
        "seed": seed,
        "detente_version": __version__,
        "parts": [p.name for p in parts],
    }
    if source:
        manifest["source"] = source
    subtitle = f"Scenario {scenario.id} as of {scenario.as_of or 'n/a'} · seed {seed} · detente {__version__}"
    return render_report(scenario.title or scenario.id, parts, manifest=manifest, subtitle=subtitle)
