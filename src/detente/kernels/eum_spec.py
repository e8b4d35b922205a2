"""What both expected-utility engines share: the switches, the offer classes and the common terms.

models.md §4. :mod:`detente.kernels.eum` (the NumPy engine and the entry point ``run_eum``) and
:mod:`detente.kernels.eum_numba` (the optional compiled rounds) both import from here and from
nowhere else in the package, so the import graph points one way: ``eum_numba`` → ``eum_spec`` ←
``eum`` (``eum`` imports ``eum_numba`` lazily, when ``engine="numba"`` runs).

The readable oracle both engines must equal (offer classes and partners exactly, numbers to 1e-7) lives
in the tests (``tests/models/eum_oracle.py``): written row by row from the paper, it shares only the
data model here (``EUMSettings`` and the offer-class codes), none of the engines' steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from detente._typing import BoolArray, FloatArray
from detente.kernels.weighted import weighted_mean, weighted_median

# A large finite sentinel (fits float32 too): pushes absent options / excluded offers past every value
BIG = 1e30


def _f(a: Any) -> FloatArray:
    """Typed no-op: the kernel keeps its inputs' precision (float64, or float32 on request)."""
    return cast(FloatArray, a)


# offer classes (models.md §4 "Offers", Scholz et al. 2011 Fig. 6); 0 = no move
NONE, CONFRONTATION, COMPROMISE, CAPITULATION = 0, 1, 2, 3
KIND_NAMES: tuple[str, ...] = ("none", "confrontation", "compromise", "capitulation")


@dataclass(frozen=True, slots=True)
class EUMSettings:
    """Resolved switches of models.md §4 (see ``detente.models.eum`` for the presets)."""

    prob: str = "all_pairs"  # "pair" (eq. 31) | "all_pairs"
    votes_risk: str = "voter"  # "voter" (rho_k = r_k) | "linear" (rho_k = 1)
    perspective: str = "receiver"  # "receiver" | "own"
    compromise_choice: str = "weighted_position_min"  # | "least_move"
    capitulation: bool = True
    q: float = 1.0
    range: str = "positions"  # | "scale"
    risk: str = "scholz"  # | "neutral"


# ---------------------------------------------------------------------------------------------
# weighted statistics on the flat layout (models.md §1–2)


def weighted_median_rows(x: FloatArray, w: FloatArray, present: BoolArray) -> FloatArray:
    """``cs``-weighted median over the last axis, ``tie="lower"`` (models.md §2; Black 1948).

    :func:`detente.kernels.weighted.weighted_median` on this row layout (the same definition).
    All-zero weights fall back to equal weights of present actors; no present actor gives NaN.
    """
    return weighted_median(x, w, present, tie="lower", axis=-1)


def weighted_mean_rows(x: FloatArray, w: FloatArray, present: BoolArray) -> FloatArray:
    """``cs``-weighted mean over the last axis (models.md §1), equal weights if all are zero; NaN
    where no actor is present (:func:`detente.kernels.weighted.weighted_mean` on this row layout)."""
    out, _ = weighted_mean(x, w, present, axis=-1)
    return np.asarray(np.where(present.sum(axis=-1) > 0, out, np.nan), dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# the better/worse term of eq. 25 for Q < 1 (models.md §4 "Expected utility"; eqs. 22, 23)


def better_worse(
    x: FloatArray, dist: FloatArray, delta: FloatArray, mu: FloatArray, rr: FloatArray
) -> FloatArray:
    """``T U_b + (1 − T) U_w`` for challenger ``i`` and target ``j`` on the batch-last layout.

    ``x`` (A, B); ``dist[i, j, b] = |x_i − x_j|``; ``mu`` the weighted medians (B,); ``rr`` the
    viewer's risk exponent broadcast to (A, A, B): ``r[:, None, :]`` (the challenger's, for ``a``) or
    ``r[None, :, :]`` with the result transposed (the target's, for ``b``).
    ``z = 0.25(|x_i − μ| + |x_i − x_j|)/Δ``, ``T = 1`` iff ``|x_i − μ| < |x_i − x_j|``,
    ``U_b = 2 − 4(0.5 − z)^r`` (clipped at 0), ``U_w = 2 − 4(0.5 + z)^r``.
    """
    dmu = np.abs(x - mu[None, :])[:, None, :]
    z = 0.25 * (dmu + dist) / delta[None, None, :]
    T = dmu < dist
    base = np.where(T, 0.5 - z, 0.5 + z)
    with np.errstate(divide="ignore"):
        return _f(2.0 - 4.0 * np.exp(rr * np.log(np.maximum(base, 0.0))))
