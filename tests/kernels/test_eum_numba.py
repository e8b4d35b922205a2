"""Parts of the compiled EUM engine (detente.kernels.eum_numba) that must give NumPy's bits."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba")

from detente.kernels.eum_numba import median_rows  # noqa: E402  (needs numba)
from detente.kernels.eum_spec import weighted_median_rows  # noqa: E402


@pytest.mark.parametrize("A", [1, 2, 5, 20, 70])
def test_compiled_median_is_weighted_median_rows(A: int) -> None:
    """Ties of positions, absent actors, all-zero weights, nobody present, exact ties of the
    cumulative weight at one half: the compiled trajectory medians equal NumPy's bit for bit."""
    g = np.random.default_rng(3 + A)
    T, B = 4, 300
    pos = g.random((T, B, A))
    pos = np.where(g.random(pos.shape) < 0.4, np.round(pos * 3) / 3, pos)
    w = g.random((B, A)) * (g.random((B, A)) < 0.8)
    w[:20] = 0.0  # all-zero weights: each present actor counts once
    present = g.random((B, A)) < 0.85
    present[5] = False  # nobody present: NaN
    w[30] = 1.0 / 3  # equal weights: cumulative weight hits one half exactly for even counts
    want = weighted_median_rows(pos, w[None], present[None])
    got = np.empty((T, B))
    median_rows(pos, w, present, got)
    np.testing.assert_array_equal(got, want)
    assert np.isnan(got[:, 5]).all()


def test_compiled_argmin_is_numpys() -> None:
    """The offer selection's argmin: the first minimum, the first NaN if there is one, any length."""
    from detente.kernels.vecmath import argmin as _argmin

    g = np.random.default_rng(0)
    for _ in range(5000):
        n = int(g.integers(1, 40))
        v = np.round(g.random(n) * 4) / 4  # many ties
        if g.random() < 0.2:
            v[g.integers(0, n)] = np.nan
        if g.random() < 0.1:
            v[:] = np.inf
        if g.random() < 0.1:
            v[g.integers(0, n)] = 1e30
        assert _argmin(v, n) == np.argmin(v)
