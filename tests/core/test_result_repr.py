"""The repr of the main results stays a few lines in a notebook (it dumped whole trajectories, event
logs and every stance: ~100,000 characters for one EUM forecast of ukraine-2025)."""

from __future__ import annotations

import warnings

import pytest

from detente import ScenarioError, forecast, get_model, load_builtin, tornado


@pytest.fixture(scope="module")
def fc():  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return forecast(get_model("eum"), load_builtin("ukraine-2025"), seed=0)


def test_forecast_repr_is_short_and_says_what_matters(fc) -> None:  # type: ignore[no-untyped-def]
    r = repr(fc)
    assert len(r) < 1000 and "\n" not in r
    assert r.startswith(
        "Forecast(model='eum', scenario='ukraine-2025', seed=0, outcome={'ceasefire_sequencing': 25"
    )


def test_prediction_repr_shows_shapes_not_arrays(fc) -> None:  # type: ignore[no-untyped-def]
    r = repr(fc.prediction)
    assert len(r) < 1500
    assert "trajectory=<array 11×10×6 float64>" in r and "EventLog(" in r


def test_scenario_and_tornado_repr() -> None:
    sc = load_builtin("ukraine-2025")
    assert repr(sc).startswith("Scenario(id='ukraine-2025', title=") and "10 actors, 6 issues" in repr(sc)
    t = tornado(get_model("compromise"), sc)
    assert len(repr(t)) < 500


def test_unknown_issue_in_read_outs(fc) -> None:  # type: ignore[no-untyped-def]
    # before: ValueError: tuple.index(x): x not in tuple
    with pytest.raises(
        ScenarioError, match=r"^issue: unknown issue 'nope' \(expected one of ceasefire_sequencing"
    ):
        fc.outcome_of("nope")
    with pytest.raises(ScenarioError, match=r"^issue: unknown issue 'nope'"):
        tornado(get_model("compromise"), load_builtin("ukraine-2025")).top("nope")
