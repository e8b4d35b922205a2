"""Cohesion between groups, average-linkage clustering and classical MDS."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from detente.analysis.coalitions import (
    actor_distances,
    average_linkage,
    classical_mds,
    coalition_map,
    cohesion,
)
from detente.core import Actor, Issue, Scale, Scenario, Stance
from detente.errors import ScenarioError
from detente.io.builtin import load_builtin


def groups_toy() -> Scenario:
    actors = (
        Actor(id="us", groups=("west",)),
        Actor(id="fr", groups=("west", "eu")),
        Actor(id="de", groups=("eu",)),
        Actor(id="ru"),
    )
    issues = (Issue(id="p", scale=Scale(low=0, high=10)), Issue(id="q", scale=Scale(low=0, high=100)))
    st = [
        ("us", "p", 2, 1.0),
        ("fr", "p", 8, 0.5),
        ("de", "p", 10, 1.0),
        ("ru", "p", 0, 1.0),
        ("us", "q", 50, 0.2),
        ("de", "q", 50, 0.8),  # fr absent on q
    ]
    return Scenario(
        id="g",
        actors=actors,
        issues=issues,
        stances=tuple(Stance(actor=a, issue=i, position=x, salience=s) for a, i, x, s in st),
    )


def test_cohesion_by_hand() -> None:
    sc = groups_toy()
    c = cohesion(sc, "west", "eu")  # west = us, fr ; eu = fr, de ; fr is in both (not paired with itself)
    # issue p (unit): pairs us-fr (w .5, d .6), us-de (w 1, d .8), fr-de (w .5, d .2)
    num_p, den_p = 0.5 * 0.6 + 1 * 0.8 + 0.5 * 0.2, 2.0
    # issue q: only us-de present (w .16, d 0)
    num_q, den_q = 0.0, 0.16
    assert c.unit_distance[0] == pytest.approx(num_p / den_p)
    assert c.distance[0] == pytest.approx(10 * num_p / den_p)
    assert c.distance[1] == pytest.approx(0.0)
    assert c.index == pytest.approx(1 - (num_p + num_q) / (den_p + den_q))
    assert c.split_share.tolist() == pytest.approx([1.0, 0.0])
    assert c.splits(1)[0][0] == "p"
    assert c.within_a == pytest.approx(1 - 0.6)  # us-fr on p only
    assert c.mean_a[0] == pytest.approx((2 * 1 + 8 * 0.5) / 1.5)
    assert 0.0 <= c.index <= 1.0


def test_cohesion_extremes_and_actor_names() -> None:
    sc = groups_toy()
    assert cohesion(sc, "us", "ru").index == pytest.approx(1 - 0.2)  # only p is shared: |0.2 - 0|
    same = cohesion(sc, "fr", "fr")
    assert np.isnan(same.index)  # an actor is never paired with itself
    with pytest.raises(ScenarioError, match="unknown group or actor 'nato'"):
        cohesion(sc, "nato", "eu")


def slow_upgma(d: np.ndarray, cut: float) -> list[set[int]]:
    clusters = [{k} for k in range(len(d))]
    while len(clusters) > 1:
        best = None
        for u, v in itertools.combinations(range(len(clusters)), 2):
            dv = np.mean([d[a, b] for a in clusters[u] for b in clusters[v]])
            if best is None or dv < best[0] - 1e-12:
                best = (dv, u, v)
        if best[0] > cut:
            break
        _, u, v = best
        clusters[u] |= clusters[v]
        del clusters[v]
    return clusters


@pytest.mark.parametrize("seed", range(5))
def test_average_linkage_matches_slow_loop(seed: int) -> None:
    rng = np.random.default_rng(seed)
    pts = rng.random((12, 2))
    d = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))
    for cut in (0.1, 0.3, 0.6):
        labels = average_linkage(d, cut)
        got = sorted(sorted(np.flatnonzero(labels == k).tolist()) for k in range(labels.max() + 1))
        want = sorted(sorted(c) for c in slow_upgma(d, cut))
        assert got == want
        assert labels[0] == 0  # labels numbered by first member


def test_mds_recovers_euclidean_distances() -> None:
    rng = np.random.default_rng(1)
    pts = rng.random((7, 2))
    d = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))
    xy = classical_mds(d)
    d2 = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    np.testing.assert_allclose(d2, d, atol=1e-9)
    np.testing.assert_array_equal(classical_mds(d), xy)  # deterministic


def test_mds_of_points_on_a_line_has_an_exactly_zero_second_axis() -> None:
    """A one-dimensional configuration: the second eigenvalue is rounding noise (~1e-17), whose
    eigenvector would give coordinates of ~1e-9 that change sign and size with the CPU; below the
    numerical-rank tolerance they are exactly 0 (and never -0.0)."""
    x = np.array([-0.45, 0.05, -0.45, -0.45, 0.55, 0.55, 0.55, 0.1, 0.3])
    d = np.abs(x[:, None] - x[None, :])
    xy = classical_mds(d)
    assert (xy[:, 1] == 0.0).all() and not np.signbit(xy[:, 1]).any()
    np.testing.assert_allclose(np.abs(xy[:, 0][:, None] - xy[:, 0][None, :]), d, atol=1e-12)


def test_actor_distances_and_map() -> None:
    sc = groups_toy()
    d = actor_distances(sc)
    assert d.shape == (4, 4) and np.allclose(d, d.T) and (np.diag(d) == 0).all()
    # us-de: p (w 1, d .8) and q (w .16, d 0)
    assert d[0, 2] == pytest.approx(0.8 / 1.16)
    m = coalition_map(load_builtin("emission-standards-1994"))
    assert sorted(len(b) for b in m.blocs()) == [3, 3, 4]
    assert m.coords.shape == (10, 2)
