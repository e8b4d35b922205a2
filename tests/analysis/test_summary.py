"""Sweep summaries against slow, obvious loops."""

from __future__ import annotations

import math

import numpy as np

from detente.analysis.montecarlo import Ensemble
from detente.analysis.summary import QUANTILES, summarize, sweep_result
from detente.core.perturb import Perturbation


def fake_ensemble(dynamic: bool = False) -> Ensemble:
    rng = np.random.default_rng(3)
    n, A, I = 401, 4, 2
    out = rng.random((n, I))
    out[7, 1] = np.nan  # an empty issue in one draw
    st = rng.choice(np.array(["converged", "cycled", "capped"]), size=(n, I))
    pos = rng.random((A, I))
    present = np.ones((A, I), dtype=bool)
    present[2, 1] = False
    return Ensemble(
        "toy",
        {},
        dynamic,
        ("a", "b", "c", "d"),
        ("x", "y"),
        out,
        st,
        5,
        0,
        100,
        5,
        Perturbation(),
        pos,
        present,
        ((0.0, 10.0), (-50.0, 50.0)),
    )


def slow_quantile(values: list[float], q: float) -> float:
    v = sorted(values)
    h = (len(v) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (h - lo) * (v[hi] - v[lo])


def test_summary_matches_loops() -> None:
    ens = fake_ensemble(dynamic=True)
    sums = summarize(ens, {"x": [5.0, 2.5], "y": [0.0]})
    for i, s in enumerate(sums):
        lo, hi = ens.scales[i]
        raw = [lo + float(u) * (hi - lo) for u in ens.outcomes[:, i] if not math.isnan(u)]
        n = len(raw)
        mean = sum(raw) / n
        sd = math.sqrt(sum((r - mean) ** 2 for r in raw) / (n - 1))
        assert s.n_valid == n == (401 if i == 0 else 400)
        assert math.isclose(s.mean, mean, rel_tol=1e-12) and math.isclose(s.sd, sd, rel_tol=1e-10)
        for q in QUANTILES:
            assert math.isclose(
                s.quantiles[str(q)], slow_quantile(raw, q / 100), rel_tol=1e-12, abs_tol=1e-12
            )
        for t in {"x": [5.0, 2.5], "y": [0.0]}[s.issue]:
            assert s.p_at_least[f"{t:g}"] == sum(r >= t for r in raw) / n
        units = [float(u) for u in ens.outcomes[:, i] if not math.isnan(u)]
        for a, actor in enumerate(ens.actor_ids):
            if not ens.base_present[a, i]:
                assert actor not in s.p_win
                continue
            want = sum(abs(u - ens.base_position[a, i]) <= 0.1 for u in units) / n
            assert s.p_win[actor] == want
        stats = [str(ens.statuses[k, i]) for k in range(401) if not math.isnan(ens.outcomes[k, i])]
        for name, share in s.status.items():
            assert share == stats.count(name) / n
        assert math.isclose(sum(s.status.values()), 1.0)


def test_sweep_result_shape() -> None:
    d = sweep_result(fake_ensemble(dynamic=False), {"x": [5.0]})
    assert d["model"] == "toy"
    first = d["issues"][0]
    assert list(first) == ["issue", "mean", "sd", "input_quantiles", "p_at_least", "p_win"]
    assert list(first["input_quantiles"]) == ["5", "25", "50", "75", "95"] and list(first["p_at_least"]) == [
        "5"
    ]
    assert "status" in sweep_result(fake_ensemble(dynamic=True))["issues"][0]


def test_single_draw_has_zero_sd() -> None:
    ens = fake_ensemble()
    one = Ensemble(
        **{
            **{f: getattr(ens, f) for f in ens.__dataclass_fields__},
            "outcomes": ens.outcomes[:1],
            "statuses": ens.statuses[:1],
        }
    )
    assert summarize(one)[0].sd == 0.0


def test_status_quo_without_reference_gives_no_number_and_leaves_the_range() -> None:
    """Issue 12 item 6: the status-quo baseline on an issue without a status quo says so instead of
    printing the compromise, and the "In brief" range leaves it out."""
    from detente.analysis.summary import issue_brief
    from detente.io.builtin import load_builtin
    from detente.models import forecast, get_model

    sc = load_builtin("ukraine-2025")
    k = sc.issue_ids.index("ceasefire_sequencing")
    assert sc.issues[k].reference is None
    fcs = {
        n: forecast(get_model(n), sc, seed=0) for n in ("compromise", "mean", "median", "status_quo", "nbs")
    }
    sq = fcs["status_quo"]
    assert math.isnan(sq.outcome[k]) and sq.no_forecast_reason(k) == "no status quo given"
    assert math.isnan(fcs["nbs"].outcome[k])  # no disagreement point, no Nash bargaining solution
    j = sc.issue_ids.index("security_guarantees")  # with a status quo: that is the forecast
    assert sq.outcome[j] == sc.issues[j].reference and sq.no_forecast_reason(j) is None
    b = issue_brief(
        "ceasefire_sequencing",
        {n: float(f.outcome[k]) for n, f in fcs.items()},
        interval=(30.0, 50.0),
        reasons={n: f.no_forecast_reason(k) or "" for n, f in fcs.items()},
    )
    finite = {n: float(f.outcome[k]) for n, f in fcs.items() if n not in ("status_quo", "nbs")}
    assert b.n_models == 3 and b.left_out == {
        "status_quo": "no status quo given",
        "nbs": "no status quo given",
    }
    assert (b.range_low, b.range_high) == (min(finite.values()), max(finite.values()))
    assert b.forecast == finite["compromise"] and b.has_interval
