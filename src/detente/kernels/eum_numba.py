"""Optional numba engine for the expected-utility rounds (the ``fast`` extra; models.md §4).

Imported only when ``ExpectedUtility(engine="numba")`` (or ``"auto"`` with numba installed) runs.
It computes the same round as the NumPy engine of :mod:`detente.kernels.eum` and gives
**bit-identical** numbers (both equal the independent oracle in ``tests/models/eum_oracle.py``):

- every power ``b^r = exp(r·log b)`` is still computed by NumPy on whole arrays (NumPy's own
  vectorised ``exp``/``log`` differ from the C library's in the last bit now and then), and so is
  the voters' ordering (``np.argsort``: ties keep the same voter order, hence the same prefix
  sums);
- everything else — distances, midpoint counts, prefix sums of votes, probabilities, risk, expected
  utilities, offer classification and selection — runs in two compiled loops per round with the
  same floating-point operations in the same order (no fast-math, no reassociation), without the
  dozens of ``(B, A, A)`` temporaries of the NumPy engine.

One round: :func:`_geometry_risk` (distances, sorted distances, midpoint counts, the all-linear
probabilities and the risk exponents, eqs. 28, 31, 33–34), NumPy powers, :func:`_offers` (the
risk-weighted probabilities, eq. 25 expected utilities, Fig. 6 classification and §6.2 selection).
Rows run one after the other on one thread; Monte Carlo sweeps use processes for the cores.
Shared with the NumPy engine (and imported from :mod:`detente.kernels.eum_spec`, never from
``eum``): the offer classes, ``BIG`` and the better/worse term. The compiled functions read ``BIG``
and the class codes as compile-time constants; they are fixed by models.md §4.
"""

from __future__ import annotations

from typing import Any

import numba as nb
import numpy as np

