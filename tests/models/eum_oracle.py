"""Readable oracles of the expected-utility model that both engines must equal.

Written from the paper (Scholz, Calbert & Smith 2011, "Unravelling Bueno de Mesquita's group
decision model", eqs. 15-36, Fig. 6, §6.2 and the Appendix procedure) as docs/spec/models.md §4
states it, **independently of the package's kernels**: nothing here imports ``detente.kernels``
except the data model (``EUMSettings``, the switches, and the offer-class codes ``NONE`` ...
``CAPITULATION`` that the engines record). No prefix sums, no midpoint counting, no batch tricks:
each formula is evaluated as written. Used by ``test_eum.py`` and ``test_eum_fast.py``:

1. ``slow_run``: one issue with plain Python loops (votes as an explicit triple sum, offers one by
   one). Deliberately naive.
2. ``run_rows``: every row of a batch ``(B, A)`` one after the other, each round as the paper's
   steps on that row's ``(A, A)`` matrices (``[i, j]`` = challenger/receiver ``i``, target/proposer
   ``j``), recording what ``run_eum`` records (risk, offers, the pressure data, medians and means).
   ``perspective_rows`` gives the perspective chart's ``E^h(U_ij)`` at the initial positions.

The engines use other floating-point operations (``exp(r log d)`` for powers, sums in another
order), so they equal these oracles to about 1e-12, not bit for bit; their classes, partners and
proposers are equal exactly.

Absent actors (``present`` False) carry weight 0, make and receive no offers and are left out of
the ranges, the probability normaliser, the medians and the means.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from detente.kernels.eum_spec import (  # the data model only: the switches and the offer-class codes
    CAPITULATION,
    COMPROMISE,
    CONFRONTATION,
    NONE,
    EUMSettings,
)

Array = Any  # the oracle is read, not type-checked: plain ndarrays throughout

# --------------------------------------------------------------------------------------------
# 1. the slow loop (one issue; lists of floats)


# slow reference (one issue; lists of floats)


def _u(xk: float, xa: float, delta: float, rho: float) -> float:
    return (abs(xk - xa) / delta) ** rho


def slow_prob(x, w, present, delta, rho, prob):  # type: ignore[no-untyped-def]
    n = len(x)
    idx = [k for k in range(n) if present[k]]

    def v(k: int, a: int, b: int) -> float:  # vote of k for x_a over x_b
        return w[k] * (_u(x[k], x[b], delta, rho[k]) - _u(x[k], x[a], delta, rho[k]))

    total = sum(abs(v(k, a, b)) for k in idx for a in idx for b in idx)
    P = [[0.0] * n for _ in range(n)]
    for i in idx:
        for j in idx:
            if x[i] == x[j]:
                continue
            num = sum(max(0.0, v(k, i, j)) for k in idx)
            den = sum(abs(v(k, i, j)) for k in idx) if prob == "pair" else total
            P[i][j] = num / den if den > 0 else 0.0
    return P


def slow_median(x, w, present):  # type: ignore[no-untyped-def]
    pts = sorted((x[k], w[k]) for k in range(len(x)) if present[k])
    tot = sum(p[1] for p in pts)
    if tot <= 0:
        pts = [(p[0], 1.0) for p in pts]
        tot = float(len(pts))
    cum = 0.0
    for xv, wv in pts:
        cum += wv
        if cum >= tot / 2 - 1e-12 * tot:
            return xv
    return pts[-1][0]


def slow_eu(h_r, i, j, x, s, P, delta, q, mu):  # type: ignore[no-untyped-def]
    """E^h(U_ij) with the viewer's exponent h_r (models.md §4, eq. 25)."""
    d = min(abs(x[i] - x[j]) / delta, 1.0)
    Us = 2 - 4 * (0.5 - 0.5 * d) ** h_r
    Uf = 2 - 4 * (0.5 + 0.5 * d) ** h_r
    Usq = 2 - 4 * 0.5**h_r
    e = s[j] * (P[i][j] * Us + (1 - P[i][j]) * Uf) + (1 - s[j]) * Us - q * Usq
    if q != 1.0:
        z = 0.25 * (abs(x[i] - mu) + abs(x[i] - x[j])) / delta
        Ub = 2 - 4 * max(0.5 - z, 0.0) ** h_r
        Uw = 2 - 4 * (0.5 + z) ** h_r
        T = 1.0 if abs(x[i] - mu) < abs(x[i] - x[j]) else 0.0
        e -= (1 - q) * (T * Ub + (1 - T) * Uw)
    return e


