"""Expected-utility (challenge) model kernel: the rounds on whole batches (models.md §4).

Bueno de Mesquita's group decision model in the form of Scholz, Calbert & Smith (2011),
"Unravelling Bueno de Mesquita's group decision model", Proc. ICAART 2011, eqs. (14)–(36) and the
Appendix procedure. Every formula below cites the equation or the models.md §4 paragraph.

``run_eum`` takes flat arrays ``(B, A)`` where ``B`` flattens every batch axis *and* the issue axis
(issues are independent in this model) and runs the rounds on the batch-last layout ``(A, B)`` /
``(A, A, B)`` with ``[i, j, b]`` = challenger/receiver ``i``, target/proposer ``j`` (long inner loops
over the batch), or, with ``engine="numba"``, with the compiled loops of
:mod:`detente.kernels.eum_numba`. Both engines take their switches, offer classes, weighted
statistics and the better/worse term from :mod:`detente.kernels.eum_spec`, and both must equal,
bit for bit, the readable row-layout oracle ``tests/models/eum_oracle.py`` (which in turn equals a
slow loop written term by term from models.md §4 to 1e-12). Absent actors (``present`` False)
carry weight 0, make and receive no offers and are left out of the ranges, the probability
normaliser, the medians and the means.

Cost per round and issue is O(A² log A) (models.md §4 "Cost"): the voters who prefer ``x_i`` to
``x_j`` are a contiguous run of the sorted positions cut at the midpoint of ``x_i`` and ``x_j``,
so prefix sums of ``w_k u_k(x_a)`` along the sorted voters give every pair's vote sum once the
midpoint's rank is known; the all-pairs normaliser comes from each voter's sorted utilities.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from detente._typing import BoolArray, FloatArray, IntArray
from detente.kernels.eum_spec import (
    BIG,
    COMPROMISE,
    NONE,
    EUMSettings,
    _f,
    better_worse,
    weighted_mean_rows,
    weighted_median_rows,
)


@dataclass
class EUMRun:
    """Raw kernel output on the flat ``(B, A)`` layout."""

    positions: FloatArray  # (T+1, B, A)
    median: FloatArray  # (T+1, B)
    mean: FloatArray  # (T+1, B)
    risk: FloatArray  # (T, B, A) risk exponents used in each round
    # per round, per receiver (only when record=True): offer class, proposer, a, b
    kind: np.ndarray | None = None  # (T, B, A) int8
    partner: IntArray | None = None  # (T, B, A)
    a: FloatArray | None = None  # (T, B, A)
    b: FloatArray | None = None  # (T, B, A)
    # strongest pressure on each receiver (proposer with the largest b), recorded for every receiver
    press_j: IntArray | None = None  # (T, B, A), -1 = no rival at another position
    press_a: FloatArray | None = None
    press_b: FloatArray | None = None
    # round 1's probabilities P_ij, (B, A, A) (record=True, float64, NumPy engine): the perspective
    # chart's, which would otherwise be computed a second time (see :func:`perspective`)
    p1: FloatArray | None = None
    extra: dict[str, FloatArray] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# peak memory of one call (docs/performance.md "Memory")

# live (A, A) float64 arrays per row at the peak of a round of the NumPy engine: 28–34 measured with
# tracemalloc over the presets, Q < 1, 20–200 actors, with and without the offer log; rounded up
PAIR_ARRAYS = 36


def peak_bytes(rows: int, n_actors: int, rounds: int, record: bool = False) -> int:
    """Upper bound on the peak memory (bytes) of :func:`run_eum` (or :func:`perspective`) on ``rows``
    rows of ``n_actors`` actors: ``rows · 8 · (PAIR_ARRAYS · A² + (T + 1) · A · (2 + 7·record))``, the
    pair temporaries of one round plus the per-round positions, risk and (``record``) offer arrays.
    Nothing grows with A³: the perspective chart keeps two (A, A) slices per row.

    >>> peak_bytes(1, 20, 10) // 1000, peak_bytes(1, 200, 10) // 10**6
    (118, 11)
    """
    A = n_actors
    return rows * 8 * (PAIR_ARRAYS * A * A + (rounds + 1) * A * (2 + (7 if record else 0)))


def rows_per_call(n_actors: int, rounds: int, budget: int, record: bool = False) -> int:
    """The most rows one call may take so that :func:`peak_bytes` stays within ``budget`` (at least 1).

    >>> rows_per_call(20, 10, 64 * 2**20), rows_per_call(200, 10, 64 * 2**20)
    (565, 5)
    """
    return max(1, budget // peak_bytes(1, n_actors, rounds, record))


# ---------------------------------------------------------------------------------------------
# probability of success (models.md §4 "Votes", "Probability"; Scholz et al. eqs. 28, 31)


def count_less(sorted_rows: FloatArray, queries: FloatArray) -> IntArray:
    """Batched ``searchsorted(side="left")``: ``#{k : sorted_rows[b, k] < queries[b, ...]}``.

    ``sorted_rows`` (B, A) ascending (``inf`` allowed at the end), ``queries`` (B, ...) finite.
    One ``np.searchsorted`` per row, exact. (Shifting the rows into disjoint bands of the real line
    for a single call rounds, so a voter on a midpoint could count as left of it, and measured
    1.2-1.9x slower: this is only used above 64 actors, where the memory budget keeps B small.)
    """
    B = sorted_rows.shape[0]
    q = queries.reshape(B, -1)
    out = np.empty(q.shape, dtype=np.int64)
    for b in range(B):
        out[b] = np.searchsorted(sorted_rows[b], q[b], side="left")
    return out.reshape(queries.shape)


# ---------------------------------------------------------------------------------------------
# the rounds on the batch-last layout
#
# Arrays are ``(A, B)`` and pair arrays ``(A, A, B)`` with ``[i, j, b]``: every broadcast over actors
# runs NumPy inner loops over the long batch axis instead of loops of length A, which is several
# times faster for Monte Carlo batches. The floating-point operations and their order are those of
# the row-layout oracle in the tests (so the numbers are bit-identical). Sums whose order matters
# are written as sequential row additions (never pairwise ``sum``), so each column's numbers do
# not depend on how many columns are computed together.


@dataclass
class _GeoT:
    """Position-only quantities of one round (models.md §4 "Cost").

    ``dl[i, j, b] = |x_i − x_j| / Δ``; ``dl_sorted`` each voter's distances sorted ascending (absent
    options pushed past every distance, then zeroed); ``ih`` flat gather indices into the voters'
    prefix sums at the midpoint cut of each pair (the cut is symmetric, so the transposed gather is
    the other end of the pair); ``valid`` = both present at different positions (the pairs that can
    make offers).
    """

    dist: FloatArray  # (A, A, B) |x_i − x_j|
    dl: FloatArray  # (A, A, B) |x_i − x_j| / Δ
    dl_sorted: FloatArray | None  # (k, m, B) voter k's distances sorted (all_pairs only)
    coef: FloatArray | None  # (1, m, B): 2m − n + 1 inside the n present values, 0 beyond
    pen: FloatArray | None  # (1, a, B): BIG on absent options (pushed past every value when sorting)
    gather_sorted: IntArray  # (m, a, B) flat index of M[order_m, a, b]
    ih: IntArray  # (i, j, B) flat index of C[cut_ij, j, b]
    ltf: FloatArray
    gtf: FloatArray
    valid: BoolArray


def _seqsum0(v: FloatArray) -> FloatArray:
    """Sum over axis 0 in index order, ``((v_0 + v_1) + v_2) + ...`` (never pairwise).

    NumPy reduces a leading axis by adding whole rows when the last axis has two or more entries
    (tested); a single column would be summed pairwise, so it is padded with a zero column.
    """
    if v.shape[-1] >= 2:
        return _f(np.add.reduce(v, axis=0))
    pad = np.concatenate([v, np.zeros_like(v)], axis=-1)
    return _f(np.add.reduce(pad, axis=0)[..., :1])


_BASES_T: dict[tuple[int, int], tuple[IntArray, IntArray, IntArray]] = {}


def _bases_t(A: int, B: int) -> tuple[IntArray, IntArray, IntArray]:
    """``a B + b`` as (1, A, B), ``j B + b`` as (A, A, B) and, as (A·A,), the row of each pair
    ``(i, j)`` in the list ``triu_indices(A, 1)`` of pairs ``i < j`` (of ``(j, i)`` when ``i > j``;
    the diagonal points one past the list) (cached)."""
    key = (A, B)
    if key not in _BASES_T:
        if len(_BASES_T) > 64:
            _BASES_T.clear()
        ab = (np.arange(A, dtype=np.int64)[:, None] * B + np.arange(B, dtype=np.int64)[None, :])[None]
        full = np.ascontiguousarray(np.broadcast_to(ab, (A, A, B)))
        iu0, iu1 = np.triu_indices(A, 1)
        square = np.full((A, A), iu0.size, dtype=np.int64)
        square[iu0, iu1] = square[iu1, iu0] = np.arange(iu0.size)
        pair = square.ravel()
        for v in (ab, full, pair):
            v.setflags(write=False)
        _BASES_T[key] = (ab, full, pair)
    return _BASES_T[key]


def _geometry_t(x: FloatArray, present: BoolArray, delta: FloatArray, all_pairs: bool) -> _GeoT:
    A, B = x.shape
    diff = x[:, None, :] - x[None, :, :]
    dist = np.abs(diff)
    dl = dist * (1.0 / delta)[None, None, :]
    xs = np.where(present, x, np.inf)
    # argsort of each batch row (contiguous), as the oracle and the numba engine: ties keep the
    # same voter order, hence the same prefix sums
    order = np.argsort(np.ascontiguousarray(xs.T), axis=1).T  # (m, B)
    ys = np.take_along_axis(xs, order, axis=0)
    iu0, iu1 = np.triu_indices(A, 1)
    mids = 0.5 * (x[iu0] + x[iu1])  # (P, B)
    if A <= 64:
        # exact counts #{k : y_k < mid}: byte sums of comparisons over the voter axis
        half = np.add.reduce((ys[:, None, :] < mids[None, :, :]).view(np.uint8), axis=0, dtype=np.uint8)
    else:
        half = count_less(np.ascontiguousarray(ys.T), np.ascontiguousarray(mids.T)).T
    ab, jb, pair = _bases_t(A, B)
    # each pair's cut on both sides of the diagonal, 0 on it: one gather of rows (two scatters into
    # (A, A, B) cost 7× more at 200 actors)
    hs = np.empty((half.shape[0] + 1, B), dtype=np.int64)
    np.multiply(half, A * B, out=hs[:-1], dtype=np.int64)
    hs[-1] = 0
    ih = np.take(hs, pair, axis=0).reshape(A, A, B)
    ih += jb
    gather_sorted = order[:, None, :] * (A * B) + ab
    dt = x.dtype
    dl_sorted = coef = pen = None
    if all_pairs:
        n = present.sum(axis=0)
        m = np.arange(A)[:, None]
        inside = (m < n[None, :]).astype(dt)[None]
        if present.all():
            dl_sorted = np.sort(dl, axis=1)
        else:
            pen = (~present[None, :, :]).astype(dt) * BIG
            dl_sorted = np.sort(dl + pen, axis=1) * inside
        coef = (2 * m - n[None, :] + 1).astype(dt)[None] * inside
    pp = present[:, None, :] & present[None, :, :]
    valid = (dl > 0) & pp
    ltf = (diff < 0).astype(dt)
    gtf = (diff > 0).astype(dt)
    return _GeoT(dist, dl, dl_sorted, coef, pen, gather_sorted, ih, ltf, gtf, valid)


def _probability_t(geo: _GeoT, w: FloatArray, rho: FloatArray | None, prob: str) -> FloatArray:
    """``P_ij`` that ``i`` prevails over ``j`` (models.md §4 "Votes", "Probability"), (A, A, B).

    ``u_k(a) = (|x_k − x_a| / Δ)^{ρ_k}`` (eq. 28; ``rho=None`` is ``ρ_k = 1``);
    ``N_ij = Σ_k max(0, v_k(x_i, x_j))`` with ``v_k(a, b) = w_k[u_k(b) − u_k(a)]`` (eq. 28 up to a
    factor 2); ``prob="pair"`` divides by ``Σ_k |v_k(x_i, x_j)|`` (eq. 31, so ``P_ij + P_ji = 1``),
    ``prob="all_pairs"`` by ``Σ_k Σ_a Σ_b |v_k(x_a, x_b)|`` over all present positions.
    ``P_ij = 0`` when ``x_i = x_j``.
    """
    A, B = w.shape
    if rho is None:
        u = geo.dl
    else:
        with np.errstate(divide="ignore"):
            u = np.exp(rho[:, None, :] * np.log(geo.dl))
    M = w[:, None, :] * u  # w_k u_k(x_a), (k, a, B)
    # prefix sums along the sorted voters, row by row (= cumsum, whose strided form is slow here)
    Ms = np.take(M, geo.gather_sorted)
    C = np.empty((A + 1, A, B), dtype=M.dtype)
    C[0] = 0.0
    C[1] = Ms[0]
    for m in range(1, A):
        np.add(C[m], Ms[m], out=C[m + 1])
    S = C[A]
    H = np.take(C, geo.ih)
    G = H - H.transpose(1, 0, 2)
    N = G * geo.ltf + ((S[None, :, :] - S[:, None, :]) - G) * geo.gtf
    if prob == "pair":
        D = N + N.transpose(1, 0, 2)
        P = np.zeros_like(N)
        np.divide(N, D, out=P, where=D > 0)
        return _f(np.maximum(P, 0.0, out=P))
    assert geo.dl_sorted is not None and geo.coef is not None
    if rho is None:
        us = geo.dl_sorted
    else:
        # each voter's utilities sorted: u_k grows with the distance (exp and log are monotone), so
        # sorting u gives exp(ρ log(sorted distances)) without a second exp/log pass; beyond the n
        # present options the values are BIG-ish and meet a zero coefficient, as the zeros did
        us = np.sort(u if geo.pen is None else u + geo.pen, axis=1)
    # Σ_{a,b} |u_k(a) − u_k(b)| = 2 Σ_m (2m − n + 1) u_k,(m) over the n sorted present values (u_k
    # grows with the distance), summed over (k, m) in flat order from 0
    T = (w[:, None, :] * us) * geo.coef
    D = 2.0 * _seqsum0(T.reshape(A * A, B))
    inv = np.zeros_like(D)
    np.divide(1.0, D, out=inv, where=D > 0)
    P = N * inv[None, None, :]
    return _f(np.maximum(P, 0.0, out=P))


def _offer_values_t(
    x: FloatArray,
    w: FloatArray,
    s: FloatArray,
    present: BoolArray,
    delta: FloatArray,
    st: EUMSettings,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, _GeoT]:
    """Round steps (1)–(2) up to the offers: ``(r, P, a, b, geometry)`` at the current positions.

    Risk exponents (models.md §4 "Risk", eqs. 33–34; ``risk="scholz"``): with every ``r = 1``
    (votes linear too) the danger ``g_i = Σ_{j≠i} E^i(U_ji)``,
    ``R_i = (2g_i − max g − min g)/(max g − min g)`` (0 if max = min), ``r_i = (1 − R_i/3)/(1 + R_i/3)``;
    at ``r = 1`` the utilities are linear: ``U_s = 2δ``, ``U_f = −2δ``, ``U_sq = 0``, ``U_b = 4z``,
    ``U_w = −4z``. Expected utilities (eq. 25), both with the receiver's exponent ``r_i``:
    ``a[i, j] = E^i(U_ij)`` and ``bt[i, j] = E^i(U_ji)``, with
    ``E^h(U_ij) = s_j[P_ij U_s + (1 − P_ij) U_f] + (1 − s_j) U_s − Q U_sq − (1 − Q)[T U_b + (1 − T) U_w]``,
    ``U_s = 2 − 4(0.5 − 0.5δ)^r``, ``U_f = 2 − 4(0.5 + 0.5δ)^r``, ``U_sq = 2 − 4·0.5^r`` (eqs. 15, 16,
    24). ``b`` is ``bt`` (perspective "receiver") or ``E^j(U_ji) = a^T`` ("own").
    """
    A, B = x.shape
    mu = None
    if st.q != 1.0:
        # float64 (weighted_median_rows returns float64)
        mu = weighted_median_rows(
            np.ascontiguousarray(x.T), np.ascontiguousarray(w.T), np.ascontiguousarray(present.T)
        )
    geo = _geometry_t(x, present, delta, st.prob == "all_pairs")
    if st.risk == "scholz":
        P1 = _probability_t(geo, w, None, st.prob)
        E1 = 2.0 * geo.dl * (1.0 - 2.0 * s[None, :, :] * (1.0 - P1))
        if mu is not None:
            dist = geo.dist
            dmu = np.abs(x - mu[None, :])[:, None, :]
            z = 0.25 * (dmu + dist) / delta[None, None, :]
            E1 = E1 - (1.0 - st.q) * np.where(dmu < dist, 4.0 * z, -4.0 * z)
        # Σ_{j≠i, present} E(U_ji): summed over challengers in index order, minus the diagonal
        g = _seqsum0(present.astype(E1.dtype)[:, None, :] * E1)
        g = g - E1[np.arange(A), np.arange(A)]
        gmax = np.where(present, g, -np.inf).max(axis=0, keepdims=True)
        gmin = np.where(present, g, np.inf).min(axis=0, keepdims=True)
        span = gmax - gmin
        ok = np.isfinite(span) & (span > 0)
        # no present actor: gmax = -inf, gmin = inf; finite stand-ins keep "inf - inf" warnings away
        gmax, gmin = np.where(ok, gmax, 0.0), np.where(ok, gmin, 0.0)
        R = np.where(ok, (2.0 * g - gmax - gmin) / np.where(ok, span, 1.0), 0.0)
        r = (1.0 - R / 3.0) / (1.0 + R / 3.0)
        r = _f(np.where(present, r, 1.0).astype(x.dtype, copy=False))
    else:
        r, P1 = np.ones_like(x), None
    if st.votes_risk == "linear":
        P = P1 if P1 is not None else _probability_t(geo, w, None, st.prob)
    else:
        P = _probability_t(geo, w, r, st.prob)
    # expected utilities (eq. 25); δ is symmetric, so U_s and U_f serve both directions
    dl = np.minimum(geo.dl, 1.0)
    rr = r[:, None, :]
    with np.errstate(divide="ignore"):
        As = np.exp(rr * np.log(0.5 - 0.5 * dl))
    Af = np.exp(rr * np.log(0.5 + 0.5 * dl))
    Us = 2.0 - 4.0 * As
    Uf = 2.0 - 4.0 * Af
    Usq = (2.0 - 4.0 * np.power(0.5, r))[:, None, :]
    diff = Us - Uf
    q = st.q
    a = Us - s[None, :, :] * (1.0 - P) * diff - q * Usq
    bt = Us - s[:, None, :] * (1.0 - P.transpose(1, 0, 2)) * diff - q * Usq
    if mu is not None:
        a = a - (1.0 - q) * better_worse(x, geo.dist, delta, mu, rr)
        bt = bt - (1.0 - q) * better_worse(x, geo.dist, delta, mu, r[None, :, :]).transpose(1, 0, 2)
    b = bt if st.perspective == "receiver" else a.transpose(1, 0, 2)
    return r, P, a, b, geo


def _select_t(
    x: FloatArray,
    dist: FloatArray,
    a: FloatArray,
    b: FloatArray,
    valid: BoolArray,
    choice: str,
    capitulation: bool,
) -> tuple[FloatArray, np.ndarray, IntArray]:
    """Classify every offer (Fig. 6) and pick one per receiver (§6.2): ``(new, kind, proposer)``.

    Offer from ``j`` to receiver ``i`` with ``a = E^i(U_ij)``, ``b`` the proposer's expected utility:
    confrontation lost by i ``b > a > 0`` -> ``x_j``; compromise ``b > 0 > a``, ``b > |a|`` ->
    ``x_i + (x_j − x_i)|a|/b`` (eq. 36); capitulation ``b > 0 > a``, ``|a| ≥ b`` -> ``x_j``.
    First non-empty class in the order confrontation, compromise, capitulation; within
    confrontation/capitulation the smallest move; within compromise ``least_move`` or
    ``weighted_position_min`` (minimise ``(|a| x_i + |b| x_j)/(|a| + |b|)``); ties: lowest proposer.
    Returns (A, B) arrays: new positions, the class (int8, 0 = none), the proposer (-1 = none).
    """
    xi = x[:, None, :]
    xj = x[None, :, :]
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
    best = code.min(axis=1)
    compf = comp.astype(a.dtype)
    den = (b - a) * compf + (1.0 - compf)  # 1 outside compromises: no division by zero
    if choice == "least_move":
        ckey = dist * (-a) * compf / (b * compf + (1.0 - compf))
    else:
        ckey = (-a * xi + b * xj) * compf / den  # (|a| x_i + |b| x_j)/(|a| + |b|) for a < 0 < b
    key = ckey + dist * (1.0 - compf) + (code != best[:, None, :]).astype(a.dtype) * BIG
    j = np.argmin(key, axis=1)
    kind = ((best + 1) % 4).astype(np.int8)  # 0 -> CONFRONTATION, ..., 3 -> NONE
    xpart = np.take_along_axis(x, j, axis=0)
    aa = np.take_along_axis(a, j[:, None, :], axis=1)[:, 0, :]
    bb = np.take_along_axis(b, j[:, None, :], axis=1)[:, 0, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        comp_pos = x + (xpart - x) * np.abs(aa) / np.where(kind == COMPROMISE, bb, 1.0)
    new = np.where(kind == COMPROMISE, comp_pos, np.where(kind != NONE, xpart, x))
    partner = np.where(kind != NONE, j, -1)
    return _f(new), kind, partner.astype(np.int64)


def numba_available() -> bool:
    """Whether the optional numba engine (the ``fast`` extra) can be imported."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def run_eum(
    x0: FloatArray,
    w: FloatArray,
    s: FloatArray,
    present: BoolArray,
    st: EUMSettings,
    rounds: int,
    *,
    record: bool = False,
    precision: str = "float64",
    engine: str = "numpy",
) -> EUMRun:
    """Run ``rounds`` rounds on the flat layout (B, A); positions on the unit scale.

    ``precision="float32"`` computes the rounds in single precision (large Monte Carlo batches);
    the state kept between rounds stays float64: actors who do not move keep their exact input,
    actors who lose a confrontation or capitulate take the proposer's exact position, and only
    compromise positions carry single-precision rounding. Outputs are float64.

    ``Δ`` (models.md §4 "Range"): the range of the *initial* present positions
    (``range="positions"``) or the unit scale width 1 (``range="scale"``); 1 where it is 0.
    Rounds stop early once no element moves (the state is then fixed), the remaining rounds
    repeat the last state.

    ``engine="numba"`` runs each round with the compiled loops of :mod:`detente.kernels.eum_numba`
    (the ``fast`` extra; float64 only): the same offers as the NumPy engine, numbers equal to ~1e-12
    (its own exp/log differ from NumPy's in the last bits). Rows with the ``scholz2011`` switches and
    every actor present (at most 64) run 32 at a time on its lane kernel (:mod:`detente.kernels.eum_lanes`), the
    others on its row kernel; which one is decided per row, so a row's numbers never depend on the
    other rows of the call.
    """
    x0 = np.asarray(x0, dtype=np.float64)
    B, A = x0.shape
    dt = np.dtype(np.float32) if precision == "float32" else np.dtype(np.float64)
    w64 = np.where(present, w, 0.0).astype(np.float64)
    w = w64.astype(dt, copy=False)
    s = np.asarray(s).astype(dt, copy=False)
    delta = _f(scale_range(x0, present, st).astype(dt, copy=False))
    pos = np.empty((rounds + 1, B, A))
    pos[0] = x0
    risk = np.ones((rounds, B, A))
    kinds = np.zeros((rounds, B, A), dtype=np.int8) if record else None
    partners = np.full((rounds, B, A), -1, dtype=np.int64) if record else None
    av = np.full((rounds, B, A), np.nan) if record else None
    bv = np.full((rounds, B, A), np.nan) if record else None
    pj = np.full((rounds, B, A), -1, dtype=np.int64) if record else None
    pa = np.full((rounds, B, A), np.nan) if record else None
    pb = np.full((rounds, B, A), np.nan) if record else None
    # the rounds run on the batch-last layout (A, B): see "the rounds on the batch-last layout"
    x = x0.T.copy()  # float64 state (a copy: the input is never written)
    xc = _f(x.astype(dt))  # the same in the computing precision
    wT = np.ascontiguousarray(w.T)
    sT = np.ascontiguousarray(s.T)
    presT = np.ascontiguousarray(present.T)
    active = np.ones(B, dtype=bool)  # rows whose state may still change
    p1 = None
    use_numba = engine == "numba"
    if use_numba:
        if dt != np.float64:
            raise ValueError("engine='numba' computes in float64 only")
        from detente.kernels.eum_numba import median_rows, round_numba  # optional: the fast extra
    for t in range(rounds):
        idx_arr = np.flatnonzero(active)
        if idx_arr.size == 0:
            pos[t + 1 :] = x.T
            break
        # every row active: plain slices (views) instead of gathers
        idx: slice | IntArray = slice(None) if idx_arr.size == B else idx_arr
        if use_numba:
            xr = np.ascontiguousarray(xc[:, idx].T)
            mu = weighted_median_rows(xr, w[idx], present[idx]) if st.q != 1.0 else None
            r_, new_, kind_, partner_, a_, b_, pj_, pa2, pb2 = round_numba(
                xr, w[idx], s[idx], present[idx], delta[idx], st, mu, record
            )
            risk[t, idx] = r_
            if record:
                assert kinds is not None and partners is not None and av is not None and bv is not None
                assert pj is not None and pa is not None and pb is not None
                kinds[t, idx], partners[t, idx], av[t, idx], bv[t, idx] = kind_, partner_, a_, b_
                pj[t, idx], pa[t, idx], pb[t, idx] = pj_, pa2, pb2
            new, kind = new_.T, kind_.T
            moved = (kind != NONE).any(axis=0)
            x[:, idx] = new
            xc[:, idx] = new
            pos[t + 1] = x.T
            active[idx_arr[~moved]] = False
            continue
        xa, wa, sa, pa_, da = xc[:, idx], wT[:, idx], sT[:, idx], presT[:, idx], delta[idx]
        r, P, a, b, geo = _offer_values_t(xa, wa, sa, pa_, da, st)
        if t == 0 and record and dt == np.float64:
            p1 = P.transpose(2, 0, 1)  # every row is active in round 1
        del P
        new, kind, partner = _select_t(xa, geo.dist, a, b, geo.valid, st.compromise_choice, st.capitulation)
        risk[t, idx] = r.T
        if record:
            assert kinds is not None and partners is not None and av is not None and bv is not None
            kinds[t, idx] = kind.T
            partners[t, idx] = partner.T
            jj = np.maximum(partner, 0)[:, None, :]
            av[t, idx] = np.where(kind > 0, np.take_along_axis(a, jj, axis=1)[:, 0, :], np.nan).T
            bv[t, idx] = np.where(kind > 0, np.take_along_axis(b, jj, axis=1)[:, 0, :], np.nan).T
            assert pj is not None and pa is not None and pb is not None
            valid = geo.valid
            bm = np.where(valid, b, -np.inf)
            jm = np.argmax(bm, axis=1)
            anyv = valid.any(axis=1)
            pj[t, idx] = np.where(anyv, jm, -1).T
            pa[t, idx] = np.where(anyv, np.take_along_axis(a, jm[:, None, :], axis=1)[:, 0, :], np.nan).T
            pb[t, idx] = np.where(anyv, np.take_along_axis(b, jm[:, None, :], axis=1)[:, 0, :], np.nan).T
        moved = (kind != NONE).any(axis=0)
        if dt != np.float64:
            # keep exact positions where possible (see the docstring)
            x_old = x[:, idx]
            exact = np.take_along_axis(x_old, np.maximum(partner, 0), axis=0)
            new = np.where(kind == COMPROMISE, new, np.where(kind != NONE, exact, x_old))
        x[:, idx] = new
        xc[:, idx] = new
        pos[t + 1] = x.T
        active[idx_arr[~moved]] = False
    if use_numba:  # the same definition and bits, compiled (NumPy's sort of the trajectory costs ~15 %)
        med = np.empty(pos.shape[:2])
        median_rows(pos, w64, np.ascontiguousarray(present, dtype=np.bool_), med)
    else:
        med = weighted_median_rows(pos, w64[None], present[None])
    mean = weighted_mean_rows(pos, w64[None], present[None])
    return EUMRun(pos, med, mean, risk, kinds, partners, av, bv, pj, pa, pb, p1)


