"""The batch-last EUM rounds (what ``run_eum`` runs) against the row-layout functions and the slow loop.

``run_eum`` computes the rounds on arrays ``(A, B)`` / ``(A, A, B)`` (batch axis last, models.md §4
"Cost"); the row-layout functions of ``detente.kernels.eum`` (``offer_values``, ``select_offers``)
implement the same round on ``(B, A)``. The two must give bit-identical numbers (same floating-point
operations in the same order), whatever the batch size, and both must equal the slow loop reference
of ``test_eum.py`` to 1e-12.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_eum import slow_run  # the slow loop reference (tests/models is on sys.path under pytest)

from detente.kernels.eum import NONE, EUMSettings, offer_values, run_eum, select_offers

SETTINGS = {
    "scholz2011": EUMSettings(),
    "paper": EUMSettings(prob="pair", votes_risk="linear", perspective="own", compromise_choice="least_move"),
    "q05_scale_neutral": EUMSettings(q=0.5, range="scale", risk="neutral", capitulation=False),
    "q07_pair_own": EUMSettings(q=0.7, prob="pair", perspective="own"),
    "q03_all_pairs": EUMSettings(q=0.3),
    "linear_all_pairs": EUMSettings(votes_risk="linear"),
}


def rows_reference(x0, w, s, present, st, rounds):  # type: ignore[no-untyped-def]
    """The rounds with the row-layout kernel functions, one round after the other (float64)."""
    B, A = x0.shape
    hi = np.where(present, x0, -np.inf).max(axis=1)
    lo = np.where(present, x0, np.inf).min(axis=1)
    if st.range == "positions":
        delta = np.where(np.isfinite(hi - lo) & (hi - lo > 0), hi - lo, 1.0)
    else:
        delta = np.ones(B)
    x = x0.copy()
    path, kinds, partners = [x.copy()], [], []
    for _ in range(rounds):
        _, _, a, b, geo = offer_values(x, w, s, present, delta, st)
        x, kind, partner = select_offers(x, present, a, b, st.compromise_choice, st.capitulation, geo.valid)
        path.append(x.copy())
        kinds.append(kind)
        partners.append(partner)
    return np.array(path), np.array(kinds), np.array(partners)


def random_rows(g: np.random.Generator, B: int, A: int, absent: float = 0.15):  # type: ignore[no-untyped-def]
    x = g.random((B, A))
    x = np.where(g.random((B, A)) < 0.25, np.round(x * 4) / 4, x)  # shared positions (ties)
    x = np.clip(1.2 * x - 0.1, 0.0, 1.0)  # some actors exactly at the scale ends (Monte Carlo clipping)
    present = g.random((B, A)) >= absent
    present[:, :2] = True
    s = np.where(present, g.uniform(0.05, 1.0, (B, A)), 0.0)
    w = np.where(present, g.uniform(0.1, 2.0, (B, A)) * s, 0.0)
    return x, w, s, present


@pytest.mark.parametrize("name", list(SETTINGS))
@pytest.mark.parametrize("A", [2, 5, 13, 40, 70])
def test_batch_last_rounds_equal_row_layout_bit_for_bit(name: str, A: int) -> None:
    st = SETTINGS[name]
    g = np.random.default_rng(100 + A)
    B = 24 if A < 40 else 6
    x, w, s, present = random_rows(g, B, A)
    T = 6
    path, kinds, partners = rows_reference(x, w, s, present, st, T)
    for record in (False, True):
        run = run_eum(x, w, s, present, st, T, record=record)
        np.testing.assert_array_equal(run.positions, path)
        if record:
            assert run.kind is not None and run.partner is not None
            # rows that stopped moving keep their state; their recorded rounds stay "none"
            moved_rows = run.kind.any(axis=2)
            np.testing.assert_array_equal(run.kind[moved_rows], kinds[moved_rows])
            np.testing.assert_array_equal(run.partner[moved_rows], partners[moved_rows])
            assert (kinds[~moved_rows] == NONE).all()


@pytest.mark.parametrize("precision", ["float64", "float32"])
def test_each_row_independent_of_the_batch(precision: str) -> None:
    """Row ``k`` gives the same bits alone, in a batch, and in any batch position (chunk sizes)."""
    g = np.random.default_rng(7)
    x, w, s, present = random_rows(g, 30, 12)
    x_in = x.copy()
    st = EUMSettings()
    whole = run_eum(x, w, s, present, st, 8, precision=precision)
    for k in (0, 7, 29):
        one = run_eum(
            x[k : k + 1], w[k : k + 1], s[k : k + 1], present[k : k + 1], st, 8, precision=precision
        )
        np.testing.assert_array_equal(one.positions[:, 0], whole.positions[:, k])
        np.testing.assert_array_equal(one.median[:, 0], whole.median[:, k])
    np.testing.assert_array_equal(x, x_in)  # inputs are never written (a 1-row transpose is a view)
    part = run_eum(x[5:17], w[5:17], s[5:17], present[5:17], st, 8, precision=precision)
    np.testing.assert_array_equal(part.positions, whole.positions[:, 5:17])
    np.testing.assert_array_equal(part.risk, whole.risk[:, 5:17])


@pytest.mark.parametrize("name", ["scholz2011", "paper", "q07_pair_own"])
def test_batch_last_rounds_match_slow_loop(name: str) -> None:
    st = SETTINGS[name]
    g = np.random.default_rng(21)
    x, w, s, present = random_rows(g, 4, 9)
    run = run_eum(x, w, s, present, st, 5)
    for row in range(4):
        path, _ = slow_run(list(x[row]), list(w[row]), list(s[row]), [bool(v) for v in present[row]], st, 5)
        m = present[row]
        np.testing.assert_allclose(run.positions[:, row, m], np.array(path)[:, m], atol=1e-12, rtol=0)


# --------------------------------------------------------------------------------------------
# the optional numba engine (the ``fast`` extra): the same numbers, bit for bit


@pytest.mark.parametrize("name", list(SETTINGS) + ["neutral_voter", "neutral_linear"])
@pytest.mark.parametrize("A", [2, 6, 20, 40])
def test_numba_engine_equals_numpy_bit_for_bit(name: str, A: int) -> None:
    pytest.importorskip("numba")
    st = SETTINGS.get(name) or EUMSettings(
        risk="neutral", votes_risk="linear" if name == "neutral_linear" else "voter"
    )
    g = np.random.default_rng(300 + A)
    x, w, s, present = random_rows(g, 20 if A < 40 else 5, A)
    for record in (False, True):
        ref = run_eum(x, w, s, present, st, 6, record=record)
        got = run_eum(x, w, s, present, st, 6, record=record, engine="numba")
        for f in (
            "positions",
            "median",
            "mean",
            "risk",
            "kind",
            "partner",
            "a",
            "b",
            "press_j",
            "press_a",
            "press_b",
        ):
            u, v = getattr(ref, f), getattr(got, f)
            assert (u is None) == (v is None), f
            if u is not None:
                np.testing.assert_array_equal(v, u, err_msg=f)


def test_numba_engine_in_the_model() -> None:
    pytest.importorskip("numba")
    import warnings

    from detente.errors import ConvergenceWarning
    from detente.models.eum import ExpectedUtility
    from detente.testing import random_arrays

    arr = random_arrays(np.random.default_rng(5), n_actors=9, n_issues=3, batch=(4,), absent=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = ExpectedUtility().predict(arr, np.random.default_rng(0))
        b = ExpectedUtility(engine="numba").predict(arr, np.random.default_rng(0))
    np.testing.assert_array_equal(a.outcome, b.outcome)
    assert a.trajectory is not None and b.trajectory is not None
    np.testing.assert_array_equal(a.trajectory, b.trajectory)
    assert a.events is not None and b.events is not None and a.events.rows() == b.events.rows()
    np.testing.assert_array_equal(a.extras["pressure"]["b"], b.extras["pressure"]["b"])
    assert ExpectedUtility(engine="auto").resolved_engine() == "numba"
    assert ExpectedUtility(engine="auto", precision="float32").resolved_engine() == "numpy"


def test_engine_parameter_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.errors import MissingExtraError, ModelConfigError
    from detente.models import coerce_param
    from detente.models import eum as eum_model

    with pytest.raises(ModelConfigError, match="engine"):
        eum_model.ExpectedUtility(engine="numba", precision="float32")
    with pytest.raises(ModelConfigError, match="engine"):
        eum_model.ExpectedUtility(engine="cuda")  # type: ignore[arg-type]
    assert coerce_param(eum_model.ExpectedUtility, "engine", "auto") == "auto"
    monkeypatch.setattr(eum_model, "numba_available", lambda: False)
    assert eum_model.ExpectedUtility(engine="auto").resolved_engine() == "numpy"
    assert eum_model.ExpectedUtility().resolved_engine() == "numpy"
    with pytest.raises(MissingExtraError, match="fast"):
        eum_model.ExpectedUtility(engine="numba").resolved_engine()


@pytest.mark.parametrize("engine", ["numpy", "numba"])
def test_sweep_identical_for_chunk_sizes_and_engines(engine: str) -> None:
    """A Monte Carlo sweep gives the same numbers for any chunk size and either engine (chunk 1 runs
    the event-log path of single draws, larger chunks the batched path)."""
    if engine == "numba":
        pytest.importorskip("numba")
    from detente.analysis.montecarlo import run_ensemble
    from detente.io.builtin import load_builtin
    from detente.models.eum import ExpectedUtility

    sc = load_builtin("emission-standards-1994")
    ref = run_ensemble(ExpectedUtility(rounds=6), sc, n_draws=40, seed=11, chunk_size=1)
    for chunk in (7, 40):
        got = run_ensemble(
            ExpectedUtility(rounds=6, engine=engine), sc, n_draws=40, seed=11, chunk_size=chunk
        )
        np.testing.assert_array_equal(got.outcomes, ref.outcomes)
        np.testing.assert_array_equal(got.statuses, ref.statuses)