def slow_round(x, w, s, present, delta, st):  # type: ignore[no-untyped-def]
    n = len(x)
    idx = [k for k in range(n) if present[k]]
    mu = slow_median(x, w, present)
    ones = [1.0] * n
    r = [1.0] * n
    if st.risk == "scholz":
        P1 = slow_prob(x, w, present, delta, ones, st.prob)
        g = {i: sum(slow_eu(1.0, j, i, x, s, P1, delta, st.q, mu) for j in idx if j != i) for i in idx}
        gmax, gmin = max(g.values()), min(g.values())
        for i in idx:
            R = (2 * g[i] - gmax - gmin) / (gmax - gmin) if gmax > gmin else 0.0
            r[i] = (1 - R / 3) / (1 + R / 3)
    P = slow_prob(x, w, present, delta, r if st.votes_risk == "voter" else ones, st.prob)
    new = list(x)
    moves = {}
    for i in idx:
        offers = {"confrontation": [], "compromise": [], "capitulation": []}
        for j in idx:
            if x[j] == x[i]:
                continue
            a = slow_eu(r[i], i, j, x, s, P, delta, st.q, mu)
            v = i if st.perspective == "receiver" else j
            b = slow_eu(r[v], j, i, x, s, P, delta, st.q, mu)
            if b > a > 0:
                offers["confrontation"].append((abs(x[j] - x[i]), j, x[j], a, b))
            elif b > 0 > a and b > abs(a):
                pos = x[i] + (x[j] - x[i]) * abs(a) / b
                if st.compromise_choice == "least_move":
                    key = abs(pos - x[i])
                else:
                    key = (abs(a) * x[i] + abs(b) * x[j]) / (abs(a) + abs(b))
                offers["compromise"].append((key, j, pos, a, b))
            elif b > 0 > a and abs(a) >= b and st.capitulation:
                offers["capitulation"].append((abs(x[j] - x[i]), j, x[j], a, b))
        for kind in ("confrontation", "compromise", "capitulation"):
            if offers[kind]:
                key, j, pos, a, b = min(offers[kind], key=lambda o: (o[0], o[1]))
                new[i] = pos
                moves[i] = (kind, j, a, b)
                break
    return new, moves, r, P


def slow_run(x, w, s, present, st, rounds):  # type: ignore[no-untyped-def]
    xs = [x[k] for k in range(len(x)) if present[k]]
    delta = (max(xs) - min(xs)) if st.range == "positions" else 1.0
    delta = delta if delta > 0 else 1.0
    path = [list(x)]
    log = []
    for t in range(rounds):
        x, moves, _, _ = slow_round(x, w, s, present, delta, st)
        path.append(list(x))
        log += [(t + 1, i, *m) for i, m in sorted(moves.items())]
    return path, log


# --------------------------------------------------------------------------------------------
# 2. row by row (one row of the batch at a time; (A,) vectors and (A, A) matrices)


def weighted_median(x: Array, w: Array, present: Array) -> float:
    """models.md §2 (Black 1948), ``tie="lower"``: the smallest present position whose cumulative
    weight (positions sorted) reaches half the total, within 1e-12 of the total; equal weights when
    all are 0; NaN without a present actor."""
    xs, ws = x[present], w[present]
    if xs.size == 0:
        return float("nan")
    if ws.sum() <= 0:
        ws = np.ones_like(xs)
    order = np.argsort(xs, kind="stable")
    total = ws.sum()
    cum = 0.0
    for k in order:
        cum += ws[k]
        if cum >= total / 2 - 1e-12 * total:
            return float(xs[k])
    return float(xs[order[-1]])


def weighted_mean(x: Array, w: Array, present: Array) -> float:
    """models.md §1: ``Σ w x / Σ w`` over present actors; equal weights when all are 0; NaN without one."""
    xs, ws = x[present], w[present]
    if xs.size == 0:
        return float("nan")
    if ws.sum() <= 0:
        ws = np.ones_like(xs)
    return float((ws * xs).sum() / ws.sum())


def row_range(x0: Array, present: Array, st: EUMSettings) -> float:
    """``Δ`` ("Range"): max − min of the initial present positions, or 1 for ``range="scale"`` or a 0 range."""
    if st.range != "positions" or not present.any():
        return 1.0
    d = float(x0[present].max() - x0[present].min())
    return d if d > 0 else 1.0


