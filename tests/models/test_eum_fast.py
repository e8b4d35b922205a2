"""Both EUM engines against the readable oracle (``eum_oracle.py``), and against each other.

``run_eum`` computes the rounds on arrays ``(A, B)`` / ``(A, A, B)`` (batch axis last, models.md §4
"Cost"), with NumPy or (``engine="numba"``) compiled loops. The oracle ``run_rows`` is written from
the paper independently of them (row by row, each formula as written, sharing only the data model).
Every engine must give the oracle's offer classes, partners and proposers exactly and its numbers —
positions, risk exponents, the offers' ``a``/``b`` and the pressure data, the perspective chart, the
event log and what ``detente explain`` reads — to ``ATOL``, whatever the batch size; the numba
engine (its own exp/log, :mod:`detente.kernels.vecmath`) gives the NumPy engine's offer classes,
partners, proposers and statuses exactly and its numbers to ``NUMBA_ATOL``.
"""

from __future__ import annotations

import dataclasses
import functools
import warnings

import numpy as np
import pytest
from eum_oracle import perspective_rows, run_rows, slow_run  # tests/models is on sys.path

from detente.errors import ConvergenceWarning
from detente.kernels.eum import EUMRun, perspective, run_eum
from detente.kernels.eum_spec import NONE, EUMSettings

SETTINGS = {
    "scholz2011": EUMSettings(),
    "paper": EUMSettings(prob="pair", votes_risk="linear", perspective="own", compromise_choice="least_move"),
    "q05_scale_neutral": EUMSettings(q=0.5, range="scale", risk="neutral", capitulation=False),
    "q07_pair_own": EUMSettings(q=0.7, prob="pair", perspective="own"),
    "q03_all_pairs": EUMSettings(q=0.3),
    "linear_all_pairs": EUMSettings(votes_risk="linear"),
    "neutral_voter": EUMSettings(risk="neutral"),
    "neutral_linear": EUMSettings(risk="neutral", votes_risk="linear"),
}
FIELDS = ("positions", "median", "mean", "risk", "kind", "partner", "a", "b", "press_j", "press_a", "press_b")
EXACT = ("kind", "partner", "press_j")
ATOL = 1e-7
"""The engines and the oracle evaluate the same formulas with other floating-point operations (the
engines ``exp(r log d)`` and ``d·(1/Δ)``, the oracle ``d**r`` and ``d/Δ``). They agree to ~1e-15 except
where ``(0.5 − 0.5δ)^r`` is taken at ``δ → 1`` with ``r = 1/2``: a rounding of ``δ`` by 1e-16 moves
the square root by ~1e-8 (measured up to 3e-8 in ``a``/``b``, 4e-9 in positions)."""
ENGINES = ["numpy", "numba"]
NUMBA_ATOL = 1e-12
"""The numba engine against the NumPy engine: positions, medians, means, risk exponents and the
selected offers' ``a``/``b`` (measured ≤ 4e-13 on these cases: the powers differ in the last bit or
two and the rounds carry that along)."""
NUMBA_ATOL_PRESSURE = 1e-10
"""The strongest pressure's ``a``/``b`` include rivals at ``δ → 1``, where ``(0.5 − 0.5δ)^{1/2}``
turns a 4e-15 difference of positions into 1e-11 (the conditioning noted at ``ATOL``)."""


def _numba_close(got: EUMRun, want: EUMRun, fields: tuple[str, ...] = FIELDS) -> None:
    """The numba engine's run = the NumPy engine's: classes, partners, proposers exactly, numbers to
    ``NUMBA_ATOL`` (``NUMBA_ATOL_PRESSURE`` for the pressure data)."""
    for f in fields:
        if f in EXACT:
            np.testing.assert_array_equal(getattr(got, f), getattr(want, f), err_msg=f)
        else:
            tol = NUMBA_ATOL_PRESSURE if f.startswith("press") else NUMBA_ATOL
            np.testing.assert_allclose(getattr(got, f), getattr(want, f), rtol=0, atol=tol, err_msg=f)


def _engine(engine: str) -> None:
    if engine == "numba":
        pytest.importorskip("numba")


