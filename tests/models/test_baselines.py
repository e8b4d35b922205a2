"""Golden tests of the baseline models (models.md §1–§3) and the pairwise == weighted-median property."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from detente.core.arrays import ScenarioArrays, to_arrays
from detente.io.builtin import load_builtin
from detente.kernels.nbs import nash_bargaining
from detente.kernels.weighted import pairwise_condorcet, weighted_mean, weighted_median
from detente.models import forecast, get_model


@pytest.fixture(scope="module")
def emission():
    return load_builtin("emission-standards-1994")


def test_builtin_emission_matches_shared_table(emission, data_dir) -> None:
    """The packaged scenario is Scholz et al. (2011) Table 1 (= data/bdm_eum csv)."""
    rows = list(csv.DictReader(open(data_dir / "bdm_eum/bdm1994_emission_standards_actors.csv")))
    by_name = {a.name: a for a in emission.actors}
    stances = {s.actor: s for s in emission.stances}
    assert len(rows) == len(emission.actors) == 10
    for r in rows:
        a = by_name[r["Actor"]]
        assert a.capability == pytest.approx(float(r["Capability"]))
        assert stances[a.id].position == pytest.approx(float(r["Position"]))
        assert stances[a.id].salience == pytest.approx(float(r["Salience"]))


@pytest.mark.parametrize(
    ("weighting", "expected"),
    [("cs", 7.38996), ("c", 7.47525), ("s", 6.65574), ("none", 6.7)],
)
def test_compromise_golden_emission(emission, weighting: str, expected: float) -> None:
    """models.md §1 golden (Achen 2006 compromise on BdM 1994 p. 78), tolerance 1e-5."""
    f = forecast(get_model("compromise", weighting=weighting), emission)
    assert f.outcome[0] == pytest.approx(expected, abs=1e-5)
    assert str(f.diagnostics.status[0]) == "closed_form"


def test_mean_equals_unweighted_compromise(emission) -> None:
    assert forecast(get_model("mean"), emission).outcome[0] == pytest.approx(6.7, abs=1e-12)


@pytest.mark.parametrize("weighting", ["cs", "c", "none"])
@pytest.mark.parametrize("method", ["weighted_median", "pairwise"])
def test_median_golden_emission(emission, weighting: str, method: str) -> None:
    """models.md §2 golden: 7.0 years for cs, c and none (exact)."""
    f = forecast(get_model("median", weighting=weighting, method=method), emission)
    assert f.outcome[0] == 7.0


def test_median_cumulative_weights_emission(emission) -> None:
    """models.md §2: cumulative c·s weight 0.248 at x = 4, 0.341 at x = 7, total 0.677."""
    arr = to_arrays(emission)
    w = arr.weights("cs")[:, 0]
    x = arr.position[:, 0] * 6 + 4
    assert w[x == 4].sum() == pytest.approx(0.248)
    assert w[x <= 7].sum() - w[x == 4].sum() == pytest.approx(0.341 - 0.248)
    assert w.sum() == pytest.approx(0.677)


def _slow_median(x: np.ndarray, w: np.ndarray) -> float:
    order = sorted(range(len(x)), key=lambda k: x[k])
    total, cum = sum(w), 0.0
    for k in order:
        cum += w[k]
        if cum >= total / 2 - 1e-12 * total:
            return float(x[k])
    raise AssertionError


def test_pairwise_equals_weighted_median_random() -> None:
    """Property (models.md §2, Black 1948): in 1-D without ties the Condorcet winner is the weighted median."""
    rng = np.random.default_rng(7)
    for _ in range(300):
        A = int(rng.integers(1, 9))
        x = rng.permutation(np.linspace(0, 1, 41))[:A][:, None]  # distinct positions
        w = rng.uniform(0.01, 1.0, (A, 1))
        present = np.ones((A, 1), dtype=bool)
        # avoid exact ties of the cumulative weight with half the total (a measure-zero event)
        fast = weighted_median(x, w, present)
        slow = pairwise_condorcet(x, w, present)
        assert fast[0] == slow[0] == _slow_median(x[:, 0], w[:, 0])


def test_pairwise_equals_weighted_median_batched_with_absent() -> None:
    rng = np.random.default_rng(8)
    x = rng.uniform(0, 1, (50, 7, 4))
    w = rng.uniform(0.01, 1, (50, 7, 4))
    present = rng.random((50, 7, 4)) > 0.3
    present[:, 0, :] = True
    assert np.array_equal(weighted_median(x, w, present), pairwise_condorcet(x, w, present))
    for b in range(50):
        for d in range(4):
            m = present[b, :, d]
            assert weighted_median(x, w, present)[b, d] == _slow_median(x[b, m, d], w[b, m, d])


def test_weighted_mean_against_loop() -> None:
    rng = np.random.default_rng(9)
    x = rng.uniform(0, 1, (5, 6, 3))
    w = rng.uniform(0, 1, (5, 6, 3))
    present = rng.random((5, 6, 3)) > 0.3
    present[:, 0, :] = True
    out, fb = weighted_mean(x, w, present)
    assert not fb.any()
    for b in range(5):
        for d in range(3):
            m = present[b, :, d]
            assert out[b, d] == pytest.approx(
                float((w[b, m, d] * x[b, m, d]).sum() / w[b, m, d].sum()), rel=1e-12
            )


def _two_actor(q: float) -> ScenarioArrays:
    """models.md §3 golden: x = (0, 1), β = c·s = (1, 3), disagreement point q."""
    return ScenarioArrays(
        actor_ids=("a", "b"),
        issue_ids=("i",),
        position=np.array([[0.0], [1.0]]),
        salience=np.ones((2, 1)),
        capability=np.array([[1.0], [3.0]]),
        present=np.ones((2, 1), dtype=bool),
        reference=np.array([q]),
    )


@pytest.mark.parametrize(
    ("q", "loss", "expected"),
    [
        (-1.0, "linear", 0.5),
        (-1.0, "quadratic", 0.4069297),
        (2.0, "quadratic", 0.9058688),
        (0.5, "quadratic", 0.5),
    ],
)
def test_nbs_golden(q: float, loss: str, expected: float) -> None:
    pred = get_model("nbs", loss=loss).predict(_two_actor(q), np.random.default_rng(0))
    assert pred.outcome[0] == pytest.approx(expected, abs=1e-7)
    assert bool(pred.diagnostics.flags["infeasible"][0]) == (q == 0.5)


def test_nbs_quadratic_root_equation() -> None:
    """0.4069297 is the root of −x/(1−x²) − 3(x−1)/(4−(x−1)²) = 0 (models.md §3)."""
    x = float(get_model("nbs").predict(_two_actor(-1.0), np.random.default_rng(0)).outcome[0])
    assert -x / (1 - x**2) - 3 * (x - 1) / (4 - (x - 1) ** 2) == pytest.approx(0.0, abs=1e-6)


def test_nbs_linear_closed_form() -> None:
    """x* = (β2(2x1 − q) + β1 q)/(β1 + β2), clipped to [x1, x2] for q < x1 < x2 (models.md §3)."""
    for q in (-1.0, -0.3, -3.0):
        x, _ = nash_bargaining(
            np.array([[0.0], [1.0]]),
            np.array([[1.0], [3.0]]),
            np.ones((2, 1), bool),
            np.array([q]),
            loss="linear",
        )
        assert x[0] == pytest.approx(min(max((3 * (0 - q) + q) / 4, 0.0), 1.0), abs=1e-9)


def test_nbs_far_status_quo_is_weighted_mean() -> None:
    pred = get_model("nbs").predict(_two_actor(-1e6), np.random.default_rng(0))
    assert pred.outcome[0] == pytest.approx(0.75, abs=1e-4)


def test_nbs_infeasible_compromise_variant() -> None:
    pred = get_model("nbs", infeasible="compromise").predict(_two_actor(0.5), np.random.default_rng(0))
    assert pred.outcome[0] == pytest.approx(0.75)
