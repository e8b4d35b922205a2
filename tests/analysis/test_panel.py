"""Pooling an expert panel (analysis/panel.py): the numbers, the spread as uncertainty, the read-out."""

from __future__ import annotations

import numpy as np
import pytest

from detente.analysis.panel import disagreement, expert_scenario, pool_panel, pool_values
from detente.core.panel import ExpertAnswer, Panel
from detente.core.scale import Scale
from detente.core.scenario import Actor, Evidence, Issue, Scenario, Stance
from detente.errors import ScenarioError
from detente.io.mapping import dump_scenario, parse_scenario


def _scenario() -> Scenario:
    return Scenario(
        id="toy",
        actors=(Actor(id="a"), Actor(id="b", capability=2)),
        issues=(Issue(id="x", scale=Scale(low=0, high=100)), Issue(id="y", scale=Scale(low=-1, high=1))),
        stances=(
            Stance(actor="a", issue="x", position=10, salience=0.5, evidence=(Evidence(quote="we want 10"),)),
            Stance(actor="b", issue="x", position=90, salience=0.5),
        ),
    )


def _panel(pool: str = "median") -> Panel:
    ans = [
        ExpertAnswer(
            expert="e1", actor="a", issue="x", position=20, salience=0.4, confidence=0.9, notes="said so"
        ),
        ExpertAnswer(expert="e2", actor="a", issue="x", position=30, salience=0.6, confidence=0.1),
        ExpertAnswer(expert="e3", actor="a", issue="x", position=70, salience=0.8),
        ExpertAnswer(expert="e1", actor="b", issue="y", position=0.5, salience=1.0, capability=3),
        ExpertAnswer(expert="e2", actor="b", issue="y", position=-0.5, salience=0.0),
        ExpertAnswer(expert="e3", actor="b", issue="x"),  # left empty
    ]
    return Panel(experts=("e1", "e2", "e3"), answers=tuple(ans), pool=pool)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("method", "values", "weights", "expected"),
    [
        ("median", [20, 30, 70], None, 30.0),
        ("mean", [20, 30, 70], None, 40.0),
        ("trimmed", [20, 30, 70], None, 30.0),  # n=3: one dropped at each end
        ("trimmed", [1, 2, 3, 4, 100], None, 3.0),  # n=5: floor(0.2*5)=1 at each end
        ("trimmed", [20, 70], None, 45.0),  # n<3: the mean
        ("weighted", [20, 30, 70], [0.9, 0.1, 0.5], (0.9 * 20 + 0.1 * 30 + 0.5 * 70) / 1.5),
        ("weighted", [20, 30], [0.0, 0.0], 25.0),  # all-zero confidence: equal weights
    ],
)
def test_pool_values(method, values, weights, expected):
    assert pool_values(values, method, weights) == pytest.approx(expected)


def test_pool_values_refuses_nothing_and_unknown_methods():
    with pytest.raises(ScenarioError, match="at least one"):
        pool_values([], "median")
    with pytest.raises(ScenarioError, match="expected one of"):
        pool_values([1.0], "mode")  # type: ignore[arg-type]


def test_pooled_stance_numbers_spread_and_evidence():
    pooled = pool_panel(_scenario(), _panel())
    s = pooled.stance("a", "x")
    assert s is not None
    assert s.position == 30 and s.salience == pytest.approx(0.6)
    # the between-expert SD (ddof=1) is the stance's uncertainty the sweep draws from
    assert s.sd == pytest.approx(float(np.std([20, 30, 70], ddof=1)))
    assert s.evidence[0].quote == "we want 10"  # the analyst's evidence stays
    assert any(e.assumption and "median of 3 expert positions" in e.note for e in s.evidence)
    assert any(e.quote == "said so" and e.source == "expert e1" for e in s.evidence)
    # an actor x issue the scenario had no stance on gets one from the experts
    new = pooled.stance("b", "y")
    assert new is not None and new.position == 0.0 and new.salience == 0.5 and new.capability == 3
    # a stance only left empty by the experts is kept as it was
    assert pooled.stance("b", "x") == _scenario().stance("b", "x")
    assert pooled.panel == _panel()


def test_weighted_pool_uses_confidence_and_missing_confidence_counts_half():
    s = pool_panel(_scenario(), _panel("weighted")).stance("a", "x")
    assert s is not None
    assert s.position == pytest.approx((0.9 * 20 + 0.1 * 30 + 0.5 * 70) / 1.5)


def test_single_expert_keeps_no_sd():
    p = Panel(
        experts=("e1",), answers=(ExpertAnswer(expert="e1", actor="a", issue="x", position=40, salience=1),)
    )
    s = pool_panel(_scenario(), p).stance("a", "x")
    assert s is not None and s.sd is None and s.position == 40


