"""Optional numba engine for the expected-utility rounds (the ``fast`` extra; models.md §4).

Imported only when ``ExpectedUtility(engine="numba")`` (or ``"auto"`` on a large enough sweep with
numba installed) runs. It computes the same round as the NumPy engine of :mod:`detente.kernels.eum`
with the same formulas (no fast-math); both equal the independent oracle
``tests/models/eum_oracle.py`` to 1e-7.

**Not bit-identical to the NumPy engine.** Every power ``b^r = exp(r·log b)`` (the voters' utilities
``u = δ^r``, ``(0.5 ∓ 0.5δ)^r`` of ``U_s``/``U_f``, ``0.5^r`` of ``U_sq`` and the better/worse term)
is computed inside the compiled loops by the branch-free, vectorised ``exp``/``log`` of
:mod:`detente.kernels.vecmath` (≤ 1 ulp; Cody & Waite 1980, Tang 1989), not by NumPy's, and a few
sums run in another order (the all-pairs normaliser per rank, tied voters in actor order). On the
test and golden cases the two engines give the same offer classes, partners, proposers, statuses
and round counts, positions and selected utilities within 4e-13 (tested to 1e-12) and the strongest
pressure's utilities within 2e-11 (tested to 1e-10: ``(0.5 − 0.5δ)^{1/2}`` at ``δ → 1`` turns a
4e-15 difference of positions into 1e-11). A draw that sits on a knife edge — two actors 1e-15
apart whose offer utilities are rounding noise of ±1e-14 — can take another partner on the two
engines: 8 of 10,000 random 20-actor issue-runs (uniform positions, 10 rounds) end more than 1e-9
apart, up to 0.65 on the unit scale; the forecast distribution of a sweep moves accordingly little,
but not bit for bit. With ``risk="neutral"`` every exponent is 1 and the powers are the bases
themselves. A sweep runs every chunk on one engine (``engine="auto"`` decides once per sweep,
``ExpectedUtility.for_batch``), so its numbers never depend on the chunk size or the processes.

**Two kernels, chosen per row.** :func:`round_numba` sends each row (issue-run) with the
``scholz2011`` switches (``q = 1``), 2 to 64 actors, all present, and finite numbers to the lane kernel of
:mod:`detente.kernels.eum_lanes` (32 rows per block, the SIMD lanes across rows: about 2× faster at
20 actors), and every other row — another preset or switch, an absent actor, a NaN — to the row
kernel below, in the same call. The choice reads the switches and that row only, and the lane
kernel pads its last block with copies of a real row, so **a row's bits do not depend on the rows
that share its call** (any chunk size or process count of a sweep gives the same numbers; tested).
The two kernels agree to about 1e-13 in one round (sums in another order) and part at knife edges
over many rounds at the rate above (:mod:`detente.kernels.eum_lanes`).

The row kernel computes one round row by row (each row's work arrays are ``(A, A)`` and stay in the
L1 cache, nothing of size ``(B, A, A)`` is made): :func:`_geometry_row` (distances, midpoint counts,
each voter's options sorted by distance), :func:`_prob_row` at linear votes and :func:`_risk_row`
(eqs. 28, 31, 33–34), :func:`_powers_row` (the logarithms once per unordered pair, they are
symmetric in ``i, j``; the exponentials per ordered pair with the receiver's or voter's exponent),
:func:`_prob_row` at the voters' exponents, :func:`_offers_row` (eq. 25 expected utilities, Fig. 6
classification, §6.2 selection). Both kernels run on one thread; Monte Carlo sweeps use processes
for the cores. Shared with the NumPy engine (imported from :mod:`detente.kernels.eum_spec`, never
from ``eum``): the offer classes and ``BIG``, read as compile-time constants (fixed by models.md §4).
"""

from __future__ import annotations

from typing import Any

import numba as nb
import numpy as np

