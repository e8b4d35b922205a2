"""The conformance suite every forecast model must pass (architecture.md §4).

Usage for model and plugin authors::

    from detente.testing import check_model
    check_model(MyModel)            # a class (built with no arguments) or an instance

``check_model`` runs the 13 checks below and raises ``AssertionError`` naming every failed
check (``check 4 shapes_and_hull failed for model 'x': ...``). ``iter_checks`` yields the
checks one by one (e.g. for ``pytest.mark.parametrize``).

The checks run on small random scenarios drawn from a seeded ``numpy.random.Generator``
(:func:`random_arrays`: several actors, some stances absent, a reference point, 3 issues and a
batch axis), so a failure is reproducible.

Conventions the checks rely on (docs/conformance.md):

* Outcomes lie inside ``[min, max]`` of the present positions of each issue (tolerance
  ``HULL_TOL``). Models whose forecast may legitimately lie outside are listed in
  :data:`OUTSIDE_HULL_ALLOWED` keyed by ``info.name`` with the rule that replaces the hull check.
* Stochastic models with a batch axis: draw ``b`` of a batched call must equal a single call on
  draw ``b`` under one of two conventions: *shared stream* (the batch is processed in C order
  drawing from the one generator, i.e. a loop of single calls sharing one generator) or
  *spawned* (draw ``b`` uses ``rng.spawn(n)[b]`` over the flattened batch).
* Stochastic models are checked for actor-permutation invariance in distribution (means over a
  batch of identical draws agree within five standard errors).
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from detente.core.arrays import ScenarioArrays
from detente.core.results import EVENT_COLUMNS, STATUSES, EventLog, Prediction
from detente.errors import ConvergenceWarning, ModelConfigError
from detente.testing.inputs import (
    _bad_values,
    _close,
    _fields,
    _flat_batch,
    _gen,
    _hull,
    _maxdiff,
    _outcome,
    _readonly,
    _with,
    random_arrays,
    scenario_arrays,
)

__all__ = [
    "HULL_TOL",
    "OUTSIDE_HULL_ALLOWED",
    "Check",
    "check_model",
    "iter_checks",
    "random_arrays",
    "scenario_arrays",
]

HULL_TOL = 1e-9
"""Tolerance of the hull and unanimity checks (unit scale)."""

OUTSIDE_HULL_ALLOWED: dict[str, str] = {
    # The status quo is what happens without agreement; it can lie outside the actors' positions.
    # Rule "reference": where an issue has a reference point the outcome must equal it (issues
    # without one get no forecast, NaN; the random scenarios of the checks always have one).
    "status_quo": "reference",
}
"""Models (by ``info.name``) exempt from the hull check, with the rule checked instead."""

_SEED = 20240611


@dataclass(frozen=True)
class Check:
    """One conformance check bound to a model; call it to run (raises ``AssertionError``)."""

    number: int
    name: str
    description: str
    model_name: str
    func: Callable[[], None]

    @property
    def id(self) -> str:
        return f"{self.number:02d}-{self.name}"

    def __call__(self) -> None:
        try:
            with warnings.catch_warnings():  # dynamic models warn on random inputs; not a failure
                warnings.filterwarnings("ignore", category=ConvergenceWarning)
                self.func()
        except AssertionError as exc:
            raise AssertionError(
                f"check {self.number} {self.name} failed for model {self.model_name!r}: {exc}"
            ) from None
        except Exception as exc:  # a crash inside a check is a failure of that check
            raise AssertionError(
                f"check {self.number} {self.name} failed for model {self.model_name!r}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc


# --------------------------------------------------------------------------------------------
# the checks


class _Suite:
    def __init__(self, model: Any, cls: type, seed: int) -> None:
        self.model = model
        self.cls = cls
        self.info: Any = getattr(cls, "info")  # noqa: B009 - checked in _resolve
        self.seed = seed
        rng = _gen(seed)
        self.single = _readonly(random_arrays(rng))
        self.batched = _readonly(random_arrays(rng, batch=(3,)))
        self.rule = OUTSIDE_HULL_ALLOWED.get(self.info.name)

    def predict(self, arrays: ScenarioArrays, seed: int | None = None) -> Prediction:
        pred = self.model.predict(arrays, _gen(self.seed + 1 if seed is None else seed))
        assert isinstance(pred, Prediction), f"predict returned {type(pred).__name__}, expected Prediction"
        return pred

    # 1 ----------------------------------------------------------------------------------
    def build_repr_replace(self) -> None:
        built = self.cls()
        text = repr(self.model)
        ns: dict[str, Any] = {self.cls.__name__: self.cls, "nan": math.nan, "inf": math.inf}
        try:
            again = eval(text, ns)  # noqa: S307 - repr round trip is the point of the check
        except Exception as exc:
            raise AssertionError(f"eval(repr(model)) failed: {text!r}: {type(exc).__name__}: {exc}") from None
        assert again == self.model, f"repr does not round-trip: {text!r} gave {again!r}"
        assert built == self.cls(), "two default instances are not equal"
        if dataclasses.is_dataclass(self.model) and not isinstance(self.model, type):
            same = dataclasses.replace(self.model)
            assert same == self.model, "dataclasses.replace(model) without changes gives a different model"
            for name, bad in _bad_values(self.cls):
                try:
                    dataclasses.replace(self.model, **{name: bad})
                except ModelConfigError:
                    continue
                raise AssertionError(
                    f"dataclasses.replace(model, {name}={bad!r}) did not raise ModelConfigError"
                )

    # 2 ----------------------------------------------------------------------------------
    def frozen(self) -> None:
        names = [f.name for f in _fields(self.cls)] or ["_conformance_probe"]
        for name in names:
            try:
                setattr(self.model, name, getattr(self.model, name, 1))
            except (AttributeError, TypeError):
                # FrozenInstanceError is an AttributeError; a field-less frozen slotted dataclass
                # raises TypeError from its generated __setattr__ (CPython quirk) - still refused
                continue
            raise AssertionError(f"assigning model.{name} did not raise (models must be frozen dataclasses)")

    # 3 ----------------------------------------------------------------------------------
    def inputs_untouched(self) -> None:
        for arrays in (self.single, self.batched):
            before = [
                np.array(a, copy=True)
                for a in (
                    arrays.position,
                    arrays.salience,
                    arrays.capability,
                    arrays.present,
                    arrays.reference,
                )
            ]
            try:
                self.predict(arrays)
            except ValueError as exc:
                if "read-only" in str(exc):
                    raise AssertionError(f"predict wrote into a read-only input array: {exc}") from None
                raise
            after = (arrays.position, arrays.salience, arrays.capability, arrays.present, arrays.reference)
            for label, b, a in zip(
                ("position", "salience", "capability", "present", "reference"), before, after, strict=True
            ):
                assert np.array_equal(b, a, equal_nan=True), f"predict modified arrays.{label}"

    # 4 ----------------------------------------------------------------------------------
    def _check_in_hull(self, arrays: ScenarioArrays, out: np.ndarray, what: str) -> None:
        lo, hi = _hull(arrays)
        mask = np.ones(out.shape, dtype=bool)
        if self.rule == "reference":
            ref = np.broadcast_to(arrays.reference, out.shape)
            has = np.isfinite(ref)
            assert _close(np.where(has, out, 0.0), np.where(has, ref, 0.0), atol=HULL_TOL), (
                f"{what}: outcome {out} should equal the reference point {ref} (allow-list rule 'reference')"
            )
            mask = ~has
        bad = mask & ((out < lo - HULL_TOL) | (out > hi + HULL_TOL))
        assert not bad.any(), (
            f"{what}: outcome outside [min, max] of present positions: outcome {out[bad]}, "
            f"min {lo[bad]}, max {hi[bad]} (a model that may legitimately leave the hull must be "
            "added to detente.testing.checks.OUTSIDE_HULL_ALLOWED with a documented rule)"
        )

    def shapes_and_hull(self) -> None:
        for arrays in (self.single, self.batched):
            pred = self.predict(arrays)
            batch, A, I = arrays.batch_shape, arrays.n_actors, arrays.n_issues
            out = _outcome(pred)
            assert out.shape == (*batch, I), f"outcome shape {out.shape}, expected {(*batch, I)}"
            assert np.isfinite(out).all(), f"outcome not finite: {out}"
            self._check_in_hull(arrays, out, f"batch shape {batch}")
            dg = pred.diagnostics
            for label in ("status", "rounds", "period"):
                arr = np.asarray(getattr(dg, label))
                assert arr.shape == (*batch, I), (
                    f"diagnostics.{label} shape {arr.shape}, expected {(*batch, I)}"
                )
            bad = set(np.asarray(dg.status).ravel().tolist()) - set(STATUSES)
            assert not bad, f"diagnostics.status has unknown values {sorted(bad)} (allowed {STATUSES})"
            for k, v in dg.flags.items():
                shp = np.asarray(v).shape
                assert shp in ((*batch, I), (*batch,), ()), (
                    f"diagnostics.flags[{k!r}] shape {shp}, expected {(*batch, I)}"
                )
            if pred.trajectory is not None:
                tr = np.asarray(pred.trajectory)
                assert tr.ndim == len(batch) + 3 and tr.shape[:-3] == batch and tr.shape[-2:] == (A, I), (
                    f"trajectory shape {tr.shape}, expected {(*batch, 'T+1', A, I)}"
                )
                assert tr.shape[-3] >= 1, "trajectory has no rounds"
                if pred.stat_path is not None:
                    sp = np.asarray(pred.stat_path)
                    assert sp.shape == (*batch, tr.shape[-3], I), (
                        f"stat_path shape {sp.shape}, expected {(*batch, tr.shape[-3], I)}"
                    )

    # 5 ----------------------------------------------------------------------------------
    def seeded(self) -> None:
        for arrays in (self.single, self.batched):
            a = self.predict(arrays, seed=11)
            b = self.predict(arrays, seed=11)
            assert np.array_equal(_outcome(a), _outcome(b), equal_nan=True), (
                "same seed gave different outcomes"
            )
            if a.trajectory is not None and b.trajectory is not None:
                assert np.array_equal(a.trajectory, b.trajectory, equal_nan=True), (
                    "same seed gave different trajectories"
                )
            if not self.info.stochastic:
                g = _gen(99)
                state = g.bit_generator.state
                c = self.model.predict(arrays, g)
                assert g.bit_generator.state == state, (
                    "a deterministic model (info.stochastic=False) drew from the generator"
                )
                assert np.array_equal(_outcome(a), _outcome(c), equal_nan=True), (
                    "a deterministic model gave different outcomes for different seeds"
                )

    # 6 ----------------------------------------------------------------------------------
    def batched_equals_loop(self) -> None:
        arrays = self.batched
        singles = _flat_batch(arrays)
        n = len(singles)
        whole = _outcome(self.predict(arrays, seed=5)).reshape(n, -1)
        if not self.info.stochastic:
            loop = np.stack([_outcome(self.predict(s, seed=5)) for s in singles])
            assert _close(whole, loop), (
                f"batched outcomes differ from single calls by {_maxdiff(whole, loop):.3g}"
            )
            return
        g = _gen(5)
        shared = np.stack([_outcome(self.model.predict(s, g)) for s in singles])
        children = _gen(5).spawn(n)
        spawned = np.stack([_outcome(self.model.predict(s, children[k])) for k, s in enumerate(singles)])
        assert _close(whole, shared) or _close(whole, spawned), (
            "batched outcomes match neither a loop of single calls sharing the generator "
            f"(max diff {_maxdiff(whole, shared):.3g}) nor single calls with rng.spawn(n)[b] "
            f"(max diff {_maxdiff(whole, spawned):.3g})"
        )

    # 7 ----------------------------------------------------------------------------------
    def _permuted(self, arrays: ScenarioArrays, perm: np.ndarray) -> ScenarioArrays:
        return _with(
            arrays,
            actor_ids=tuple(arrays.actor_ids[k] for k in perm),
            position=np.asarray(arrays.position)[..., perm, :],
            salience=np.asarray(arrays.salience)[..., perm, :],
            capability=np.asarray(arrays.capability)[..., perm, :],
            present=np.asarray(arrays.present)[..., perm, :],
        )

    def permutation(self) -> None:
        perm = _gen(self.seed + 7).permutation(self.single.n_actors)
        if not self.info.stochastic:
            for arrays in (self.single, self.batched):
                a = _outcome(self.predict(arrays))
                b = _outcome(self.predict(self._permuted(arrays, perm)))
                assert _close(a, b, rtol=1e-9, atol=1e-10), (
                    f"permuting actors changed the outcome by {_maxdiff(a, b):.3g} (order {perm.tolist()})"
                )
            return
        n = 64
        many = _readonly(self.single.broadcast((n,)))
        a = _outcome(self.predict(many, seed=3))
        b = _outcome(self.predict(self._permuted(many, perm), seed=4))
        se = np.sqrt(a.var(axis=0) / n + b.var(axis=0) / n)
        diff = np.abs(a.mean(axis=0) - b.mean(axis=0))
        assert (diff <= 5 * se + 1e-9).all(), (
            f"permuting actors changed the outcome distribution: mean difference {diff} vs 5 s.e. {5 * se}"
        )

    # 8 ----------------------------------------------------------------------------------
    def unanimity(self) -> None:
        g = _gen(self.seed + 8)
        for arrays in (self.single, self.batched):
            v = g.uniform(0.05, 0.95, (*arrays.batch_shape, arrays.n_issues))
            pos = np.where(arrays.present, v[..., None, :], arrays.position)
            una = _with(arrays, position=pos)
            out = _outcome(self.predict(una))
            check = np.ones(out.shape, dtype=bool)
            if self.rule == "reference":
                check = ~np.isfinite(np.broadcast_to(una.reference, out.shape))
            bad = check & ~(np.abs(out - v) <= HULL_TOL)
            assert not bad.any(), f"all present actors at {v[bad]} but the outcome is {out[bad]}"

    # 9 ----------------------------------------------------------------------------------
    def masked_ignored(self) -> None:
        g = _gen(self.seed + 9)
        for arrays in (self.single, self.batched):
            m = np.asarray(arrays.present)
            shape = m.shape
            other = _with(
                arrays,
                position=np.where(m, arrays.position, g.uniform(0.0, 1.0, shape)),
                salience=np.where(m, arrays.salience, g.uniform(0.0, 1.0, shape)),
                capability=np.where(m, arrays.capability, g.uniform(0.0, 50.0, shape)),
            )
            a = _outcome(self.predict(arrays))
            b = _outcome(self.predict(other))
            assert _close(a, b), f"values under present == False changed the outcome by {_maxdiff(a, b):.3g}"

    # 10 ---------------------------------------------------------------------------------
    def capability_scale(self) -> None:
        for k in (0.37, 12.5):
            for arrays in (self.single, self.batched):
                a = _outcome(self.predict(arrays))
                b = _outcome(self.predict(_with(arrays, capability=np.asarray(arrays.capability) * k)))
                assert np.allclose(a, b, rtol=1e-6, atol=1e-12, equal_nan=True), (
                    f"capabilities × {k} changed the outcome by {_maxdiff(a, b):.3g} (allowed rtol 1e-6)"
                )

    # 11 ---------------------------------------------------------------------------------
    def mirror(self) -> None:
        if not self.info.mirror_symmetric:
            return
        for arrays in (self.single, self.batched):
            a = _outcome(self.predict(arrays))
            m = _with(
                arrays,
                position=np.where(arrays.present, 1.0 - np.asarray(arrays.position), arrays.position),
                reference=1.0 - np.asarray(arrays.reference),
            )
            b = _outcome(self.predict(m))
            assert _close(1.0 - a, b, atol=1e-9), (
                f"x -> 1 - x did not give 1 - outcome (max diff {_maxdiff(1.0 - a, b):.3g}); "
                "declare ModelInfo(mirror_symmetric=False) if the asymmetry is intended"
            )

    # 12 ---------------------------------------------------------------------------------
    def dynamic_outputs(self) -> None:
        for arrays in (self.single, self.batched):
            pred = self.predict(arrays)
            if self.info.dynamic:
                assert pred.trajectory is not None, "info.dynamic is True but predict returned no trajectory"
                assert isinstance(pred.events, EventLog), (
                    "info.dynamic is True but predict returned no EventLog"
                )
                tr = np.asarray(pred.trajectory)
                assert tr.ndim == len(arrays.batch_shape) + 3, f"trajectory has {tr.ndim} dimensions"
                assert np.isfinite(tr[..., 0, :, :][np.asarray(arrays.present)]).all(), (
                    "trajectory round 0 not finite"
                )
                assert _close(
                    np.where(arrays.present, tr[..., 0, :, :], 0.0),
                    np.where(arrays.present, arrays.position, 0.0),
                ), "trajectory round 0 is not the input positions"
                ev = pred.events
                n = len(ev)
                for col in EVENT_COLUMNS:
                    assert len(getattr(ev, col)) == n, (
                        f"events.{col} has length {len(getattr(ev, col))}, expected {n}"
                    )
            else:
                assert pred.trajectory is None, "info.dynamic is False but predict returned a trajectory"
                assert pred.events is None, "info.dynamic is False but predict returned events"

    # 13 ---------------------------------------------------------------------------------
    def bad_params(self) -> None:
        for name, bad in _bad_values(self.cls):
            try:
                self.cls(**{name: bad})
            except ModelConfigError as exc:
                assert exc.parameter == name, (
                    f"ModelConfigError for {name}={bad!r} names parameter {exc.parameter!r}"
                )
                assert exc.allowed, f"ModelConfigError for {name}={bad!r} does not say what is allowed"
                assert name in str(exc) and repr(bad) in str(exc), (
                    f"message {str(exc)!r} should name the parameter {name!r} and the received value {bad!r}"
                )
                continue
            except Exception as exc:
                raise AssertionError(
                    f"{self.cls.__name__}({name}={bad!r}) raised {type(exc).__name__}, expected ModelConfigError"
                ) from None
            raise AssertionError(f"{self.cls.__name__}({name}={bad!r}) did not raise ModelConfigError")


_CHECKS: tuple[tuple[int, str, str], ...] = (
    (1, "build_repr_replace", "builds with no arguments; repr round-trips; replace re-validates"),
    (2, "frozen", "attribute assignment raises"),
    (3, "inputs_untouched", "predict does not modify its (read-only) inputs"),
    (4, "shapes_and_hull", "shapes per protocol; outcomes finite and within [min, max] of present positions"),
    (5, "seeded", "same seed gives bit-identical results; deterministic models ignore the generator"),
    (6, "batched_equals_loop", "a batched call equals a loop of single calls"),
    (7, "permutation", "permuting actors leaves outcomes unchanged (stochastic: in distribution)"),
    (8, "unanimity", "all present actors at one position give that position"),
    (9, "masked_ignored", "values under present == False have no influence"),
    (10, "capability_scale", "capabilities × k > 0 leave outcomes unchanged (rtol 1e-6)"),
    (11, "mirror", "x -> 1 - x gives 1 - outcome where info.mirror_symmetric"),
    (12, "dynamic_outputs", "trajectory and events exist iff info.dynamic"),
    (13, "bad_params", "bad hyperparameters raise ModelConfigError naming parameter, allowed, received"),
)


def _resolve(model_or_cls: Any) -> tuple[Any, type]:
    if isinstance(model_or_cls, type):
        cls = model_or_cls
        model = None
    else:
        cls = type(model_or_cls)
        model = model_or_cls
    info = getattr(cls, "info", None)
    if info is None or not hasattr(info, "name"):
        raise AssertionError(f"{cls.__name__} has no ClassVar info: ModelInfo")
    if not callable(getattr(cls, "predict", None)):
        raise AssertionError(f"{cls.__name__} has no predict(arrays, rng) method")
    if model is None:
        try:
            model = cls()
        except Exception as exc:
            raise AssertionError(
                f"check 1 build_repr_replace failed for model {info.name!r}: {cls.__name__}() raised "
                f"{type(exc).__name__}: {exc} (every hyperparameter needs a default)"
            ) from None
    return model, cls


def iter_checks(model_or_cls: Any, *, seed: int = _SEED) -> Iterator[Check]:
    """Yield the 13 conformance checks (architecture.md §4) bound to a model class or instance.

    Examples
    --------
    >>> from detente.models.mean import Compromise
    >>> [c.id for c in iter_checks(Compromise)][:3]
    ['01-build_repr_replace', '02-frozen', '03-inputs_untouched']
    >>> all(c() is None for c in iter_checks(Compromise))
    True
    """
    model, cls = _resolve(model_or_cls)
    suite = _Suite(model, cls, seed)
    for number, name, description in _CHECKS:
        yield Check(number, name, description, suite.info.name, getattr(suite, name))


def check_model(model_or_cls: Any, *, seed: int = _SEED) -> None:
    """Run every conformance check; raise ``AssertionError`` naming each failed check.

    Examples
    --------
    >>> from detente.models.median import Median
    >>> check_model(Median)
    >>> check_model(Median(weighting="c"))
    """
    failures: list[str] = []
    for check in iter_checks(model_or_cls, seed=seed):
        try:
            check()
        except AssertionError as exc:
            failures.append(str(exc))
    if failures:
        raise AssertionError(f"{len(failures)} conformance check(s) failed:\n" + "\n".join(failures))