def random_rows(g: np.random.Generator, B: int, A: int, absent: float = 0.15):  # type: ignore[no-untyped-def]
    x = g.random((B, A))
    x = np.where(g.random((B, A)) < 0.25, np.round(x * 4) / 4, x)  # shared positions (ties)
    x = np.clip(1.2 * x - 0.1, 0.0, 1.0)  # some actors exactly at the scale ends (Monte Carlo clipping)
    present = g.random((B, A)) >= absent
    present[:, :2] = True
    s = np.where(present, g.uniform(0.05, 1.0, (B, A)), 0.0)
    w = np.where(present, g.uniform(0.1, 2.0, (B, A)) * s, 0.0)
    return x, w, s, present


def _close(a, b, name: str = "") -> None:  # type: ignore[no-untyped-def]
    np.testing.assert_allclose(a, b, rtol=0, atol=ATOL, err_msg=name)


def _same(got, want, fields=FIELDS) -> None:  # type: ignore[no-untyped-def]
    """The oracle's classes, partners and proposers exactly, its numbers to ``ATOL`` (NaN = NaN)."""
    for f in fields:
        if f in EXACT:
            np.testing.assert_array_equal(getattr(got, f), getattr(want, f), err_msg=f)
        else:
            _close(getattr(got, f), getattr(want, f), f)


@functools.cache
def _case(name: str, A: int):  # type: ignore[no-untyped-def]
    """Random rows with shared positions (ties), absent actors and actors at the scale ends, and the
    oracle's run of them (computed once for both engines: the oracle is slow on purpose)."""
    x, w, s, present = random_rows(np.random.default_rng(100 + A), 24 if A < 40 else 6, A)
    return (x, w, s, present), run_rows(x, w, s, present, SETTINGS[name], 6)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", list(SETTINGS))
@pytest.mark.parametrize("A", [2, 5, 13, 40, 70])
def test_engine_equals_row_oracle(engine: str, name: str, A: int) -> None:
    _engine(engine)
    st = SETTINGS[name]
    (x, w, s, present), want = _case(name, A)
    if A >= 5:
        assert (want.kind[1:] != NONE).any()  # the case exercises moves beyond round 1
    for record in (False, True):
        fields = FIELDS if record else ("positions", "median", "mean", "risk")
        run = run_eum(x, w, s, present, st, 6, record=record, engine=engine)
        _same(run, want, fields)
        if not record:
            assert run.kind is None and run.press_j is None
        if engine == "numba":  # the compiled engine is the NumPy engine up to the last bits
            _numba_close(run, run_eum(x, w, s, present, st, 6, record=record, engine="numpy"), fields)


@pytest.mark.parametrize("name", list(SETTINGS))
@pytest.mark.parametrize("A", [2, 7, 40])
def test_perspective_equals_row_oracle(name: str, A: int) -> None:
    st = SETTINGS[name]
    x, w, s, present = random_rows(np.random.default_rng(40 + A), 10, A)
    own, rival, r = perspective(x, w, s, present, st)
    E0, r0 = perspective_rows(x, w, s, present, st)  # E0[b, h, i, j] = E^h(U_ij), (B, A, A, A)
    _close(r, r0)
    h = np.arange(A)
    _close(own, E0[:, h, h, :])  # E^h(U_hj)
    _close(rival, E0[:, h, :, h].transpose(1, 0, 2))  # E^h(U_jh)
    assert own.shape == rival.shape == (10, A, A)  # O(A²) per issue, never (A, A, A)


def _oracle_run_eum(x0, w, s, present, st, rounds, **_: object) -> EUMRun:  # type: ignore[no-untyped-def]
    """``run_eum`` replaced by the oracle (the model's own code turns it into a Prediction)."""
    o = run_rows(x0, w, s, present, st, rounds)
    return EUMRun(
        o.positions, o.median, o.mean, o.risk, o.kind, o.partner, o.a, o.b, o.press_j, o.press_a, o.press_b
    )


def _oracle_perspective(x, w, s, present, st):  # type: ignore[no-untyped-def]
    """``perspective`` from the oracle's full ``E^h(U_ij)``: the slices ``E^h(U_hj)``, ``E^h(U_jh)``."""
    E, r = perspective_rows(x, w, s, present, st)
    h = np.arange(x.shape[1])
    return E[:, h, h, :], E[:, h, :, h].transpose(1, 0, 2), r


def _same_events(got, want, atol: float) -> None:  # type: ignore[no-untyped-def]
    """Two event logs row by row: the same keys, numbers to ``atol``, everything else exactly."""
    rows, want_rows = got.rows(), want.rows()
    assert len(rows) == len(want_rows)
    for r, w in zip(rows, want_rows, strict=True):
        assert r.keys() == w.keys()
        for k in r:
            if isinstance(r[k], float):
                assert r[k] == pytest.approx(w[k], abs=atol, nan_ok=True), k
            else:
                assert r[k] == w[k], k


