"""Report part ``eum``: the expected-utility model (Bueno de Mesquita; Scholz, Calbert & Smith 2011).

Terminal table for ``detente run`` (forecast, status and who moved most and why, per issue) and report
sections: trajectories by round with the weighted median and mean, and the perspective (quadrant)
chart from any actor's point of view.
"""

from __future__ import annotations

import html as _html
import math
from typing import Any

import numpy as np

from detente.analysis.main_job import MainJobResult
from detente.analysis.rounds import Mover, RoundsReadout
from detente.core.scenario import Scenario
from detente.models.eum import ExpectedUtility
from detente.report.base import Part, Section, Table
from detente.report.charts import add_axis_lines
from detente.report.figure import axis_key, scatter, subplots, template
from detente.report.glossary import status_glossary_text

_KIND_WORDS = {
    "confrontation": "lost to",
    "compromise": "compromised with",
    "capitulation": "gave in to",
}


def _fmt(v: float) -> str:
    return "—" if not np.isfinite(v) else f"{v:.1f}"


def _why(m: Mover) -> str:
    why = f"{_KIND_WORDS.get(m.kind, m.kind)} {m.counterpart} {m.count}×"
    return why + (f", +{m.other} other" if m.other else "")


def summary_table(scenario: Scenario, fc: Any, readouts: tuple[RoundsReadout, ...]) -> Table:
    rows = []
    for k, (issue, r) in enumerate(zip(scenario.issues, readouts, strict=True)):
        st = str(fc.diagnostics.status[k])
        swing = f"{r.swing_low:.1f}–{r.swing_high:.1f}" if r.swing_high - r.swing_low > 1e-9 else _fmt(r.last)
        mv = "; ".join(f"{m.actor}: {_why(m)}" for m in r.movers) or "nobody moved"
        rows.append([issue.name, _fmt(float(fc.outcome[k])), st, swing, mv])
    return Table(
        "Expected-utility model (Bueno de Mesquita, as specified by Scholz et al. 2011)",
        ["issue", "forecast", "status", "median swings", "moved most and why"],
        rows,
        caption=(
            "Forecast = weighted median after the last round; where it does not settle, read it as the range in "
            "the next column. "
            + status_glossary_text(str(fc.diagnostics.status[k]) for k in range(len(scenario.issues)))
            + " Explain one actor with `detente explain SCENARIO --model eum --actor NAME`."
        ),
    )


def _scale_title(issue: Any) -> str:
    """A panel title: the issue's name and, on a smaller second line, what its scale's two ends mean."""
    lo, hi = issue.scale.labels
    title = f"<b>{_html.escape(issue.name)}</b>"
    if lo or hi:
        ends = f"{issue.scale.low:g} = {_html.escape(lo or '')}   ·   {issue.scale.high:g} = {_html.escape(hi or '')}"
        title += f'<br><span style="font-size:11px;color:#555">{ends}</span>'
    return title


def _colour_classes(scenario: Scenario) -> tuple[list[str], list[list[int]]]:
    """The actors' line colours: actor ``a`` draws in ``colorway[a % 10]`` (plotly's default colours) on
    every panel. Left to plotly, a line's colour followed its trace's place in the figure, and an actor
    changed colour between panels. Returns (the colours, the actors of each): up to 10 actors, one each."""
    colorway: list[str] = template()["layout"]["colorway"]
    classes: list[list[int]] = [[] for _ in colorway[: len(scenario.actors)]]
    for a in range(len(scenario.actors)):
        classes[a % len(colorway)].append(a)
    return colorway[: len(classes)], classes


def _class_name(labels: list[str]) -> str:
    """A legend entry for the actors that share a colour: "a0, a10, a20 +3"."""
    shown = ", ".join(labels[:3])
    return shown + (f" +{len(labels) - 3}" if len(labels) > 3 else "")


