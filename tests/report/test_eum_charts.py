"""The expected-utility part's two charts stay light on many actors and show what they showed.

On 60 actors x 10 issues the trajectories chart was 620 traces (one per actor and issue; 1-2.6 s of
drawing in one task) and the perspective chart 9 MB of the report (one trace per viewer and issue,
each dot's hover text written out). Now the trajectories chart draws the actors that share one of
plotly's 10 colours as one trace a panel (``None`` between their lines), and the perspective chart
keeps four traces a panel whose points the viewer menu swaps in, the hover text built by a template
from the rival's name. Every line's points and every dot's hover text are checked against the model's
own numbers.
"""

from __future__ import annotations

import html as _html
import re
import warnings
from typing import Any

import numpy as np
import pytest

from browser import chromium_page
from detente.analysis.main_job import MainJobOptions, main_job
from detente.core.scenario import Scenario
from detente.io.builtin import load_builtin
from detente.report.base import Part
from detente.report.figure import template, to_json
from detente.report.html import render_scenario_report
from detente.report.parts import eum
from detente.testing.inputs import synthetic_scenario

COLOURS = template()["layout"]["colorway"]


def _eum(sc: Scenario) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return main_job(sc, MainJobOptions(seed=0, quick=True, parts=("eum",))).forecasts["eum"]


@pytest.fixture(scope="module")
def big() -> tuple[Scenario, Any]:
    sc = synthetic_scenario(20, 3, 0)
    return sc, _eum(sc)


@pytest.fixture(scope="module")
def ukraine() -> tuple[Scenario, Any]:
    sc = load_builtin("ukraine-2025")
    return sc, _eum(sc)


def _lines(sc: Scenario, data: list[dict[str, Any]]) -> dict[tuple[str, int], tuple[list, list, str]]:
    """(actor label, panel) -> (rounds, positions, colour) of every actor line of a trajectories chart,
    whether a trace holds one actor's line (its name in the hover template) or several (``None``
    between them, the name of each point in ``customdata``)."""
    out: dict[tuple[str, int], tuple[list, list, str]] = {}
    for t in data:
        if t["name"].startswith("weighted"):
            continue
        panel = int(t["yaxis"][1:] or 1) - 1
        names = t.get("customdata") or [_html.unescape(t["hovertemplate"].split("<br>")[0])] * len(t["x"])
        start = 0
        for end in [*(i for i, x in enumerate(t["x"]) if x is None), len(t["x"])]:
            seg = slice(start, end)
            who = {_html.unescape(n) for n in names[seg]}
            assert len(who) == 1, who  # one actor per segment
            key = (who.pop(), panel)
            assert key not in out, key  # each line once
            out[key] = (t["x"][seg], t["y"][seg], t["line"]["color"])
            start = end + 1
    return out


def _check_every_line(sc: Scenario, fc: Any, data: list[dict[str, Any]]) -> None:
    traj = fc.trajectory_raw()
    lines = _lines(sc, data)
    present = {(s.actor, s.issue) for s in sc.stances}
    want = {(a.label, k) for a in sc.actors for k, i in enumerate(sc.issues) if (a.id, i.id) in present}
    assert set(lines) == want
    for (label, k), (xs, ys, colour) in lines.items():
        a = next(n for n, x in enumerate(sc.actors) if x.label == label)
        assert xs == list(range(traj.shape[0]))
        np.testing.assert_allclose(np.asarray(ys, dtype=float), traj[:, a, k])
        assert colour == COLOURS[a % len(COLOURS)]  # an actor's colour is the same on every panel


def test_trajectories_of_many_actors_are_few_traces_with_every_line(big) -> None:
    sc, fc = big
    data = eum.trajectory_section(sc, fc).figures[0].to_dict()["data"]
    # 10 colours and the weighted median and mean a panel (one trace per actor and issue: 66)
    assert len(data) <= len(sc.issues) * (len(COLOURS) + 2)
    _check_every_line(sc, fc, data)
    for t in data:  # the hover names the actor, the round and the position
        if not t["name"].startswith("weighted"):
            assert t["hovertemplate"] == "%{customdata}<br>round %{x}: %{y:.2f}<extra></extra>"
    legend = [t for t in data if t.get("showlegend")]
    assert len({t["legendgroup"] for t in legend}) == len(legend) == len(COLOURS) + 2
    assert legend[0]["name"] == "a0, a10" and all(t["legendgroup"] for t in data)


def test_trajectories_of_few_actors_are_one_trace_per_actor_as_before(ukraine) -> None:
    sc, fc = ukraine
    data = eum.trajectory_section(sc, fc).figures[0].to_dict()["data"]
    _check_every_line(sc, fc, data)
    actors = [t for t in data if not t["name"].startswith("weighted")]
    assert all(None not in t["x"] and t["mode"] == "lines+markers" for t in actors)
    # every actor with a stance is in the legend once (two that had none on the first issue were not)
    shown = [t["name"] for t in actors if t["showlegend"]]
    assert sorted(shown) == sorted({a.label for a in sc.actors if any(s.actor == a.id for s in sc.stances)})
    for t in actors:
        assert t["legendgroup"] == next(a.id for a in sc.actors if a.label == t["name"])


def _hover(template_text: str, meta: str, rival: str, x: float, y: float) -> str:
    """What plotly prints for a hover template (the fields this chart uses)."""
    out = template_text.replace("<extra></extra>", "")
    out = out.replace("%{x:+.3f}", f"{x:+.3f}").replace("%{y:+.3f}", f"{y:+.3f}")
    out = out.replace("%{customdata}", rival).replace("%{meta}", meta)
    assert "%{" not in out, out
    return out


