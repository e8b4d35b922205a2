"""The public analyses refuse wrong arguments with a DetenteError naming them (not a numpy TypeError
or an AttributeError from deep inside), and their results are read-only records."""

from __future__ import annotations

import numpy as np
import pytest

from detente import (
    ModelConfigError,
    ScenarioError,
    get_model,
    knockout,
    load_builtin,
    run_ensemble,
    tornado,
    what_it_takes,
)


@pytest.fixture(scope="module")
def sc():  # type: ignore[no-untyped-def]
    return load_builtin("emission-standards-1994")


CALLS = {
    "run_ensemble": lambda m, sc, **kw: run_ensemble(m, sc, n_draws=5, **kw),
    "tornado": lambda m, sc, **kw: tornado(m, sc, **kw),
    "knockout": lambda m, sc, **kw: knockout(m, sc, **kw),
    "what_it_takes": lambda m, sc, **kw: what_it_takes(m, sc, "emission", ">=", 5.0, **kw),
}


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("seed", [None, 1.5, -1, "3"])
def test_bad_seed(sc, name, seed) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ModelConfigError, match=r"^seed: expected an integer >= 0"):
        CALLS[name](get_model("compromise"), sc, seed=seed)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_model_name_instead_of_model(sc, name) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ModelConfigError, match=r"get_model\('compromise'\)"):
        CALLS[name]("compromise", sc)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_text_instead_of_scenario(name) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError, match=r"^scenario: expected a Scenario"):
        CALLS[name](get_model("compromise"), "emission-standards-1994")


def test_perturbation_must_be_a_perturbation(sc) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError, match=r"^perturbation: expected a Perturbation.*received dict"):
        run_ensemble(get_model("compromise"), sc, {"position_sd": 0.1}, n_draws=5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kw", "says"),
    [
        ({"target": float("nan")}, r"^target: expected a finite number"),
        ({"target": "5"}, r"^target: expected a finite number"),
        ({"grid": 0}, r"^grid: expected an integer >= 2"),
        ({"fine": 1}, r"^fine: expected an integer >= 2"),
        ({"refine": -1}, r"^refine: expected an integer >= 0"),
        ({"inputs": "position"}, r"^inputs: expected a tuple"),
    ],
)
def test_what_it_takes_arguments(sc, kw, says) -> None:  # type: ignore[no-untyped-def]
    # before: NaN, a text target, grid=0 and refine=-1 returned a result without complaint
    args = {"target": 5.0, **kw}
    target = args.pop("target")
    with pytest.raises((ScenarioError, ModelConfigError), match=says):
        what_it_takes(get_model("compromise"), sc, "emission", ">=", target, **args)


def test_ensemble_arrays_are_read_only(sc) -> None:  # type: ignore[no-untyped-def]
    e = run_ensemble(get_model("compromise"), sc, n_draws=5, seed=np.int64(2))
    assert e.seed == 2
    with pytest.raises(ValueError, match="read-only"):
        e.outcomes[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        e.statuses[0, 0] = "x"