def trajectory_section(scenario: Scenario, fc: Any) -> Section:
    """Positions by round, one panel per issue. Up to 10 actors each actor is one trace per panel,
    as before; above that the actors that share a colour are one trace per panel (their lines apart,
    ``None`` between them) and the rounds are not marked: 60 actors x 10 issues were 620 traces and
    1-2.6 s of drawing (docs/performance.md). The hover text names the actor on every point."""
    n = len(scenario.issues)
    traj = fc.trajectory_raw()
    rs = fc.prediction.extras["round_stats"]
    fig = subplots(n, 1, titles=[_scale_title(i) for i in scenario.issues], vertical_spacing=0.3 / max(n, 1))
    present = {(s.actor, s.issue) for s in scenario.stances}
    T = traj.shape[0]
    rounds = list(range(T))
    colours, classes = _colour_classes(scenario)
    shared = any(len(c) > 1 for c in classes)  # more actors than colours
    labels = [_html.escape(a.label) for a in scenario.actors]
    in_legend: set[int] = set()  # colour classes with a legend entry (on the first panel they draw on)
    traces: list[dict[str, Any]] = []
    rows: list[int] = []  # each trace's subplot row
    for r, issue in enumerate(scenario.issues, start=1):
        k = r - 1
        for c, members in enumerate(classes):
            drawn = [a for a in members if (scenario.actors[a].id, issue.id) in present]
            if not drawn:
                continue
            xs: list[Any] = []
            ys: list[Any] = []
            who: list[Any] = []
            for a in drawn:
                if xs:  # a gap between two actors' lines
                    xs.append(None)
                    ys.append(None)
                    who.append(None)
                xs += rounds
                ys += traj[:, a, k].tolist()
                who += [labels[a]] * T
            # the actor's name: written once in the template when the trace is one actor's line
            whose = {"customdata": who} if shared else {"marker": {"size": 4}}
            traces.append(
                scatter(
                    x=xs,
                    y=ys,
                    mode="lines" if shared else "lines+markers",
                    name=_class_name([scenario.actors[a].label for a in members]),
                    legendgroup=f"colour{c}" if shared else scenario.actors[members[0]].id,
                    legendrank=c + 1,
                    showlegend=c not in in_legend,
                    line={"width": 1, "color": colours[c]},
                    hovertemplate=("%{customdata}" if shared else labels[members[0]])
                    + "<br>round %{x}: %{y:.2f}<extra></extra>",
                    **whose,
                )
            )
            in_legend.add(c)
            rows.append(r)
        for stat, style in (
            ("median", {"width": 4, "color": "black"}),
            ("mean", {"width": 2, "color": "grey", "dash": "dash"}),
        ):
            traces.append(
                scatter(
                    x=rounds,
                    y=issue.scale.from_unit_array(rs[stat][:, k]),
                    mode="lines",
                    name=f"weighted {stat}",
                    legendgroup=stat,
                    showlegend=r == 1,
                    line=style,
                    hovertemplate=f"weighted {stat}<br>round %{{x}}: %{{y:.2f}}<extra></extra>",
                )
            )
            rows.append(r)
        # the scale's end labels go in the panel title: as a y-axis title they were longer than the
        # panel and printed over the neighbouring panels
        pad = 0.03 * issue.scale.width
        fig.update_axes("y", r, 1, range=[issue.scale.low - pad, issue.scale.high + pad])
        fig.update_axes("x", r, 1, dtick=1, **({"title": {"text": "round"}} if r == n else {}))
        if shared:  # without dots plotly would fit the rounds to the panel's edges
            fig.update_axes("x", r, 1, range=[-0.06 * max(T - 1, 1), (T - 1) + 0.06 * max(T - 1, 1)])
    fig.add_all(traces, [(r, 1) for r in rows])
    fig.update_layout(
        height=320 * n + 110,
        margin={"l": 60, "r": 20, "t": 100, "b": 40},
        title={"text": "Expected-utility model: positions by round"},
    )
    statuses = ", ".join(f"{i.name}: {fc.diagnostics.status[k]}" for k, i in enumerate(scenario.issues))
    caption = (
        "Each thin line is one actor's position after each round of challenges; the thick black line is the "
        "capability × salience weighted median (the model's forecast) and the dashed grey line the weighted mean. "
        "Actors move when a rival makes a demand they expect to lose by resisting: all the way after a lost "
        "confrontation or capitulation, part of the way in a compromise. "
        f"Status per issue — {statuses} (defined just below)."
    )
    if shared:
        caption += (
            f" With {len(scenario.actors)} actors the lines share {len(classes)} colours (the legend lists the "
            "actors of each; clicking an entry hides or shows their lines) and the rounds are not marked with "
            "dots: hover over a line to see whose it is."
        )
    names = [a.label for a in scenario.actors]
    ev_rows = []
    if fc.events is not None:
        for r in fc.events.rows()[:60]:
            iss = scenario.issues[r["issue"]]
            ev_rows.append(
                [
                    str(r["round"]),
                    iss.name,
                    names[r["actor"]],
                    r["kind"],
                    names[r["counterpart"]],
                    _fmt(iss.scale.from_unit(r["before"])),
                    _fmt(iss.scale.from_unit(r["after"])),
                    f"{r['a']:+.3f}",
                    f"{r['b']:+.3f}",
                ]
            )
    table = Table(
        "Moves in the expected-utility model",
        ["round", "issue", "who moved", "why", "because of", "from", "to", "a", "b"],
        ev_rows,
        caption=(
            "a = the mover's expected utility of challenging the other side; b = the other side's expected "
            "utility of pressing its demand, as the mover sees it. Compromises move |a|/b of the way."
            + (" (first 60 moves)" if fc.events is not None and len(fc.events) > 60 else "")
        ),
    )
    return Section(
        "eum-trajectories", "Expected-utility model: who moves, round by round", caption, [fig], [table]
    )