def row_probability(x: Array, w: Array, present: Array, delta: float, rho: Array, prob: str) -> Array:
    """``P[i, j]`` that ``i`` prevails over ``j`` ("Votes", "Probability"; eqs. 28, 31).

    Voter ``k``'s vote for ``x_i`` over ``x_j``: ``v_k(i, j) = w_k [u_k(x_j) − u_k(x_i)]`` with
    ``u_k(a) = (|x_k − x_a|/Δ)^{ρ_k}``; ``P_ij = Σ_k max(0, v_k(i, j)) / D``, ``D = Σ_k |v_k(i, j)|``
    (``pair``) or ``Σ_k Σ_a Σ_b |v_k(a, b)|`` over the present positions (``all_pairs``); ``P_ij = 0``
    where ``x_i = x_j`` or ``D = 0``. Only present actors vote; every position is an option (an
    absent actor's row and column are computed too, and never used for an offer). One voter at a
    time: O(A²) memory.
    """
    A = x.size
    both = present[:, None] & present[None, :]
    num = np.zeros((A, A))
    pair_den = np.zeros((A, A))
    all_den = 0.0
    for k in np.flatnonzero(present):
        u = (np.abs(x[k] - x) / delta) ** rho[k]  # u_k(x_a) for every option a
        v = w[k] * (u[None, :] - u[:, None])  # v[i, j] = v_k(x_i, x_j)
        num += np.maximum(v, 0.0)
        pair_den += np.abs(v)
        all_den += np.abs(v[both]).sum()
    den = pair_den if prob == "pair" else np.full((A, A), all_den)
    P = np.zeros((A, A))
    ok = (x[:, None] != x[None, :]) & (den > 0)
    P[ok] = num[ok] / den[ok]
    return P


def row_expected_utility(
    x: Array, s: Array, P: Array, delta: float, r_view: Array, q: float, mu: float
) -> Array:
    """``E[i, j] = E^h(U_ij)``, challenger ``i``, target ``j``, seen by a viewer with exponent
    ``r_view[i, j]`` (eq. 25 with eqs. 15, 16, 22-24; "Expected utility")::

        s_j [P_ij U_s + (1 − P_ij) U_f] + (1 − s_j) U_s − Q U_sq − (1 − Q)[T U_b + (1 − T) U_w]
    """
    dist = np.abs(x[:, None] - x[None, :])
    d = np.minimum(dist / delta, 1.0)
    Us = 2 - 4 * (0.5 - 0.5 * d) ** r_view
    Uf = 2 - 4 * (0.5 + 0.5 * d) ** r_view
    Usq = 2 - 4 * 0.5**r_view
    sj = s[None, :]
    E = sj * (P * Us + (1 - P) * Uf) + (1 - sj) * Us - q * Usq
    if q != 1.0:
        dmu = np.abs(x - mu)[:, None]  # |x_i − μ|
        z = 0.25 * (dmu + dist) / delta
        Ub = 2 - 4 * np.maximum(0.5 - z, 0.0) ** r_view
        Uw = 2 - 4 * (0.5 + z) ** r_view
        T = (dmu < dist).astype(float)
        E = E - (1 - q) * (T * Ub + (1 - T) * Uw)
    return E


def row_risk(x: Array, w: Array, s: Array, present: Array, delta: float, st: EUMSettings, mu: float):  # type: ignore[no-untyped-def]
    """("Risk", eqs. 33-34) ``(r, P1)``: at ``r = 1`` (votes linear too), the danger
    ``g_i = Σ_{j≠i} E^i(U_ji)`` over present ``j``; ``R_i = (2g_i − max g − min g)/(max g − min g)``
    (0 if max = min); ``r_i = (1 − R_i/3)/(1 + R_i/3)``; absent actors keep ``r = 1``."""
    A = x.size
    ones = np.ones(A)
    P1 = row_probability(x, w, present, delta, ones, st.prob)
    if st.risk != "scholz":
        return ones, P1
    E1 = row_expected_utility(x, s, P1, delta, np.ones((A, A)), st.q, mu)  # E1[j, i] = E(U_ji)
    idx = np.flatnonzero(present)
    g = {i: sum(E1[j, i] for j in idx if j != i) for i in idx}
    gmax, gmin = max(g.values()), min(g.values())
    r = ones.copy()
    for i in idx:
        R = (2 * g[i] - gmax - gmin) / (gmax - gmin) if gmax > gmin else 0.0
        r[i] = (1 - R / 3) / (1 + R / 3)
    return r, P1


