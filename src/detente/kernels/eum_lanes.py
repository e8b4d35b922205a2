"""The numba engine's round with the SIMD lanes across issue-runs (models.md §4; issue #15).

:func:`detente.kernels.eum_numba.round_numba` sends here every row (issue-run) that this kernel
supports and keeps the others on its row kernel; the choice is made per row from that row alone
(:func:`lanes_row`), never from the other rows of the call. It computes the same round as the row
kernel — Scholz, Calbert & Smith (2011) eqs. 15–16, 24–25 (expected utilities), 28 and the
all-pairs normaliser of models.md §4 "Probability" (votes), 33–34 (risk exponents), Fig. 6 (offer
classes) and §6.2 (selection) — with the same floating-point expressions (no fast-math, no FMA
contraction) and the same ``vexp``/``vlog`` of :mod:`detente.kernels.vecmath`, for

- the ``scholz2011`` switches: ``prob="all_pairs"``, ``votes_risk="voter"``,
  ``perspective="receiver"``, ``compromise_choice="weighted_position_min"``, ``capitulation=True``,
  ``risk="scholz"``, ``q=1`` (no median term); any ``range`` (``Δ`` is an input);
- rows with every actor present and finite positions, capabilities and saliences;
- 2 to ``MAX_ACTORS`` = 64 actors (beyond, the ``A³/6`` counts below cost more than they save).

**Layout.** ``LANES`` = 32 rows are computed together. Every work array is ``(A, A, LANES)`` or
``(A, LANES)`` with the lane (row) index last and contiguous, so each per-pair statement is one
32-wide vector operation (four AVX-512 or eight AVX2 registers). The lane count is read from an array
at run time: with a compile-time 8 or 16, LLVM unrolls the lane loops before vectorising them and the
bodies with ``vexp``/``vlog`` stay scalar; at run time it picks 8 × 4 = 32 doubles per vector
iteration, which is why the blocks have 32 lanes. The last block of a call is padded with copies of
a real row (their results are dropped), so each row runs through the same code whatever shares its
block: **a row's numbers do not depend on the other rows of the call** (tested bit for bit).

**Relabelling.** At the start of a block each lane's actors are put in position order (a stable rank
by ``A²`` vector compares, ties in actor order as the row kernel's insertion sort, then a scatter
per lane); after that the labels mean "the ``m``-th voter in position order" in every lane:

- the prefix sums ``C[m, a] = Σ_{k<m} w_k u_k(x_a)`` over the sorted voters (eq. 28 read at the
  midpoint rank) are plain vector adds;
- the midpoint count ``cut[i, j] = #{k : x_k < (x_i + x_j)/2}`` (``i < j``) is ``i + 1`` (or
  ``#{k : x_k < x_i}`` when the midpoint rounds down onto ``x_i``) plus a count over the actors
  between ``i`` and ``j`` only (about ``A³/6`` compares, loop bounds equal in every lane);
- each voter's options sorted by distance are a merge of a right and a left run, so the ranks
  ``2m − n + 1`` of the all-pairs normaliser come from a cross count of the two runs (about
  ``A³/6`` compares, once per round; ties to the left run first, as the row kernel's merge);
- the only data-dependent access left is ``C[cut[i, j], j]``, a gather per lane.

The selection takes, per receiver and lane, the lexicographic minimum of (class code, key, original
actor index): ``np.argmin``'s first minimum of the row kernel. The strongest pressure (``record``)
is the largest ``b`` with ties to the lowest original index, as the row kernel's first maximum.
Outputs go back to the original actor order.

**Not bit-identical to the row kernel.** A few sums run in another order (the risk exponents' sum
over challengers and the all-pairs normaliser in position order, not in actor order): one round
agrees to about 1e-13 with the same classes and partners (tested to 1e-12 on 10, 20 and 50 actors,
with ties and integer positions). Over ten rounds a draw on a knife edge — two actors about 1e-15
apart whose offer utilities are rounding noise of ±1e-14 — can take another partner: 7 and 8 of
10,000 random 20-actor issue-runs (two samples) ended more than 1e-9 apart, the same effect and rate as between the
NumPy and numba engines (:mod:`detente.kernels.eum_numba`).

The ``O(A³/6)`` counts are why the gain shrinks with the actors: one round measured 2.65× faster than
the row kernel at 10 actors, 2.1× at 20, 1.3× at 50 (docs/performance.md "The lane kernel").
"""

from __future__ import annotations

from typing import Any

import numba as nb
import numpy as np

from detente.kernels.vecmath import LOG_HALF, vexp, vlog

