"""What run/report say about how sure a forecast is: the interval's parts, the end points, the caveat."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from detente.analysis.intervals import (
    brief_reading,
    domain_caveat,
    intervals,
    is_eu_legislation,
    predictive_of,
)
from detente.io.builtin import load_builtin


class _Error:
    """A stand-in error model: normal residuals of sd 15 (raw units), seeded."""

    source = "test cases"
    n = 321
    domain = "EU legislation"

    def residuals(self, scenario, model, point):
        return np.random.default_rng(1).normal(0.0, 15.0, (len(point), 400))


@pytest.fixture(scope="module")
def ukraine():
    return load_builtin("ukraine-2025")


def _draws(sc, centre, spread, m=200, seed=0):
    rng = np.random.default_rng(seed)
    return np.clip(centre + rng.normal(0, spread, (m, len(sc.issues))), 0, 100)


def test_parts_are_named_and_the_combined_interval_is_wider(ukraine) -> None:
    point = np.full(len(ukraine.issues), 40.0)
    draws = _draws(ukraine, 40.0, 3.0)
    r = intervals(ukraine, {"m": point}, {"m": draws}, _Error())
    d = r.readouts["m"][0]
    assert d.source == "input uncertainty and model error" and d.error_n == 321
    assert d.low < d.input_low < d.input_high < d.high  # model error widens the input-only interval
    assert d.parts() == (
        f"input uncertainty only: {d.input_low:.1f}–{d.input_high:.1f}; "
        f"with model error on 321 EU decisions: {d.low:.1f}–{d.high:.1f}"
    )
    # the input-only part is the sweep's own 5-95 % range
    assert d.input_low == pytest.approx(np.quantile(draws[:, 0], 0.05))
    assert d.median == pytest.approx(float(r.by_model["m"].median[0]))


def test_without_error_model_the_interval_is_the_sweep(ukraine) -> None:
    point = np.full(len(ukraine.issues), 40.0)
    draws = _draws(ukraine, 40.0, 3.0)
    d = intervals(ukraine, {"m": point}, {"m": draws}).readouts["m"][0]
    assert d.source == "input uncertainty only" and d.parts().endswith("no model-error part")
    assert (d.low, d.high) == pytest.approx((d.input_low, d.input_high))


def test_zero_width_says_why_and_error_model_removes_it(ukraine) -> None:
    point = np.full(len(ukraine.issues), 15.0)
    flat = np.full((50, len(ukraine.issues)), 15.0)  # every perturbed input gives the same outcome
    d = intervals(ukraine, {"nbs": point}, {"nbs": flat}).readouts["nbs"][1]
    assert d.low == pytest.approx(15.0) and d.high == pytest.approx(15.0)
    assert d.reading.startswith("no spread: every perturbed input")
    d = intervals(ukraine, {"nbs": point}, {"nbs": flat}, _Error()).readouts["nbs"][1]
    assert d.high - d.low > 10.0 and d.p_low_end > 0.05  # mass piles at the scale end 0
    assert "chance of exactly 0 (none)" in d.reading


def test_median_is_named_when_it_is_not_the_point_forecast(ukraine) -> None:
    point = np.full(len(ukraine.issues), 90.0)
    draws = _draws(ukraine, 60.0, 10.0)  # the sweep lies well below the point solution
    d = intervals(ukraine, {"eum": point}, {"eum": draws}).readouts["eum"][0]
    assert abs(d.median - 60.0) < 3.0 and d.point == 90.0
    assert d.median_note() == f"predictive median {d.median:.1f}"
    assert d.mid_low < d.median < d.mid_high and d.low <= d.mid_low and d.mid_high <= d.high
    same = intervals(ukraine, {"c": np.full(len(ukraine.issues), 60.0)}, {"c": draws}).readouts["c"][0]
    assert same.median_note() == ""  # within 2 % of the scale: nothing to add


def test_brief_reading_says_once_what_model_error_implies(ukraine) -> None:
    point = np.full(len(ukraine.issues), 40.0)
    wide = intervals(ukraine, {"c": point}, {"c": _draws(ukraine, 40.0, 5.0)}, _Error())
    text = brief_reading(wide.readouts["c"])
    assert text.startswith("With model error learned on 321 EU decisions")
    lows = [d.p_low_end for d in wide.readouts["c"]]
    assert ("exact outcome with" in text) == (max(lows) >= 0.005)
    spans = [(d.high - d.low) >= 0.9 * d.width for d in wide.readouts["c"]]
    assert ("on every issue" in text) == all(spans)
    narrow = intervals(ukraine, {"c": point}, {"c": _draws(ukraine, 40.0, 5.0)})
    assert "(no model-error part)" in brief_reading(narrow.readouts["c"])
    assert brief_reading([]) == ""


def test_no_forecast_stays_nan(ukraine) -> None:
    point = np.full(len(ukraine.issues), 40.0)
    point[0] = np.nan
    pred = predictive_of(ukraine, "m", point, None, _Error())
    assert np.isnan(pred.quantiles[0]).all() and np.isfinite(pred.quantiles[1]).all()
    assert pred.input_quantiles is None  # no sweep: no input part


def test_caveat_only_off_eu_legislation(ukraine) -> None:
    assert not is_eu_legislation(ukraine)
    text = domain_caveat(ukraine, _Error())
    assert "learned on 321 EU legislation decisions" in text and "not EU legislation" in text
    assert domain_caveat(ukraine, None) == ""
    eu = replace(ukraine, metadata=(*ukraine.metadata, ("domain", "EU legislation")))
    assert is_eu_legislation(eu) and domain_caveat(eu, _Error()) == ""
    deu = replace(ukraine, metadata=(("proposal_id", "2001/0001"),))
    assert is_eu_legislation(deu)


def test_shipped_error_models_give_the_model_error_part(ukraine) -> None:
    """The shipped DEU error models (their own combination of draws and curves) widen the sweep's
    interval, name where they were learned, and add the caveat off EU legislation."""
    from detente.io.error_models import default_error_models

    ems = default_error_models()
    point = np.full(len(ukraine.issues), 40.0)
    draws = _draws(ukraine, 40.0, 3.0)
    r = intervals(ukraine, {"compromise": point}, {"compromise": draws}, ems)
    for d in r.readouts["compromise"]:
        assert d.source == "input uncertainty and model error" and d.error_n == ems.get("compromise").n
        assert d.low <= d.input_low and d.input_high <= d.high and d.high - d.low > d.input_high - d.input_low
        assert (
            d.parts().startswith("input uncertainty only: ") and f"on {d.error_n:,} EU decisions" in d.parts()
        )
    pred = r.by_model["compromise"]
    assert (
        (np.diff(pred.quantiles, axis=1) >= 0).all()
        and (pred.quantiles >= 0).all()
        and (pred.quantiles <= 100).all()
    )
    assert "210 EU legislation decisions" in r.caveat


def test_intervals_shown_hold_their_level_and_an_end_alone_says_so(ukraine) -> None:
    """The 50 %/90 % intervals read out are content-exact (analysis.predictive.prediction_interval):
    a forecast near 100 with a heavy end mass there gets a 90 % interval that starts at 100's side
    and holds 90 % of the distribution; with more than 90 % at the end it is the end alone."""
    from detente.analysis.predictive import interval_content

    class _Near(_Error):
        def residuals(self, scenario, model, point):
            return np.random.default_rng(1).normal(0.0, 8.0, (len(point), 400))

    point = np.full(len(ukraine.issues), 97.0)
    r = intervals(ukraine, {"m": point}, {}, _Near())
    pred, d = r.by_model["m"], r.readouts["m"][0]
    assert pred.p_high_end[0] > 0.05 and d.high == 100.0
    content = interval_content(pred.take([0]), [d.low], [d.high])[0]
    assert content == pytest.approx(0.9, abs=1e-6)
    assert interval_content(pred.take([0]), [d.mid_low], [d.mid_high])[0] == pytest.approx(0.5, abs=1e-6)
    far = intervals(ukraine, {"m": np.full(len(ukraine.issues), 125.0)}, {}, _Near())
    d = far.readouts["m"][0]
    assert d.low == d.high == 100.0 and far.by_model["m"].p_high_end[0] > 0.9
    assert "the 90% interval is that end alone" in d.reading
