"""Offer tables, aspiration and equilibrium policies against slow obvious versions."""

from __future__ import annotations

import numpy as np
import pytest

from detente.sim import policies as pol
from detente.sim import reference as ref


def test_package_grid_is_the_1512_packages_of_simulator_md():
    pk = pol.package_grid()
    assert pk.shape == (1512, 5)
    assert len(np.unique(pk, axis=0)) == 1512
    assert set(np.round(pk[:, 0], 2)) == {round(x, 2) for x in np.linspace(0, 1, 21)}
    assert pol.package_grid(2).shape == (21 * 3 * 3 * 2 * 3, 5)


def test_values_are_complements_and_guarantees_count_against_R():
    pk = pol.package_grid()
    np.testing.assert_allclose(pol.values_R(pk) + pol.values_U(pk), 1.0)
    g3 = pk[:, 4] == 3
    assert (pol.values_R(pk)[g3, 4] == 0).all() and (pol.values_U(pk)[g3, 4] == 1).all()


def test_capitulatory_definition():
    pk = np.array([[0.2, 0, 0, 0, 2], [0.2, 0.5, 0, 0, 2], [0.2, 0, 0.5, 0, 2], [0.2, 0, 0, 1, 0]])
    assert pol.capitulatory(pk).tolist() == [False, True, True, True]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_offer_lookup_matches_slow_loop(seed):
    rng = np.random.default_rng(seed)
    own = np.round(rng.random(300), 2)  # ties on purpose
    opp = np.round(rng.random(300), 2)
    tab = pol.offer_table(own, opp)
    asp = rng.uniform(-0.1, 1.1, 200)
    idx, feasible = pol.offer_lookup(tab, asp)
    for a, i, f in zip(asp, idx, feasible, strict=True):
        slow = pol.offer_slow(own, opp, a)
        assert f == (own >= a).any()
        if f:
            assert own[i] >= a
            assert opp[i] == opp[slow]
            assert own[i] == own[slow]
        else:
            assert own[i] == own.max()


def test_aspiration_endpoints_and_boulware():
    r = np.array([0.3])
    assert pol.aspiration(r, np.array([0.0]), 0.2)[0] == pytest.approx(1.0)
    assert pol.aspiration(r, np.array([1.0]), 0.2)[0] == pytest.approx(0.3)
    mid = np.array([0.5])
    # Boulware (e < 1) concedes later than a conceder (e > 1)  (Faratin, Sierra & Jennings 1998)
    assert pol.aspiration(r, mid, 0.2)[0] > pol.aspiration(r, mid, 1.0)[0] > pol.aspiration(r, mid, 3.0)[0]


def test_logistic_cdf():
    assert pol.logistic_cdf(np.array([0.0]), 0.02)[0] == pytest.approx(0.5)
    x = np.linspace(-0.1, 0.1, 11)
    np.testing.assert_allclose(pol.logistic_cdf(x, 0.02), 1 / (1 + np.exp(-x / 0.02)))
    assert pol.logistic_cdf(np.array([-1e-9, 0.0]), 0.0).tolist() == [0.0, 1.0]


def test_rubinstein_backward_induction_converges():
    x = pol.rubinstein_shares(0.9, 0.8, 200)
    assert x[0] == pytest.approx(ref.rubinstein_share(0.9, 0.8), abs=1e-9)
    x = pol.rubinstein_shares(1.0, 1.0, 200, breakdown=0.1)
    assert x[0] == pytest.approx(ref.breakdown_share(0.1), abs=1e-9)


def test_fearon_offer_screening():
    grid = np.linspace(0, 1, 21)
    res = pol.fearon_reservation(0.6, np.array([0.05, 0.25]), 0.9, 0.0)
    offer, ev = pol.fearon_offer(0.6, 0.10, res, grid)
    assert offer == pytest.approx(0.85) and ev == pytest.approx(0.675)


def test_bayes_update_matches_slow_formula():
    rng = np.random.default_rng(9)
    n = 200
    prior = rng.uniform(0.01, 0.99, n)
    p_max, p_lim = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    acc = rng.random(n) < 0.5
    post = pol.posterior(prior, pol.log_likelihood_ratio(acc, p_max, p_lim))
    for i in range(n):
        lm = p_max[i] if acc[i] else 1 - p_max[i]
        ll = p_lim[i] if acc[i] else 1 - p_lim[i]
        lm, ll = max(lm, 1e-9), max(ll, 1e-9)
        slow = prior[i] * lm / (prior[i] * lm + (1 - prior[i]) * ll)
        assert post[i] == pytest.approx(slow, rel=1e-9, abs=1e-12)
    # a refusal a limited type would surely accept (and a maximal never) raises P(maximal)
    up = pol.posterior(
        np.array([0.5]), pol.log_likelihood_ratio(np.array([False]), np.array([0.0]), np.array([0.9]))
    )
    assert up[0] == pytest.approx(0.5 * 1 / (0.5 * 1 + 0.5 * 0.1))


def test_terr_value_kinked_concave_against_slow_loop():
    rng = np.random.default_rng(0)
    x, ref = rng.random(200), rng.random(200)
    for side in ("R", "U"):
        for lam, rho in ((1.0, 1.0), (2.25, 1.0), (2.25, 0.5)):
            fast = pol.terr_value(x, ref, lam, side, rho)
            for i in range(len(x)):
                y, y0 = (x[i], ref[i]) if side == "R" else (1 - x[i], 1 - ref[i])
                u, u0 = y**rho, y0**rho
                slow = u0 + (u - u0) * (1.0 if u >= u0 else lam)
                assert fast[i] == pytest.approx(slow)
    # lam = rho = 1: the linear value of simulator.md §3
    np.testing.assert_allclose(pol.terr_value(x, ref, 1.0, "R"), x)
    np.testing.assert_allclose(pol.terr_value(x, ref, 1.0, "U"), 1 - x)


def test_expected_terr_value_matches_monte_carlo_and_is_below_the_value_of_the_mean():
    rng = np.random.default_rng(1)
    mean, ref, sd = np.array([0.2, 0.25, 0.5]), np.array([0.2, 0.2, 0.5]), 0.06
    for side in ("R", "U"):
        q = pol.expected_terr_value(mean, sd, ref, 2.25, side, 0.5)
        draws = np.clip(mean[:, None] + sd * rng.standard_normal((3, 200_000)), 0, 1)
        mc = pol.terr_value(draws, ref[:, None], 2.25, side, 0.5).mean(axis=1)
        np.testing.assert_allclose(q, mc, atol=2e-3)
        assert (q < pol.terr_value(mean, ref, 2.25, side, 0.5)).all()  # risk/loss aversion (Fearon 1995)