def _same_prediction(got, want) -> None:  # type: ignore[no-untyped-def]
    """Two predictions of the engines: statuses, offer classes, partners and proposers (the event
    log's non-numbers) exactly; positions, outcomes, risk and the logged utilities to
    ``NUMBA_ATOL``, the pressure to ``NUMBA_ATOL_PRESSURE``; the perspective chart (NumPy in both)
    exactly."""
    np.testing.assert_array_equal(np.asarray(got.diagnostics.status), np.asarray(want.diagnostics.status))
    for name in ("outcome", "trajectory"):
        np.testing.assert_allclose(getattr(got, name), getattr(want, name), rtol=0, atol=NUMBA_ATOL)
    np.testing.assert_allclose(got.extras["risk"], want.extras["risk"], rtol=0, atol=NUMBA_ATOL)
    _same_events(got.events, want.events, NUMBA_ATOL)
    np.testing.assert_array_equal(got.extras["pressure"]["proposer"], want.extras["pressure"]["proposer"])
    for k in ("a", "b"):
        np.testing.assert_allclose(
            got.extras["pressure"][k], want.extras["pressure"][k], rtol=0, atol=NUMBA_ATOL_PRESSURE
        )
    for k in ("own", "rival", "risk"):
        np.testing.assert_array_equal(got.extras["perspective"][k], want.extras["perspective"][k])


def _stories(sc, pred) -> list[str]:  # type: ignore[no-untyped-def]
    """What ``detente explain`` prints for every actor and issue (the story and the quadrant sentences)."""
    from detente.report.narrative import actor_story, perspective_sentences

    out = []
    for a in sc.actors:
        for k, iss in enumerate(sc.issues):
            story = actor_story(
                sc,
                pred.events,
                a.id,
                iss.id,
                trajectory=pred.trajectory,
                round_stats=pred.extras["round_stats"],
                status=str(np.asarray(pred.diagnostics.status).reshape(-1)[k]),
                pressure=pred.extras["pressure"],
            )
            out.append(story.text())
            out += perspective_sentences(sc, pred.extras["perspective"], a.id, iss.id)
    return out


