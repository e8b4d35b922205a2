"""Branch-free float64 ``exp``, ``log``, ``b^r`` and searches for compiled loops (the numba EUM engine).

NumPy's float64 ``exp``/``log`` call the C library one element at a time on machines without
AVX-512 (≈5 ns each); written as plain arithmetic with selects instead of branches, the functions
below are inlined (by LLVM) into the numba loops of :mod:`detente.kernels.eum_numba` and LLVM vectorises them
(AVX2: four lanes). They are accurate to about one unit in the last place (measured against the C
library in ``tests/kernels/test_vecmath.py``), not correctly rounded: results may differ from
NumPy's in the last bit or two.

Method (Cody & Waite 1980, *Software Manual for the Elementary Functions*, ch. 5–6; Tang 1989,
"Table-driven implementation of the exponential function in IEEE floating-point arithmetic",
ACM TOMS 15(2), without the table):

- ``exp(y)``: ``n = round(y / ln 2)`` by the "magic number" trick (adding ``1.5·2^52`` rounds to an
  integer that the low bits of the sum hold), ``t = (y − n·L_hi) − n·L_lo`` with ``ln 2`` split in
  a 32-bit head ``L_hi`` (so ``n·L_hi`` is exact) and a tail ``L_lo`` (Cody–Waite), ``|t| ≤ ln2/2``;
  ``e^t = 1 + (t + t² Q(t))`` with the Taylor polynomial ``Q(t) = Σ_{k≤11} t^k/(k+2)!`` (truncation
  ``< 0.35^14/14! ≈ 4·10⁻¹⁸``) evaluated by Estrin's scheme with fused multiply-adds (short
  dependency chains: the vectorised loops are throughput-bound); ``·2^n`` by adding ``n`` to the
  exponent field. No subnormal results: ``y < −708`` (``e^y < 3·10⁻³⁰⁸``, and ``−inf``) gives 0.
- ``log(b)``: ``b = m·2^e`` with ``m ∈ [√½, √2)`` from the bits (subnormals scaled by ``2^54``
  first); with ``f = m − 1`` (exact) and ``s = f/(2 + f)``, ``log m = 2 atanh s = f − s(f − z Q(z))``,
  ``z = s²``, ``Q(z) = Σ_{k=1..10} 2 z^{k−1}/(2k+1)`` (the atanh series; ``|s| ≤ 0.1716`` so the
  first omitted term is ``< 10⁻¹⁸`` of the result), ``log b = e·L_hi + (log m + e·L_lo)``.
  ``log 0 = −inf``, ``log inf = inf``, ``log NaN = NaN`` (the callers' bases are never negative).

The coefficients are the exact series coefficients ``1/k!`` and ``2/(2k+1)`` (no fitted constants);
``L_hi = 0x1.62e42fee00000p-1`` is ``ln 2`` with its last 21 mantissa bits cleared and
``L_lo = ln 2 − L_hi`` (both computed with 60-digit decimals). ``fma`` is LLVM's ``llvm.fma.f64``
(one rounding on every machine, the hardware instruction where there is one), so the results do not
depend on the CPU.

Two searches for the same loops: :func:`count_less` (a binary search whose steps add ``step·[y < v]``
instead of branching on the data) and :func:`argmin` (``np.argmin`` with four interleaved running
minima instead of one long chain of compare-and-select).

Numba's cache only watches the file of a cached function: after editing this module, clear the
``__pycache__`` entries of :mod:`detente.kernels.eum_numba` too (an installed release is rebuilt).
"""

from __future__ import annotations

from typing import Any

import numba as nb
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic


def _bits_typer(typingctx: Any, x: Any) -> Any:
    """The IEEE-754 bits of a float64 as an int64 (a no-op reinterpretation)."""
    sig = types.int64(types.float64)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.bitcast(args[0], ir.IntType(64))

    return sig, codegen


def _float_typer(typingctx: Any, n: Any) -> Any:
    """The float64 whose IEEE-754 bits are the int64 ``n``."""
    sig = types.float64(types.int64)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


