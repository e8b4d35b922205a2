"""Expected-utility model (models.md §4): the kernel against a slow, obvious loop version.

The loop reference (``slow_run`` in ``eum_oracle.py``) implements models.md §4 term by term for one
issue with plain Python loops (votes as an explicit triple sum, offers one by one). It is
deliberately naive.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pytest
from eum_oracle import slow_prob, slow_run, success_probability  # tests/models is on sys.path

from detente.core.arrays import ScenarioArrays, to_arrays
from detente.errors import ConvergenceWarning, ModelConfigError
from detente.kernels.eum import _geometry_t, _probability_t, count_less, run_eum
from detente.kernels.eum_spec import EUMSettings
from detente.models import coerce_param, get_model
from detente.models.eum import ExpectedUtility
from detente.testing import random_arrays

# --------------------------------------------------------------------------------------------

VARIANTS = {
    "scholz2011": EUMSettings(),
    "paper": EUMSettings(prob="pair", votes_risk="linear", perspective="own", compromise_choice="least_move"),
    "q05_scale_neutral": EUMSettings(q=0.5, range="scale", risk="neutral", capitulation=False),
    "q07_mixed": EUMSettings(q=0.7, prob="pair", perspective="own"),
}


def _one_issue(arr: ScenarioArrays, b: int, d: int):  # type: ignore[no-untyped-def]
    pres = [bool(v) for v in arr.present[b, :, d]]
    x = [float(v) for v in arr.position[b, :, d]]
    s = [float(v) if p else 0.0 for v, p in zip(arr.salience[b, :, d], pres, strict=True)]
    w = [float(c) * sv if p else 0.0 for c, sv, p in zip(arr.capability[b, :, d], s, pres, strict=True)]
    return x, w, s, pres


@pytest.mark.parametrize("name", list(VARIANTS))
def test_kernel_matches_slow_loop(name: str) -> None:
    st = VARIANTS[name]
    arr = random_arrays(np.random.default_rng(11), n_actors=7, n_issues=2, batch=(3,), absent=0.25)
    rows = [(b, d) for b in range(3) for d in range(2)]
    X = np.array([_one_issue(arr, b, d)[0] for b, d in rows])
    W = np.array([_one_issue(arr, b, d)[1] for b, d in rows])
    S = np.array([_one_issue(arr, b, d)[2] for b, d in rows])
    M = np.array([_one_issue(arr, b, d)[3] for b, d in rows])
    run = run_eum(X, W, S, M, st, 4, record=True)
    assert run.kind is not None and run.partner is not None and run.a is not None and run.b is not None
    for row, (b, d) in enumerate(rows):
        x, w, s, pres = _one_issue(arr, b, d)
        path, log = slow_run(x, w, s, pres, st, 4)
        got = run.positions[:, row, :]
        want = np.array(path)
        np.testing.assert_allclose(got[:, pres], want[:, pres], atol=1e-10)
        fast_log = [
            (
                t + 1,
                i,
                ["", "confrontation", "compromise", "capitulation"][run.kind[t, row, i]],
                int(run.partner[t, row, i]),
            )
            for t in range(4)
            for i in range(7)
            if run.kind[t, row, i]
        ]
        assert fast_log == [(t, i, k, j) for t, i, k, j, _, _ in log]
        for t, i, _, _, a, bb in log:
            assert run.a[t - 1, row, i] == pytest.approx(a, abs=1e-10)
            assert run.b[t - 1, row, i] == pytest.approx(bb, abs=1e-10)


@pytest.mark.parametrize("prob", ["pair", "all_pairs"])
@pytest.mark.parametrize("voter", [False, True])
@pytest.mark.parametrize("shape", [(5, 9), (1, 36), (2, 70)], ids=["small", "mid", "searchsorted_path"])
def test_probability_matches_triple_sum(prob: str, voter: bool, shape: tuple[int, int]) -> None:
    """The oracle's and the engine's probabilities (eqs. 28, 31) against the explicit triple sum."""
    g = np.random.default_rng(3)
    B, A = shape
    x = g.random((B, A))
    x[:, 3] = x[:, 4]  # equal positions -> P = 0
    w = g.random((B, A))
    present = g.random((B, A)) > 0.2
    present[:, :2] = True
    rho = g.uniform(0.5, 2.0, (B, A)) if voter else None
    delta = np.full(B, 1.0)
    P = success_probability(x, w, present, delta, rho, prob)
    # the engine (batch-last layout, prefix sums: to 1e-10, they lose a few digits where positions are
    # close) gives the numbers of the oracle (each vote summed as written)
    geo = _geometry_t(np.ascontiguousarray(x.T), np.ascontiguousarray(present.T), delta, prob == "all_pairs")
    w_t = np.ascontiguousarray(np.where(present, w, 0.0).T)
    rho_t = None if rho is None else np.ascontiguousarray(rho.T)
    np.testing.assert_allclose(
        _probability_t(geo, w_t, rho_t, prob).transpose(2, 0, 1), P, rtol=0, atol=1e-10
    )
    for b in range(B):
        ref = slow_prob(
            list(x[b]),
            list(np.where(present[b], w[b], 0.0)),
            list(present[b]),
            1.0,
            list(rho[b]) if rho is not None else [1.0] * A,
            prob,
        )
        m = present[b][:, None] & present[b][None, :]
        np.testing.assert_allclose(P[b][m], np.array(ref)[m], atol=1e-12)
        if prob == "pair":
            off = m & (x[b][:, None] != x[b][None, :])
            np.testing.assert_allclose((P[b] + P[b].T)[off], 1.0, atol=1e-12)


def test_count_less_is_searchsorted() -> None:
    g = np.random.default_rng(5)
    ys = np.sort(g.random((40, 12)), axis=1)
    ys[:, -3:] = np.inf
    q = g.uniform(-0.5, 1.5, (40, 12, 12))
    got = count_less(ys, q)
    want = np.stack([np.searchsorted(ys[b], q[b]) for b in range(40)])
    assert np.array_equal(got, want)


def test_count_less_is_exact_on_knife_edges() -> None:
    """Queries exactly on voters and on the pairs' midpoints, with tied voters and far-apart rows:
    the band shift rounds, the counts must not (every voter strictly left, none on the query)."""
    g = np.random.default_rng(11)
    B, A = 300, 70
    ys = np.sort(np.round(g.random((B, A)) * 37) / 37 * g.uniform(0.5, 1e3, (B, 1)), axis=1)
    ys[:5, -4:] = np.inf
    fin = np.where(np.isfinite(ys), ys, 0.0)
    i, j = g.integers(0, A, (2, 400))
    q = np.concatenate([0.5 * (fin[:, i] + fin[:, j]), fin[:, i]], axis=1)
    got = count_less(ys, q)
    want = np.stack([np.searchsorted(ys[b], q[b], side="left") for b in range(B)])
    assert np.array_equal(got, want)


# --------------------------------------------------------------------------------------------
# model behaviour


def _quiet(model: ExpectedUtility, arrays: ScenarioArrays):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.predict(arrays, np.random.default_rng(0))


def test_batch_equals_single_calls_and_shapes() -> None:
    arr = random_arrays(np.random.default_rng(2), n_actors=8, n_issues=3, batch=(4, 2))
    m = ExpectedUtility(rounds=5)
    whole = _quiet(m, arr)
    assert whole.trajectory is not None and whole.trajectory.shape == (4, 2, 6, 8, 3)
    assert whole.stat_path is not None and whole.stat_path.shape == (4, 2, 6, 3)
    assert whole.extras["round_stats"]["mean"].shape == (4, 2, 6, 3)
    for i in range(4):
        for j in range(2):
            one = dataclasses.replace(
                arr,
                position=arr.position[i, j],
                salience=arr.salience[i, j],
                capability=arr.capability[i, j],
                present=arr.present[i, j],
                reference=arr.reference[i, j],
            )
            p = _quiet(m, one)
            np.testing.assert_allclose(whole.outcome[i, j], p.outcome, atol=1e-12)
            np.testing.assert_allclose(whole.trajectory[i, j], p.trajectory, atol=1e-12)
            assert (whole.diagnostics.status[i, j] == p.diagnostics.status).all()


def test_absent_actor_is_the_same_as_a_removed_actor() -> None:
    arr = random_arrays(np.random.default_rng(8), n_actors=6, n_issues=2, absent=0.0)
    pres = np.array(arr.present).copy()
    pres[2, :] = False
    masked = dataclasses.replace(arr, present=pres)
    keep = [0, 1, 3, 4, 5]
    removed = dataclasses.replace(
        arr,
        actor_ids=tuple(arr.actor_ids[k] for k in keep),
        position=arr.position[keep],
        salience=arr.salience[keep],
        capability=arr.capability[keep],
        present=arr.present[keep],
    )
    a = _quiet(ExpectedUtility(rounds=6), masked)
    b = _quiet(ExpectedUtility(rounds=6), removed)
    np.testing.assert_allclose(a.outcome, b.outcome, atol=1e-12)
    assert a.trajectory is not None and b.trajectory is not None
    np.testing.assert_allclose(a.trajectory[:, keep], b.trajectory, atol=1e-12)
    np.testing.assert_array_equal(
        a.trajectory[:, 2], np.broadcast_to(a.trajectory[0, 2], (7, 2))
    )  # never moves


def test_presets_and_overrides() -> None:
    assert ExpectedUtility().settings == EUMSettings()
    paper = ExpectedUtility(variant="paper").settings
    assert (paper.prob, paper.votes_risk, paper.perspective, paper.compromise_choice) == (
        "pair",
        "linear",
        "own",
        "least_move",
    )
    mixed = ExpectedUtility(variant="paper", prob="all_pairs", q=0.5)
    assert (
        mixed.settings.prob == "all_pairs" and mixed.settings.q == 0.5 and mixed.settings.perspective == "own"
    )
    assert ExpectedUtility.info.name == "eum" and ExpectedUtility.info.mirror_symmetric is False
    assert get_model("eum", variant="paper") == ExpectedUtility(variant="paper")
    # CLI strings (--set) go through coerce_param
    assert coerce_param(ExpectedUtility, "variant", "scholz2011") == "scholz2011"
    assert coerce_param(ExpectedUtility, "q", "1.0") == 1.0
    assert coerce_param(ExpectedUtility, "rounds", "8") == 8
    assert coerce_param(ExpectedUtility, "capitulation", "false") is False
    assert coerce_param(ExpectedUtility, "prob", "pair") == "pair"
    # replace keeps the un-resolved switches, so changing the variant re-resolves everything
    assert dataclasses.replace(ExpectedUtility(), variant="paper").settings == paper


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("variant", "bdm"),
        ("prob", "some"),
        ("q", 1.5),
        ("q", -0.1),
        ("rounds", -1),
        ("rounds", 2.5),
        ("forecast", "mode"),
        ("capitulation", "yes"),
        ("tol", -1.0),
    ],
)
def test_bad_parameters(name: str, bad: object) -> None:
    with pytest.raises(ModelConfigError, match=name):
        ExpectedUtility(**{name: bad})  # type: ignore[arg-type]


def test_unanimity_converges_and_no_warning() -> None:
    arr = random_arrays(np.random.default_rng(4), n_actors=5, n_issues=2)
    same = dataclasses.replace(arr, position=np.where(arr.present, 0.3, arr.position))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        p = ExpectedUtility().predict(same, np.random.default_rng(0))
    assert (p.diagnostics.status == "converged").all()
    np.testing.assert_allclose(p.outcome, 0.3)
    assert p.events is not None and len(p.events) == 0


def test_one_warning_per_call() -> None:
    arr = random_arrays(np.random.default_rng(6), n_actors=8, n_issues=4, batch=(5,))
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        p = ExpectedUtility(rounds=3).predict(arr, np.random.default_rng(0))
    assert (p.diagnostics.status != "converged").any()
    assert len([w for w in got if issubclass(w.category, ConvergenceWarning)]) == 1


def test_forecast_mean_and_perspective_shapes() -> None:
    arr = random_arrays(np.random.default_rng(9), n_actors=6, n_issues=2)
    p = _quiet(ExpectedUtility(forecast="mean", rounds=3), arr)
    np.testing.assert_allclose(p.outcome, p.extras["round_stats"]["mean"][-1])
    own, rival = p.extras["perspective"]["own"], p.extras["perspective"]["rival"]
    assert own.shape == rival.shape == (6, 6, 2)  # (H, A, I): O(A²) per issue
    # viewer h = i's estimate of its own challenge equals the kernel's ``a`` at round 0 (receiver view)
    on = np.flatnonzero(arr.present[:, 0])
    assert np.isfinite(own[np.ix_(on, on)][..., 0]).all() and np.isfinite(rival[np.ix_(on, on)][..., 0]).all()


@pytest.mark.parametrize("q", [1.0, 0.4])
def test_perspective_reuses_round_one_bit_for_bit(q: float, monkeypatch: pytest.MonkeyPatch) -> None:
    """The chart from round 1's probabilities kept by the rounds (``EUMRun.p1``) equals the chart
    computed afresh (issue #15: the forecast computed that round twice)."""
    from detente.kernels import eum as kernel
    from detente.models import eum as eum_model

    arr = random_arrays(np.random.default_rng(11), n_actors=9, n_issues=3, absent=0.2)
    model = ExpectedUtility(q=q, rounds=3, engine="numpy")
    kept = _quiet(model, arr).extras["perspective"]
    seen: list[bool] = []

    def afresh(x, w, s, present, st, first=None):  # type: ignore[no-untyped-def]
        seen.append(first is not None)
        return kernel.perspective(x, w, s, present, st)

    monkeypatch.setattr(eum_model, "perspective", afresh)
    again = _quiet(model, arr).extras["perspective"]
    assert seen and all(seen)
    for k in ("own", "rival", "risk"):
        assert kept[k].tobytes() == again[k].tobytes(), k


def test_no_events_for_large_batches() -> None:
    arr = random_arrays(np.random.default_rng(1), n_actors=5, n_issues=1, batch=(100,))
    p = _quiet(ExpectedUtility(rounds=2), arr)
    assert p.events is not None and len(p.events) == 0 and p.extras["events_recorded"] is False
    assert "perspective" not in p.extras
    assert math.prod(p.outcome.shape) == 100


def test_float32_precision_for_monte_carlo() -> None:
    from detente.io.builtin import load_builtin
    from detente.testing import check_model

    check_model(ExpectedUtility(precision="float32"))
    arr = to_arrays(load_builtin("emission-standards-1994"))
    p64 = _quiet(ExpectedUtility(), arr)
    p32 = _quiet(ExpectedUtility(precision="float32"), arr)
    assert p32.trajectory is not None and p64.trajectory is not None
    assert p32.trajectory.dtype == np.float64  # outputs stay float64
    np.testing.assert_allclose(p32.trajectory, p64.trajectory, atol=1e-5)
    assert p32.events is not None and p64.events is not None
    assert p32.events.rows() and [
        (r["round"], r["actor"], r["kind"], r["counterpart"]) for r in p32.events.rows()
    ] == [(r["round"], r["actor"], r["kind"], r["counterpart"]) for r in p64.events.rows()]
    # random scenarios: the first round agrees closely (later rounds may part at knife edges)
    rnd = random_arrays(np.random.default_rng(12), n_actors=15, n_issues=4, batch=(20,))
    a = _quiet(ExpectedUtility(rounds=1), rnd)
    b = _quiet(ExpectedUtility(rounds=1, precision="float32"), rnd)
    assert a.trajectory is not None and b.trajectory is not None
    close = np.isclose(a.trajectory[:, 1], b.trajectory[:, 1], atol=1e-4).mean()
    assert close > 0.99