from detente.kernels.eum_spec import BIG, COMPROMISE, NONE, better_worse


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _prob_row(  # type: ignore[no-untyped-def]
    u, perm, w, order, cut, x, present, n_pres, all_pairs, C, P
):
    """``P_ij`` of one row (models.md §4 "Probability"), as ``success_probability``.

    ``u[k, a] = u_k(x_a)``; ``u[k, perm[k, m]]`` voter k's values sorted (all_pairs); ``cut[i, j]`` the
    number of sorted voters strictly left of the midpoint of ``x_i`` and ``x_j``.
    """
    A = x.shape[0]
    for a in range(A):
        C[0, a] = 0.0
    for m in range(A):
        k = order[m]
        for a in range(A):
            C[m + 1, a] = C[m, a] + w[k] * u[k, a]
    if all_pairs:
        # flat (k, m) order from 0, like the einsum / sequential sum of the NumPy engine
        acc = 0.0
        for k in range(A):
            for m in range(A):
                cf = (2.0 * m - n_pres + 1.0) if m < n_pres else 0.0
                acc = acc + (w[k] * u[k, perm[k, m]]) * cf
        D = 2.0 * acc
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
def _geometry_risk(  # type: ignore[no-untyped-def]
    x, w, s, present, delta, order, mu, q, has_mu, scholz, all_pairs, dl, perm, cut, r, P1
):
    """Distances, sorted distances, midpoint counts; the all-linear probabilities ``P1`` and the
    risk exponents ``r`` (eqs. 33–34; ``r = 1`` unless ``scholz``). Writes into the outputs."""
    B, A = x.shape
    C = np.empty((A + 1, A))
    ys = np.empty(A)
    lft_s = np.empty(A, dtype=np.int64)
    rgt_s = np.empty(A, dtype=np.int64)
    E1 = np.empty((A, A))
    g = np.empty(A)
    for bb in range(B):
        xb = x[bb]
        inv_d = 1.0 / delta[bb]
        n_pres = 0
        for k in range(A):
            if present[bb, k]:
                n_pres += 1
        for i in range(A):
            for j in range(A):
                dl[bb, i, j] = abs(xb[i] - xb[j]) * inv_d
        for m in range(A):
            k = order[bb, m]
            ys[m] = xb[k] if present[bb, k] else np.inf
        # cut[i, j] = #{sorted voters y < 0.5 (x_i + x_j)}, symmetric, 0 on the diagonal. O(A²): for
        # i and j both present, taken in sorted order, the midpoint never decreases as j moves right
        # (rounding is monotone), so one pointer walks the sorted voters once per i
        for ri in range(A):
            i = order[bb, ri]
            cut[bb, i, i] = 0
            ptr = 0
            for rj in range(ri + 1, A):
                j = order[bb, rj]
                mid = 0.5 * (xb[i] + xb[j])
                if rj < n_pres:
                    while ptr < A and ys[ptr] < mid:
                        ptr += 1
                    cnt = ptr
                else:  # an absent actor (its position is not sorted): count every voter
                    cnt = 0
                    for m in range(A):
                        cnt += ys[m] < mid
                cut[bb, i, j] = cnt
                cut[bb, j, i] = cnt
        if all_pairs:
            # voter k's distances to the sorted present positions fall, then rise (the subtraction
            # and the scaling are monotone), so merging the two runs sorts them; the absent options
            # (pushed past every distance by BIG in the NumPy engine) end up multiplied by 0
            # all voters step together (independent chains: a single merge is load-latency bound)
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
                    ol = order[bb, max(lft, 0)]
                    orr = order[bb, min(rgt, n_pres - 1)]
                    tl = (rgt >= n_pres) | ((lft >= 0) & (dl[bb, k, ol] <= dl[bb, k, orr]))
                    perm[bb, k, m] = ol if tl else orr
                    lft_s[k] = lft - np.int64(tl)
                    rgt_s[k] = rgt + 1 - np.int64(tl)
            for k in range(A):
                for m in range(n_pres, A):
                    perm[bb, k, m] = k  # u_k(x_k) = 0: the zeroed tail of the NumPy engine
        if not scholz:
            for k in range(A):
                r[bb, k] = 1.0
            continue
        _prob_row(dl[bb], perm[bb], w[bb], order[bb], cut[bb], xb, present[bb], n_pres, all_pairs, C, P1[bb])
        for c in range(A):
            for t in range(A):
                E1[c, t] = 2.0 * dl[bb, c, t] * (1.0 - 2.0 * s[bb, t] * (1.0 - P1[bb, c, t]))
                if has_mu:
                    dmu = abs(xb[c] - mu[bb])
                    dist = abs(xb[c] - xb[t])
                    z = 0.25 * (dmu + dist) / delta[bb]
                    E1[c, t] = E1[c, t] - (1.0 - q) * (4.0 * z if dmu < dist else -4.0 * z)
        gmax = -np.inf
        gmin = np.inf
        # g_t = Σ_c p_c E1[c, t] in challenger order from 0 (vectorised over t), minus E1[t, t]
        for t in range(A):
            g[t] = 0.0
        for c in range(A):
            pc = 1.0 if present[bb, c] else 0.0
            for t in range(A):
                g[t] = g[t] + pc * E1[c, t]
        for t in range(A):
            g[t] = g[t] - E1[t, t]
            if present[bb, t]:
                gmax = max(gmax, g[t])
                gmin = min(gmin, g[t])
        span = gmax - gmin
        ok = np.isfinite(span) and span > 0
        for t in range(A):
            R = (2.0 * g[t] - gmax - gmin) / span if ok else 0.0
            rr = (1.0 - R / 3.0) / (1.0 + R / 3.0)
            r[bb, t] = rr if present[bb, t] else 1.0


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _offers(  # type: ignore[no-untyped-def]
    x,
    w,
    s,
    present,
    order,
    dl,
    cut,
    u,
    perm,
    P1,
    use_p1,
    all_pairs,
    As,
    Af,
    Usq,
    q,
    bwa,
    bwb,
    has_mu,
    receiver,
    least_move,
    capitulation,
    record,
    new,
    kind,
    partner,
    a_sel,
    b_sel,
    pj,
    pa,
    pb,
):
    """Probabilities (risk-weighted votes unless ``use_p1``), expected utilities ``a``/``b`` (eq. 25),
    classification (Fig. 6) and selection (§6.2) for every receiver; writes the outputs."""
    B, A = x.shape
    C = np.empty((A + 1, A))
    P = np.empty((A, A))
    a = np.empty((A, A))
    bt = np.empty((A, A))
    key = np.empty(A)
    code = np.empty(A, dtype=np.int64)
    for bb in range(B):
        xb = x[bb]
        n_pres = 0
        for k in range(A):
            if present[bb, k]:
                n_pres += 1
        if use_p1:
            for i in range(A):
                for j in range(A):
                    P[i, j] = P1[bb, i, j]
        else:
            _prob_row(u[bb], perm[bb], w[bb], order[bb], cut[bb], xb, present[bb], n_pres, all_pairs, C, P)
        for i in range(A):
            for j in range(A):
                Us = 2.0 - 4.0 * As[bb, i, j]
                Uf = 2.0 - 4.0 * Af[bb, i, j]
                diff = Us - Uf
                qsq = q * Usq[bb, i]
                a[i, j] = Us - s[bb, j] * (1.0 - P[i, j]) * diff - qsq
                bt[i, j] = Us - s[bb, i] * (1.0 - P[j, i]) * diff - qsq
                if has_mu:
                    a[i, j] = a[i, j] - (1.0 - q) * bwa[bb, i, j]
                    bt[i, j] = bt[i, j] - (1.0 - q) * bwb[bb, i, j]
        for i in range(A):
            xi = xb[i]
            best = 3
            jp = -1
            bp = -np.inf
            # written with & | and conditional expressions (selects, not branches: the classes
            # are unpredictable from one pair to the next)
            for j in range(A):
                aij = a[i, j]
                bij = bt[i, j] if receiver else a[j, i]
                valid = present[bb, i] & present[bb, j] & (dl[bb, i, j] > 0)
                conf = valid & (aij > 0) & (bij > aij)
                both = valid & (aij < 0) & (bij > 0)
                gain = bij + aij > 0
                comp = both & gain
                cap = both & (not gain) & capitulation
                cd = 3 - 3 * int(conf) - 2 * int(comp) - int(cap)
                code[j] = cd
                best = cd if cd < best else best
                if record:  # the strongest pressure (largest b), kept for the event log only
                    upd = valid & ((jp < 0) | (bij > bp))
                    jp = j if upd else jp
                    bp = bij if upd else bp
                dist = abs(xb[j] - xi)
                # the NumPy engine's key ckey·compf/den + dist·(1 − compf) is dist outside
                # compromises (a, b finite) and the compromise key inside them
                if comp:
                    if least_move:
                        key[j] = dist * (-aij) / bij + 0.0
                    else:
                        key[j] = (-aij * xi + bij * xb[j]) / (bij - aij) + 0.0
                else:
                    key[j] = dist
            # np.argmin: the first minimum (the first NaN if there is one)
            jbest = 0
            kbest = key[0] + (1.0 if code[0] != best else 0.0) * BIG
            for j in range(1, A):
                kv = key[j] + (1.0 if code[j] != best else 0.0) * BIG
                take = (kv < kbest) | (np.isnan(kv) & (not np.isnan(kbest)))
                jbest = j if take else jbest
                kbest = kv if take else kbest
            kd = (best + 1) % 4
            kind[bb, i] = kd
            aa = a[i, jbest]
            bbv = bt[i, jbest] if receiver else a[jbest, i]
            if kd == COMPROMISE:
                new[bb, i] = xi + (xb[jbest] - xi) * abs(aa) / bbv
            elif kd != NONE:
                new[bb, i] = xb[jbest]
            else:
                new[bb, i] = xi
            partner[bb, i] = jbest if kd != NONE else -1
            a_sel[bb, i] = aa if kd > 0 else np.nan
            b_sel[bb, i] = bbv if kd > 0 else np.nan
            pj[bb, i] = jp
            pa[bb, i] = a[i, jp] if jp >= 0 else np.nan
            pb[bb, i] = (bt[i, jp] if receiver else a[jp, i]) if jp >= 0 else np.nan