def row_offer_values(x: Array, w: Array, s: Array, present: Array, delta: float, st: EUMSettings):  # type: ignore[no-untyped-def]
    """Steps (1)-(2) up to the offers: ``(r, P, a, b)``; ``a[i, j] = E^i(U_ij)`` (receiver ``i``'s
    view of challenging proposer ``j``) and ``b[i, j]`` the proposer's expected utility ``E^v(U_ji)``:
    ``v = i`` (``perspective="receiver"``) or ``v = j`` (``"own"``) ("Offers")."""
    A = x.size
    mu = weighted_median(x, w, present) if st.q != 1.0 else float("nan")
    r, P1 = row_risk(x, w, s, present, delta, st, mu)
    P = P1 if st.votes_risk == "linear" else row_probability(x, w, present, delta, r, st.prob)
    r_row = np.repeat(r[:, None], A, axis=1)  # the challenger's exponent: [i, j] -> r_i
    a = row_expected_utility(x, s, P, delta, r_row, st.q, mu)
    if st.perspective == "receiver":
        b = row_expected_utility(x, s, P, delta, r_row.T, st.q, mu).T  # E^i(U_ji): [j, i] seen by i
    else:
        b = a.T  # E^j(U_ji)
    return r, P, a, b


def row_select(x: Array, present: Array, a: Array, b: Array, st: EUMSettings):  # type: ignore[no-untyped-def]
    """Classify every offer (Fig. 6) and pick one per receiver (§6.2): ``(new, kind, partner)``.

    Offer from ``j`` to ``i`` (both present, ``x_j ≠ x_i``): confrontation ``b > a > 0`` -> ``x_j``;
    compromise ``b > 0 > a``, ``b > |a|`` -> ``x_i + (x_j − x_i)|a|/b`` (eq. 36); capitulation
    ``b > 0 > a``, ``|a| ≥ b`` -> ``x_j`` (if enabled). The first non-empty class in that order; the
    smallest move within confrontation/capitulation; within compromise the smallest move
    (``least_move``) or the smallest ``(|a| x_i + |b| x_j)/(|a| + |b|)``; ties: the lowest proposer.
    """
    A = x.size
    new, kind, partner = x.copy(), np.full(A, NONE, dtype=np.int8), np.full(A, -1, dtype=np.int64)
    for i in np.flatnonzero(present):
        offers: dict[int, list[tuple[float, int, float]]] = {
            CONFRONTATION: [],
            COMPROMISE: [],
            CAPITULATION: [],
        }
        for j in np.flatnonzero(present):
            if x[j] == x[i]:
                continue
            ai, bj = a[i, j], b[i, j]
            if bj > ai > 0:
                offers[CONFRONTATION].append((abs(x[j] - x[i]), j, x[j]))
            elif bj > 0 > ai and bj > abs(ai):
                pos = x[i] + (x[j] - x[i]) * abs(ai) / bj
                if st.compromise_choice == "least_move":
                    key = abs(pos - x[i])
                else:
                    key = (abs(ai) * x[i] + abs(bj) * x[j]) / (abs(ai) + abs(bj))
                offers[COMPROMISE].append((key, j, pos))
            elif bj > 0 > ai and st.capitulation:
                offers[CAPITULATION].append((abs(x[j] - x[i]), j, x[j]))
        for k in (CONFRONTATION, COMPROMISE, CAPITULATION):
            if offers[k]:
                _key, j, pos = min(offers[k], key=lambda o: (o[0], o[1]))
                new[i], kind[i], partner[i] = pos, k, j
                break
    return new, kind, partner


@dataclass
class RowsRun:
    """What ``run_eum`` returns (float64): positions (T+1, B, A); per round the risk, the chosen
    offer's class, proposer, ``a`` and ``b``; the pressure (the proposer with the largest ``b``, first
    on ties, and its ``a``, ``b``); the weighted median and mean of each round's positions (T+1, B)."""

    positions: Array
    risk: Array
    kind: Array
    partner: Array
    a: Array
    b: Array
    press_j: Array
    press_a: Array
    press_b: Array
    median: Array
    mean: Array


