"""The numba engine's own exp/log (detente.kernels.vecmath): accuracy against the C library, the
special values, and that LLVM vectorises a loop calling them (the point of writing them)."""

from __future__ import annotations

import numpy as np
import pytest

nb = pytest.importorskip("numba")

from detente.kernels.vecmath import vexp, vlog, vpow  # noqa: E402  (needs numba)


@nb.njit(error_model="numpy")
def _exp_loop(y, out):  # type: ignore[no-untyped-def]
    for i in range(y.shape[0]):
        out[i] = vexp(y[i])


@nb.njit(error_model="numpy")
def _log_loop(b, out):  # type: ignore[no-untyped-def]
    for i in range(b.shape[0]):
        out[i] = vlog(b[i])


@nb.njit(error_model="numpy")
def _pow_loop(b, r, out):  # type: ignore[no-untyped-def]
    for i in range(b.shape[0]):
        out[i] = vpow(b[i], r[i])


def _ulps(got: np.ndarray, want: np.ndarray) -> float:
    return float(np.max(np.abs(got - want) / np.spacing(np.abs(want))))


def test_exp_within_one_ulp_and_special_values() -> None:
    g = np.random.default_rng(0)
    y = np.concatenate(
        [g.uniform(-708, 709.7, 200_000), g.uniform(-1, 1, 100_000), g.uniform(-1e-9, 1e-9, 1000)]
    )
    out = np.empty_like(y)
    _exp_loop(y, out)
    assert _ulps(out, np.exp(y)) <= 1.0
    special = np.array([-np.inf, -1e300, -745.0, -708.5, 0.0, -0.0, 709.78, 709.8, 1e300, np.inf, np.nan])
    out = np.empty_like(special)
    _exp_loop(special, out)
    np.testing.assert_array_equal(out[:4], 0.0)  # no subnormal results (module docstring)
    assert out[4] == out[5] == 1.0
    assert np.isfinite(out[6]) and out[6] == pytest.approx(np.exp(709.78), rel=1e-15)
    np.testing.assert_array_equal(out[7:10], np.inf)
    assert np.isnan(out[10])


def test_log_within_one_ulp_and_special_values() -> None:
    g = np.random.default_rng(1)
    b = np.concatenate(
        [
            g.uniform(0, 1, 200_000),
            np.exp(g.uniform(-700, 700, 100_000)),
            1.0 + g.uniform(-1e-6, 1e-6, 1000),
            g.uniform(1, 1000, 1000) * 5e-324,  # subnormals
        ]
    )
    out = np.empty_like(b)
    _log_loop(b, out)
    want = np.log(b)
    nz = want != 0
    assert _ulps(out[nz], want[nz]) <= 1.0
    special = np.array([0.0, 1.0, np.inf, np.nan, 0.5])
    out = np.empty_like(special)
    _log_loop(special, out)
    assert out[0] == -np.inf and out[1] == 0.0 and out[2] == np.inf and np.isnan(out[3])
    assert out[4] == np.log(0.5)


def test_power_as_the_engine_uses_it() -> None:
    """``b^r`` for the bases of the EUM (δ and 0.5 ∓ 0.5δ in [0, 1]) and exponents in [0.5, 2]:
    a few ulp of ``b**r`` (``exp(r·log b)`` amplifies the log's rounding by ``|r log b|``), 0^r = 0."""
    g = np.random.default_rng(2)
    b = np.concatenate([g.uniform(0, 1, 100_000), [0.0, 1.0, 0.5, 1e-300]])
    r = g.uniform(0.5, 2.0, b.size)
    out = np.empty_like(b)
    _pow_loop(b, r, out)
    want = b**r
    assert out[-4] == 0.0 and out[-3] == 1.0
    pos = want > 0
    rel = np.abs(out[pos] - want[pos]) / want[pos]
    assert rel.max() < 1e-15 * (1.0 + np.abs(r[pos] * np.log(b[pos]))).max()
    assert np.median(rel) < 2e-16


def test_loops_are_vectorised() -> None:
    """A loop over an array that calls vexp/vlog compiles to SIMD code (vector types in the IR)."""
    for fn in (_exp_loop, _log_loop):
        fn(np.ones(8), np.empty(8))  # compile (the tests may run in any order)
        ir = fn.inspect_llvm(fn.signatures[0])
        assert "x double>" in ir, fn
