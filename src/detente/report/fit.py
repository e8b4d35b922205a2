"""Fit a figure's text to a narrow chart (rendering only; no numbers change).

The figures are drawn for a full-width page, but the report is read on phones and the dashboard
shows them in columns; both give a chart at least ``MIN_WIDTH`` px (their CSS lets a narrower box
scroll) and plotly neither wraps nor shrinks text: a long title or axis title is cut off at the
chart's edge. So before a figure is rendered, its title, subplot titles and x-axis titles are broken
into lines that fit ``MIN_WIDTH`` (a conservative 0.55 em per character), and a stack of subplots gets
the extra room the added lines need (margins, and gaps between the rows) without making any
subplot smaller. Markers may spill over the padded axis ends instead of being cut in half.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from detente.report.figure import Figure

MIN_WIDTH = 420  # px: the narrowest chart box (.figure in the report's template and the dashboard's app.css)
EM = 0.55  # average character width in em (Arial-like fonts: ~0.5); errs on the short side
LINE = 1.3  # line height in em
TOP_PAD = 10  # px above the title and between the title, the first subplot title and the plot
_BREAK = re.compile(r"<br\s*/?>", re.I)
_ENCLOSED = re.compile(r"(?P<open><(?P<tag>b|i|span)(?:\s[^<>]*)?>)(?P<text>[^<>]*)</(?P=tag)>", re.I)


def _font_size(obj: dict[str, Any], default: float) -> float:
    size = (obj.get("font") or {}).get("size")
    return float(size) if size else default


def wrap(text: str, chars: float) -> str:
    """Break ``text`` into lines of at most ``chars`` characters at spaces (``<br>`` between them).

    Existing ``<br>`` are kept; a line that is one ``<b>``, ``<i>`` or ``<span>`` around plain text is
    wrapped inside it (each line in the same tags); a line with other markup is left alone (it could
    be cut mid-tag);
    the report's ``← low   |   high →`` axis titles break at the bar first.
    """
    chars = max(int(chars), 8)
    out: list[str] = []
    for line in _BREAK.split(text):
        whole = _ENCLOSED.fullmatch(line)  # one element around plain text: wrap the text, tag each line
        if whole and len(whole["text"]) > chars:
            inner = wrap(whole["text"], chars)
            out += [f"{whole['open']}{x}</{whole['tag']}>" for x in _BREAK.split(inner)]
            continue
        if len(line) <= chars or "<" in line:
            out.append(line)
            continue
        parts = [p.strip() for p in line.split("   |   ")] if "   |   " in line else [line]
        for part in parts:
            # keep an arrow with its word: a no-break space, which textwrap does not split at
            part = part.replace("← ", "←\u00a0").replace(" →", "\u00a0→")
            out += textwrap.wrap(part, chars, break_long_words=False, break_on_hyphens=False) or [""]
    return "<br>".join(out)


def _lines(text: str | None) -> int:
    return len(_BREAK.split(text)) if text else 0


def fit(fig: Figure, width: int = MIN_WIDTH) -> Figure:
    """Wrap ``fig``'s titles to fit ``width`` px and make room for the added lines; returns ``fig``."""
    lay = fig.layout
    margin = lay.get("margin") or {}
    margin_l = margin.get("l", 80)
    margin_r = margin.get("r", 80)
    margin_t = margin.get("t", 100)
    margin_b = margin.get("b", 80)
    for t in fig.data:
        if t.get("type", "scatter") == "scatter":
            t["cliponaxis"] = False

    extra_top = 0.0
    title_h = 0.0  # px of the (wrapped) main title
    title = lay.get("title") or {}
    if title.get("text"):
        size = _font_size(title, 17)
        x0 = title.get("x", 0.05) * width
        before = _lines(title["text"])
        title["text"] = wrap(title["text"], (width - x0 - 10) / (EM * size))
        extra_top += (_lines(title["text"]) - before) * LINE * size
        title_h = _lines(title["text"]) * LINE * size

    # a single column of subplots (subplots(rows=n, cols=1)): y domains stacked top to bottom
    yaxes = sorted(
        ((name, ax) for name, ax in lay.items() if name.startswith("yaxis") and ax.get("domain")),
        key=lambda kv: -kv[1]["domain"][1],
    )
    xaxes = {ax["anchor"]: ax for n, ax in lay.items() if n.startswith("xaxis") and ax.get("anchor")}
    plot_w = max(width - margin_l - margin_r, 50)
    centre = margin_l + plot_w / 2
    half = min(centre, width - centre)  # room either side of a centred title
    stacked = len(yaxes) > 1 and all(
        yaxes[k][1]["domain"][0] >= yaxes[k + 1][1]["domain"][1] - 1e-9 for k in range(len(yaxes) - 1)
    )
    if not stacked:
        extra_bottom = 0.0
        xtitle = (lay.get("xaxis") or {}).get("title") or {}
        if len(yaxes) <= 1 and len(xaxes) <= 1 and xtitle.get("text"):  # one plot: its x title, below it
            size = _font_size(xtitle, 14)
            before = _lines(xtitle["text"])
            xtitle["text"] = wrap(xtitle["text"], 2 * half / (EM * size))
            extra_bottom = (_lines(xtitle["text"]) - before) * LINE * size
        if extra_top or extra_bottom:
            margin["t"] = margin_t + extra_top
            margin["b"] = margin_b + extra_bottom
            lay["margin"] = margin
            lay["height"] = (lay.get("height") or 450) + extra_top + extra_bottom  # the plot keeps its size
        return _menus_below_modebar(fig)

    tops = {round(ax["domain"][1], 9): name for name, ax in yaxes}
    sub_titles: dict[str, dict[str, Any]] = {}
    for ann in lay.get("annotations") or ():
        if (
            ann.get("xref") == "paper"
            and ann.get("yref") == "paper"
            and ann.get("yanchor") == "bottom"
            and ann.get("showarrow") is False
        ):
            name = tops.get(round(ann["y"], 9))
            if name is not None and ann.get("text"):
                sub_titles[name] = ann
    above: dict[str, float] = {}  # px of added lines above each row (its subplot title)
    below: dict[str, float] = {}  # px of added lines below each row (its x-axis title)
    for name, ann in sub_titles.items():
        size = _font_size(ann, 16)
        before = _lines(ann["text"])
        ann["text"] = wrap(ann["text"], 2 * half / (EM * size))
        above[name] = (_lines(ann["text"]) - before) * LINE * size
    for name, _ax in yaxes:
        xa = xaxes.get("y" + name[len("yaxis") :])
        xtitle = (xa or {}).get("title") or {}
        if not xtitle.get("text"):
            continue
        size = _font_size(xtitle, 14)
        before = _lines(xtitle["text"])
        xtitle["text"] = wrap(xtitle["text"], 2 * half / (EM * size))
        below[name] = (_lines(xtitle["text"]) - before) * LINE * size

    # keep every subplot's height in px; widen the gaps by the lines added around them
    height = lay.get("height") or 450
    plot_h = height - margin_t - margin_b
    spans = [(ax["domain"][1] - ax["domain"][0]) * plot_h for _n, ax in yaxes]
    gaps = [
        (yaxes[k][1]["domain"][0] - yaxes[k + 1][1]["domain"][1]) * plot_h
        + below.get(yaxes[k][0], 0.0)
        + above.get(yaxes[k + 1][0], 0.0)
        for k in range(len(yaxes) - 1)
    ]
    new_plot_h = sum(spans) + sum(gaps)
    extra_bottom = below.get(yaxes[-1][0], 0.0)
    first = sub_titles.get(yaxes[0][0])
    if title_h:
        # the title hangs from the top edge; below it the first row's subplot title, then the plot
        first_h = 0.0 if first is None else _lines(first["text"]) * LINE * _font_size(first, 16)
        extra_top = max(0.0, TOP_PAD + title_h + TOP_PAD + first_h + TOP_PAD - margin_t)
    else:
        extra_top += above.get(yaxes[0][0], 0.0)
    top = new_plot_h
    for k, (name, ax) in enumerate(yaxes):
        old_top = ax["domain"][1]
        ax["domain"] = [min(max(v / new_plot_h, 0.0), 1.0) for v in (top - spans[k], top)]  # no -1e-17
        if name in sub_titles and abs(sub_titles[name]["y"] - old_top) < 1e-9:
            sub_titles[name]["y"] = ax["domain"][1]
        top -= spans[k] + (gaps[k] if k < len(gaps) else 0.0)
    margin["t"] = margin_t + extra_top
    margin["b"] = margin_b + extra_bottom
    lay["margin"] = margin
    lay["height"] = new_plot_h + margin["t"] + margin["b"]
    if title_h:  # at the top (plotly anchors a multi-line title's middle reliably, not its top)
        title.update(yref="container", yanchor="middle", y=1 - (TOP_PAD + title_h / 2) / lay["height"])
    return _menus_below_modebar(fig)