@pytest.mark.parametrize("variant", ["scholz2011", "paper"])
@pytest.mark.parametrize("case", ["emission", "random"])
def test_model_outputs_and_explain_equal_oracle(
    case: str, variant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Event log, pressure, perspective, statistics and the explain text: each engine = the oracle
    (numbers to ``ATOL``, the rest exactly), and the numba engine = the NumPy engine (numbers to
    ``NUMBA_ATOL``, the rest exactly)."""
    from detente.core.arrays import to_arrays
    from detente.io.builtin import load_builtin
    from detente.models import eum as eum_model
    from detente.testing import random_arrays

    sc = load_builtin("emission-standards-1994")
    if case == "emission":
        arr = to_arrays(sc)
    else:  # the same actors and issues with random stances: shared positions and absent actors
        ref = to_arrays(sc)
        g = np.random.default_rng(8)
        arr = random_arrays(g, n_actors=len(sc.actors), n_issues=len(sc.issues), absent=0.2)
        tied = np.where(g.random(arr.position.shape) < 0.4, np.round(arr.position * 4) / 4, arr.position)
        arr = dataclasses.replace(arr, actor_ids=ref.actor_ids, issue_ids=ref.issue_ids, position=tied)

    def predict(engine: str):  # type: ignore[no-untyped-def]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return eum_model.ExpectedUtility(variant=variant, engine=engine).predict(
                arr, np.random.default_rng(0)
            )  # type: ignore[arg-type]

    with monkeypatch.context() as m:
        m.setattr(eum_model, "run_eum", _oracle_run_eum)
        m.setattr(eum_model, "perspective", _oracle_perspective)
        want = predict("numpy")
    assert want.events is not None and len(want.events.rows()) > 0
    numpy_run = None
    for engine in ENGINES:
        if engine == "numba" and not eum_model.numba_available():
            continue
        got = predict(engine)
        _close(got.outcome, want.outcome, "outcome")
        _close(got.trajectory, want.trajectory, "trajectory")
        assert got.events is not None
        _same_events(got.events, want.events, ATOL)
        for key, sub in (
            ("pressure", ("proposer", "a", "b")),
            ("perspective", ("own", "rival", "risk")),
            ("round_stats", ("median", "mean")),
        ):
            for k in sub:
                if k == "proposer":
                    np.testing.assert_array_equal(got.extras[key][k], want.extras[key][k], err_msg=k)
                else:
                    _close(got.extras[key][k], want.extras[key][k], f"{key}.{k}")
        _close(got.extras["risk"], want.extras["risk"], "risk")
        assert _stories(sc, got) == _stories(sc, want)
        if numpy_run is None:
            numpy_run = got
        else:  # numba: the NumPy engine's classes and statuses, its numbers to the last bits
            _same_prediction(got, numpy_run)


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
    _same_prediction(b, a)
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


@pytest.mark.parametrize("engine", ["numpy", "numba", "auto"])
def test_sweep_identical_for_chunk_sizes(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Monte Carlo sweep gives the same numbers for any chunk size on each engine (chunk 1 runs the
    event-log path of single draws, larger chunks the batched path). ``auto`` decides once for the
    whole sweep: with the threshold between one chunk's work and the sweep's, every chunk size gives
    the numba engine's bits (deciding per chunk would mix the engines)."""
    if engine != "numpy":
        pytest.importorskip("numba")
    from detente.analysis.montecarlo import run_ensemble
    from detente.io.builtin import load_builtin
    from detente.models import eum as eum_model

    sc = load_builtin("emission-standards-1994")
    A, I = len(sc.actors), len(sc.issues)
    # 40 draws reach the threshold, a chunk of 7 draws (or one draw) does not
    monkeypatch.setattr(eum_model, "AUTO_NUMBA_WORK", 40 * I * A * A)
    model = eum_model.ExpectedUtility(rounds=6, engine=engine)  # type: ignore[arg-type]
    ref = run_ensemble(model, sc, n_draws=40, seed=11, chunk_size=1)
    for chunk in (7, 40):
        got = run_ensemble(model, sc, n_draws=40, seed=11, chunk_size=chunk)
        np.testing.assert_array_equal(got.outcomes, ref.outcomes)
        np.testing.assert_array_equal(got.statuses, ref.statuses)
    if engine == "auto":
        assert model.for_batch(40 * I, A).engine == "numba"
        assert model.for_batch(7 * I, A).engine == "numpy"
        numba = run_ensemble(model.for_batch(40 * I, A), sc, n_draws=40, seed=11, chunk_size=7)
        np.testing.assert_array_equal(ref.outcomes, numba.outcomes)
        assert ref.params["engine"] == "auto"  # the parameters asked for are recorded


def test_sweep_engines_agree() -> None:
    """The two engines' sweeps: the same statuses, outcomes to ``NUMBA_ATOL``."""
    pytest.importorskip("numba")
    from detente.analysis.montecarlo import run_ensemble
    from detente.io.builtin import load_builtin
    from detente.models.eum import ExpectedUtility

    sc = load_builtin("emission-standards-1994")
    a, b = (
        run_ensemble(ExpectedUtility(rounds=6, engine=e), sc, n_draws=40, seed=11, chunk_size=40)
        for e in ("numpy", "numba")
    )
    np.testing.assert_array_equal(a.statuses, b.statuses)
    np.testing.assert_allclose(a.outcomes, b.outcomes, rtol=0, atol=NUMBA_ATOL)


def test_auto_engine_weighs_the_work_not_the_run_count() -> None:
    """``auto`` loads numba only where the JIT earns back its ~1 s start-up (issue-runs × actors²)."""
    from detente.models import eum as eum_model

    m = eum_model.ExpectedUtility(engine="auto")
    # detente run's sweep: 300 draws × 6 issues of 10 actors: NumPy (numba's import costs more)
    assert m.resolved_engine(1_800, 10) == "numpy"
    # a forecast of 200 actors × 10 issues: one call of 10 issue-runs, still NumPy
    assert m.resolved_engine(10, 200) == "numpy"
    # issue 15's sweep, 20 actors × 10 issues × 10,000 draws: numba (when installed)
    big = m.resolved_engine(100_000, 20)
    assert big == ("numba" if eum_model.numba_available() else "numpy")
    assert eum_model.ExpectedUtility(engine="numpy").resolved_engine(100_000, 20) == "numpy"
