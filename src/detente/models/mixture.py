"""Mixture-median model: the median of a predictive mixture of point masses at salient points.

Pre-registered in docs/backtest_research2.md §1–§3 (before any fit). Under absolute loss the
optimal point forecast is the median of the predictive distribution (Gneiting 2011, *JASA*
106:746–762); the compromise model (Achen 2006; models.md §1) is a mean. The predictive
distribution here is a mixture (forecast combination: Graefe, Armstrong, Jones & Cuzán 2014,
*Int. J. Forecasting* 30:43–54) of, per issue, on the unit scale:

- ``δ_m``: the compromise ``m = Σ c s x / Σ c s`` (share ``lam_m``);
- ``δ_q``: the reference point (share ``lam_q``, only where known);
- ``δ_e``: the extreme present position on the compromise's side (``H`` if ``m > (L+H)/2``,
  ``L`` if ``m < (L+H)/2``; share ``lam_e``);
- ``δ_p``: the agenda-setter outcome (share ``lam_p``; :func:`agenda_setter`);
- the present actors' positions, together ``1 − lam_m − lam_q − lam_e − lam_p``, each ∝ ``c·s``
  (alone: the ``c·s`` weighted median, Black 1948; models.md §2).

Components that do not exist on an issue are dropped and the other shares renormalised. The
forecast is the mixture's median (midpoint on an exact tie) clipped to the hull ``[L, H]`` of
present positions. ``lam_m > 1/2`` gives exactly the compromise. Defaults: the fit of the
pre-registered protocol on the DEU dev file (docs/backtest_research2.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from detente._typing import BoolArray, FloatArray
from detente.core.arrays import ScenarioArrays
from detente.core.results import Diagnostics, Prediction
from detente.errors import ModelConfigError
from detente.kernels.weighted import shares, weighted_mean, weighted_quantile
from detente.models.base import ModelInfo, check_range

INSTITUTIONS: tuple[str, ...] = ("com", "ep")  # DEU actor ids of the Commission and the EP
AGENDA_SETTER = "com"
TOL = 1e-9

# pre-registered grids (docs/backtest_research2.md §2); order = tie order (toward the compromise)
LAM_M: tuple[float, ...] = (0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0)
LAM_Q: tuple[float, ...] = (0.0, 0.1, 0.2)
LAM_E: tuple[float, ...] = (0.0, 0.1, 0.2)
LAM_P_F2: tuple[float, ...] = (0.1, 0.2, 0.3)


def family_grid(family: str) -> list[tuple[float, float, float, float]]:
    """Grid points ``(lam_m, lam_q, lam_e, lam_p)`` of family ``F1`` or ``F2`` in tie order."""
    lam_p = (0.0,) if family == "F1" else LAM_P_F2
    return [
        (m, q, e, p)
        for m in LAM_M
        for q in LAM_Q
        for e in LAM_E
        for p in lam_p
        if m + q + e + p <= 1.0 + 1e-12
    ]


def agenda_setter(
    position: FloatArray,
    capability: FloatArray,
    present: BoolArray,
    reference: FloatArray,
    setter: BoolArray,
    council: BoolArray,
    quota: float,
) -> tuple[FloatArray, BoolArray]:
    """Agenda-setter outcome in one dimension (Steunenberg 1994, *JITE* 150:642–669; Tsebelis &
    Garrett 2000, *EUP* 1:9–36; Crombez 1996, *BJPolS* 26:199–228; docs/backtest_research2.md §1).

    The setter (row mask ``setter``, shape (A, 1)) proposes the point closest to its ideal that a
    Council coalition (rows ``council``) with capability share ``≥ quota`` prefers to the reference
    ``q``: with ``s = sign(x_set − q)``, ``y_i = s (x_i − q)`` and the pivot ``y*`` = largest ``t``
    with share(``y_i ≥ t``) ``≥ quota``, ``p = q + s · min(|x_set − q|, 2 max(y*, 0))``.
    Returns ``(p, defined)`` shaped (..., I); undefined without ``q``, a present setter or a Council member.
    """
    q = np.asarray(reference, dtype=np.float64)
    has_q = np.isfinite(q)
    q0 = np.where(has_q, q, 0.0)
    set_present = (present & setter).any(axis=-2)
    x_set = np.where(present & setter, position, 0.0).sum(axis=-2) / np.maximum(
        (present & setter).sum(axis=-2), 1
    )
    mem = present & council
    has_mem = mem.any(axis=-2)
    s = np.sign(x_set - q0)
    y = s[..., None, :] * (position - q0[..., None, :])
    c = shares(np.where(mem, capability, 0.0), mem)
    # y* = the lower weighted quantile of −y at the quota: members by descending y until their share reaches it
    ystar = -weighted_quantile(-y, c, mem, quota, tol=TOL, total=1.0)  # NaN without a member
    room = 2.0 * np.maximum(np.where(np.isfinite(ystar), ystar, 0.0), 0.0)
    p = q0 + s * np.minimum(np.abs(x_set - q0), room)
    defined = has_q & set_present & has_mem
    return np.asarray(np.where(defined, p, np.nan), dtype=np.float64), np.asarray(defined)


def mixture_median(support: FloatArray, mass: FloatArray) -> FloatArray:
    """Median over axis -2 of point masses ``mass`` (≥ 0, summing to 1 per issue) at ``support``.

    Lower median = smallest point with cumulative mass ≥ 1/2, upper = smallest with > 1/2; on an
    exact tie (within 1e-9) their midpoint. Zero-mass points must hold ``+inf``.
    """
    return weighted_quantile(support, mass, np.isfinite(support), 0.5, tie="midpoint", tol=TOL, total=1.0)


def mixture_forecast(
    arrays: ScenarioArrays, lam_m: float, lam_q: float, lam_e: float, lam_p: float, quota: float
) -> tuple[FloatArray, dict[str, np.ndarray]]:
    """The mixture-median forecast (..., I) and per-issue flags (docs/backtest_research2.md §1)."""
    pos, present = arrays.position, arrays.present
    w = arrays.weights("cs")
    m, fb = weighted_mean(pos, w, present)
    wa = shares(w, present)
    low = np.where(present, pos, np.inf).min(axis=-2)
    high = np.where(present, pos, -np.inf).max(axis=-2)
    q = np.broadcast_to(np.asarray(arrays.reference, dtype=np.float64), m.shape)
    has_q = np.isfinite(q)
    with np.errstate(invalid="ignore"):  # an issue with no present actor: inf + (-inf), NaN on purpose
        mid = 0.5 * (low + high)
    e = np.where(m > mid, high, low)
    has_e = m != mid
    ids = arrays.actor_ids
    setter = np.array([a == AGENDA_SETTER for a in ids], dtype=bool)[:, None]
    council = np.array([a not in INSTITUTIONS for a in ids], dtype=bool)[:, None]
    if lam_p > 0 and setter.any():
        p, has_p = agenda_setter(pos, arrays.capability, present, q, setter, council, quota)
    else:
        p, has_p = np.full(m.shape, np.nan), np.zeros(m.shape, dtype=bool)
    lam_a = max(0.0, 1.0 - lam_m - lam_q - lam_e - lam_p)
    comps = [
        (m, np.ones(m.shape, dtype=bool), lam_m),
        (q, has_q, lam_q),
        (e, has_e, lam_e),
        (p, has_p, lam_p),
    ]
    raw = [np.where(ok, lam, 0.0) for _, ok, lam in comps]
    total = lam_a + sum(raw)
    only_actors = ~(total > 0)
    total = np.where(only_actors, 1.0, total)
    a_share = np.where(only_actors, 1.0, lam_a / total)
    support = np.concatenate(
        [np.where(present, pos, np.inf)] + [np.where(ok, x, np.inf)[..., None, :] for x, ok, _ in comps],
        axis=-2,
    )
    mass = np.concatenate(
        [wa * a_share[..., None, :]] + [np.where(only_actors, 0.0, r / total)[..., None, :] for r in raw],
        axis=-2,
    )
    out = np.clip(mixture_median(support, mass), low, high)
    flags = {"fallback": np.asarray(fb), "no_reference": ~has_q, "no_agenda_setter": ~has_p}
    return np.asarray(out, dtype=np.float64), flags


@dataclass(frozen=True, slots=True)
class Mixture:
    """Median of a mixture of the compromise, reference point, hull end, agenda-setter outcome and
    the ``c·s``-weighted actor positions (docs/backtest_research2.md)."""

    # full-dev fit of F1, the LOPO-selected family (docs/backtest_research2.md §5; nested LOPO
    # MAE 23.27 vs compromise 23.93, paired −0.66 [−1.45, +0.11]: not significant)
    lam_m: float = 0.4
    lam_q: float = 0.0
    lam_e: float = 0.2
    lam_p: float = 0.0  # F2 (agenda setter) not selected
    quota: float = 0.71  # fixed a priori (EU-15 QMV 62/87; Nice 232/321), not tuned
    info: ClassVar[ModelInfo] = ModelInfo(
        "mixture",
        dynamic=False,
        stochastic=False,
        description="median of a mixture of compromise, status quo, extreme, agenda setter and actor positions",
    )

    def __post_init__(self) -> None:
        for name in ("lam_m", "lam_q", "lam_e", "lam_p"):
            check_range(name, getattr(self, name), 0.0, 1.0)
        check_range("quota", self.quota, 0.5, 1.0)
        total = self.lam_m + self.lam_q + self.lam_e + self.lam_p
        if total > 1.0 + 1e-12:
            raise ModelConfigError("lam_p", "lam_m + lam_q + lam_e + lam_p <= 1", total)

    def predict(self, arrays: ScenarioArrays, rng: np.random.Generator) -> Prediction:
        out, flags = mixture_forecast(arrays, self.lam_m, self.lam_q, self.lam_e, self.lam_p, self.quota)
        return Prediction(outcome=out, diagnostics=Diagnostics.closed_form(out.shape, flags))