def _row_rounds(x0: Array, w: Array, s: Array, present: Array, st: EUMSettings, rounds: int) -> list[Array]:
    """One row: the eleven records of :class:`RowsRun` (without the batch axis).

    A row where nobody moved is fixed from then on: its later rounds record no offer, no pressure
    and risk 1 (as ``run_eum`` records them)."""
    A = x0.size
    w = np.where(present, w, 0.0)
    delta = row_range(x0, present, st)
    x = np.array(x0, dtype=np.float64)
    path = [x.copy()]
    rec: dict[str, list[Array]] = {k: [] for k in ("risk", "kind", "partner", "a", "b", "pj", "pa", "pb")}
    active = True
    for _ in range(rounds):
        if not active:
            for k, fill in (("risk", 1.0), ("kind", NONE), ("partner", -1), ("a", np.nan), ("b", np.nan)):
                rec[k].append(np.full(A, fill))
            for k, fill in (("pj", -1), ("pa", np.nan), ("pb", np.nan)):
                rec[k].append(np.full(A, fill))
            path.append(x.copy())
            continue
        r, _P, a, b = row_offer_values(x, w, s, present, delta, st)
        new, kind, partner = row_select(x, present, a, b, st)
        moved = kind != NONE
        rec["risk"].append(r)
        rec["kind"].append(kind)
        rec["partner"].append(partner)
        jj = np.maximum(partner, 0)
        rec["a"].append(np.where(moved, a[np.arange(A), jj], np.nan))
        rec["b"].append(np.where(moved, b[np.arange(A), jj], np.nan))
        pj, pa, pb = np.full(A, -1), np.full(A, np.nan), np.full(A, np.nan)
        for i in np.flatnonzero(present):
            rivals = [j for j in np.flatnonzero(present) if x[j] != x[i]]
            if rivals:
                j = max(rivals, key=lambda j: (b[i, j], -j))  # the largest b, the first on ties
                pj[i], pa[i], pb[i] = j, a[i, j], b[i, j]
        rec["pj"].append(pj)
        rec["pa"].append(pa)
        rec["pb"].append(pb)
        x = new
        active = bool(moved.any())
        path.append(x.copy())
    med = np.array([weighted_median(p, w, present) for p in path])
    mean = np.array([weighted_mean(p, w, present) for p in path])
    cols = [
        np.array(rec[k]).reshape(rounds, A) for k in ("risk", "kind", "partner", "a", "b", "pj", "pa", "pb")
    ]
    return [np.array(path), *cols, med, mean]


def run_rows(x0: Array, w: Array, s: Array, present: Array, st: EUMSettings, rounds: int) -> RowsRun:
    """``rounds`` rounds of every row of ``(B, A)`` inputs, one row after the other."""
    rows = [_row_rounds(x0[k], w[k], s[k], present[k], st, rounds) for k in range(x0.shape[0])]
    out = [np.stack([r[f] for r in rows], axis=1) for f in range(11)]
    ints = {2: np.int8, 3: np.int64, 6: np.int64}  # kind, partner, press_j
    out = [o.astype(ints.get(f, np.float64)) for f, o in enumerate(out)]
    return RowsRun(*out)


def success_probability(
    x: Array, w: Array, present: Array, delta: Array, rho: Array | None, prob: str
) -> Array:
    """``P`` of every row of ``(B, A)`` inputs, (B, A, A) (``rho=None``: linear votes)."""
    B, A = x.shape
    return np.stack(
        [
            row_probability(
                x[k], np.where(present[k], w[k], 0.0), present[k], float(delta[k]),
                np.ones(A) if rho is None else rho[k], prob,
            )
            for k in range(B)
        ]
    )  # fmt: skip


def perspective_rows(x: Array, w: Array, s: Array, present: Array, st: EUMSettings) -> tuple[Array, Array]:
    """``(E, r)`` of the perspective chart at the initial positions: ``E[b, h, i, j] = E^h(U_ij)``
    seen by every actor ``h`` with its risk exponent ``r_h``, with the round's probabilities."""
    B, A = x.shape
    Es, rs = [], []
    for k in range(B):
        wk = np.where(present[k], w[k], 0.0)
        delta = row_range(x[k], present[k], st)
        mu = weighted_median(x[k], wk, present[k]) if st.q != 1.0 else float("nan")
        r, P, _a, _b = row_offer_values(x[k], wk, s[k], present[k], delta, st)
        Es.append(
            np.stack(
                [
                    row_expected_utility(x[k], s[k], P, delta, np.full((A, A), r[h]), st.q, mu)
                    for h in range(A)
                ]
            )
        )
        rs.append(r)
    return np.array(Es), np.array(rs)