def test_expert_scenario_is_the_experts_own_view():
    pooled = pool_panel(_scenario(), _panel())
    e3 = expert_scenario(pooled, "e3")
    s = e3.stance("a", "x")
    assert s is not None and s.position == 70 and s.salience == 0.8 and s.sd is None
    assert e3.panel is None and e3.id == "toy:e3"
    with pytest.raises(ScenarioError, match="unknown expert 'e9'"):
        expert_scenario(pooled, "e9")


def test_disagreement_ranks_by_share_of_the_scale():
    rows = disagreement(pool_panel(_scenario(), _panel()))
    assert [(r.actor, r.issue) for r in rows] == [("b", "y"), ("a", "x")]
    # y's scale is 2 wide: SD of (0.5, -0.5) is 0.707 = 35 % of it; x: SD 26.5 of 100
    assert rows[0].position_share == pytest.approx(np.std([0.5, -0.5], ddof=1) / 2)
    assert rows[1].positions == (("e1", 20.0), ("e2", 30.0), ("e3", 70.0))
    assert disagreement(_scenario()) == []


def test_panel_round_trips_through_the_native_layout():
    pooled = pool_panel(_scenario(), _panel("trimmed"))
    again = parse_scenario(dump_scenario(pooled))
    assert again == pooled


def test_panel_validation_names_the_field():
    d = dump_scenario(pool_panel(_scenario(), _panel()))
    d["panel"]["answers"][0]["salience"] = 1.4
    with pytest.raises(ScenarioError) as e:
        parse_scenario(d, source="p.yaml")
    assert e.value.problems[0] == "p.yaml: panel.answers[0].salience: 1.4 is above range (expected 0 to 1)"
    d = dump_scenario(pool_panel(_scenario(), _panel()))
    d["panel"]["answers"][0]["position"] = 140
    with pytest.raises(ScenarioError, match=r"panel: expert e1: a/x: position: 140 is outside the scale"):
        parse_scenario(d)
    d = dump_scenario(pool_panel(_scenario(), _panel()))
    d["panel"]["answers"][0]["expert"] = "nobody"
    with pytest.raises(ScenarioError, match="unknown expert 'nobody'"):
        parse_scenario(d)


def test_panel_readout_matches_one_forecast_per_expert_and_splits_the_interval():
    from detente.analysis.panel import panel_readout
    from detente.models import forecast, get_model

    pooled = pool_panel(_scenario(), _panel())
    model = get_model("compromise")
    r = panel_readout(pooled, model, "compromise", seed=3, draws=200)
    assert r is not None and r.experts == ("e1", "e2", "e3") and r.draws == 200
    for e in r.experts:  # the batched call equals one forecast of each expert's own scenario
        fc = forecast(model, expert_scenario(pooled, e), seed=3)
        for k, issue in enumerate(pooled.issue_ids):
            assert r.by_expert[e][issue] == pytest.approx(float(fc.outcome[k]), abs=1e-9)
    fc = forecast(model, pooled, seed=3)
    assert r.pooled["x"] == pytest.approx(float(fc.outcome[0]), abs=1e-9)
    x = r.intervals["x"]
    # on x one stance has an expert spread of SD 26.5: its interval is wide; the noise part is the sweep's
    assert x.experts > 0 and x.noise > 0
    assert x.experts_share == pytest.approx(x.experts**2 / (x.experts**2 + x.noise**2))
    assert [(d.actor, d.issue) for d in r.disputed] == [("b", "y"), ("a", "x")]
    assert panel_readout(_scenario(), model, "compromise") is None


def test_main_job_and_report_part_show_the_panel():
    from detente.analysis.main_job import MainJobOptions, main_job
    from detente.report.parts import panel as part

    pooled = pool_panel(_scenario(), _panel())
    job = main_job(pooled, MainJobOptions(parts=("panel",)))
    assert job.panel is not None and job.panel.model == "compromise"
    p = part.build(job)
    assert p.headline and p.headline[0].startswith(
        "The 3 experts disagree most on b's position on y (e1 0.5, e2 -0.5)"
    )
    assert [t.title.split(" (")[0] for t in p.tables] == [
        "Where the experts disagree most",
        "Each expert's forecast beside the pooled one",
        "Width of the 90% interval by source",
    ]
    assert part.build(main_job(_scenario(), MainJobOptions(parts=("panel",)))).sections == []


def test_model_error_joins_the_decomposition():
    from detente.analysis.panel import IntervalParts, PanelReadout, with_model_error

    r = PanelReadout("compromise", "median", ("e1",), (), {"x": 1.0}, {}, {"x": IntervalParts(3.0, 4.0)}, 10)
    out = with_model_error(r, {"x": (13.0, 5.0)}, 120)
    p = out.intervals["x"]
    assert out.error_n == 120 and p.model_error == pytest.approx(12.0)  # sqrt(13² − 5²)
    assert p.share("experts") == pytest.approx(9 / (9 + 16 + 144))
    assert sum(p.share(k) for k in ("experts", "noise", "model_error")) == pytest.approx(1.0)
    same = with_model_error(r, {"x": (4.0, 5.0)}, 120).intervals["x"]  # narrower combined: no extra part
    assert same.model_error == 0.0