def _pow_into(out: Any, base: Any, r: Any) -> Any:
    """``out = exp(r · log(base))`` with the same NumPy ufuncs as the NumPy engine."""
    np.log(base, out=out)
    np.multiply(r, out, out=out)
    return np.exp(out, out=out)


def _buf(ws: dict[str, Any], name: str, shape: tuple[int, ...], dtype: Any = np.float64) -> Any:
    """A reusable array of ``shape`` from the workspace ``ws`` (fresh memory costs page faults)."""
    arr = ws.get(name)
    if arr is None or arr.shape[1:] != shape[1:] or arr.shape[0] < shape[0] or arr.dtype != dtype:
        arr = np.empty(shape, dtype=dtype)
        ws[name] = arr
    return arr[: shape[0]]


def round_numba(
    x: Any,
    w: Any,
    s: Any,
    present: Any,
    delta: Any,
    st: Any,
    mu: Any,
    ws: dict[str, Any] | None = None,
    record: bool = True,
) -> tuple[Any, Any, Any, Any, Any, Any, Any, Any, Any]:
    """One round on the row layout (B, A), float64: returns ``(r, new, kind, partner, a, b, press_j,
    press_a, press_b)`` (the selected offer's ``a``/``b`` and the strongest pressure per receiver;
    without ``record`` the pressure is not searched and ``press_j`` is -1).
    ``mu``: the weighted medians (B,) when ``Q < 1`` else ``None``; ``ws``: a dict reused across
    rounds for the ``(B, A, A)`` work arrays."""
    ws = {} if ws is None else ws
    B, A = x.shape
    x = np.ascontiguousarray(x, dtype=np.float64)
    w = np.ascontiguousarray(w, dtype=np.float64)
    s = np.ascontiguousarray(s, dtype=np.float64)
    present = np.ascontiguousarray(present, dtype=np.bool_)
    delta = np.ascontiguousarray(delta, dtype=np.float64)
    xs = np.where(present, x, np.inf)
    order = np.ascontiguousarray(np.argsort(xs, axis=1))  # the NumPy engine's voter order
    all_pairs = st.prob == "all_pairs"
    scholz = st.risk == "scholz"
    has_mu = mu is not None and st.q != 1.0
    mu_arr = np.ascontiguousarray(mu, dtype=np.float64) if has_mu else np.zeros(B)
    dl = _buf(ws, "dl", (B, A, A))
    perm = _buf(ws, "perm", (B, A, A), np.int64) if all_pairs else np.zeros((B, 1, 1), dtype=np.int64)
    cut = _buf(ws, "cut", (B, A, A), np.int64)
    r = np.empty((B, A))
    P1 = _buf(ws, "P1", (B, A, A)) if scholz else np.zeros((1, A, A))
    _geometry_risk(
        x, w, s, present, delta, order, mu_arr, float(st.q), has_mu, scholz, all_pairs, dl, perm, cut, r, P1
    )
    use_p1 = st.votes_risk == "linear"
    if use_p1 and not scholz:
        # risk "neutral" with linear votes: the linear probabilities were not needed for r
        P1 = _buf(ws, "P1", (B, A, A))
        _geometry_risk(
            x,
            w,
            s,
            present,
            delta,
            order,
            mu_arr,
            float(st.q),
            has_mu,
            True,
            all_pairs,
            dl,
            perm,
            cut,
            np.empty((B, A)),
            P1,
        )
    rk = r[:, :, None]
    # base^r = exp(r log base) by NumPy, in place (no (B, A, A) temporaries)
    with np.errstate(divide="ignore"):
        if use_p1:
            u = np.zeros((1, 1, 1))
        else:
            u = _pow_into(_buf(ws, "u", (B, A, A)), dl, rk)
        dlm = np.minimum(dl, 1.0, out=_buf(ws, "Af", (B, A, A)))
        As = np.multiply(dlm, 0.5, out=_buf(ws, "As", (B, A, A)))
        np.subtract(0.5, As, out=As)
        _pow_into(As, As, rk)
    Af = np.multiply(dlm, 0.5, out=dlm)
    np.add(0.5, Af, out=Af)
    _pow_into(Af, Af, rk)
    Usq = 2.0 - 4.0 * np.power(0.5, r)
    if has_mu:
        # the shared term on the batch-last layout (elementwise: the same numbers), back to (B, A, A)
        xT = np.ascontiguousarray(x.T)
        rT = np.ascontiguousarray(r.T)
        dist = np.abs(xT[:, None, :] - xT[None, :, :])
        bwa = np.ascontiguousarray(better_worse(xT, dist, delta, mu_arr, rT[:, None, :]).transpose(2, 0, 1))
        bwb = np.ascontiguousarray(better_worse(xT, dist, delta, mu_arr, rT[None, :, :]).transpose(2, 1, 0))
    else:
        bwa = bwb = np.zeros((1, 1, 1))
    new = np.empty((B, A))
    kind = np.empty((B, A), dtype=np.int8)
    partner = np.empty((B, A), dtype=np.int64)
    a_sel = np.empty((B, A))
    b_sel = np.empty((B, A))
    pj = np.empty((B, A), dtype=np.int64)
    pa = np.empty((B, A))
    pb = np.empty((B, A))
    # fmt: off
    _offers(
        x, w, s, present,  # the round's inputs
        order, dl, cut, u, perm, P1, use_p1, all_pairs,  # the geometry and the probabilities
        As, Af, Usq, float(st.q), bwa, bwb, has_mu,  # the terms of eq. 25
        st.perspective == "receiver", st.compromise_choice == "least_move", bool(st.capitulation), record,
        new, kind, partner, a_sel, b_sel, pj, pa, pb,  # the outputs, written in place
    )
    # fmt: on
    return r, new, kind, partner, a_sel, b_sel, pj, pa, pb
