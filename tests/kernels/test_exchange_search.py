"""The exchange phase's candidate search (issue 15) against the readable full re-evaluation loop.

Oracle: tests/kernels/exchange_reference.py, the phase as it was before the search (every candidate
evaluated at every step). Same steps, same voting positions and the same records, bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from exchange_reference import reference_phase  # tests/kernels is on sys.path

from detente.core.arrays import to_arrays
from detente.io.builtin import load_builtin
from detente.kernels import exchange as kernel
from detente.kernels.exchange import exchange_phase
from detente.models.exchange import Exchange
from detente.testing import random_arrays


def _state(seed: int, n_actors: int, n_issues: int, integer: bool = False):
    arr = random_arrays(np.random.default_rng(seed), n_actors=n_actors, n_issues=n_issues)
    x = np.where(arr.present, arr.position, 0.0)
    if integer:  # many equal positions: actors at the outcome, ties in gains
        x = np.round(x * 4) / 4
    s = np.where(arr.present, arr.salience, 0.0)
    return x, s, np.where(arr.present, arr.capability * s, 0.0), arr.present


def _same(a: kernel.PhaseResult, b: kernel.PhaseResult) -> None:
    assert len(a.steps) == len(b.steps)
    for sa, sb in zip(a.steps, b.steps, strict=True):
        ea, eb = sa.pop("externalities"), sb.pop("externalities")
        assert sa == sb
        assert np.array_equal(ea, eb)
    assert np.array_equal(a.y, b.y) and np.array_equal(a.moved, b.moved)
    assert a.capped == b.capped


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize(("n_actors", "n_issues"), [(6, 3), (12, 5), (30, 4)])
def test_phase_equals_reference(seed: int, n_actors: int, n_issues: int) -> None:
    x, s, w, present = _state(seed, n_actors, n_issues, integer=seed % 2 == 1)
    fast = exchange_phase(x, s, w, present, rng=np.random.default_rng(seed))
    ref = reference_phase(x, s, w, present, rng=np.random.default_rng(seed))
    assert fast.steps, "these scenarios always trade"
    _same(fast, ref)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("p", "tie_break"), [(0.5, "index"), (0.0, "random"), (1.0, "random")])
def test_random_variants_equal_reference(seed: int, p: float, tie_break: str) -> None:
    """Same generator use: the random rate and the random tie pick draw at the same moments."""
    x, s, w, present = _state(50 + seed, 15, 4, integer=True)
    g1, g2 = np.random.default_rng(seed), np.random.default_rng(seed)
    fast = exchange_phase(x, s, w, present, rng=g1, p=p, tie_break=tie_break)
    ref = reference_phase(x, s, w, present, rng=g2, p=p, tie_break=tie_break)
    _same(fast, ref)
    assert g1.bit_generator.state == g2.bit_generator.state


def test_duplicated_actors_tie_and_cap() -> None:
    """Exact ties (copies of one actor) and the exchange cap behave as in the reference."""
    x, s, w, present = _state(7, 8, 3)
    x, s, w, present = (np.concatenate([a, a]) for a in (x, s, w, present))
    for tie_break in ("index", "random"):
        for cap in (3, 1000):
            fast = exchange_phase(
                x, s, w, present, rng=np.random.default_rng(1), tie_break=tie_break, max_exchanges=cap
            )
            ref = reference_phase(
                x, s, w, present, rng=np.random.default_rng(1), tie_break=tie_break, max_exchanges=cap
            )
            _same(fast, ref)
    assert fast.steps and fast.capped is False


@pytest.mark.parametrize("name", ["cop21-2015", "copenhagen-2009", "ukraine-2025"])
@pytest.mark.parametrize("params", [{}, {"p": 0.5}, {"rounds": 3}, {"rounds": 4, "carryover": "full"}])
def test_model_on_builtins_equals_reference(name: str, params: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    arr = to_arrays(load_builtin(name))
    fast = Exchange(**params).predict(arr, np.random.default_rng(3))
    monkeypatch.setattr(kernel, "exchange_phase", reference_phase)
    ref = Exchange(**params).predict(arr, np.random.default_rng(3))
    assert np.array_equal(fast.outcome, ref.outcome)
    assert np.array_equal(fast.trajectory, ref.trajectory)
    assert fast.diagnostics.status.tolist() == ref.diagnostics.status.tolist()
    assert np.array_equal(fast.diagnostics.rounds, ref.diagnostics.rounds)
    assert fast.extras["exchanges"] == ref.extras["exchanges"]


@pytest.mark.parametrize("seed", range(5))
def test_search_exhaustive_and_bounded_agree_mid_phase(seed: int) -> None:
    """The bounded scan and the scan of every live candidate (the fallback when a moved cell's
    direction was reset) pick what ``select`` picks over all candidates, at every step of a phase."""
    from exchange_reference import dense_evaluate

    from detente.kernels.exchange_search import CandidateSearch

    x, s, w, present = _state(300 + seed, 14, 4, integer=seed % 2 == 0)
    ref = reference_phase(x, s, w, present, rng=np.random.default_rng(0))
    pairs = kernel.static_pairs(s, w, present)
    eps = kernel.side_tolerance(x, present)
    y, moved = x.copy(), np.zeros(x.shape, dtype=np.int64)
    search = CandidateSearch(pairs, x, w, present, kernel.cell_state(x, y, w, present, eps))
    checked = 0
    for st in [*ref.steps, None]:
        want = kernel.select(dense_evaluate(pairs, x, y, w, present, moved), tie_break="index", rng=None)  # type: ignore[arg-type]
        for exhaustive in (False, True):
            got = search.best(
                x,
                y,
                w,
                present,
                moved,
                min_gain=kernel.MIN_GAIN,
                tie_break="index",
                rng=None,  # type: ignore[arg-type]
                evaluate=kernel.evaluate,
                tie_rtol=kernel.TIE_RTOL,
                exhaustive=exhaustive,
            )
            assert (None if got is None else got[0]) == want
        checked += 1
        if st is None:
            break
        for k, d, after in ((st["i"], st["p"], st["y_i_after"]), (st["j"], st["q"], st["y_j_after"])):
            moved[k, d] = int(np.sign(after - y[k, d]))
            y[k, d] = after
        search.update(kernel.cell_state(x, y, w, present, eps))
    assert checked == len(ref.steps) + 1 > 2