def _point_labels(labels: list[str], xs: list[float], ys: list[float]) -> list[str]:
    """One label per spot: actors at (nearly) the same point share one label ("A +2"), the rest blank.

    Coincident actors (e.g. allies with the same stance) would otherwise print over each other;
    the hover text still names each one.
    """
    out = [""] * len(labels)
    seen: dict[tuple[float, float], list[int]] = {}
    for n, (x, y) in enumerate(zip(xs, ys, strict=True)):
        seen.setdefault((round(x, 3), round(y, 3)), []).append(n)
    for members in seen.values():
        first = members[0]
        if len(members) == 1:
            out[first] = labels[first]
        elif len(members) == 2:
            out[first] = f"{labels[members[0]]}, {labels[members[1]]}"
        else:
            out[first] = f"{labels[first]} +{len(members) - 1}"
    return out


PERSPECTIVE_WIDTH = 700
"""px: the width the perspective chart's labels are laid out for (the dashboard's chart column at a
1280 px window; the report's is wider, so what fits here fits there). Labels are ~6.5 px per character."""
_CHAR_PX, _LINE_PX = 6.5, 16.0  # 12 px type: ~6.5 px a character, lines of 1.3 em


def _placed_labels(
    names: list[str], xs: list[float], ys: list[float], plot_px: tuple[float, float]
) -> tuple[list[str], list[str], list[float], list[float]]:
    """Labels of a perspective panel that stay inside it and do not print over each other.

    Returns (text, textposition per point, x range, y range). Both ranges include 0 (the quadrant
    lines). A label sits above its point: centred in the middle of the panel, ending at the point
    (``top left``) in its right third and starting there (``top right``) in its left third, so it
    does not cross the panel's sides. Actors at the same point share one label ("A +2"); points whose
    labels would still overlap share one label too, a name per line (``charts.declutter_labels``),
    and the y range leaves room above the highest labels. ``plot_px``: the panel's (width, height).
    """
    from detente.report.charts import declutter_labels

    w_px, h_px = plot_px
    x_lo, x_hi = min(*xs, 0.0), max(*xs, 0.0)
    pad = 0.06 * ((x_hi - x_lo) or 1.0)
    x_lo, x_hi = x_lo - pad, x_hi + pad
    y_lo, y_hi0 = min(*ys, 0.0), max(*ys, 0.0)
    pad = 0.06 * ((y_hi0 - y_lo) or 1.0)
    y_lo, y_hi0 = y_lo - pad, y_hi0 + pad
    per_x = w_px / (x_hi - x_lo)
    align = [
        "left" if f > 0.65 else "right" if f < 0.35 else "center"
        for f in ((x - x_lo) / (x_hi - x_lo) for x in xs)
    ]
    spot = _point_labels(names, xs, ys)  # actors at the same point: one label
    keep = [i for i, t in enumerate(spot) if t]

    def top(lines: dict[int, int]) -> float:
        """The smallest y range top that leaves each point's label lines inside the panel."""
        hi = y_hi0
        for i, n in lines.items():
            r = min((n * _LINE_PX + 12) / h_px, 0.45)  # the label lines, the marker and a gap
            hi = max(hi, (ys[i] - r * y_lo) / (1 - r))
        return hi

    y_hi = top({i: 1 for i in keep})
    texts = spot
    for _ in range(3):  # merged labels are taller: lay them out again on the y range they need
        merged = declutter_labels(
            [xs[i] for i in keep],
            [ys[i] for i in keep],
            [spot[i] for i in keep],
            px_per_x=per_x,
            px_per_y=h_px / (y_hi - y_lo),
            char_px=_CHAR_PX,
            line_px=_LINE_PX,
            align=[align[i] for i in keep],
        )
        texts = [""] * len(names)
        for i, t in zip(keep, merged, strict=True):
            texts[i] = t
        new_hi = top({i: t.count("<br>") + 1 for i, t in enumerate(texts) if t})
        if abs(new_hi - y_hi) < 1e-12:
            break
        y_hi = new_hi
    positions = ["top " + a for a in align]
    return texts, positions, [x_lo, x_hi], [y_lo, y_hi]