MODEBAR_H = 32  # px at the top of a chart where plotly's toolbar appears (on hover, at the right)


def _menus_below_modebar(fig: Figure) -> Figure:
    """Move a dropdown menu that hangs from above the plot (the EUM perspective chart's viewer menu)
    down below the toolbar, adding the room on top so the plots keep their size."""
    lay = fig.layout
    menus = [
        m for m in lay.get("updatemenus") or () if m.get("yanchor", "top") == "top" and m.get("y", 1) > 1
    ]
    if not menus:
        return fig
    margin = lay.get("margin") or {}
    margin_t, margin_b = margin.get("t", 100), margin.get("b", 80)
    height = lay.get("height") or 450
    plot_h = max(height - margin_t - margin_b, 1)
    top = min(margin_t - (m["y"] - 1) * plot_h for m in menus)  # px from the chart's top edge
    if top >= MODEBAR_H:
        return fig
    delta = MODEBAR_H - top
    margin["t"] = margin_t + delta
    lay["margin"] = margin
    lay["height"] = height + delta
    title = lay.get("title") or {}
    if title.get("text") and title.get("yref") == "container" and title.get("y") is not None:
        title["y"] = 1 - ((1 - title["y"]) * height + delta) / (height + delta)  # the same gap below it
    return fig
