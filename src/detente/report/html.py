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
import re
from collections.abc import Sequence
from importlib import resources
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, select_autoescape

from detente.report.base import Part, Section, Table

_env = Environment(loader=PackageLoader("detente.report", "templates"), autoescape=select_autoescape(["html", "j2"]))


PLOTLY_BUNDLE = "plotly-basic.min.js"
"""The vendored plotly.js partial bundle (same plotly.js version as the installed ``plotly``)."""


@functools.cache
def plotly_js() -> str:
    """The vendored plotly.js basic bundle the report inlines (scatter, bar and pie traces only)."""
    return (resources.files("detente.report") / "static" / PLOTLY_BUNDLE).read_text(encoding="utf-8")


def bundle_trace_types(js: str | None = None) -> set[str]:
    """The trace types a plotly.js bundle registers (``moduleType:"trace",name:"bar"`` in its source)."""
    return set(re.findall(r'moduleType:\s*"trace",\s*name:\s*"(\w+)"', plotly_js() if js is None else js))


def figure_html(fig: Any, div_id: str | None = None) -> str:
    """One figure as a <div> + script, without plotly.js."""
    return str(
        fig.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=div_id,
            config={"displaylogo": False, "responsive": True},
        )
    )


def table_html(table: Table) -> str:
    esc = _html.escape
    head = "".join(f"<th>{esc(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f"<td>{esc(str(v))}</td>" for v in row) + "</tr>" for row in table.rows)
    cap = f"<caption>{esc(table.title)}</caption>" if table.title else ""
    note = f'<p class="caption">{esc(table.caption)}</p>' if table.caption else ""
    return f'<table class="data">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}'


def section_context(section: Section, prefix: str = "") -> dict[str, Any]:
    return {
        "id": prefix + section.id,
        "title": section.title,
        "caption": section.caption,
        "figures": [figure_html(f, f"{prefix}{section.id}-fig{k}") for k, f in enumerate(section.figures)],
        "tables": [table_html(t) for t in section.tables],
        "html": section.html,
    }


def render_report(
    title: str,
    parts: Sequence[Part],
    *,
    manifest: dict[str, Any],
    subtitle: str = "",
    plotlyjs: Literal["inline", "none"] = "inline",
    generated: str | None = None,
) -> str:
    """Render a self-contained report from parts. ``manifest`` goes into the methods section verbatim."""
    sections = [section_context(s) for p in parts for s in p.sections]
    notes = [n for p in parts for n in p.notes]
    brief = [h for p in parts for h in p.headline]
    return _env.get_template("report.html.j2").render(
        title=title,
        subtitle=subtitle,
        brief=brief,
        sections=sections,
        notes=notes,
        manifest_json=json.dumps(manifest, indent=2, default=str, ensure_ascii=False),
        parts_manifest=[(p.name, json.dumps(p.manifest, indent=2, default=str, ensure_ascii=False)) for p in parts if p.manifest],
        plotly_js=plotly_js() if plotlyjs == "inline" else "",
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
