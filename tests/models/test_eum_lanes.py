"""The numba engine's lane kernel (``detente.kernels.eum_lanes``) against its row kernel.

``round_numba`` sends every row with the ``scholz2011`` switches, every actor present and finite
numbers to the lane kernel (32 rows at a time), the others to the row kernel. The lane kernel sums a
few terms in another order, so one round agrees with the row kernel to ~1e-13 with the same offer
classes, partners and proposers; over many rounds a knife-edge draw may part. What must hold
exactly: a row's bits do not depend on the rows that share its call or block (Monte Carlo sweeps
promise the same numbers for any chunk size and process count).
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba")

from detente.kernels import eum_numba  # noqa: E402  (needs numba)
from detente.kernels.eum import run_eum, scale_range  # noqa: E402
from detente.kernels.eum_lanes import LANES  # noqa: E402
from detente.kernels.eum_spec import EUMSettings  # noqa: E402

ST = EUMSettings()  # scholz2011, the lane kernel's switches
NAMES = ("r", "new", "kind", "partner", "a", "b", "press_j", "press_a", "press_b")
EXACT = ("kind", "partner", "press_j")


def uniform_rows(g: np.random.Generator, B: int, A: int):  # type: ignore[no-untyped-def]
    s = g.uniform(0.1, 1.0, (B, A))
    return g.uniform(0.0, 1.0, (B, A)), g.uniform(0.1, 1.0, (B, A)) * s, s


def tie_rows(g: np.random.Generator, B: int, A: int):  # type: ignore[no-untyped-def]
    """Shared positions and actors at the scale ends (as ``test_eum_fast.random_rows``, all present)."""
    x = g.random((B, A))
    x = np.where(g.random((B, A)) < 0.25, np.round(x * 4) / 4, x)
    x = np.clip(1.2 * x - 0.1, 0.0, 1.0)
    s = g.uniform(0.05, 1.0, (B, A))
    return x, g.uniform(0.1, 2.0, (B, A)) * s, s


def integer_rows(g: np.random.Generator, B: int, A: int):  # type: ignore[no-untyped-def]
    """Integer positions 0–100 (the synthetic sweep scenario's kind: many exact ties)."""
    s = g.uniform(0.1, 1.0, (B, A))
    return g.integers(0, 101, (B, A)) / 100.0, g.uniform(0.1, 1.0, (B, A)) * s, s


KINDS = {"uniform": uniform_rows, "ties": tie_rows, "integer": integer_rows}


def _round(x, w, s, present, record: bool, st: EUMSettings = ST):  # type: ignore[no-untyped-def]
    return eum_numba.round_numba(x, w, s, present, scale_range(x, present, st), st, None, record)


def _row_kernel_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every row to the row kernel (as before the lane kernel)."""
    monkeypatch.setattr(eum_numba, "lanes_settings", lambda st, has_mu: False)


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("A", [10, 20, 50])
def test_one_round_equals_row_kernel(A: int, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """One round: the row kernel's classes, partners and proposers exactly, every number to 1e-12."""
    g = np.random.default_rng(A + 7 * len(kind))
    B = 150 if A < 50 else 70  # not a multiple of the lanes: the last block is padded
    x, w, s = KINDS[kind](g, B, A)
    present = np.ones((B, A), dtype=bool)
    got = {rec: _round(x, w, s, present, rec) for rec in (False, True)}
    with monkeypatch.context() as m:
        _row_kernel_only(m)
        want = {rec: _round(x, w, s, present, rec) for rec in (False, True)}
    for rec in (False, True):
        for name, a, b in zip(NAMES, got[rec], want[rec], strict=True):
            if name in EXACT:
                np.testing.assert_array_equal(a, b, err_msg=name)
            else:
                np.testing.assert_allclose(a, b, rtol=0, atol=1e-12, err_msg=f"{name} record={rec}")
        assert (got[rec][2] != 0).any()  # offers were made
    assert (got[False][6] == -1).all() and np.isnan(got[False][7]).all()  # no pressure without record
    assert (got[True][6] >= 0).any()
    # the lane kernel did run: its sums in position order differ from the row kernel's in the last bits
    assert not all(np.array_equal(a, b, equal_nan=True) for a, b in zip(got[False], want[False], strict=True))


def test_ten_rounds_equal_row_kernel_but_knife_edges(monkeypatch: pytest.MonkeyPatch) -> None:
    """``run_eum(engine="numba")`` over ten rounds, lane kernel against row kernel: a tiny share of
    knife-edge draws (two actors ~1e-15 apart, offer utilities of rounding noise) may part (measured
    8 of 10,000 uniform 20-actor rows); the others agree to 1e-10."""
    g = np.random.default_rng(15)
    parts = [f(g, n, 20) for f, n in ((uniform_rows, 3000), (tie_rows, 1000), (integer_rows, 1000))]
    x, w, s = (np.concatenate(v) for v in zip(*parts, strict=True))
    present = np.ones(x.shape, dtype=bool)
    got = run_eum(x, w, s, present, ST, 10, engine="numba")
    with monkeypatch.context() as m:
        _row_kernel_only(m)
        want = run_eum(x, w, s, present, ST, 10, engine="numba")
    worst = np.zeros(x.shape[0])
    for f in ("positions", "risk"):
        worst = np.maximum(worst, np.abs(getattr(got, f) - getattr(want, f)).max(axis=(0, 2)))
    for f in ("median", "mean"):
        worst = np.maximum(worst, np.abs(getattr(got, f) - getattr(want, f)).max(axis=0))
    apart = worst > 1e-9
    assert apart.sum() <= 0.003 * x.shape[0], int(apart.sum())
    assert worst[~apart].max() <= 1e-10
    assert np.isfinite(worst).all()


def _mixed(g: np.random.Generator, B: int, A: int):  # type: ignore[no-untyped-def]
    """Rows for both kernels: ties, some rows with an absent actor, one with a NaN position."""
    x, w, s = tie_rows(g, B, A)
    present = np.ones((B, A), dtype=bool)
    gone = g.random(B) < 0.3
    present[gone, g.integers(0, A, B)[gone]] = False
    w = np.where(present, w, 0.0)
    s = np.where(present, s, 0.0)
    x[3, 1] = np.nan
    present[3, 1] = False
    return x, w, s, present


def test_a_row_does_not_depend_on_the_rows_beside_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same rows in any grouping, order or chunk size give the same bits (padding copies a real
    row; each row's kernel is chosen from that row alone); a mixed batch (rows with an absent actor
    go to the row kernel) equals its rows run separately, and those rows equal the row kernel."""
    g = np.random.default_rng(2)
    B, A = 3 * LANES + 5, 12
    x, w, s, present = _mixed(g, B, A)
    lanes = present.all(axis=1)
    assert 0 < (~lanes).sum() < B // 2
    whole = _round(x, w, s, present, False)
    for chunk in (1, 5, LANES - 1, LANES, LANES + 1, 2 * LANES + 3):
        for k in range(0, B, chunk):
            part = _round(x[k : k + chunk], w[k : k + chunk], s[k : k + chunk], present[k : k + chunk], False)
            for name, a, b in zip(NAMES, part, whole, strict=True):
                np.testing.assert_array_equal(a, b[k : k + chunk], err_msg=f"{name} chunk={chunk}")
    perm = g.permutation(B)
    shuffled = _round(x[perm], w[perm], s[perm], present[perm], False)
    for name, a, b in zip(NAMES, shuffled, whole, strict=True):
        np.testing.assert_array_equal(a, b[perm], err_msg=name)
    only = np.flatnonzero(lanes)  # the lane rows without the others: the same blocks shifted
    alone = _round(x[only], w[only], s[only], present[only], False)
    for name, a, b in zip(NAMES, alone, whole, strict=True):
        np.testing.assert_array_equal(a, b[only], err_msg=name)
    with monkeypatch.context() as m:
        _row_kernel_only(m)
        rows = _round(x, w, s, present, False)
    for name, a, b in zip(NAMES, rows, whole, strict=True):
        np.testing.assert_array_equal(a[~lanes], b[~lanes], err_msg=name)  # the row kernel's rows
    # whole runs of the model: any chunk size and order, the same trajectories
    ref = run_eum(x, w, s, present, ST, 8, engine="numba")
    for chunk in (7, LANES + 1, 64):
        for k in range(0, B, chunk):
            sl = slice(k, k + chunk)
            run = run_eum(x[sl], w[sl], s[sl], present[sl], ST, 8, engine="numba")
            np.testing.assert_array_equal(run.positions, ref.positions[:, sl])
            np.testing.assert_array_equal(run.risk, ref.risk[:, sl])
    run = run_eum(x[perm], w[perm], s[perm], present[perm], ST, 8, engine="numba")
    np.testing.assert_array_equal(run.positions, ref.positions[:, perm])


def test_record_does_not_change_the_numbers() -> None:
    """The offer log (``record``, on in calls of up to 64 draws) only adds the pressure: the moves
    are the same bits with and without it, so a draw's numbers do not depend on its chunk's size."""
    g = np.random.default_rng(4)
    x, w, s, present = _mixed(g, 70, 9)
    a = run_eum(x, w, s, present, ST, 6, engine="numba", record=False)
    b = run_eum(x, w, s, present, ST, 6, engine="numba", record=True)
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.risk, b.risk)


@pytest.mark.parametrize(
    "st",
    [
        EUMSettings(prob="pair"),
        EUMSettings(votes_risk="linear"),
        EUMSettings(perspective="own"),
        EUMSettings(compromise_choice="least_move"),
        EUMSettings(capitulation=False),
        EUMSettings(q=0.5),
        EUMSettings(risk="neutral"),
    ],
)
def test_other_switches_stay_on_the_row_kernel(st: EUMSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Switches the lane kernel does not compute: every row on the row kernel, its exact bits."""
    _on_row_kernel(st, 8, monkeypatch)


def test_many_actors_stay_on_the_row_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond ``MAX_ACTORS`` the lane kernel's A³/6 counts cost more than they save: the row kernel."""
    from detente.kernels.eum_lanes import MAX_ACTORS

    _on_row_kernel(ST, MAX_ACTORS + 1, monkeypatch)
    assert not _on_row_kernel(ST, MAX_ACTORS, monkeypatch, check=False)  # up to it, the lane kernel


def _on_row_kernel(st: EUMSettings, A: int, monkeypatch: pytest.MonkeyPatch, check: bool = True) -> bool:
    """Whether ``run_eum(engine="numba")`` gives the row kernel's exact bits (asserted if ``check``)."""
    g = np.random.default_rng(9)
    x, w, s = uniform_rows(g, 40, A)
    present = np.ones(x.shape, dtype=bool)
    got = run_eum(x, w, s, present, st, 4, engine="numba", record=True)
    with monkeypatch.context() as m:
        _row_kernel_only(m)
        want = run_eum(x, w, s, present, st, 4, engine="numba", record=True)
    fields = ("positions", "risk", "kind", "partner", "a", "b", "press_j", "press_a", "press_b")
    if check:
        for f in fields:
            np.testing.assert_array_equal(getattr(got, f), getattr(want, f), err_msg=f)
    return all(np.array_equal(getattr(got, f), getattr(want, f), equal_nan=True) for f in fields)


def test_sweep_same_numbers_across_the_offer_log_limit() -> None:
    """A sweep's chunks of up to ``RECORD_LIMIT`` draws keep the offer log, larger ones do not: the
    numbers are the same for every chunk size, on the lane kernel (every actor present here)."""
    from detente.analysis.montecarlo import run_ensemble
    from detente.io.builtin import load_builtin
    from detente.models.eum import RECORD_LIMIT, ExpectedUtility

    sc = load_builtin("emission-standards-1994")  # 10 actors, 1 issue, every actor present
    model = ExpectedUtility(rounds=6, engine="numba")
    n = 2 * RECORD_LIMIT + 12
    ref = run_ensemble(model, sc, n_draws=n, seed=11, chunk_size=n)
    for chunk in (1, 7, RECORD_LIMIT, RECORD_LIMIT + 1):
        got = run_ensemble(model, sc, n_draws=n, seed=11, chunk_size=chunk)
        np.testing.assert_array_equal(got.outcomes, ref.outcomes, err_msg=str(chunk))
        np.testing.assert_array_equal(got.statuses, ref.statuses, err_msg=str(chunk))
