"""forecast_to_dict (CLI JSON contract) and forecast_to_frame."""

from __future__ import annotations

import json

import numpy as np
import pytest

from detente.core.results import Diagnostics, Prediction
from detente.io.builtin import load_builtin
from detente.io.results import forecast_to_dict, forecast_to_frame
from detente.models import forecast, get_model


def test_static_model_contract() -> None:
    sc = load_builtin("emission-standards-1994")
    d = forecast_to_dict(forecast(get_model("compromise"), sc, seed=3), sc)
    assert set(d) == {"model", "params", "seed", "input_sha256", "detente_version", "issues"}
    assert d["model"] == "compromise" and d["seed"] == 3
    (iss,) = d["issues"]
    assert iss["issue"] == "emission" and iss["scale"] == [4.0, 10.0] and iss["trajectory"] is None
    assert iss["status"] == "closed_form"
    assert iss["forecast"] == pytest.approx(7.38996, abs=1e-4)
    json.dumps(d, allow_nan=False)


class _Dyn:
    """A tiny dynamic model: everyone moves halfway to the unweighted mean each round (test double)."""

    def predict(self, arrays, rng):  # noqa: ANN001
        pos = np.where(arrays.present, arrays.position, np.nan)
        steps = [pos]
        for _ in range(2):
            m = np.nanmean(steps[-1], axis=-2, keepdims=True)
            steps.append(np.where(arrays.present, 0.5 * (steps[-1] + m), np.nan))
        traj = np.stack(steps, axis=-3)  # (T+1, A, I)
        mean = np.nanmean(traj, axis=-2)  # (T+1, I)
        return Prediction(
            outcome=mean[-1],
            diagnostics=Diagnostics.closed_form(mean[-1].shape),
            trajectory=traj,
            stat_path=mean,
            extras={"round_stats": {"mean": mean}},
        )


def test_dynamic_trajectory_generic_form() -> None:
    sc = load_builtin("ktab-smp-example")  # Alice absent on firstdim
    from detente.core.arrays import to_arrays

    arrays = to_arrays(sc)
    pred = _Dyn().predict(arrays, None)
    from dataclasses import replace

    f = forecast(get_model("mean"), sc, seed=0)
    f = replace(f, prediction=pred, outcome=np.asarray(pred.outcome) * 100.0)
    d = forecast_to_dict(f, sc)
    first = d["issues"][0]
    assert first["issue"] == "firstdim"
    traj = first["trajectory"]
    assert [e["round"] for e in traj] == [0, 1, 2]
    assert "Alice" not in traj[0]["positions"] and set(traj[0]["positions"]) == {
        "Bob",
        "Carol",
        "David",
        "Ellie",
    }
    assert traj[0]["positions"]["Bob"] == pytest.approx(15.9)
    expected_mean0 = np.mean([15.9, 61.1, 26.3, 73.3])
    assert traj[0]["mean"] == pytest.approx(expected_mean0) and traj[0]["stat"] == pytest.approx(
        expected_mean0
    )
    assert "Alice" in d["issues"][1]["trajectory"][0]["positions"]
    json.dumps(d, allow_nan=False)


def test_real_dynamic_model_is_serialisable() -> None:
    import warnings

    sc = load_builtin("emission-standards-1994")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = forecast(get_model("eum"), sc, seed=0)
    d = forecast_to_dict(f, sc)
    traj = d["issues"][0]["trajectory"]
    assert traj is not None and traj[0]["round"] == 0
    assert traj[0]["positions"]["netherlands"] == pytest.approx(4.0)
    json.dumps(d, allow_nan=False)


def test_frame() -> None:
    sc = load_builtin("emission-standards-1994")
    fs = [forecast(get_model(m), sc, seed=0) for m in ("compromise", "median")]
    df = forecast_to_frame(fs, sc)
    assert list(df.columns) == ["model", "issue", "forecast", "low_label", "high_label"]
    assert df["forecast"].tolist() == pytest.approx([7.389955686853767, 7.0])
    assert df["low_label"].tolist() == ["4 years (early)"] * 2
    assert forecast_to_frame(fs[0]).shape == (1, 5)


def test_json_schema_matches_parser_keys() -> None:
    from detente.io import mapping
    from detente.io.schema import scenario_json_schema

    s = scenario_json_schema()
    assert sorted(s["properties"]) == sorted(mapping.TOP_KEYS)
    st = s["properties"]["stances"]["items"]
    assert sorted(st["properties"]) == sorted(mapping.STANCE_KEYS) and st["additionalProperties"] is False
    json.dumps(s)