LANES = 32  # rows per block (module docstring: LLVM vectorises the lane loops 32 doubles at a time)
# the most actors the lane kernel takes: its A³/6 counts overtake the row kernel's A² log A at about 80
# actors (one round, CPU per pair: 1.36× faster at 50, 1.25× at 64, 0.98× at 80, 0.45× at 200), and
# its ~8 work arrays of (A, A, 32) stay at 8 MB at 64 actors (docs/performance.md "Memory")
MAX_ACTORS = 64


def lanes_settings(st: Any, has_mu: bool) -> bool:
    """Whether the switches ``st`` are those this kernel computes (module docstring)."""
    return (
        st.prob == "all_pairs"
        and st.votes_risk == "voter"
        and st.perspective == "receiver"
        and st.compromise_choice == "weighted_position_min"
        and bool(st.capitulation)
        and st.risk == "scholz"
        and float(st.q) == 1.0
        and not has_mu
    )


def lanes_row(x: Any, w: Any, s: Any, present: Any) -> Any:
    """Per row of the (B, A) inputs: every actor present and every number finite, so the row can
    take the lane kernel (a property of the row alone)."""
    return (
        present.all(axis=1)
        & np.isfinite(x).all(axis=1)
        & np.isfinite(w).all(axis=1)
        & np.isfinite(s).all(axis=1)
    )


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _load_block(NL, x, w, s, delta, rows, b0, X0, W0, S0, rk, xs, ws, ss, orig, invd, lo):  # type: ignore[no-untyped-def]
    """Rows ``rows[b0 : b0 + NL]`` into the lanes (the last block padded with copies of its last
    row), relabelled in position order (stable: ties in actor order)."""
    A = x.shape[1]
    n = rows.shape[0]
    for a in range(A):
        for l in range(NL):
            b = rows[min(b0 + l, n - 1)]
            X0[a, l] = x[b, a]
            W0[a, l] = w[b, a]
            S0[a, l] = s[b, a]
    for l in range(NL):
        invd[l] = 1.0 / delta[rows[min(b0 + l, n - 1)]]
    # stable rank: #{b : x_b < x_a} + #{b < a : x_b == x_a}
    for a in range(A):
        for l in range(NL):
            rk[a, l] = 0
        for b in range(a):
            for l in range(NL):
                rk[a, l] += np.int64(X0[b, l] <= X0[a, l])
        for b in range(a + 1, A):
            for l in range(NL):
                rk[a, l] += np.int64(X0[b, l] < X0[a, l])
    for a in range(A):  # a scatter per lane into position order
        for l in range(NL):
            p = rk[a, l]
            xs[p, l] = X0[a, l]
            ws[p, l] = W0[a, l]
            ss[p, l] = S0[a, l]
            orig[p, l] = a
    # lo[i] = #{k : x_k < x_i} (sorted: only k < i can be smaller)
    for i in range(A):
        for l in range(NL):
            lo[i, l] = 0
        for k in range(i):
            for l in range(NL):
                lo[i, l] += np.int64(xs[k, l] < xs[i, l])


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _geometry_block(NL, xs, invd, lo, dl, cut, mid):  # type: ignore[no-untyped-def]
    """Distances ``dl = |x_i − x_j| / Δ`` and midpoint counts ``cut`` (models.md §4 "Cost")."""
    A = xs.shape[0]
    for i in range(A):
        for j in range(A):
            for l in range(NL):
                dl[i, j, l] = abs(xs[i, l] - xs[j, l]) * invd[l]
    # cut[i, j] (i < j) = #{k : x_k < mid_ij}: every k ≤ i (x_k ≤ x_i < mid; lo[i] if mid rounded down
    # onto x_i), no k ≥ j (x_k ≥ x_j ≥ mid), and a count over i < k < j
    for i in range(A):
        ci = cut[i]
        for j in range(i + 1, A):
            for l in range(NL):
                m = 0.5 * (xs[i, l] + xs[j, l])
                mid[j, l] = m
                ci[j, l] = np.int64(i + 1) if xs[i, l] < m else lo[i, l]
        for k in range(i + 1, A):
            for j in range(k + 1, A):
                for l in range(NL):
                    ci[j, l] += np.int64(xs[k, l] < mid[j, l])
        for l in range(NL):
            ci[i, l] = 0


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _rank_coef_block(NL, dl, cnt, cf):  # type: ignore[no-untyped-def]
    """``cf[k, a] = 2 rank_k(a) − A + 1``: ``rank_k(a)`` the rank of option ``a`` among voter ``k``'s
    options sorted by distance, the merge of the right run (``a ≥ k``, distances non-decreasing) and
    the left run (``a < k``, non-increasing), ties to the left run first (as the row kernel)."""
    A = dl.shape[0]
    for k in range(A):
        dk = dl[k]
        ck = cnt[k]
        for a in range(A):
            for l in range(NL):
                ck[a, l] = 0
        # right a ≥ k: the left b < k with d_kb ≤ d_ka come first; left b: the right a with d_ka < d_kb
        for b in range(k):
            for a in range(k, A):
                for l in range(NL):
                    le = dk[b, l] <= dk[a, l]
                    ck[a, l] += np.int64(le)
                    ck[b, l] += np.int64(not le)
        cfk = cf[k]
        for a in range(A):
            base = (a - k) if a >= k else (k - 1 - a)
            for l in range(NL):
                cfk[a, l] = 2.0 * (base + ck[a, l]) - A + 1.0


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _prob_block(NL, u, ws, xs, cf, cut, C, tot, P):  # type: ignore[no-untyped-def]
    """``P[i, j]`` (models.md §4 "Probability", all pairs) from the voters' values ``u[k, a]`` (the
    distances for the linear pass, ``δ^r`` for the second)."""
    A = u.shape[0]
    for a in range(A):
        for l in range(NL):
            C[0, a, l] = 0.0
    for m in range(A):
        for a in range(A):
            for l in range(NL):
                C[m + 1, a, l] = C[m, a, l] + ws[m, l] * u[m, a, l]
    for l in range(NL):
        tot[l] = 0.0
    for k in range(A):
        for a in range(A):
            for l in range(NL):
                tot[l] = tot[l] + (ws[k, l] * u[k, a, l]) * cf[k, a, l]
    for l in range(NL):
        D = 2.0 * tot[l]
        tot[l] = 1.0 / D if D > 0 else 0.0
    for i in range(A):
        for l in range(NL):
            P[i, i, l] = 0.0
        for j in range(i + 1, A):
            for l in range(NL):
                c = cut[i, j, l]
                G = C[c, j, l] - C[c, i, l]
                lt = xs[i, l] < xs[j, l]  # sorted: x_i ≤ x_j
                nij = G if lt else 0.0
                nji = ((C[A, i, l] - C[A, j, l]) + G) if lt else 0.0
                vij = nij * tot[l]
                vji = nji * tot[l]
                P[i, j, l] = vij if vij > 0.0 else 0.0
                P[j, i, l] = vji if vji > 0.0 else 0.0


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _risk_block(NL, ss, dl, P1, g, r):  # type: ignore[no-untyped-def]
    """The risk exponents ``r`` from the all-linear probabilities ``P1`` (eqs. 33–34)."""
    A = dl.shape[0]
    for t in range(A):
        for l in range(NL):
            g[t, l] = 0.0
    for c in range(A):
        for t in range(A):
            for l in range(NL):
                g[t, l] = g[t, l] + 2.0 * dl[c, t, l] * (1.0 - 2.0 * ss[t, l] * (1.0 - P1[c, t, l]))
    for l in range(NL):
        gmax = -np.inf
        gmin = np.inf
        for t in range(A):
            gmax = max(gmax, g[t, l])
            gmin = min(gmin, g[t, l])
        span = gmax - gmin
        ok = np.isfinite(span) and span > 0
        for t in range(A):
            R = (2.0 * g[t, l] - gmax - gmin) / span if ok else 0.0
            r[t, l] = (1.0 - R / 3.0) / (1.0 + R / 3.0)


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _powers_block(NL, dl, r, u, As, Af, Usq, LG):  # type: ignore[no-untyped-def]
    """``u = δ^{r_k}``, ``As = (0.5 − 0.5δ')^{r_i}``, ``Af = (0.5 + 0.5δ')^{r_i}``, ``Usq = 2 − 4·0.5^{r_i}``
    (eqs. 15, 16, 24, 28): the three logarithms once per unordered pair, the exponentials in loops
    of two (fewer live registers)."""
    A = dl.shape[0]
    L0, L1, L2 = LG[0], LG[1], LG[2]
    for i in range(A):
        for l in range(NL):
            h = vexp(r[i, l] * LOG_HALF)
            u[i, i, l] = 0.0
            As[i, i, l] = h
            Af[i, i, l] = h
            Usq[i, l] = 2.0 - 4.0 * h
        for j in range(i + 1, A):
            for l in range(NL):
                d = dl[i, j, l]
                dm = d if d < 1.0 else 1.0
                L0[l] = vlog(d)
                L1[l] = vlog(0.5 - dm * 0.5)
                L2[l] = vlog(0.5 + dm * 0.5)
            for l in range(NL):
                u[i, j, l] = vexp(r[i, l] * L0[l])
                u[j, i, l] = vexp(r[j, l] * L0[l])
            for l in range(NL):
                As[i, j, l] = vexp(r[i, l] * L1[l])
                As[j, i, l] = vexp(r[j, l] * L1[l])
            for l in range(NL):
                Af[i, j, l] = vexp(r[i, l] * L2[l])
                Af[j, i, l] = vexp(r[j, l] * L2[l])


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _offers_block(  # type: ignore[no-untyped-def]
    NL, record, xs, ss, orig, dl, P, As, Af, Usq, sel, arow, brow, st_c, st_k, st_o, st_j, pb_, po_, pj_
):
    """Expected utilities (eq. 25, receiver's view), classes (Fig. 6) and selection (§6.2): per
    receiver ``i`` and lane the lexicographic minimum of (class code, key, original index).
    ``sel[:, i, l]`` = (new, a, b, kind, partner, press_j, press_a, press_b), partners in sorted
    labels; the pressure (``record``) the largest ``b`` of a valid offer, ties to the lowest
    original index."""
    A = dl.shape[0]
    for i in range(A):
        for l in range(NL):
            st_c[l] = 3
            st_k[l] = np.inf
            st_o[l] = A
            st_j[l] = 0
        for j in range(A):
            for l in range(NL):
                xi = xs[i, l]
                Us = 2.0 - 4.0 * As[i, j, l]
                Uf = 2.0 - 4.0 * Af[i, j, l]
                diff = Us - Uf
                aij = Us - ss[j, l] * (1.0 - P[i, j, l]) * diff - Usq[i, l]
                bij = Us - ss[i, l] * (1.0 - P[j, i, l]) * diff - Usq[i, l]
                arow[j, l] = aij
                brow[j, l] = bij
                valid = dl[i, j, l] > 0.0
                conf = valid & (aij > 0.0) & (bij > aij)
                both = valid & (aij < 0.0) & (bij > 0.0)
                gain = bij + aij > 0.0
                comp = both & gain
                cap = both & (not gain)
                code = 3 - 3 * np.int64(conf) - 2 * np.int64(comp) - np.int64(cap)
                xj = xs[j, l]
                ck = (-aij * xi + bij * xj) / (bij - aij) + 0.0
                key = ck if comp else abs(xj - xi)
                oj = orig[j, l]
                bc = st_c[l]
                bk = st_k[l]
                take = (code < bc) | ((code == bc) & ((key < bk) | ((key == bk) & (oj < st_o[l]))))
                st_c[l] = code if take else bc
                st_k[l] = key if take else bk
                st_o[l] = oj if take else st_o[l]
                st_j[l] = j if take else st_j[l]
        if record:
            for l in range(NL):
                pb_[l] = -np.inf
                po_[l] = A
                pj_[l] = -1
            for j in range(A):
                for l in range(NL):
                    bij = brow[j, l]
                    oj = orig[j, l]
                    cur = pj_[l]
                    upd = (dl[i, j, l] > 0.0) & (
                        (cur < 0) | (bij > pb_[l]) | ((bij == pb_[l]) & (oj < po_[l]))
                    )
                    pb_[l] = bij if upd else pb_[l]
                    po_[l] = oj if upd else po_[l]
                    pj_[l] = j if upd else cur
            for l in range(NL):
                jp = pj_[l]
                sel[5, i, l] = jp
                sel[6, i, l] = arow[jp, l] if jp >= 0 else np.nan
                sel[7, i, l] = brow[jp, l] if jp >= 0 else np.nan
        for l in range(NL):
            xi = xs[i, l]
            kd = (st_c[l] + 1) % 4
            bj = st_j[l]
            ba = arow[bj, l]
            bb = brow[bj, l]
            bx = xs[bj, l]
            if kd == 2:  # COMPROMISE (eq. 36)
                nw = xi + (bx - xi) * abs(ba) / bb
            elif kd != 0:
                nw = bx
            else:
                nw = xi
            sel[0, i, l] = nw
            sel[1, i, l] = ba if kd > 0 else np.nan
            sel[2, i, l] = bb if kd > 0 else np.nan
            sel[3, i, l] = kd
            sel[4, i, l] = bj if kd != 0 else -1


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _store_block(NL, record, rows, b0, orig, sel, r, r_out, out, ints):  # type: ignore[no-untyped-def]
    """The block's real rows back into the outputs, in the original actor order (the layout of
    :func:`detente.kernels.eum_numba._offers_row`: ``out`` (5, B, A), ``ints`` (3, B, A))."""
    A = orig.shape[0]
    n = rows.shape[0]
    for l in range(NL):
        if b0 + l >= n:
            break
        b = rows[b0 + l]
        for i in range(A):
            o = orig[i, l]
            r_out[b, o] = r[i, l]
            out[0, b, o] = sel[0, i, l]
            out[1, b, o] = sel[1, i, l]
            out[2, b, o] = sel[2, i, l]
            ints[0, b, o] = np.int64(sel[3, i, l])
            pj = np.int64(sel[4, i, l])
            ints[1, b, o] = orig[pj, l] if pj >= 0 else -1
            if record:
                jp = np.int64(sel[5, i, l])
                ints[2, b, o] = orig[jp, l] if jp >= 0 else -1
                out[3, b, o] = sel[6, i, l]
                out[4, b, o] = sel[7, i, l]
            else:
                ints[2, b, o] = -1
                out[3, b, o] = np.nan
                out[4, b, o] = np.nan