def scale_range(x0: FloatArray, present: BoolArray, st: EUMSettings) -> FloatArray:
    """``Δ`` per row (models.md §4 "Range"): the range of the initial present positions
    (``range="positions"``) or the unit scale width 1 (``range="scale"``); 1 where it is 0."""
    if st.range != "positions":
        return np.ones(x0.shape[0])
    hi = np.where(present, x0, -np.inf).max(axis=1)
    lo = np.where(present, x0, np.inf).min(axis=1)
    delta = hi - lo
    return np.asarray(np.where(np.isfinite(delta) & (delta > 0), delta, 1.0), dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# the perspective (quadrant) chart: every viewer's expected utilities at the initial positions


def expected_utility_view(
    x: FloatArray,
    s: FloatArray,
    P: FloatArray,
    delta: FloatArray,
    r_view: FloatArray,
    q: float,
    mu: FloatArray | None,
) -> tuple[FloatArray, FloatArray]:
    """The two slices of ``E^h(U_ij)`` (eq. 25) the perspective chart shows, each (B, H, A).

    ``own[b, h, j] = E^h(U_hj)`` (``h`` challenges ``j``) and ``rival[b, h, j] = E^h(U_jh)`` (``j``
    challenges ``h``), both with the viewer's exponent ``r_h``. ``x``, ``s``, ``r_view`` (B, A), ``P``
    (B, A, A). O(A²) per issue: the full ``E^h(U_ij)`` for every viewer would be (A, A, A) per issue
    (2.5 GB for 200 actors × 10 issues), and the chart only reads these two slices.
    """
    dist = np.abs(x[:, :, None] - x[:, None, :])  # [b, h, j] = |x_h - x_j| (symmetric)
    dl = np.minimum(dist / delta[:, None, None], 1.0)
    rh = r_view[:, :, None]
    with np.errstate(divide="ignore"):
        Us = 2.0 - 4.0 * np.exp(rh * np.log(0.5 - 0.5 * dl))
    Uf = 2.0 - 4.0 * np.exp(rh * np.log(0.5 + 0.5 * dl))
    Usq = 2.0 - 4.0 * np.power(0.5, rh)
    out = []
    # own: challenger h (row), target j; rival: challenger j, target h (the viewer)
    for sj, Pp, xi in (
        (s[:, None, :], P, x[:, :, None]),
        (s[:, :, None], P.transpose(0, 2, 1), x[:, None, :]),
    ):
        E = sj * (Pp * Us + (1.0 - Pp) * Uf) + (1.0 - sj) * Us - q * Usq
        if q != 1.0 and mu is not None:
            dmu = np.abs(xi - mu[:, None, None])
            z = 0.25 * (dmu + dist) / delta[:, None, None]
            base = np.where(dmu < dist, 0.5 - z, 0.5 + z)
            with np.errstate(divide="ignore"):
                E = E - (1.0 - q) * (2.0 - 4.0 * np.exp(rh * np.log(np.maximum(base, 0.0))))
        out.append(np.asarray(E, dtype=np.float64))
    return out[0], out[1]


def perspective(
    x: FloatArray,
    w: FloatArray,
    s: FloatArray,
    present: BoolArray,
    st: EUMSettings,
    first: tuple[FloatArray, FloatArray] | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Data of the perspective (quadrant) chart at the initial positions (row layout (B, A) in).

    Returns ``(own, rival, r)``: ``own[b, h, j] = E^h(U_hj)`` and ``rival[b, h, j] = E^h(U_jh)``
    (viewer ``h`` with its risk exponent ``r_h``; :func:`expected_utility_view`), and the risk
    exponents ``r`` (B, A). From ``h``'s view the point for rival ``j`` is ``(own, rival)[h, j]``.
    The probabilities and risk exponents are those of round 1 of :func:`run_eum` (the same
    batch-last step); ``first`` = ``(r, P)`` of that round, (B, A) and (B, A, A), when the caller
    has them (``EUMRun.risk[0]`` and ``EUMRun.p1``): the same numbers without computing them again.
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.where(present, w, 0.0)
    delta = scale_range(x, present, st)
    if first is None:
        xT, wT, sT = (_f(np.ascontiguousarray(v.T)) for v in (x, w, s))
        pT: BoolArray = np.ascontiguousarray(present.T)
        r_t, P_t, _, _, _ = _offer_values_t(xT, wT, sT, pT, delta, st)
        r = np.ascontiguousarray(r_t.T)
        P = np.ascontiguousarray(P_t.transpose(2, 0, 1))
    else:
        r, P = (np.ascontiguousarray(v) for v in first)
    mu = weighted_median_rows(x, w, present) if st.q != 1.0 else None
    own, rival = expected_utility_view(x, s, P, delta, r, st.q, mu)
    return own, rival, r