def _wrap_title(text: str, chars: int) -> str:
    """``text`` (escaped) in as few lines of at most ``chars`` characters as it needs, of even length."""
    import math
    import textwrap

    lines = textwrap.wrap(text, max(chars, 8), break_long_words=False) or [text]
    for width in range(math.ceil(len(text) / len(lines)), max(chars, 8) + 1):  # balance the lines
        even = textwrap.wrap(text, width, break_long_words=False)
        if len(even) <= len(lines) and not any(x[0] in "/-–:,;)" for x in even[1:]):
            lines = even
            break
    return "<br>".join(_html.escape(x, quote=False) for x in lines)


def _hover_exact(v: float) -> float:
    """``v`` in few digits: 4 significant ones (at least 3 decimals; far below a pixel on the chart), or
    more where those would print otherwise than ``v`` in the hover text (``+.3f``: -0.7434992 prints as
    -0.743, its 4 digits -0.7435 as -0.744, so it is stored as -0.743499). A full number took 19
    characters of JSON, these 5-8."""
    if not math.isfinite(v) or v == 0:
        return v
    digits = max(3, 3 - math.floor(math.log10(abs(v))))
    while round(v, digits) != v and f"{round(v, digits):+.3f}" != f"{v:+.3f}":
        digits += 1
    return round(v, digits)


def _short(r: list[float]) -> list[float]:
    """An axis range in 6 significant digits (a millionth of the range, far below a pixel)."""
    return [float(f"{x:.6g}") for x in r]


