"""``forecast`` refuses wrong arguments with a DetenteError naming them, and returns a read-only record."""

from __future__ import annotations

import numpy as np
import pytest

from detente import DetenteError, ModelConfigError, ScenarioError, forecast, get_model, load_builtin
from detente.models.mean import Compromise


@pytest.fixture(scope="module")
def scenario():  # type: ignore[no-untyped-def]
    return load_builtin("emission-standards-1994")


@pytest.mark.parametrize("seed", [None, 1.5, -1, "3", True, np.float64(2.0)])
def test_bad_seed_names_the_seed(scenario, seed) -> None:  # type: ignore[no-untyped-def]
    # before: numpy's TypeError/ValueError from SeedSequence, or (None, True) a silent run whose
    # numbers could not be reproduced from the recorded seed
    with pytest.raises(ModelConfigError, match=r"^seed: expected an integer >= 0, received") as exc:
        forecast(get_model("eum"), scenario, seed=seed)
    assert exc.value.parameter == "seed"


def test_numpy_integer_seed_is_an_int(scenario) -> None:  # type: ignore[no-untyped-def]
    f = forecast(get_model("eum"), scenario, seed=np.int64(4))
    assert f.seed == 4 and type(f.seed) is int
    assert np.array_equal(f.outcome, forecast(get_model("eum"), scenario, seed=4).outcome)


@pytest.mark.parametrize(
    ("model", "says"),
    [
        ("compromise", r"get_model\('compromise'\)"),
        (Compromise, r"not the class: call it, Compromise\(\)"),
        (object(), r"a model instance"),
    ],
)
def test_bad_model_is_a_config_error(scenario, model, says) -> None:  # type: ignore[no-untyped-def]
    # before: AttributeError 'str' object has no attribute 'predict' / TypeError missing 'rng'
    with pytest.raises(ModelConfigError, match=says):
        forecast(model, scenario)


@pytest.mark.parametrize("bad", ["emission-standards-1994", None, {"actors": []}])
def test_bad_scenario_is_a_scenario_error(bad) -> None:  # type: ignore[no-untyped-def]
    # before: AttributeError: 'str' object has no attribute 'actors' (from to_arrays)
    with pytest.raises(ScenarioError, match=r"^scenario: expected a Scenario, received"):
        forecast(get_model("compromise"), bad)


def test_forecast_arrays_are_read_only(scenario) -> None:  # type: ignore[no-untyped-def]
    f = forecast(get_model("compromise"), scenario)
    for arr in (f.outcome, f.unit_outcome):
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = 1.0


def test_all_errors_are_detente_errors(scenario) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DetenteError):
        forecast("eum", scenario, seed=None)  # type: ignore[arg-type]


def test_get_model_unknown_parameter_is_a_config_error() -> None:
    # before: TypeError: Median.__init__() got an unexpected keyword argument 'rounds'
    with pytest.raises(
        ModelConfigError, match=r"^rounds: expected one of the parameters method, tie, weighting"
    ):
        get_model("median", rounds=3)


def test_get_model_name_not_text() -> None:
    from detente import UnknownModelError

    # before: TypeError: 'int' object is not iterable (from difflib)
    with pytest.raises(UnknownModelError, match=r"^model: expected a model name"):
        get_model(3)  # type: ignore[arg-type]


def test_convergence_warning_points_at_the_callers_line(tmp_path) -> None:
    """The warning named models/base.py (detente's own frame) as where it came from; a script's
    reader needs its own line."""
    import subprocess
    import sys

    script = tmp_path / "user_script.py"
    script.write_text(
        "from detente.io.builtin import load_builtin\n"
        "from detente.models import get_model\n"
        "from detente.models.base import forecast\n"
        "f = forecast(get_model('eum'), load_builtin('ukraine-2025'))\n",
        encoding="utf-8",
    )
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    assert f"{script}:4: ConvergenceWarning: eum: positions did not converge" in r.stderr, r.stderr


def test_eum_issue_without_any_stance_is_no_forecast_without_a_convergence_warning() -> None:
    """It reported 'capped' after every round and warned that positions did not converge, though no
    actor was there to move; now as the exchange and spatial models report it: converged at once,
    no forecast (NaN), no warning."""
    import warnings

    import numpy as np

    from detente.io.files import read_scenario_text
    from detente.models import get_model
    from detente.models.base import forecast

    sc = read_scenario_text(
        "id: t\nissues:\n- {id: x, scale: {low: 0, high: 100}}\n- {id: y, scale: {low: 0, high: 100}}\n"
        "actors: [{id: a}, {id: b}]\nstances:\n"
        "- {actor: a, issue: x, position: 10, salience: 1, capability: 1}\n"
        "- {actor: b, issue: x, position: 10, salience: 1, capability: 1}\n",
        format="yaml",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any ConvergenceWarning fails the test
        f = forecast(get_model("eum"), sc)
    assert np.isnan(f.outcome[1]) and f.no_forecast_reason(1) == "no actor takes a position on it"
    assert str(f.diagnostics.status[1]) == "converged" and int(f.diagnostics.rounds[1]) == 0
