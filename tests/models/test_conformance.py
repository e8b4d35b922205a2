"""Every registered model (built-ins whose module exists + plugins) passes the conformance suite."""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np
import pytest

from detente.errors import ModelConfigError
from detente.models import available_models, get_model
from detente.models.mean import Compromise
from detente.testing import Check, check_model, iter_checks, random_arrays

CASES = [(name, check) for name in available_models() for check in iter_checks(get_model(name))]


@pytest.mark.parametrize(("name", "check"), CASES, ids=[f"{n}-{c.id}" for n, c in CASES])
def test_model_conformance(name: str, check: Check) -> None:
    check()


def test_every_builtin_with_a_module_is_checked() -> None:
    names = {n for n, _ in CASES}
    assert {"mean", "compromise", "median", "nbs", "status_quo", "procedural", "rule_compromise"} <= names
    assert all(len([c for n, c in CASES if n == m]) == 13 for m in names)


def test_variants_pass() -> None:
    check_model(get_model("median", weighting="c", tie="midpoint"))
    check_model(get_model("nbs", loss="linear"))


# --- the suite must catch broken models ---------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class _OutsideHull(Compromise):
    def predict(self, arrays, rng):  # type: ignore[no-untyped-def]
        pred = Compromise.predict(self, arrays, rng)
        return dataclasses.replace(pred, outcome=pred.outcome + 0.5)


@dataclasses.dataclass(frozen=True, slots=True)
class _Mutating(Compromise):
    def predict(self, arrays, rng):  # type: ignore[no-untyped-def]
        arrays.position[..., 0, 0] = 0.0
        return Compromise.predict(self, arrays, rng)


@dataclasses.dataclass(frozen=True, slots=True)
class _OrderDependent(Compromise):
    def predict(self, arrays, rng):  # type: ignore[no-untyped-def]
        pred = Compromise.predict(self, arrays, rng)
        return dataclasses.replace(
            pred, outcome=np.where(arrays.present[..., 0, :], arrays.position[..., 0, :], pred.outcome)
        )


@dataclasses.dataclass(frozen=True, slots=True)
class _SecretlyRandom(Compromise):
    def predict(self, arrays, rng):  # type: ignore[no-untyped-def]
        pred = Compromise.predict(self, arrays, rng)
        rng.random()
        return pred


@dataclasses.dataclass(frozen=True, slots=True)
class _NoValidation:
    weighting: Literal["cs", "c"] = "cs"
    info = Compromise.info

    def predict(self, arrays, rng):  # type: ignore[no-untyped-def]
        return Compromise().predict(arrays, rng)


@dataclasses.dataclass(frozen=True, slots=True)
class _MaskLeak(Compromise):
    def predict(self, arrays, rng):  # type: ignore[no-untyped-def]
        pred = Compromise.predict(self, arrays, rng)
        leak = np.where(arrays.present, 0.0, arrays.position).sum(axis=-2) * 1e-3
        return dataclasses.replace(pred, outcome=pred.outcome + leak)


def _failed(model: object) -> set[str]:
    out = set()
    for c in iter_checks(model):
        try:
            c()
        except AssertionError as exc:
            assert f"check {c.number} {c.name}" in str(exc)
            out.add(c.name)
    return out


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (_OutsideHull(), "shapes_and_hull"),
        (_Mutating(), "inputs_untouched"),
        (_OrderDependent(), "permutation"),
        (_SecretlyRandom(), "seeded"),
        (_NoValidation(), "bad_params"),
        (_MaskLeak(), "masked_ignored"),
    ],
    ids=["hull", "mutation", "permutation", "rng", "validation", "mask"],
)
def test_suite_catches_broken_models(model: object, expected: str) -> None:
    assert expected in _failed(model)
    with pytest.raises(AssertionError, match=expected):
        check_model(model)


def test_random_arrays_are_valid_and_reproducible() -> None:
    a = random_arrays(np.random.default_rng(1), batch=(4,))
    b = random_arrays(np.random.default_rng(1), batch=(4,))
    assert np.array_equal(a.position, b.position)
    assert a.position.shape == (4, 6, 3) and a.reference.shape == (4, 3)
    assert (a.present.sum(axis=-2) >= 2).all()
    assert ((a.position >= 0) & (a.position <= 1))[a.present].all()


def test_bad_value_raises_config_error_via_replace() -> None:
    with pytest.raises(ModelConfigError, match="weighting"):
        dataclasses.replace(Compromise(), weighting="bogus")


def test_hypothesis_strategy_gives_valid_inputs() -> None:
    from hypothesis import given, settings

    from detente.testing import scenario_arrays

    @settings(max_examples=25, deadline=None)
    @given(scenario_arrays(max_actors=5, max_issues=3))
    def run(arr) -> None:  # type: ignore[no-untyped-def]
        assert (arr.present.sum(axis=-2) >= 2).all()
        pred = Compromise().predict(arr, np.random.default_rng(0))
        lo = np.where(arr.present, arr.position, np.inf).min(axis=-2)
        hi = np.where(arr.present, arr.position, -np.inf).max(axis=-2)
        assert ((pred.outcome >= lo - 1e-12) & (pred.outcome <= hi + 1e-12)).all()

    run()