def perspective_section(scenario: Scenario, fc: Any) -> Section:
    """BdM's perspective chart: for a viewer h, each rival j at (E^h(U_hj), E^h(U_jh))."""
    persp = fc.prediction.extras["perspective"]
    own, rival = np.asarray(persp["own"]), np.asarray(persp["rival"])  # (H, A, I) each
    n = len(scenario.issues)
    cols = 2 if n > 1 else 1
    rows_n = (n + cols - 1) // cols
    margin = {"l": 70, "r": 20, "t": 90, "b": 40}
    h_space = 0.12
    # panel titles broken into lines that fit a column at PERSPECTIVE_WIDTH (16 px: ~8.5 px a character);
    # the gaps between the rows (and the top margin) grow by the lines added
    col_px = (PERSPECTIVE_WIDTH - margin["l"] - margin["r"]) * (1 - h_space * (cols - 1)) / cols
    titles = [_wrap_title(i.name, int(col_px / 8.5)) for i in scenario.issues]
    lines = [t.count("<br>") + 1 for t in titles]
    title_px = 20.0
    extra_gap = title_px * (max(lines[cols:], default=1) - 1)
    margin["t"] += int(title_px * (max(lines[:cols]) - 1))
    plot_h = 380 * rows_n - 30 + extra_gap * (rows_n - 1)
    gap = (0.25 / rows_n) * (380 * rows_n - 30) + extra_gap
    fig = subplots(
        rows_n,
        cols,
        titles=titles,
        horizontal_spacing=h_space,
        vertical_spacing=gap / plot_h if rows_n > 1 else 0.0,
    )
    height = plot_h + margin["t"] + margin["b"]
    names = [a.label for a in scenario.actors]
    esc = [_html.escape(x) for x in names]
    present = {(s.actor, s.issue) for s in scenario.stances}
    # Four traces a panel, whoever views: the rivals the viewer can press, those who can press it, the
    # stand-offs (each kind's verdict is in its hover template, the rival's name the only text a dot
    # carries) and the labels (text only, drawn over every dot). The menu swaps in each viewer's
    # points (restyle): one trace per viewer and panel, with its hover text written out per dot, was
    # 9 MB of the 60 x 10 report (docs/performance.md).
    colours = template()["layout"]["colorway"]
    hover = "<b>%{customdata}</b><br>%{meta}'s gain from challenging: %{x:+.3f}<br>%{customdata}'s gain from challenging %{meta}: %{y:+.3f}<br>"
    verdicts = (
        "%{meta} can press %{customdata}",
        "%{customdata} can press %{meta}",
        "stand-off: neither expects to gain",
    )
    per_panel = len(verdicts) + 1
    cells: list[tuple[int, int]] = []  # each trace's subplot (row, col)
    for k in range(n):
        cell = (k // cols + 1, k % cols + 1)
        colour = colours[k % len(colours)]
        for v in verdicts:
            fig.add(
                scatter(
                    mode="markers",
                    marker={"size": 9, "color": colour},
                    showlegend=False,
                    hovertemplate=hover + v + "<extra></extra>",
                ),
                *cell,
            )
        fig.add(
            scatter(
                mode="markers+text", marker={"size": 9, "opacity": 0}, hoverinfo="skip", showlegend=False
            ),
            *cell,
        )
        cells += [cell] * per_panel
    keys = ("x", "y", "customdata", "text", "textposition")
    views: list[dict[str, list[Any]]] = []  # per viewer: each trace's values of ``keys`` (None: unset)
    ranges: list[dict[str, Any]] = []  # per viewer: the axis ranges its labels were laid out for
    for h, viewer in enumerate(scenario.actors):
        view: dict[str, list[Any]] = {key: [] for key in keys}
        ranges.append({})
        for k, issue in enumerate(scenario.issues):
            rr, cc = cells[k * per_panel]
            js = [j for j, a in enumerate(scenario.actors) if j != h and (a.id, issue.id) in present]
            if (viewer.id, issue.id) not in present:
                js = []
            xs = [float(own[h, j, k]) for j in js]
            ys = [float(rival[h, j, k]) for j in js]
            xname, yname = (axis_key(ref) for ref in fig.cell(rr, cc))
            if js:
                xd, yd = fig.axis("x", rr, cc)["domain"], fig.axis("y", rr, cc)["domain"]
                panel = (
                    (PERSPECTIVE_WIDTH - margin["l"] - margin["r"]) * (xd[1] - xd[0]),
                    plot_h * (yd[1] - yd[0]),
                )
                labels, where, xr, yr = _placed_labels([names[j] for j in js], xs, ys, panel)
                ranges[h].update({f"{xname}.range": _short(xr), f"{yname}.range": _short(yr)})
            else:
                labels, where = [], []
                ranges[h].update({f"{xname}.autorange": True, f"{yname}.autorange": True})
            px, py = [_hover_exact(x) for x in xs], [_hover_exact(y) for y in ys]
            kinds: list[list[int]] = [[], [], []]  # point indices by verdict, as the hover text words it
            for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
                kinds[0 if x > 0 and x > y else 1 if y > 0 and y >= x else 2].append(i)
            for members in kinds:
                view["x"].append([px[i] for i in members])
                view["y"].append([py[i] for i in members])
                view["customdata"].append([esc[js[i]] for i in members])
                view["text"].append(None)
                view["textposition"].append(None)
            shown = [i for i, t in enumerate(labels) if t]
            view["x"].append([px[i] for i in shown])
            view["y"].append([py[i] for i in shown])
            view["customdata"].append(None)
            view["text"].append([labels[i] for i in shown])
            view["textposition"].append([where[i] for i in shown])
        views.append(view)
    for t, trace in enumerate(fig.data):  # drawn first: the first viewer's
        trace.update({key: views[0][key][t] for key in keys if views and views[0][key][t] is not None})
        trace["meta"] = esc[0]
    buttons = [
        {
            "label": viewer.label,
            "method": "update",
            "args": [
                {**views[h], "meta": [esc[h]] * len(fig.data)},
                {  # title.text: plotly.js 3+ ignores a plain string title here (the title vanished)
                    "title.text": f"Perspective of {_html.escape(viewer.label, quote=False)}: who can press whom (round 0)",
                    **ranges[h],
                },
            ],
        }
        for h, viewer in enumerate(scenario.actors)
    ]
    grid = [(k // cols + 1, k % cols + 1) for k in range(n)]
    axis_lines = [(kind, 0, rr, cc) for rr, cc in grid for kind in ("h", "v")]
    add_axis_lines(fig, axis_lines, {"color": "grey", "width": 1})
    for rr, cc in grid:
        fig.update_axes("x", rr, cc, title={"text": "my gain from challenging them"})
        fig.update_axes("y", rr, cc, title={"text": "their gain from challenging me"})
    for key, value in (ranges[0] if ranges else {}).items():  # the first viewer's, as shown first
        axis, prop = key.split(".")
        fig.layout[axis][prop] = value
    fig.update_layout(
        height=height,
        margin=margin,
        title={"text": f"Perspective of {scenario.actors[0].label}: who can press whom (round 0)"},
        updatemenus=[
            {
                "buttons": buttons,
                "direction": "down",
                "x": 1.0,
                "xanchor": "right",
                "y": 1.12,
                "yanchor": "top",
                "showactive": True,
            }
        ],
    )
    caption = (
        "Pick an actor in the menu to see the negotiation through its eyes, before anyone moves. Each dot is a rival: "
        "to the right, the chosen actor expects to gain by challenging that rival; upward, the rival expects to gain "
        "by challenging the chosen actor (as the chosen actor estimates it). Bottom right: the chosen actor has the "
        "upper hand and the rival should give way; top left: the reverse; top right: both expect to win — a likely "
        "confrontation, won by whoever gains more; bottom left: neither expects to gain, a stand-off. "
        "Hover over a dot for the numbers."
    )
    return Section("eum-perspective", "Expected-utility model: the view from each actor", caption, [fig])


def build(job: MainJobResult) -> Part:
    """The EUM part of the main job: renders the main job's EUM forecast (``quick`` changes nothing)."""

    scenario: Scenario = job.scenario
    if "eum" not in job.forecasts:
        raise RuntimeError(
            f"model eum could not run on this scenario: {job.model_errors.get('eum', 'not run')}"
        )
    fc = job.forecasts["eum"]
    part = Part("eum")
    part.tables.append(summary_table(scenario, fc, job.eum_rounds))
    part.sections.append(trajectory_section(scenario, fc))
    if "perspective" in fc.prediction.extras:
        part.sections.append(perspective_section(scenario, fc))
    part.manifest.update(
        {
            "model": "eum",
            "params": ExpectedUtility().resolved_params(),  # the switches as used (no prediction)
            "status": {iid: str(fc.diagnostics.status[k]) for k, iid in enumerate(scenario.issue_ids)},
            "forecast": {iid: float(fc.outcome[k]) for k, iid in enumerate(scenario.issue_ids)},
        }
    )
    osc = [
        scenario.issues[k].name
        for k in range(len(scenario.issues))
        if fc.diagnostics.status[k] == "oscillating"
    ]
    cyc = [
        scenario.issues[k].name for k in range(len(scenario.issues)) if fc.diagnostics.status[k] == "cycled"
    ]
    if osc:
        part.notes.append(
            "expected-utility positions keep oscillating on: "
            + ", ".join(osc)
            + " (forecast = last round's median)"
        )
    if cyc:
        part.notes.append(
            "expected-utility positions repeat in a cycle on: "
            + ", ".join(cyc)
            + " (the forecast is the last round's median; the table shows the range the median swings over)"
        )
    return part