from detente.kernels.eum_lanes import LANES, MAX_ACTORS, lanes_row, lanes_settings, round_lanes
from detente.kernels.eum_spec import BIG, COMPROMISE, NONE
from detente.kernels.vecmath import LOG_HALF, argmin, count_less, vexp, vlog


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _prob_row(  # type: ignore[no-untyped-def]
    u, perm, w, order, cut, x, present, n_pres, all_pairs, C, P
):
    """``P_ij`` of one row (models.md §4 "Probability"), as ``success_probability``.

    ``u[k, a] = u_k(x_a)``; ``u[k, perm[k, m]]`` voter k's values sorted (all_pairs); ``cut[i, j]`` the
    number of sorted voters strictly left of the midpoint of ``x_i`` and ``x_j``; ``C`` (A + 2, A)
    work array.
    """
    A = x.shape[0]
    for a in range(A):
        C[0, a] = 0.0
    for m in range(A):
        k = order[m]
        for a in range(A):
            C[m + 1, a] = C[m, a] + w[k] * u[k, a]
    if all_pairs:
        # Σ_k Σ_m (2m − n + 1) w_k u_k,(m): one partial sum per rank m (independent chains, the loop
        # over m vectorises), then over m; the NumPy engine sums in flat (k, m) order (last bits)
        acc = C[A + 1]
        for m in range(A):
            acc[m] = 0.0
        for k in range(A):
            wk = w[k]
            pk = perm[k]
            uk = u[k]
            for m in range(A):
                cf = (2.0 * m - n_pres + 1.0) if m < n_pres else 0.0
                acc[m] = acc[m] + (wk * uk[pk[m]]) * cf
        tot = 0.0
        for m in range(A):
            tot = tot + acc[m]
        D = 2.0 * tot
        inv = 1.0 / D if D > 0 else 0.0
    else:
        inv = 0.0
    for i in range(A):
        for j in range(A):
            G = C[cut[i, j], j] - C[cut[i, j], i]
            ltf = 1.0 if x[i] < x[j] else 0.0
            gtf = 1.0 if x[i] > x[j] else 0.0
            N = G * ltf + ((C[A, j] - C[A, i]) - G) * gtf
            P[i, j] = N
    if all_pairs:
        for i in range(A):
            for j in range(A):
                v = P[i, j] * inv
                P[i, j] = v if v > 0.0 else 0.0
    else:
        for i in range(A):
            for j in range(i + 1, A):
                nij = P[i, j]
                nji = P[j, i]
                D = nij + nji  # eq. 31: Σ_k |v_k| = N_ij + N_ji (the same sum both ways)
                vij = nij / D if D > 0 else 0.0
                vji = nji / D if D > 0 else 0.0
                P[i, j] = vij if vij > 0.0 else 0.0
                P[j, i] = vji if vji > 0.0 else 0.0
            P[i, i] = 0.0
    return P


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _geometry_row(  # type: ignore[no-untyped-def]
    xb, pres, inv_d, order, n_pres, all_pairs, dl, cut, perm, ys, lft_s, rgt_s
):
    """One row's distances ``dl``, midpoint counts ``cut`` and (``all_pairs``) each voter's options
    sorted by distance ``perm`` (models.md §4 "Cost"); writes into the (A, A) work arrays."""
    A = xb.shape[0]
    for i in range(A):
        for j in range(A):
            dl[i, j] = abs(xb[i] - xb[j]) * inv_d
    for m in range(ys.shape[0]):
        k = order[m] if m < A else order[0]
        ys[m] = xb[k] if m < A and pres[k] else np.inf
    # cut[i, j] = #{sorted voters y < 0.5 (x_i + x_j)}, symmetric, 0 on the diagonal, by a
    # branch-free binary search in the sorted positions (absent voters sort last as inf; ``ys`` is
    # padded with inf to a power of two ≥ A + 1): O(A² log A), no mispredicted branches
    half0 = ys.shape[0] // 2
    for i in range(A):
        cut[i, i] = np.uint64(0)
        for j in range(i + 1, A):
            mid = 0.5 * (xb[i] + xb[j])
            pos = count_less(ys, half0, mid)
            cut[i, j] = pos
            cut[j, i] = pos
    if not all_pairs:
        return
    # voter k's distances to the sorted present positions fall, then rise (the subtraction and the
    # scaling are monotone), so merging the two runs sorts them; the absent options (pushed past
    # every distance by BIG in the NumPy engine) end up multiplied by 0. All voters step together
    # (independent chains: a single merge is load-latency bound)
    for k in range(A):
        cnt = 0
        for m in range(A):
            cnt += ys[m] < xb[k]
        lft_s[k] = cnt - 1
        rgt_s[k] = cnt
    for m in range(n_pres):
        for k in range(A):
            lft = lft_s[k]
            rgt = rgt_s[k]
            ol = order[np.uint64(max(lft, 0))]
            orr = order[np.uint64(min(rgt, n_pres - 1))]
            tl = (rgt >= n_pres) | ((lft >= 0) & (dl[k, ol] <= dl[k, orr]))
            perm[k, m] = ol if tl else orr
            lft_s[k] = lft - np.int64(tl)
            rgt_s[k] = rgt + 1 - np.int64(tl)
    for k in range(A):
        for m in range(n_pres, A):
            perm[k, m] = np.uint64(k)  # u_k(x_k) = 0: the zeroed tail of the NumPy engine


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _risk_row(xb, sb, pres, delta, mu, q, has_mu, dl, P1, E1, g, r):  # type: ignore[no-untyped-def]
    """The risk exponents ``r`` of one row from the all-linear probabilities ``P1`` (eqs. 33–34)."""
    A = xb.shape[0]
    for c in range(A):
        for t in range(A):
            E1[c, t] = 2.0 * dl[c, t] * (1.0 - 2.0 * sb[t] * (1.0 - P1[c, t]))
            if has_mu:
                dmu = abs(xb[c] - mu)
                dist = abs(xb[c] - xb[t])
                z = 0.25 * (dmu + dist) / delta
                E1[c, t] = E1[c, t] - (1.0 - q) * (4.0 * z if dmu < dist else -4.0 * z)
    gmax = -np.inf
    gmin = np.inf
    # g_t = Σ_c p_c E1[c, t] in challenger order from 0 (vectorised over t), minus E1[t, t]
    for t in range(A):
        g[t] = 0.0
    for c in range(A):
        pc = 1.0 if pres[c] else 0.0
        for t in range(A):
            g[t] = g[t] + pc * E1[c, t]
    for t in range(A):
        g[t] = g[t] - E1[t, t]
        if pres[t]:
            gmax = max(gmax, g[t])
            gmin = min(gmin, g[t])
    span = gmax - gmin
    ok = np.isfinite(span) and span > 0
    for t in range(A):
        R = (2.0 * g[t] - gmax - gmin) / span if ok else 0.0
        rr = (1.0 - R / 3.0) / (1.0 + R / 3.0)
        r[t] = rr if pres[t] else 1.0


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _powers_row(dl, r, linear, need_u, pk, u, As, Af, Usq):  # type: ignore[no-untyped-def]
    """``u[k, a] = δ_ka^{r_k}``, ``As[i, j] = (0.5 − 0.5δ')^{r_i}``, ``Af[i, j] = (0.5 + 0.5δ')^{r_i}``
    (``δ' = min(δ, 1)``) and ``Usq[i] = 2 − 4·0.5^{r_i}`` (eqs. 15, 16, 24, 28) of one row.

    The bases are symmetric in ``(i, j)``: the unordered pairs are packed into one long vector
    (``pk`` (12, A(A−1)/2)), each logarithm is taken once, both exponentials of a pair (``r_i`` and
    ``r_j``) in the same vectorised loop, and the results unpacked. ``linear`` (every ``r = 1``): the
    bases themselves. ``need_u`` False: votes are linear, ``u`` is not needed.
    """
    A = dl.shape[0]
    if linear:
        for i in range(A):
            for j in range(A):
                d = dl[i, j]
                dm = d if d < 1.0 else 1.0
                u[i, j] = d
                As[i, j] = 0.5 - dm * 0.5
                Af[i, j] = 0.5 + dm * 0.5
            Usq[i] = 0.0
        return
    d_, ri_, rj_ = pk[0], pk[1], pk[2]
    ui, uj, si, sj, fi, fj = pk[3], pk[4], pk[5], pk[6], pk[7], pk[8]
    # row i's pairs (i, j > i) are one contiguous run of the packed arrays (copies that vectorise)
    n0 = 0
    for i in range(A):
        ri = r[i]
        dli = dl[i]
        for t in range(A - 1 - i):
            d_[n0 + t] = dli[i + 1 + t]
            ri_[n0 + t] = ri
            rj_[n0 + t] = r[i + 1 + t]
        n0 += A - 1 - i
    n = n0
    # the logarithms in one loop, the exponentials in loops of two (fewer live registers: 15 %
    # faster than one loop of everything)
    L0, L1, L2 = pk[9], pk[10], pk[11]
    for p in range(n):
        d = d_[p]
        dm = d if d < 1.0 else 1.0
        L0[p] = vlog(d) if need_u else 0.0
        L1[p] = vlog(0.5 - dm * 0.5)
        L2[p] = vlog(0.5 + dm * 0.5)
    if need_u:
        for p in range(n):
            ui[p] = vexp(ri_[p] * L0[p])
            uj[p] = vexp(rj_[p] * L0[p])
    for p in range(n):
        si[p] = vexp(ri_[p] * L1[p])
        sj[p] = vexp(rj_[p] * L1[p])
    for p in range(n):
        fi[p] = vexp(ri_[p] * L2[p])
        fj[p] = vexp(rj_[p] * L2[p])
    for i in range(A):
        h = vexp(r[i] * LOG_HALF)  # δ_ii = 0: u_ii = 0, both bases 0.5
        u[i, i] = 0.0
        As[i, i] = h
        Af[i, i] = h
        Usq[i] = 2.0 - 4.0 * h
    n0 = 0
    for i in range(A):
        L = A - 1 - i
        ur = u[i]
        sr = As[i]
        fr = Af[i]
        for t in range(L):  # the upper triangle: contiguous in both
            ur[i + 1 + t] = ui[n0 + t]
            sr[i + 1 + t] = si[n0 + t]
            fr[i + 1 + t] = fi[n0 + t]
        for t in range(L):  # the lower triangle: column i
            u[i + 1 + t, i] = uj[n0 + t]
            As[i + 1 + t, i] = sj[n0 + t]
            Af[i + 1 + t, i] = fj[n0 + t]
        n0 += L


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _better_worse_row(xb, mu, delta, r, linear, LA, bwa, bwb):  # type: ignore[no-untyped-def]
    """``bwa[i, j] = T U_b + (1 − T) U_w`` for challenger ``i``, target ``j`` with ``r_i``, and
    ``bwb[i, j]`` the same for challenger ``j``, target ``i`` with ``r_i`` (eqs. 22, 23; as
    :func:`detente.kernels.eum_spec.better_worse`) of one row."""
    A = xb.shape[0]
    for i in range(A):
        dmu = abs(xb[i] - mu)
        for j in range(A):
            dist = abs(xb[i] - xb[j])
            z = 0.25 * (dmu + dist) / delta
            base = 0.5 - z if dmu < dist else 0.5 + z
            base = base if base > 0.0 else 0.0
            LA[i, j] = base if linear else vlog(base)
    for i in range(A):
        ri = r[i]
        for j in range(A):
            bwa[i, j] = 2.0 - 4.0 * (LA[i, j] if linear else vexp(ri * LA[i, j]))
            bwb[i, j] = 2.0 - 4.0 * (LA[j, i] if linear else vexp(ri * LA[j, i]))


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _offers_row(  # type: ignore[no-untyped-def]
    xb, sb, pres, dl, P, As, Af, Usq, q, has_mu, bwa, bwb, flags, a, bt, PT, key, code, vm, out, ints, bb
):
    """Expected utilities ``a``/``bt`` (eq. 25), classification (Fig. 6) and selection (§6.2) for
    every receiver of row ``bb``. ``flags`` = (receiver, least_move, capitulation, record);
    writes ``out[:, bb]`` = (new, a, b, press_a, press_b) and ``ints[:, bb]`` = (kind, partner,
    press_j). ``PT``, ``key``, ``code``, ``vm``: work arrays."""
    receiver, least_move, capitulation, record = flags
    A = xb.shape[0]
    for i in range(A):
        for j in range(A):
            PT[i, j] = P[j, i]
    for i in range(A):
        qsq = q * Usq[i]
        for j in range(A):
            Us = 2.0 - 4.0 * As[i, j]
            Uf = 2.0 - 4.0 * Af[i, j]
            diff = Us - Uf
            a[i, j] = Us - sb[j] * (1.0 - P[i, j]) * diff - qsq
            bt[i, j] = Us - sb[i] * (1.0 - PT[i, j]) * diff - qsq
        if has_mu:
            for j in range(A):
                a[i, j] = a[i, j] - (1.0 - q) * bwa[i, j]
                bt[i, j] = bt[i, j] - (1.0 - q) * bwb[i, j]
    if not receiver:  # b = E^j(U_ji) = a^T: bt holds it from here on
        for i in range(A):
            for j in range(A):
                bt[i, j] = a[j, i]
    for i in range(A):
        xi = xb[i]
        ai = a[i]
        bi = bt[i]
        dli = dl[i]
        pi = pres[i]
        # one vectorised pass with selects (the classes are unpredictable from one pair to the next):
        # class codes, offer validity and the selection key; the NumPy engine's key
        # ckey·compf/den + dist·(1 − compf) is dist outside compromises (a, b finite) and the
        # compromise key inside them
        for j in range(A):
            aij = ai[j]
            bij = bi[j]
            valid = pi & pres[j] & (dli[j] > 0.0)
            conf = valid & (aij > 0.0) & (bij > aij)
            both = valid & (aij < 0.0) & (bij > 0.0)
            gain = bij + aij > 0.0
            comp = both & gain
            cap = both & (not gain) & capitulation
            code[j] = 3 - 3 * np.int64(conf) - 2 * np.int64(comp) - np.int64(cap)
            vm[j] = valid
            dist = abs(xb[j] - xi)
            if least_move:
                ck = dist * (-aij) / bij + 0.0
            else:
                ck = (-aij * xi + bij * xb[j]) / (bij - aij) + 0.0
            key[j] = ck if comp else dist
        best = 3
        for j in range(A):
            best = min(best, code[j])
        jp = -1
        bp = -np.inf
        if record:  # the strongest pressure (largest b), kept for the event log only
            for j in range(A):
                upd = vm[j] & ((jp < 0) | (bi[j] > bp))
                jp = j if upd else jp
                bp = bi[j] if upd else bp
        # np.argmin of the key, offers outside the best class pushed back by BIG (NumPy engine)
        for j in range(A):
            key[j] = key[j] + (1.0 if code[j] != best else 0.0) * BIG
        jbest = argmin(key, A)
        kd = (best + 1) % 4
        aa = ai[jbest]
        bbv = bi[jbest]
        if kd == COMPROMISE:
            out[0, bb, i] = xi + (xb[jbest] - xi) * abs(aa) / bbv
        elif kd != NONE:
            out[0, bb, i] = xb[jbest]
        else:
            out[0, bb, i] = xi
        out[1, bb, i] = aa if kd > 0 else np.nan
        out[2, bb, i] = bbv if kd > 0 else np.nan
        out[3, bb, i] = ai[jp] if jp >= 0 else np.nan
        out[4, bb, i] = bi[jp] if jp >= 0 else np.nan
        ints[0, bb, i] = kd
        ints[1, bb, i] = jbest if kd != NONE else -1
        ints[2, bb, i] = jp


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _sort_present(x, pres, idx):  # type: ignore[no-untyped-def]
    """The present actors in position order into ``idx[:n]`` by a stable insertion sort (ties keep
    the actor order); returns ``n``. Rows are short (A actors), so this beats a general sort."""
    n = 0
    for k in range(x.shape[0]):
        if pres[k]:
            m = n
            while m > 0 and x[idx[m - 1]] > x[k]:
                idx[m] = idx[m - 1]
                m -= 1
            idx[m] = k
            n += 1
    return n


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _round_rows(  # type: ignore[no-untyped-def]
    x, w, s, present, delta, mu, q, has_mu, scholz, all_pairs, use_p1, flags, rows, r, out, ints
):
    """One round of the rows ``rows`` (module docstring): risk exponents into ``r`` (B, A), the moves
    and the offer data into ``out`` (5, B, A) and ``ints`` (3, B, A) (see :func:`_offers_row`)."""
    A = x.shape[1]
    C = np.empty((A + 2, A))
    n2 = 1
    while n2 < A + 1:
        n2 *= 2
    ys = np.empty(n2)  # a power of two ≥ A + 1 (see _geometry_row)
    lft_s = np.empty(A, dtype=np.int64)
    rgt_s = np.empty(A, dtype=np.int64)
    g = np.empty(A)
    Usq = np.empty(A)
    key = np.empty(A)
    code = np.empty(A, dtype=np.int64)
    vm = np.empty(A, dtype=np.bool_)
    # indices as unsigned integers: numba then skips the negative-index wrap-around on every gather
    cut = np.zeros((A, A), dtype=np.uint64)
    perm = np.zeros((A, A), dtype=np.uint64)
    od = np.zeros(A, dtype=np.uint64)
    F = np.zeros((12, A, A))  # the (A, A) float work arrays of one row
    dl, P1, P, E1, u, As, Af, a, bt, LA, bwa, bwb = (
        F[0],
        F[1],
        F[2],
        F[3],
        F[4],
        F[5],
        F[6],
        F[7],
        F[8],
        F[9],
        F[10],
        F[11],
    )
    pk = np.zeros((12, max(A * (A - 1) // 2, 1)))
    for t in range(rows.shape[0]):
        bb = rows[t]
        xb = x[bb]
        pres = present[bb]
        # the voters in position order: the present ones insertion-sorted (stable), then the absent
        # ones (the NumPy engine's argsort puts them last as inf; their weight is 0)
        n_pres = _sort_present(xb, pres, od)
        m = n_pres
        for k in range(A):
            if not pres[k]:
                od[m] = k
                m += 1
        _geometry_row(xb, pres, 1.0 / delta[bb], od, n_pres, all_pairs, dl, cut, perm, ys, lft_s, rgt_s)
        if scholz or use_p1:
            _prob_row(dl, perm, w[bb], od, cut, xb, pres, n_pres, all_pairs, C, P1)
        if scholz:
            _risk_row(xb, s[bb], pres, delta[bb], mu[bb], q, has_mu, dl, P1, E1, g, r[bb])
        else:
            r[bb, :] = 1.0
        _powers_row(dl, r[bb], not scholz, not use_p1, pk, u, As, Af, Usq)
        if has_mu:
            _better_worse_row(xb, mu[bb], delta[bb], r[bb], not scholz, LA, bwa, bwb)
        if use_p1:
            Pr = P1
        else:
            _prob_row(u, perm, w[bb], od, cut, xb, pres, n_pres, all_pairs, C, P)
            Pr = P
        _offers_row(
            xb,
            s[bb],
            pres,
            dl,
            Pr,
            As,
            Af,
            Usq,
            q,
            has_mu,
            bwa,
            bwb,
            flags,
            a,
            bt,
            E1,
            key,
            code,
            vm,
            out,
            ints,
            bb,
        )


@nb.njit(cache=True, nogil=True, error_model="numpy")
def median_rows(pos, w, present, out):  # type: ignore[no-untyped-def]
    """The weighted medians ``out[t, b]`` of the positions ``pos[t, b, :]`` with the weights
    ``w[b]`` of the present actors: ``weighted_median_rows`` of :mod:`detente.kernels.eum_spec`
    (``weighted_quantile`` at 1/2, ``tie="lower"``, of :mod:`detente.kernels.weighted`) compiled,
    with the same definition and floating-point operations (a stable insertion sort, cumulative
    weights in sorted order, the first rank with ``W_(k) ≥ W/2 − 1e-12·W``; all-zero weights count
    each present actor once; no one present gives NaN), so the same bits (tested). NumPy's version
    sorts and gathers the whole trajectory: ~15 % of a numba run at 20 actors."""
    T, B, A = pos.shape
    idx = np.empty(A, dtype=np.int64)
    cum = np.empty(A)
    for b in range(B):
        pr = present[b]
        wb = w[b]
        tot0 = 0.0
        anyp = False
        for k in range(A):
            tot0 = tot0 + (wb[k] if pr[k] else 0.0)
            anyp = anyp | pr[k]
        for t in range(T):
            if not anyp:
                out[t, b] = np.nan
                continue
            xr = pos[t, b]
            n = _sort_present(xr, pr, idx)
            tot = 0.0
            for m in range(n):
                tot = tot + (wb[idx[m]] if tot0 > 0 else 1.0)
                cum[m] = tot
            lim = tot * 0.5 - 1e-12 * tot
            kk = 0
            while kk < n - 1 and not (cum[kk] >= lim):
                kk += 1
            out[t, b] = xr[idx[kk]]


def round_numba(
    x: Any,
    w: Any,
    s: Any,
    present: Any,
    delta: Any,
    st: Any,
    mu: Any,
    record: bool = True,
) -> tuple[Any, Any, Any, Any, Any, Any, Any, Any, Any]:
    """One round on the row layout (B, A), float64: returns ``(r, new, kind, partner, a, b, press_j,
    press_a, press_b)`` (the selected offer's ``a``/``b`` and the strongest pressure per receiver;
    without ``record`` the pressure is not searched and ``press_j`` is -1).
    ``mu``: the weighted medians (B,) when ``Q < 1`` else ``None``. Each row on the lane or the row
    kernel, chosen from the switches and that row alone (module docstring)."""
    B, A = x.shape
    x = np.ascontiguousarray(x, dtype=np.float64)
    w = np.ascontiguousarray(w, dtype=np.float64)
    s = np.ascontiguousarray(s, dtype=np.float64)
    present = np.ascontiguousarray(present, dtype=np.bool_)
    delta = np.ascontiguousarray(delta, dtype=np.float64)
    has_mu = mu is not None and st.q != 1.0
    mu_arr = np.ascontiguousarray(mu, dtype=np.float64) if has_mu else np.zeros(B)
    r = np.empty((B, A))
    out = np.empty((5, B, A))
    ints = np.empty((3, B, A), dtype=np.int64)
    flags = (
        st.perspective == "receiver",
        st.compromise_choice == "least_move",
        bool(st.capitulation),
        record,
    )
    # each row's kernel from the switches and that row alone (module docstring), never from the
    # other rows of the call: a row gives the same bits in any chunk of a sweep
    if 2 <= A <= MAX_ACTORS and lanes_settings(st, has_mu):
        lanes = lanes_row(x, w, s, present)
    else:
        lanes = np.zeros(B, dtype=np.bool_)
    on_lanes = np.flatnonzero(lanes)
    on_rows = np.flatnonzero(~lanes)
    if on_lanes.size:
        round_lanes(x, w, s, delta, on_lanes, np.array([LANES]), record, r, out, ints)
    if on_rows.size:
        # fmt: off
        _round_rows(
            x, w, s, present, delta, mu_arr, float(st.q), has_mu,  # the round's inputs
            st.risk == "scholz", st.prob == "all_pairs", st.votes_risk == "linear", flags,  # the switches
            on_rows, r, out, ints,  # the rows to compute; the outputs, written in place
        )
        # fmt: on
    new, a_sel, b_sel, pa, pb = out
    return r, new, ints[0].astype(np.int8), ints[1], a_sel, b_sel, ints[2], pa, pb
