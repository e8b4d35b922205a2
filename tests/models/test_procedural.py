"""procedural and rule_compromise with declared rules: batch-first along draws, sweeps keep the rules."""

from __future__ import annotations

import dataclasses

import numpy as np

from detente.analysis.montecarlo import draw_arrays, prepare, run_ensemble
from detente.core.arrays import to_arrays
from detente.core.perturb import Perturbation
from detente.io.builtin import load_builtin
from detente.models import get_model
from detente.models.procedural import rule_pivots

UK = load_builtin("ukraine-2025")


def _draws(n: int = 6) -> object:
    a = to_arrays(UK)
    rng = np.random.default_rng(3)
    pos = np.clip(a.position + rng.normal(0, 0.1, (n, *a.position.shape)), 0, 1)
    return dataclasses.replace(
        a.broadcast((n,)), position=pos, present=np.broadcast_to(a.present, pos.shape).copy()
    )


def test_batched_equals_loop_with_declared_rules() -> None:
    arrays = _draws()
    for name in ("procedural", "rule_compromise"):
        m = get_model(name)
        whole = m.predict(arrays, np.random.default_rng(0)).outcome
        loop = np.stack([m.predict(arrays.take(k), np.random.default_rng(0)).outcome for k in range(6)])
        np.testing.assert_allclose(whole, loop, atol=1e-12)


def test_outcomes_stay_in_the_acceptable_set_of_every_draw() -> None:
    arrays = _draws()
    piv, _ = rule_pivots(arrays)
    out = get_model("rule_compromise").predict(arrays, np.random.default_rng(0)).outcome
    assert np.all(out >= piv.low - 1e-12) and np.all(out <= piv.high + 1e-12)


def test_sweep_keeps_the_rules() -> None:
    spec = prepare(UK, Perturbation.from_metadata(UK.metadata))
    arr = draw_arrays(spec, np.random.SeedSequence(1), 0, 40)
    assert arr.rules is spec.base.rules is not None
    out = get_model("procedural").predict(arr, np.random.default_rng(0)).outcome
    k = UK.issue_ids.index("us_sanctions")  # unilateral: the US decides, its drawn position is the forecast
    us = UK.actor_ids.index("united_states")
    np.testing.assert_allclose(out[:, k], arr.position[:, us, k], atol=1e-12)
    ens = run_ensemble(get_model("procedural"), spec, n_draws=40, seed=1)
    assert ens.outcomes.shape == (40, len(UK.issues)) and np.isfinite(ens.outcomes).all()