def _fma_typer(typingctx: Any, a: Any, b: Any, c: Any) -> Any:
    """``a·b + c`` with one rounding (``llvm.fma.f64``; vectorisable)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        d = ir.DoubleType()
        fn = builder.module.declare_intrinsic("llvm.fma", [d], ir.FunctionType(d, [d, d, d]))
        return builder.call(fn, args)

    return sig, codegen


# typed Any: mypy cannot see through numba's intrinsic wrapper (called only from compiled code)
_bits: Any = intrinsic(_bits_typer)
_float: Any = intrinsic(_float_typer)
fma: Any = intrinsic(_fma_typer)

LN2_HI = 0.6931471803691238  # 0x1.62e42fee00000p-1: ln 2 to 32 significant bits
LN2_LO = 1.9082149292705877e-10  # ln 2 − LN2_HI
LOG2E = 1.4426950408889634  # 1/ln 2
LOG_HALF = -0.6931471805599453  # ln 0.5, correctly rounded (= vlog(0.5)): the EUM kernels' 0.5^r
MAGIC = 6755399441055744.0  # 1.5·2^52: x + MAGIC rounds x to an integer held in the low bits
MAGIC_BITS = 0x4338000000000000  # the bits of MAGIC
MANT = (1 << 52) - 1
SQRT2_MANT = 0x6A09E667F3BCD  # mantissa field of √2
ONE_BITS = 1023 << 52


@nb.njit(error_model="numpy")
def vexp(y: float) -> float:
    """``e^y`` to about 1 ulp, branch-free (module docstring): ``y < −708`` (results below
    3·10⁻³⁰⁸, and ``−inf``) gives 0, ``y > ln(max float)`` gives inf, NaN gives NaN."""
    k = y * LOG2E + MAGIC
    n = _bits(k) - MAGIC_BITS  # round(y / ln 2) as an integer
    kf = k - MAGIC
    t = fma(-kf, LN2_LO, fma(-kf, LN2_HI, y))
    # e^t = 1 + (t + t²·Q(t)), Q(t) = Σ_{k=0..11} t^k/(k+2)! by Estrin's scheme (short dependency
    # chains, so the loop is throughput-bound); the small part is rounded once, then added to 1
    t2 = t * t
    t4 = t2 * t2
    m0 = fma(t2, fma(t, 1.0 / 120.0, 1.0 / 24.0), fma(t, 1.0 / 6.0, 0.5))
    m1 = fma(t2, fma(t, 1.0 / 362880.0, 1.0 / 40320.0), fma(t, 1.0 / 5040.0, 1.0 / 720.0))
    m2 = fma(t2, fma(t, 1.0 / 6227020800.0, 1.0 / 479001600.0), fma(t, 1.0 / 39916800.0, 1.0 / 3628800.0))
    Q = fma(t4 * t4, m2, fma(t4, m1, m0))
    p = 1.0 + fma(t2, Q, t)
    # p·2^n by adding n to the exponent field (p ∈ [0.7, 1.5): normal for −1021 ≤ n ≤ 1024)
    res = _float(_bits(p) + (n << 52))
    res = 0.0 if y < -708.0 else res
    return float("inf") if y > 709.782712893384 else res


@nb.njit(error_model="numpy")
def vlog(b: float) -> float:
    """``ln b`` to about 1 ulp for ``b ≥ 0``, branch-free (module docstring): 0 → −inf, inf → inf,
    NaN → NaN (negative ``b`` give meaningless numbers: the callers' bases are never negative)."""
    sub = b < 2.2250738585072014e-308
    bs = b * 18014398509481984.0 if sub else b  # subnormals times 2^54
    bits = _bits(bs)
    mb = bits & MANT
    big = mb > SQRT2_MANT
    m = _float(mb | ((1022 << 52) if big else ONE_BITS))  # in [√½, √2)
    # the biased exponent as a float by the magic-number trick (exact small integers)
    ef = _float(((bits >> 52) & 0x7FF) | 0x4330000000000000) - 4503599627371519.0  # 2^52 + 1023
    ef = ef - (54.0 if sub else 0.0) + (1.0 if big else 0.0)
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    z2 = z * z
    m0 = fma(z2, fma(z, 2.0 / 9.0, 2.0 / 7.0), fma(z, 2.0 / 5.0, 2.0 / 3.0))  # Estrin, as in vexp
    m1 = fma(z2, fma(z, 2.0 / 17.0, 2.0 / 15.0), fma(z, 2.0 / 13.0, 2.0 / 11.0))
    z4 = z2 * z2
    q = fma(z4 * z4, fma(z, 2.0 / 21.0, 2.0 / 19.0), fma(z4, m1, m0))
    lm = fma(-s, fma(-z, q, f), f)
    res = fma(ef, LN2_HI, fma(ef, LN2_LO, lm))
    res = -float("inf") if b == 0.0 else res
    return res if b < float("inf") else b


@nb.njit(error_model="numpy")
def vpow(b: float, r: float) -> float:
    """``b^r = exp(r · log b)`` for ``b ≥ 0``, ``r > 0`` (``0^r = 0``), to a few ulp."""
    return vexp(r * vlog(b))


# ---------------------------------------------------------------------------------------------
# branch-free searches for the same loops


@nb.njit(error_model="numpy")
def count_less(ys, half0, v):  # type: ignore[no-untyped-def]
    """``#{m : ys[m] < v}`` in the ascending ``ys`` of power-of-two length ``2·half0`` whose last
    entry is inf: a binary search without branches on the data (each step adds ``step·[y < v]``;
    written as arithmetic since LLVM turns a select fed by a load into a branch), the last six
    steps unrolled (a loop over them costs 3× more); unsigned indices skip the negative-index
    wrap-around."""
    pos = np.int64(0)
    step = half0
    while step > 32:  # more than 63 actors only
        pos += step * np.int64(ys[np.uint64(pos + step - 1)] < v)
        step >>= 1
    if step >= 32:
        pos += 32 * np.int64(ys[np.uint64(pos + 31)] < v)
    if step >= 16:
        pos += 16 * np.int64(ys[np.uint64(pos + 15)] < v)
    if step >= 8:
        pos += 8 * np.int64(ys[np.uint64(pos + 7)] < v)
    if step >= 4:
        pos += 4 * np.int64(ys[np.uint64(pos + 3)] < v)
    if step >= 2:
        pos += 2 * np.int64(ys[np.uint64(pos + 1)] < v)
    return pos + np.int64(ys[np.uint64(pos)] < v)


@nb.njit(error_model="numpy")
def argmin(v, n):  # type: ignore[no-untyped-def]
    """``np.argmin(v[:n])``: the first NaN if there is one, else the first minimum. Four interleaved
    running minima (independent dependency chains; one chain of compare-and-select costs 3× more),
    merged so that the smallest index wins among equal minima."""
    if n < 8:
        jb = 0
        for j in range(1, n):
            take = (v[j] < v[jb]) | (np.isnan(v[j]) & (not np.isnan(v[jb])))
            jb = j if take else jb
        return jb
    m0, m1, m2, m3 = v[0], v[1], v[2], v[3]
    i0, i1, i2, i3 = 0, 1, 2, 3
    f0 = f1 = f2 = f3 = n  # the first NaN of each lane (n: none)
    for k in range(0, n - 3, 4):
        a0, a1, a2, a3 = v[k], v[k + 1], v[k + 2], v[k + 3]
        i0 = k if a0 < m0 else i0
        m0 = a0 if a0 < m0 else m0
        i1 = k + 1 if a1 < m1 else i1
        m1 = a1 if a1 < m1 else m1
        i2 = k + 2 if a2 < m2 else i2
        m2 = a2 if a2 < m2 else m2
        i3 = k + 3 if a3 < m3 else i3
        m3 = a3 if a3 < m3 else m3
        f0 = k if np.isnan(a0) & (f0 == n) else f0
        f1 = k + 1 if np.isnan(a1) & (f1 == n) else f1
        f2 = k + 2 if np.isnan(a2) & (f2 == n) else f2
        f3 = k + 3 if np.isnan(a3) & (f3 == n) else f3
    jb = n  # merge the lanes: the smaller minimum, on a tie the smaller index
    mb = np.inf
    for mm, ii in ((m0, i0), (m1, i1), (m2, i2), (m3, i3)):
        better = (mm < mb) | ((mm == mb) & (ii < jb))
        jb = ii if better else jb
        mb = mm if better else mb
    for j in range(n - n % 4, n):  # the tail
        take = (v[j] < mb) | ((v[j] == mb) & (j < jb))
        jb = j if take else jb
        mb = v[j] if take else mb
        f0 = j if np.isnan(v[j]) & (f0 == n) else f0
    f = min(min(f0, f1), min(f2, f3))
    return f if f < n else jb
