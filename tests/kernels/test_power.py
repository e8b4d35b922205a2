"""Exact power indices (models.md §7): textbook games, slow brute-force references, EU goldens."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from detente.kernels.power import (
    double_majority_rule,
    lisbon_power,
    power_indices,
    subset_counts,
    weighted_majority_rule,
    weighted_population_rule,
    weighted_voting_power,
)

V15 = {"de": 10, "fr": 10, "it": 10, "uk": 10, "es": 8, "be": 5, "el": 5, "nl": 5, "pt": 5, "at": 4, "se": 4,
       "dk": 3, "ie": 3, "fi": 3, "lu": 2}  # fmt: skip


def slow_indices(resources: np.ndarray, rule, index: str) -> np.ndarray:
    """Obvious loops: SSI over all orderings, Banzhaf over all subsets."""
    r = np.atleast_2d(np.asarray(resources).T).T if np.ndim(resources) == 1 else np.asarray(resources)
    n = r.shape[0]

    def wins(members: tuple[int, ...]) -> bool:
        tot = r[list(members)].sum(axis=0) if members else np.zeros(r.shape[1], dtype=int)
        return bool(rule(np.array(len(members)), *[np.array(t) for t in tot]))

    out = np.zeros(n)
    if index == "ssi":
        for perm in itertools.permutations(range(n)):
            for k in range(n):
                if not wins(perm[:k]) and wins(perm[: k + 1]):
                    out[perm[k]] += 1
                    break
        return out / math.factorial(n)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for size in range(n):
            for s in itertools.combinations(others, size):
                if not wins(s) and wins(tuple(sorted((*s, i)))):
                    out[i] += 1
    return out / out.sum()


def test_textbook_game_3_2_1_1():
    # [3; 2, 1, 1]: the big player is pivotal in 4 of 6 orderings; Banzhaf swings 3, 1, 1
    np.testing.assert_allclose(weighted_voting_power([2, 1, 1], 3), [2 / 3, 1 / 6, 1 / 6], atol=1e-15)
    np.testing.assert_allclose(
        weighted_voting_power([2, 1, 1], 3, index="banzhaf"), [0.6, 0.2, 0.2], atol=1e-15
    )
    np.testing.assert_allclose(power_indices([2, 1, 1], weighted_majority_rule(3), "swings"), [3, 1, 1])


def test_dictator_and_dummy():
    np.testing.assert_allclose(weighted_voting_power([5, 1, 1], 5), [1, 0, 0])
    # [51; 49, 49, 2]: symmetric players despite unequal weights (any two win)
    np.testing.assert_allclose(weighted_voting_power([49, 49, 2], 51), [1 / 3] * 3, atol=1e-15)


def test_subset_counts_against_enumeration():
    w = np.array([3, 1, 2, 2])
    t = subset_counts(w)
    slow = np.zeros_like(t)
    for size in range(5):
        for s in itertools.combinations(range(4), size):
            slow[size, w[list(s)].sum()] += 1
    np.testing.assert_array_equal(t, slow)


@pytest.mark.parametrize("seed", range(6))
def test_dp_matches_brute_force_random_weighted_games(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 7))
    w = rng.integers(0, 9, size=n)
    quota = float(rng.integers(1, max(2, w.sum()) + 1))
    mm = int(rng.integers(0, n))
    rule = weighted_majority_rule(quota, mm)
    for index in ("ssi", "banzhaf"):
        if index == "banzhaf" and power_indices(w, rule, "swings").sum() == 0:
            continue
        np.testing.assert_allclose(power_indices(w, rule, index), slow_indices(w, rule, index), atol=1e-12)


def test_dp_matches_brute_force_two_resources():
    rng = np.random.default_rng(7)
    r = rng.integers(0, 6, size=(6, 2))
    rule = weighted_population_rule(quota=r[:, 0].sum() * 0.6, min_members=3, pop_quota=r[:, 1].sum() * 0.5)
    for index in ("ssi", "banzhaf"):
        np.testing.assert_allclose(power_indices(r, rule, index), slow_indices(r, rule, index), atol=1e-12)


def test_double_majority_brute_force():
    pops = np.array([40, 30, 10, 8, 6, 4, 2])
    rule = double_majority_rule(len(pops), float(pops.sum()))
    np.testing.assert_allclose(lisbon_power(pops), slow_indices(pops, rule, "ssi"), atol=1e-12)


def test_eu15_goldens():
    """models.md §7: EU-15, 62 of 87."""
    w = np.array(list(V15.values()))
    ssi = weighted_voting_power(w, 62)
    bz = weighted_voting_power(w, 62, index="banzhaf")
    exp_ssi = {10: 0.1167, 8: 0.0955, 5: 0.0552, 4: 0.0454, 3: 0.0353, 2: 0.0207}
    exp_bz = {10: 0.1116, 8: 0.0924, 5: 0.0587, 4: 0.0479, 3: 0.0359, 2: 0.0226}
    for k, v in enumerate(w):
        assert abs(ssi[k] - exp_ssi[v]) < 5e-5
        assert abs(bz[k] - exp_bz[v]) < 5e-5
    assert abs(ssi.sum() - 1) < 1e-12 and abs(bz.sum() - 1) < 1e-12


def _nice(regime: str):
    from detente.io.deu import council_table, regime_members

    t = council_table()
    members = regime_members(regime, t)
    v = t.weights("v25")
    return np.array([int(v[c]) for c in members]), members, t


@pytest.mark.parametrize(
    ("regime", "quota", "states", "expected"),
    [
        ("EU-25", 232, 13, {29: 0.0929, 27: 0.0861, 13: 0.0398, 12: 0.0365, 10: 0.0302, 7: 0.0210, 4: 0.0119, 3: 0.0089}),
        ("EU-27", 255, 14, {29: 0.0867, 27: 0.0800, 14: 0.0399, 13: 0.0368, 12: 0.0341, 10: 0.0282, 7: 0.0196, 4: 0.0110,
                            3: 0.0082}),
        ("EU-28", 260, 15, {29: 0.0849, 27: 0.0786, 14: 0.0393, 7: 0.0192}),
    ],
)  # fmt: skip
def test_nice_goldens(regime, quota, states, expected):
    w, members, _ = _nice(regime)
    assert w.sum() == {"EU-25": 321, "EU-27": 345, "EU-28": 352}[regime]
    ssi = weighted_voting_power(w, quota, states)
    for k, v in enumerate(w):
        if int(v) in expected:
            assert abs(ssi[k] - expected[int(v)]) < 5e-5, (members[k], ssi[k])
    assert abs(ssi.sum() - 1) < 1e-12
    if regime == "EU-27":  # the 14-state rule changes nothing at the 4th decimal (differences < 1e-7)
        np.testing.assert_allclose(weighted_voting_power(w, quota, 0), ssi, atol=1e-6)


def test_nice_population_check_can_bind():
    """models.md §7: >= 255 votes and >= 14 states can hold only 58.2 % of the 2007 population (EU-27)."""
    w, members, t = _nice("EU-27")
    pop = np.array([t.columns["p2007"][t.codes.index(c)] for c in members])
    # smallest population share of a winning coalition: exact search over the (votes, states) table is
    # a knapsack; check by DP over (size, votes) minimising population
    best = np.full((len(w) + 1, w.sum() + 1), np.inf)
    best[0, 0] = 0.0
    for k in range(len(w)):
        nxt = best.copy()
        nxt[1:, w[k] :] = np.minimum(nxt[1:, w[k] :], best[:-1, : best.shape[1] - w[k]] + pop[k])
        best = nxt
    share = best[14:, 255:].min() / pop.sum()
    assert abs(share - 0.582) < 5e-4


def test_lisbon_eu28_goldens():
    from detente.io.deu import council_table

    t = council_table()
    pops = np.round(t.columns["p2014a"] / 10).astype(np.int64)
    ssi = lisbon_power(pops)
    exp = {
        "de": 0.1443,
        "fr": 0.1119,
        "uk": 0.1081,
        "it": 0.1004,
        "es": 0.0765,
        "pl": 0.0646,
        "nl": 0.0327,
        "mt": 0.0086,
    }
    for c, v in exp.items():
        assert abs(ssi[t.codes.index(c)] - v) < 5e-5, c
    assert abs(ssi.sum() - 1) < 1e-12


def test_bad_resources_rejected():
    with pytest.raises(ValueError):
        weighted_voting_power([1.5, 2], 2)
    with pytest.raises(ValueError):
        weighted_voting_power([-1, 2], 2)
