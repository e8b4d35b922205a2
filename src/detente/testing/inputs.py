"""Inputs of the conformance checks: seeded random scenarios and the array helpers the checks use.

:func:`random_arrays` draws small unit-scale scenarios (absent stances, a reference point, optional
batch axes) from a ``numpy.random.Generator``, so every check is reproducible;
:func:`scenario_arrays` is the same as a Hypothesis strategy.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from typing import Any, Literal, get_args, get_origin

import numpy as np

from detente.core.arrays import ScenarioArrays
from detente.core.results import Prediction
from detente.core.scale import Scale
from detente.core.scenario import Actor, Issue, Scenario, Stance

__all__ = ["random_arrays", "scenario_arrays", "synthetic_scenario"]


def synthetic_scenario(n_actors: int, n_issues: int, seed: int = 0, *, name: str = "synthetic") -> Scenario:
    """A seeded scenario of every actor on every 0-100 issue (capability and salience uniform on
    [0.1, 1), integer positions): the big inputs of the memory tests and the benchmarks."""
    rng = np.random.default_rng(seed)
    actors = tuple(Actor(id=f"a{k}", capability=float(rng.uniform(0.1, 1.0))) for k in range(n_actors))
    issues = tuple(Issue(id=f"i{d}", scale=Scale(low=0, high=100)) for d in range(n_issues))
    stances = tuple(
        Stance(
            actor=f"a{a}",
            issue=f"i{d}",
            position=float(rng.integers(0, 101)),
            salience=float(rng.uniform(0.1, 1.0)),
        )
        for a in range(n_actors)
        for d in range(n_issues)
    )
    return Scenario(id=f"{name}-{n_actors}x{n_issues}", actors=actors, issues=issues, stances=stances)


# --------------------------------------------------------------------------------------------
# random scenarios


def random_arrays(
    rng: np.random.Generator,
    *,
    n_actors: int = 6,
    n_issues: int = 3,
    batch: tuple[int, ...] = (),
    absent: float = 0.2,
    reference: bool = True,
) -> ScenarioArrays:
    """Small random unit-scale arrays with absent stances, a reference point and optional batch axes.

    Every issue keeps at least two present actors with positive weight in every draw; the
    present mask varies between draws. Absent cells hold garbage (they must not matter).
    """
    shape = (*batch, n_actors, n_issues)
    position = rng.uniform(0.0, 1.0, shape)
    salience = rng.uniform(0.05, 1.0, shape)
    capability = rng.uniform(0.1, 2.0, shape)
    present = rng.random(shape) >= absent
    # guarantee two present actors per issue (the first two actors in a random order)
    flat = present.reshape(-1, n_actors, n_issues)
    for b in range(flat.shape[0]):
        for d in range(n_issues):
            if flat[b, :, d].sum() < 2:
                pick = rng.permutation(n_actors)[:2]
                flat[b, pick, d] = True
    present = flat.reshape(shape)
    position = np.where(present, position, rng.uniform(-5.0, 5.0, shape))
    salience = np.where(present, salience, rng.uniform(0.0, 9.0, shape))
    capability = np.where(present, capability, rng.uniform(0.0, 9.0, shape))
    ref = rng.uniform(0.0, 1.0, (*batch, n_issues)) if reference else np.full((*batch, n_issues), np.nan)
    return ScenarioArrays(
        actor_ids=tuple(f"a{k}" for k in range(n_actors)),
        issue_ids=tuple(f"i{k}" for k in range(n_issues)),
        position=position,
        salience=salience,
        capability=capability,
        present=present,
        reference=ref,
    )


def scenario_arrays(*, max_actors: int = 8, max_issues: int = 4, batch: tuple[int, ...] = ()) -> Any:
    """Hypothesis strategy of :func:`random_arrays` inputs (2..max_actors actors, 1..max_issues issues).

    ``hypothesis`` is imported lazily (it is a ``dev`` dependency, not needed by the checks).
    """
    from hypothesis import strategies as st

    return st.builds(
        lambda seed, a, i, absent: random_arrays(
            np.random.default_rng(seed), n_actors=a, n_issues=i, batch=batch, absent=absent
        ),
        st.integers(0, 2**32 - 1),
        st.integers(2, max_actors),
        st.integers(1, max_issues),
        st.sampled_from([0.0, 0.2, 0.5]),
    )


def _readonly(arrays: ScenarioArrays) -> ScenarioArrays:
    out = dataclasses.replace(
        arrays,
        position=np.array(arrays.position, dtype=np.float64),
        salience=np.array(arrays.salience, dtype=np.float64),
        capability=np.array(arrays.capability, dtype=np.float64),
        present=np.array(arrays.present, dtype=bool),
        reference=np.array(arrays.reference, dtype=np.float64),
    )
    for a in (out.position, out.salience, out.capability, out.present, out.reference):
        a.setflags(write=False)
    return out


def _with(arrays: ScenarioArrays, **changes: Any) -> ScenarioArrays:
    return _readonly(dataclasses.replace(arrays, **changes))


def _gen(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


# --------------------------------------------------------------------------------------------
# helpers


def _fields(cls: type) -> list[dataclasses.Field[Any]]:
    return list(dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else []


def _bad_values(cls: type) -> list[tuple[str, object]]:
    """(field, nonsense value): the first ``Literal`` field and the first numeric field."""
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # unresolved annotations: fall back to the raw strings
        hints = {}
    out: list[tuple[str, object]] = []
    lit_done = num_done = False
    for f in _fields(cls):
        tp = hints.get(f.name, f.type)
        origin = get_origin(tp)
        args = [a for a in get_args(tp) if a is not type(None)]
        if not lit_done and origin is Literal:
            out.append((f.name, "__not_a_valid_choice__"))
            lit_done = True
            continue
        if not lit_done and origin is not Literal and any(get_origin(a) is Literal for a in args):
            out.append((f.name, "__not_a_valid_choice__"))
            lit_done = True
            continue
        numeric = tp in (int, float) or (args and all(a in (int, float) for a in args))
        if not num_done and numeric and tp is not bool:
            out.append((f.name, math.nan))
            num_done = True
    return out


def _outcome(pred: Prediction) -> np.ndarray:
    return np.asarray(pred.outcome, dtype=np.float64)


def _close(a: np.ndarray, b: np.ndarray, *, rtol: float = 1e-9, atol: float = 1e-12) -> bool:
    return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


def _maxdiff(a: np.ndarray, b: np.ndarray) -> float:
    d = np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))
    d = d[np.isfinite(d)]
    return float(d.max()) if d.size else 0.0


def _hull(arrays: ScenarioArrays) -> tuple[np.ndarray, np.ndarray]:
    lo = np.where(arrays.present, arrays.position, np.inf).min(axis=-2)
    hi = np.where(arrays.present, arrays.position, -np.inf).max(axis=-2)
    return lo, hi


def _flat_batch(arrays: ScenarioArrays) -> list[ScenarioArrays]:
    n = int(np.prod(arrays.batch_shape)) if arrays.batch_shape else 1
    A, I = arrays.n_actors, arrays.n_issues
    flat = dataclasses.replace(
        arrays,
        position=np.asarray(arrays.position).reshape(n, A, I),
        salience=np.asarray(arrays.salience).reshape(n, A, I),
        capability=np.asarray(arrays.capability).reshape(n, A, I),
        present=np.asarray(arrays.present).reshape(n, A, I),
        reference=np.asarray(arrays.reference).reshape(n, I),
    )
    return [_readonly(flat.take(b)) for b in range(n)]