@nb.njit(cache=True, nogil=True, error_model="numpy")
def round_lanes(x, w, s, delta, rows, nl, record, r_out, out, ints):  # type: ignore[no-untyped-def]
    """One round of the rows ``rows`` of ``x``, ``w``, ``s`` (B, A) and ``delta`` (B,) in blocks of
    ``nl[0]`` lanes (``LANES``; an array so that LLVM sees a run-time count): the risk exponents into
    ``r_out`` (B, A), the moves and offers into ``out`` (5, B, A) and ``ints`` (3, B, A) as
    :func:`detente.kernels.eum_numba._round_rows` (``record`` False: no pressure, ``press_j`` −1)."""
    A = x.shape[1]
    NL = nl[0]
    X0 = np.zeros((A, NL))
    W0 = np.zeros((A, NL))
    S0 = np.zeros((A, NL))
    rk = np.zeros((A, NL), dtype=np.int64)
    xs = np.zeros((A, NL))
    ws = np.zeros((A, NL))
    ss = np.zeros((A, NL))
    orig = np.zeros((A, NL), dtype=np.int64)
    invd = np.ones(NL)
    lo = np.zeros((A, NL), dtype=np.int64)
    mid = np.zeros((A, NL))
    cut = np.zeros((A, A, NL), dtype=np.int64)
    cnt = np.zeros((A, A, NL), dtype=np.int64)
    F = np.zeros((6, A, A, NL))  # the (A, A, NL) float work arrays (100 KB each at 20 actors)
    dl, cf, P, u, As, Af = F[0], F[1], F[2], F[3], F[4], F[5]
    C = np.zeros((A + 1, A, NL))
    tot = np.zeros(NL)
    g = np.zeros((A, NL))
    r = np.ones((A, NL))
    Usq = np.zeros((A, NL))
    sel = np.zeros((8, A, NL))
    arow = np.zeros((A, NL))
    brow = np.zeros((A, NL))
    st_c = np.zeros(NL, dtype=np.int64)
    st_k = np.zeros(NL)
    st_o = np.zeros(NL, dtype=np.int64)
    st_j = np.zeros(NL, dtype=np.int64)
    pb_ = np.zeros(NL)
    po_ = np.zeros(NL, dtype=np.int64)
    pj_ = np.zeros(NL, dtype=np.int64)
    LG = np.zeros((3, NL))
    for b0 in range(0, rows.shape[0], NL):
        _load_block(NL, x, w, s, delta, rows, b0, X0, W0, S0, rk, xs, ws, ss, orig, invd, lo)
        _geometry_block(NL, xs, invd, lo, dl, cut, mid)
        _rank_coef_block(NL, dl, cnt, cf)
        _prob_block(NL, dl, ws, xs, cf, cut, C, tot, P)  # linear votes: u = δ
        _risk_block(NL, ss, dl, P, g, r)
        _powers_block(NL, dl, r, u, As, Af, Usq, LG)
        _prob_block(NL, u, ws, xs, cf, cut, C, tot, P)  # the voters' exponents: u = δ^r (P1 used)
        # fmt: off
        _offers_block(
            NL, record, xs, ss, orig, dl, P, As, Af, Usq, sel,  # the round's values
            arow, brow, st_c, st_k, st_o, st_j, pb_, po_, pj_,  # work arrays
        )
        # fmt: on
        _store_block(NL, record, rows, b0, orig, sel, r, r_out, out, ints)