def _expected_hover(sc: Scenario, fc: Any, h: int) -> list[str]:
    """Viewer ``h``'s hover texts, as the chart wrote them out per dot before."""
    persp = fc.prediction.extras["perspective"]
    own, rival = np.asarray(persp["own"]), np.asarray(persp["rival"])
    present = {(s.actor, s.issue) for s in sc.stances}
    v = _html.escape(sc.actors[h].label)
    out = []
    for k, issue in enumerate(sc.issues):
        if (sc.actors[h].id, issue.id) not in present:
            continue
        for j, a in enumerate(sc.actors):
            if j == h or (a.id, issue.id) not in present:
                continue
            x, y, r = float(own[h, j, k]), float(rival[h, j, k]), _html.escape(a.label)
            verdict = (
                f"{v} can press {r}"
                if x > 0 and x > y
                else f"{r} can press {v}"
                if y > 0 and y >= x
                else "stand-off: neither expects to gain"
            )
            out.append(
                f"<b>{r}</b><br>{v}'s gain from challenging: {x:+.3f}<br>{r}'s gain from challenging {v}: {y:+.3f}<br>{verdict}"
            )
    return sorted(out)


@pytest.mark.parametrize("which", ["big", "ukraine"])
def test_perspective_hover_says_what_it_said_for_every_viewer(which, request) -> None:
    sc, fc = request.getfixturevalue(which)
    d = eum.perspective_section(sc, fc).figures[0].to_dict()
    data, buttons = d["data"], d["layout"]["updatemenus"][0]["buttons"]
    assert len(buttons) == len(sc.actors)
    for h, b in enumerate(buttons):
        view = b["args"][0]
        got = sorted(
            _hover(t["hovertemplate"], view["meta"][n], r, x, y)
            for n, t in enumerate(data)
            if "hovertemplate" in t
            for r, x, y in zip(view["customdata"][n], view["x"][n], view["y"][n], strict=True)
        )
        assert got == _expected_hover(sc, fc, h), sc.actors[h].label
    for n, t in enumerate(data):  # drawn first: the first viewer's points
        for key in ("x", "y", "customdata", "text", "textposition"):
            assert t.get(key) == buttons[0]["args"][0][key][n]


def test_perspective_chart_is_small(big) -> None:
    sc, fc = big
    d = eum.perspective_section(sc, fc).figures[0].to_dict()
    dots = sum(
        len(x) for b in d["layout"]["updatemenus"][0]["buttons"] for x in b["args"][0]["customdata"] if x
    )
    assert dots == 20 * 19 * 3  # every viewer's every rival on every issue
    size = len(to_json(d))
    # one trace per viewer and issue with the hover text written out: 302 kB, 265 bytes a dot
    assert size <= 100 * dots, f"{size / dots:.0f} bytes a dot"
    assert len(d["data"]) == 4 * len(sc.issues)


def test_stored_numbers_print_as_the_exact_ones() -> None:
    """A dot's numbers are stored in 4 significant digits (at least 3 decimals; 5 where 4 would print
    otherwise, and so on) and print in the hover text (+.3f) exactly as the full numbers do."""
    rng = np.random.default_rng(0)
    values = [*rng.normal(0, 1, 2000), *rng.normal(0, 0.001, 500), 0.0, -0.0, 0.12345, -2.0004999, 0.0124996]
    chars = []
    for v in map(float, values):
        short = eum._hover_exact(v)
        assert f"{short:+.3f}" == f"{v:+.3f}", v
        assert abs(short - v) <= 5e-4 * max(abs(v), 1e-3), v  # 4 significant digits or more
        chars.append(len(repr(short)))
    assert np.mean(chars[:2000]) < 7.5 and np.percentile(chars, 99) <= 10  # the full numbers: 19


def test_perspective_hover_in_the_browser(ukraine) -> None:
    """plotly.js fills the templates as Python printed the text: signs, three decimals, names."""
    sc, fc = ukraine
    p = Part("eum")
    p.sections.append(eum.perspective_section(sc, fc))
    page_html = render_scenario_report(sc, [p], seed=0)
    h = 3
    want = [
        re.sub(r"<[^>]+>", "", _html.unescape(t.replace("<br>", "\n"))) for t in _expected_hover(sc, fc, h)
    ]
    with chromium_page(1280, 900) as (page, errors, outside):
        page.set_content(page_html, wait_until="load")
        page.evaluate("() => detenteCharts.drawAll()")
        page.wait_for_selector("#eum-perspective-fig0 .main-svg")
        got = page.evaluate(
            """async (k) => {
              const gd = document.getElementById('eum-perspective-fig0');
              const b = gd.layout.updatemenus[0].buttons[k];
              await Plotly.update(gd, b.args[0], b.args[1]);
              const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
              const out = [];
              for (const [c, t] of gd._fullData.entries()) {
                if (t.hoverinfo === 'skip') continue;
                for (let i = 0; i < (t.x || []).length; i++) {
                  Plotly.Fx.hover(gd, [{curveNumber: c, pointNumber: i}], t.xaxis + t.yaxis);
                  await sleep(40);
                  const lines = [...gd.querySelectorAll('.hoverlayer .hovertext text.nums tspan.line')];
                  out.push(lines.map((l) => l.textContent).join('\\n'));
                  Plotly.Fx.unhover(gd);
                  await sleep(40);
                }
              }
              return out;
            }""",
            h,
        )
        assert errors == [] and outside == []
    assert sorted(got) == sorted(want)
