"""Readable oracles of the expected-utility model (models.md §4) that both engines must equal.

Two references, both used by ``test_eum.py`` and ``test_eum_fast.py``:

1. ``slow_run``: models.md §4 term by term for one issue with plain Python loops (votes as an
   explicit triple sum, offers one by one). Deliberately naive; the engines equal it to 1e-12.
2. ``run_rows``: the same round as whole-array NumPy on the row layout ``(B, A)`` / ``(B, A, A)``
   with ``[b, i, j]`` = challenger/receiver ``i``, target/proposer ``j``, one function per step of
   the Appendix procedure. It performs the same floating-point operations in the same order as the
   batch-last NumPy engine (``detente.kernels.eum``) and the numba engine
   (``detente.kernels.eum_numba``), so both must equal it **bit for bit**. It used to live in the
   kernel module beside the batch-last version; it moved here so that the package holds one
   implementation of each step.

Absent actors (``present`` False) carry weight 0, make and receive no offers and are left out of
the ranges, the probability normaliser, the medians and the means.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from detente.kernels.eum_spec import (
    BIG,
    COMPROMISE,
    NONE,
    EUMSettings,
    weighted_mean_rows,
    weighted_median_rows,
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
# 2. the row layout (whole arrays, (B, A))


@dataclass
class Geometry:
    """Position-only quantities of one round, shared by both probability computations.

    ``dl[b, k, a] = |x_k − x_a| / Δ``; ``dl_sorted`` each voter's distances sorted ascending
    (absent options zeroed at the end); ``order`` the voters sorted by position; ``cut[b, i, j]``
    the number of sorted voters strictly left of the midpoint of ``x_i`` and ``x_j`` (models.md §4
    "Cost"); ``valid`` = both present at different positions (the pairs that can make offers).
    """

    dl: Array
    dl_sorted: Array
    order: Array
    cut: Array
    coef: Array  # (B, 1, A): 2m − n + 1 for the n present sorted values, 0 beyond
    ltf: Array  # 1.0 where x_i < x_j
    gtf: Array  # 1.0 where x_i > x_j
    valid: Array


def geometry(x: Array, present: Array, delta: Array) -> Geometry:
    B, A = x.shape
    diff = x[:, :, None] - x[:, None, :]
    dl = np.abs(diff) * (1.0 / delta)[:, None, None]
    xs = np.where(present, x, np.inf)
    order = np.argsort(xs, axis=1)
    ys = np.take_along_axis(xs, order, axis=1)
    # voters strictly left of the midpoint prefer the left option (equidistant voters add 0)
    mids = 0.5 * (x[:, :, None] + x[:, None, :])
    cut = (ys[:, None, None, :] < mids[:, :, :, None]).sum(axis=3)
    cut[:, np.arange(A), np.arange(A)] = 0  # never used: G_ii = 0
    n = present.sum(axis=1)
    m = np.arange(A)[None, :]
    dt = x.dtype
    inside = (m < n[:, None]).astype(dt)[:, None, :]
    # absent options sort last (pushed beyond every distance), then are zeroed (and get coef 0)
    dl_sorted = np.sort(dl + (~present[:, None, :]).astype(dt) * BIG, axis=2) * inside
    coef = (2 * m - n[:, None] + 1).astype(dt)[:, None, :] * inside
    valid = (dl > 0) & present[:, :, None] & present[:, None, :]
    return Geometry(dl, dl_sorted, order, cut, coef, (diff < 0).astype(dt), (diff > 0).astype(dt), valid)


def _rho_pow(d: Array, rho: Array | None) -> Array:
    """``d^ρ_k`` per voter row (``rho=None``: ``ρ = 1``), as ``exp(ρ log d)`` (0 -> 0)."""
    if rho is None:
        return d
    with np.errstate(divide="ignore"):
        return np.exp(rho[:, :, None] * np.log(d))


def success_probability(
    x: Array,
    w: Array,
    present: Array,
    delta: Array,
    rho: Array | None,
    prob: str,
    geo: Geometry | None = None,
) -> Array:
    """``P_ij`` that ``i`` prevails over ``j`` (models.md §4 "Probability"), shape (B, A, A).

    ``N_ij = Σ_k max(0, v_k(x_i, x_j))`` with ``v_k(a, b) = w_k[u_k(b) − u_k(a)]`` and
    ``u_k(a) = (|x_k − x_a| / Δ)^{ρ_k}`` (eq. 28 up to a factor 2); ``prob="pair"`` divides by
    ``Σ_k |v_k(x_i, x_j)|`` (eq. 31, so ``P_ij + P_ji = 1``), ``prob="all_pairs"`` by
    ``Σ_k Σ_a Σ_b |v_k(x_a, x_b)|`` over all present positions. ``P_ij = 0`` when ``x_i = x_j``.
    """
    B, A = x.shape
    if geo is None:
        geo = geometry(x, present, delta)
    w = np.where(present, w, 0.0)
    M = w[:, :, None] * _rho_pow(geo.dl, rho)  # M[b, k, a] = w_k u_k(x_a)
    # C[b, m, a]: sum of M over the m leftmost voters (prefix sums along the sorted voters)
    C = np.zeros((B, A + 1, A), dtype=M.dtype)
    np.cumsum(np.take_along_axis(M, geo.order[:, :, None], axis=1), axis=1, out=C[:, 1:, :])
    S = C[:, A, :]  # Σ_k w_k u_k(x_a)
    H = np.take_along_axis(C, geo.cut, axis=1)  # H[b, i, j] = C[b, cut_ij, j]
    G = H - H.transpose(0, 2, 1)  # Σ_{k left of mid} w_k (u_k(x_j) − u_k(x_i))
    # right of i (x_i > x_j): the voters right of the midpoint, S_j − S_i − G; equal positions give 0
    N = G * geo.ltf + ((S[:, None, :] - S[:, :, None]) - G) * geo.gtf
    if prob == "pair":
        D = N + N.transpose(0, 2, 1)
        P = np.zeros_like(N)
        np.divide(N, D, out=P, where=D > 0)
        return np.maximum(P, 0.0, out=P)
    # Σ_{a,b} |u_k(a) − u_k(b)| = 2 Σ_m (2m − n + 1) u_k,(m) over the n sorted present values;
    # u_k is increasing in the distance, so the distance order is the utility order
    us = _rho_pow(geo.dl_sorted, rho)
    D = 2.0 * np.einsum("bk,bkm,bzm->b", w, us, geo.coef)
    inv = np.zeros_like(D)
    np.divide(1.0, D, out=inv, where=D > 0)
    P = N * inv[:, None, None]
    return np.maximum(P, 0.0, out=P)


def expected_utilities(
    x: Array,
    s: Array,
    P: Array,
    delta: Array,
    r: Array,
    q: float,
    mu: Array | None,
    dl: Array | None = None,
) -> tuple[Array, Array]:
    """Receiver-view expected utilities ``(a, bt)`` of shape (B, A, A), both with exponent ``r_i``.

    ``a[i, j] = E^i(U_ij)`` (i challenges j, as i sees it) and ``bt[i, j] = E^i(U_ji)`` (j
    challenges i, as i sees it), eq. (25):
    ``E^h(U_ij) = s_j[P_ij U_s + (1 − P_ij) U_f] + (1 − s_j) U_s − Q U_sq − (1 − Q)[T U_b + (1 − T) U_w]``
    with ``U_s = 2 − 4(0.5 − 0.5δ)^r``, ``U_f = 2 − 4(0.5 + 0.5δ)^r``, ``U_sq = 2 − 4·0.5^r``
    (eqs. 15, 16, 24) and, for ``Q < 1``, ``U_b``/``U_w`` at ``z = 0.25(|x_i − μ| + |x_i − x_j|)/Δ``,
    ``T = 1`` iff ``|x_i − μ| < |x_i − x_j|`` (eqs. 22, 23). ``δ`` is symmetric, so ``U_s`` and
    ``U_f`` are shared by both directions.
    """
    if dl is None:
        dl = np.abs(x[:, :, None] - x[:, None, :]) * (1.0 / delta)[:, None, None]
    dl = np.minimum(dl, 1.0)
    rr = r[:, :, None]
    with np.errstate(divide="ignore"):
        As = np.exp(rr * np.log(0.5 - 0.5 * dl))
    Af = np.exp(rr * np.log(0.5 + 0.5 * dl))
    Us = 2.0 - 4.0 * As
    Uf = 2.0 - 4.0 * Af
    Usq = (2.0 - 4.0 * np.power(0.5, r))[:, :, None]
    diff = Us - Uf
    a = Us - s[:, None, :] * (1.0 - P) * diff - q * Usq
    bt = Us - s[:, :, None] * (1.0 - P.transpose(0, 2, 1)) * diff - q * Usq
    if q != 1.0 and mu is not None:
        dist = np.abs(x[:, :, None] - x[:, None, :])  # exact: T compares it with |x_i − μ|
        a = a - (1.0 - q) * _better_worse(x, dist, delta, mu, rr)
        bt = bt - (1.0 - q) * _better_worse(x, dist, delta, mu, r[:, None, :]).transpose(0, 2, 1)
    return a, bt


def _better_worse(x: Array, dist: Array, delta: Array, mu: Array, rr: Array) -> Array:
    """``T U_b + (1 − T) U_w`` for challenger ``i`` (row) and target ``j`` (eqs. 22, 23).

    ``rr`` broadcasts the viewer's exponent: the row's for ``a``; for ``bt`` the caller passes the
    column's and transposes, so the viewer is the target (the receiver).
    """
    dmu = np.abs(x - mu[:, None])[:, :, None]
    z = 0.25 * (dmu + dist) / delta[:, None, None]
    T = dmu < dist
    base = np.where(T, 0.5 - z, 0.5 + z)
    with np.errstate(divide="ignore"):
        return 2.0 - 4.0 * np.exp(rr * np.log(np.maximum(base, 0.0)))


def expected_utility_view(
    x: Array,
    s: Array,
    P: Array,
    delta: Array,
    r_view: Array,
    q: float,
    mu: Array | None,
) -> Array:
    """``E^h(U_ij)`` for every viewer ``h``: shape (B, H, A, A) with ``[b, h, i, j]`` (eq. 25).

    O(A³) per issue: used once for the perspective (quadrant) chart, not inside the rounds.
    """
    B, A = x.shape
    dist = np.abs(x[:, :, None] - x[:, None, :])[:, None]
    dl = np.minimum(dist / delta[:, None, None, None], 1.0)
    rh = r_view[:, :, None, None]
    with np.errstate(divide="ignore"):
        Us = 2.0 - 4.0 * np.exp(rh * np.log(0.5 - 0.5 * dl))
    Uf = 2.0 - 4.0 * np.exp(rh * np.log(0.5 + 0.5 * dl))
    Usq = 2.0 - 4.0 * np.power(0.5, rh)
    sj = s[:, None, None, :]
    Pp = P[:, None]
    E = sj * (Pp * Us + (1.0 - Pp) * Uf) + (1.0 - sj) * Us - q * Usq
    if q != 1.0 and mu is not None:
        dmu = np.abs(x - mu[:, None])[:, None, :, None]
        z = 0.25 * (dmu + dist) / delta[:, None, None, None]
        base = np.where(dmu < dist, 0.5 - z, 0.5 + z)
        with np.errstate(divide="ignore"):
            E = E - (1.0 - q) * (2.0 - 4.0 * np.exp(rh * np.log(np.maximum(base, 0.0))))
    return np.asarray(E, dtype=np.float64)


def risk_exponents(
    x: Array,
    w: Array,
    s: Array,
    present: Array,
    delta: Array,
    q: float,
    prob: str,
    mu: Array | None,
    geo: Geometry | None = None,
) -> tuple[Array, Array]:
    """Risk exponents ``r_i`` and the all-linear probabilities used to get them.

    With every ``r = 1`` (votes linear too): danger ``g_i = Σ_{j≠i} E^i(U_ji)``,
    ``R_i = (2g_i − max g − min g)/(max g − min g)`` (0 if max = min), ``r_i = (1 − R_i/3)/(1 + R_i/3)``.
    At ``r = 1`` the utilities are linear: ``U_s = 2δ``, ``U_f = −2δ``, ``U_sq = 0``, ``U_b = 4z``, ``U_w = −4z``.
    """
    if geo is None:
        geo = geometry(x, present, delta)
    P1 = success_probability(x, w, present, delta, None, prob, geo)
    dl = geo.dl
    # E1[c, t]: challenger c, target t, at r = 1 (eq. 25)
    E1 = 2.0 * dl * (1.0 - 2.0 * s[:, None, :] * (1.0 - P1))
    if q != 1.0 and mu is not None:
        dist = np.abs(x[:, :, None] - x[:, None, :])  # exact: T compares it with |x_i − μ|
        dmu = np.abs(x - mu[:, None])[:, :, None]
        z = 0.25 * (dmu + dist) / delta[:, None, None]
        E1 = E1 - (1.0 - q) * np.where(dmu < dist, 4.0 * z, -4.0 * z)
    # Σ_{j≠i, present} E(U_ji): column sums over present challengers minus the diagonal
    g = np.einsum("bc,bct->bt", present.astype(E1.dtype), E1) - np.einsum("bii->bi", E1)
    gmax = np.where(present, g, -np.inf).max(axis=1, keepdims=True)
    gmin = np.where(present, g, np.inf).min(axis=1, keepdims=True)
    span = gmax - gmin
    ok = np.isfinite(span) & (span > 0)
    R = np.where(ok, (2.0 * g - gmax - gmin) / np.where(ok, span, 1.0), 0.0)
    r = (1.0 - R / 3.0) / (1.0 + R / 3.0)
    return np.where(present, r, 1.0).astype(x.dtype, copy=False), P1


def select_offers(
    x: Array,
    present: Array,
    a: Array,
    b: Array,
    choice: str,
    capitulation: bool,
    valid: Array | None = None,
) -> tuple[Array, Array, Array]:
    """Classify every offer (Fig. 6) and pick one per receiver (§6.2); returns new positions,
    the chosen class (int8, 0 = none) and the proposer index (-1 = none).

    Offer from ``j`` to receiver ``i`` with ``a = E^i(U_ij)``, ``b`` the proposer's expected utility:
    confrontation lost by i ``b > a > 0`` -> ``x_j``; compromise ``b > 0 > a``, ``b > |a|`` ->
    ``x_i + (x_j − x_i)|a|/b`` (eq. 36); capitulation ``b > 0 > a``, ``|a| ≥ b`` -> ``x_j``.
    First non-empty class in the order confrontation, compromise, capitulation; within
    confrontation/capitulation the smallest move; within compromise ``least_move`` or
    ``weighted_position_min`` (minimise ``(|a| x_i + |b| x_j)/(|a| + |b|)``); ties: lowest proposer.
    """
    B, A = x.shape
    xi = x[:, :, None]
    xj = x[:, None, :]
    if valid is None:
        valid = present[:, :, None] & present[:, None, :] & (xi != xj)
    dist = np.abs(xj - xi)
    apos = a > 0
    conf = valid & apos & (b > a)
    both = valid & (a < 0) & (b > 0)
    gain = b + a > 0  # with a < 0 < b: b > |a|
    comp = both & gain
    cap = both & ~gain
    # class code 0 confrontation, 1 compromise, 2 capitulation, 3 none (mutually exclusive)
    code = 3 - 3 * conf.view(np.int8) - 2 * comp.view(np.int8)
    if capitulation:
        code = code - cap.view(np.int8)
    best = code.min(axis=2)
    compf = comp.astype(a.dtype)
    den = (b - a) * compf + (1.0 - compf)  # 1 outside compromises: no division by zero
    if choice == "least_move":
        ckey = dist * (-a) * compf / (b * compf + (1.0 - compf))
    else:
        ckey = (-a * xi + b * xj) * compf / den  # (|a| x_i + |b| x_j)/(|a| + |b|) for a < 0 < b
    key = ckey + dist * (1.0 - compf) + (code != best[:, :, None]).astype(a.dtype) * BIG
    j = np.argmin(key, axis=2)
    kind = ((best + 1) % 4).astype(
        np.int8
    )  # 0 -> CONFRONTATION, 1 -> COMPROMISE, 2 -> CAPITULATION, 3 -> NONE
    xpart = np.take_along_axis(x, j, axis=1)
    aa = np.take_along_axis(a, j[:, :, None], axis=2)[:, :, 0]
    bb = np.take_along_axis(b, j[:, :, None], axis=2)[:, :, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        comp_pos = x + (xpart - x) * np.abs(aa) / np.where(kind == COMPROMISE, bb, 1.0)
    new = np.where(kind == COMPROMISE, comp_pos, np.where(kind != NONE, xpart, x))
    partner = np.where(kind != NONE, j, -1)
    return new, kind.astype(np.int8), partner.astype(np.int64)


def offer_values(
    x: Array, w: Array, s: Array, present: Array, delta: Array, st: EUMSettings
) -> tuple[Array, Array, Array, Array, Geometry]:
    """Round steps (1)–(2) up to the offers: returns ``(r, P, a, b, geometry)`` on the current positions."""
    mu = weighted_median_rows(x, w, present) if st.q != 1.0 else None
    geo = geometry(x, present, delta)
    if st.risk == "scholz":
        r, P1 = risk_exponents(x, w, s, present, delta, st.q, st.prob, mu, geo)
    else:
        r, P1 = np.ones_like(x), None
    if st.votes_risk == "linear":
        P = P1 if P1 is not None else success_probability(x, w, present, delta, None, st.prob, geo)
    else:
        P = success_probability(x, w, present, delta, r, st.prob, geo)
    a, bt = expected_utilities(x, s, P, delta, r, st.q, mu, geo.dl)
    # perspective "receiver": b = E^i(U_ji); "own": b = E^j(U_ji) = a^T (eq. 25 from j's side)
    b = bt if st.perspective == "receiver" else a.transpose(0, 2, 1)
    return r, P, a, b, geo


def scale_range(x0: Array, present: Array, st: EUMSettings) -> Array:
    """``Δ`` (models.md §4 "Range"): range of the initial present positions, or 1; 1 where it is 0."""
    if st.range != "positions":
        return np.ones(x0.shape[0])
    hi = np.where(present, x0, -np.inf).max(axis=1)
    lo = np.where(present, x0, np.inf).min(axis=1)
    return np.where(np.isfinite(hi - lo) & (hi - lo > 0), hi - lo, 1.0)


@dataclass
class RowsRun:
    """What ``run_eum`` returns, computed round after round on the row layout (float64)."""

    positions: Array  # (T+1, B, A)
    risk: Array  # (T, B, A)
    kind: Array  # (T, B, A) int8, 0 = none
    partner: Array  # (T, B, A), -1 = none
    a: Array  # (T, B, A) the chosen offer's a and b, NaN without a move
    b: Array
    press_j: Array  # (T, B, A) the proposer with the largest b (first one), -1 = no rival elsewhere
    press_a: Array
    press_b: Array
    median: Array  # (T+1, B) weighted median and mean of the positions of each round
    mean: Array


def run_rows(x0: Array, w: Array, s: Array, present: Array, st: EUMSettings, rounds: int) -> RowsRun:
    """``rounds`` rounds with the functions above, one after the other.

    A row where nobody moved is fixed from then on: its later rounds record no offer, no pressure
    and risk 1 (``run_eum`` stops computing such rows; it does not change their numbers).
    """
    B, A = x0.shape
    w = np.where(present, w, 0.0)
    delta = scale_range(x0, present, st)
    x = np.array(x0, dtype=np.float64)
    active = np.ones(B, dtype=bool)
    pos, rec = [x.copy()], []
    for _ in range(rounds):
        r, _, a, b, geo = offer_values(x, w, s, present, delta, st)
        new, kind, partner = select_offers(x, present, a, b, st.compromise_choice, st.capitulation, geo.valid)
        moved = kind != NONE
        jj = np.maximum(partner, 0)[:, :, None]
        a_sel = np.where(moved, np.take_along_axis(a, jj, axis=2)[:, :, 0], np.nan)
        b_sel = np.where(moved, np.take_along_axis(b, jj, axis=2)[:, :, 0], np.nan)
        jm = np.argmax(np.where(geo.valid, b, -np.inf), axis=2)
        anyv = geo.valid.any(axis=2)
        p_a = np.where(anyv, np.take_along_axis(a, jm[:, :, None], axis=2)[:, :, 0], np.nan)
        p_b = np.where(anyv, np.take_along_axis(b, jm[:, :, None], axis=2)[:, :, 0], np.nan)
        p_j = np.where(anyv, jm, -1)
        off = ~active[:, None]
        rec.append(
            (
                np.where(off, 1.0, r),
                np.where(off, 0, kind).astype(np.int8),
                np.where(off, -1, partner),
                np.where(off, np.nan, a_sel),
                np.where(off, np.nan, b_sel),
                np.where(off, -1, p_j),
                np.where(off, np.nan, p_a),
                np.where(off, np.nan, p_b),
            )
        )
        x = np.where(active[:, None], new, x)
        active &= moved.any(axis=1)
        pos.append(x.copy())
    cols = [np.array([t[k] for t in rec]) if rec else np.zeros((0, B, A)) for k in range(8)]
    path = np.array(pos)
    med = weighted_median_rows(path, w[None], present[None])
    mean = weighted_mean_rows(path, w[None], present[None])
    return RowsRun(path, *cols, median=med, mean=mean)


def perspective_rows(x: Array, w: Array, s: Array, present: Array, st: EUMSettings) -> tuple[Array, Array]:
    """``(E, r)`` of the perspective chart: ``E[b, h, i, j] = E^h(U_ij)`` at the initial positions."""
    w = np.where(present, w, 0.0)
    delta = scale_range(x, present, st)
    mu = weighted_median_rows(x, w, present) if st.q != 1.0 else None
    r, P, _, _, _ = offer_values(x, w, s, present, delta, st)
    return expected_utility_view(x, s, P, delta, r, st.q, mu), r
