"""Look-up tables of the full engine, built once per run batch from the config (simulator.md §1, §3, §4).

Everything here depends on the config only, not on a run: the package grid and the ceasefire candidates
(§1), each side's utility of every package at every reference line (§3 weights; loss aversion and concave
land utility of the second pass, docs/simulator.md), the log breakdown hazard of every package (§4 step 4),
the concession costs of a settlement by status quo, the Weibull cumulative hazard and the offer tables
(§4 step 3, built on demand). Shapes: ``P`` packages, ``C`` ceasefire candidates, ``Rf`` reference lines
(the ``terr`` grid), ``S`` status quos (ceasefire candidate x age in months).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente._typing import BoolArray, FloatArray
from detente.sim import policies as pol
from detente.sim.config import GameConfig

MU_GRID = np.linspace(0.0, 1.0, 21)
"""Beliefs ``mu`` of U's offer tables (U offers against R's utility estimated at the nearest grid belief)."""


def _weights(w: tuple[float, ...]) -> FloatArray:
    a: FloatArray = np.asarray(w, dtype=np.float64)
    out: FloatArray = a / a.sum()
    return out


def disc_horizon(delta: float, L: float) -> float:
    """Discounted length of ``L`` months of war: ``sum_{t<L} delta^t`` (the ``c_i L`` term of the war value)."""
    return L if delta >= 1.0 else (1.0 - delta**L) / (1.0 - delta)


@dataclass
class Tables:
    """The config's look-up tables (see the module docstring); built by :func:`build_tables`."""

    eq: bool  # equilibrium policy (simulator.md §6): no aspiration path, no acceptance noise
    lam: float  # loss aversion
    rho: float  # curvature of land utility
    wR: FloatArray  # (2, 5) issue weights of R (limited, maximal), normalised
    wU: FloatArray  # (5,) of U
    pk: FloatArray  # (P, 5) package grid
    refs: FloatArray  # (Rf,) reference lines
    VR: FloatArray  # (2, Rf, P) R's utility of each package by type and reference line
    VU: FloatArray  # (Rf, P) U's
    recU: FloatArray  # (Rf, P) U's cost of recognising the line as a border (settlements)
    ACR: FloatArray  # (2, S, P) R's concession costs of a settlement by status quo
    ACU: FloatArray  # (S, P) U's, with its audience cost on buf > 0
    minR: FloatArray  # (2, Rf) utility range of R over the grid
    maxR: FloatArray
    minU: FloatArray  # (Rf,) of U (net of the audience cost)
    maxU: FloatArray
    logh_grid: FloatArray  # (P,) log breakdown hazard of a settlement
    cf: FloatArray  # (C, 5) ceasefire candidates (terr column unused: the line q_t)
    cf_partial: BoolArray  # (C,) carries cap or align terms (SubPar class)
    cfR_base: FloatArray  # (2, C) R's utility of the non-terr terms
    cfU_base: FloatArray  # (C,)
    logh_cf: FloatArray  # (C,) log breakdown hazard of a ceasefire
    n_age: int  # ages of a status quo: 0 .. n_freeze months
    k_h: float  # Weibull shape of the breakdown hazard
    t_ref: float  # its reference time (n_freeze months)
    H_deal: float  # cumulative hazard per unit h over L_deal months of a new deal
    sd_war: float  # spread of the front after L_war months of fighting (war lottery)
    LR_eff: float  # discounted war length of R
    LU_eff: float  # of U
    cache: dict[tuple[int, int, int, int], pol.OfferTable] = field(default_factory=dict)

    @property
    def n_sq(self) -> int:
        """Number of status quos ``S``."""
        return len(self.cf) * self.n_age

    def table(self, who: int, k: int, ri: int, sq: int) -> pol.OfferTable:
        """who 0: R of type k; who 1: U with belief MU_GRID[k]; reference line refs[ri]; status quo sq."""
        key = (who, k, ri, sq)
        if key not in self.cache:
            vr = self.VR[:, ri] - self.ACR[:, sq]  # (2, P) net of concession costs
            vu = self.VU[ri] - self.ACU[sq] - self.recU[ri]
            if who == 0:
                self.cache[key] = pol.offer_table(vr[k], vu)
            else:
                m = MU_GRID[k]
                self.cache[key] = pol.offer_table(vu, (1 - m) * vr[0] + m * vr[1])
        return self.cache[key]

    def cum_h(self, h: FloatArray, t: FloatArray) -> FloatArray:
        """Cumulative Weibull hazard ``h t_ref (t / t_ref)^k`` after ``t`` months (Fortna 2004; §7 V11)."""
        out: FloatArray = h * self.t_ref * np.power(np.maximum(t, 0.0) / self.t_ref, self.k_h)
        return out

    def inv_cum_h(self, h: FloatArray, H: FloatArray) -> FloatArray:
        """The age at which the cumulative hazard reaches ``H``."""
        out: FloatArray = self.t_ref * np.power(H / np.maximum(h * self.t_ref, 1e-300), 1.0 / self.k_h)
        return out


def build_tables(cfg: GameConfig) -> Tables:
    """The look-up tables of ``cfg`` (packages, utilities, hazards, concession costs, hazard clock)."""
    v, c = cfg.values, cfg.ceasefire
    lam, rho = float(v.loss_aversion), float(v.terr_curvature)
    wR = np.stack([_weights(v.w_R_limited), _weights(v.w_R_maximal)])  # (2, 5)
    wU = _weights(v.w_U)
    g = cfg.guarantees
    max_guar = 3 if g.binding_guarantee else (2 if g.eu_guarantee else 1)
    # ---- packages (simulator.md §1) and utilities (§3: linear-additive, weights sum 1)
    pk = pol.package_grid(max_guar)
    vR, vU = pol.values_R(pk), pol.values_U(pk)
    # territory valued against the line each side holds (reference point = the front, quantised to the
    # terr grid so that packages stay table look-ups): Kahneman & Tversky 1979; Levy 1996
    refs = np.linspace(0.0, 1.0, pol.TERR_STEPS)  # (Rf,) reference lines
    tvR = pol.terr_value(pk[None, :, 0], refs[:, None], lam, "R", rho)  # (Rf, P)
    tvU = pol.terr_value(pk[None, :, 0], refs[:, None], lam, "U", rho)
    VR = (wR[:, 1:] @ vR[:, 1:].T)[:, None, :] + wR[:, 0][:, None, None] * tvR[None]  # (2, Rf, P)
    AC_U = v.alpha_U * (pk[:, 1] > 0)  # audience cost on buf > 0 (simulator.md §3)
    VU = (vU[:, 1:] @ wU[1:])[None, :] + wU[0] * tvU  # (Rf, P)
    VUn = VU - AC_U[None, :]
    arming = (cfg.fighting.prod_R > 0) or (cfg.fighting.prod_U > 0)

    def log_hazard(guar: FloatArray, capit: BoolArray, cls: FloatArray) -> FloatArray:
        """``log h = log h0 + b.z`` (simulator.md §4 step 4; Fortna 2003, 2004; Clayton & Sticher 2021)."""
        out: FloatArray = (
            np.log(c.h0)
            + g.b_written * (guar >= 1)
            + g.b_monitor * (guar >= 2)
            + g.b_guar2 * (guar == 2)
            + g.b_guar3 * (guar == 3)
            + c.b_arming * arming
            + c.b_capit * capit
            + cls
        )
        return out

    logh_grid = log_hazard(pk[:, 4], pol.capitulatory(pk), np.full(len(pk), c.b_definitive))
    # ceasefire candidates: terr = q_t, buf = 0, cap, align, guar (bare Cea if cap = align = 0)
    cf = np.array(
        [
            (0.0, 0.0, c_, a, g_)
            for c_ in pol.CAP_LEVELS
            for a in pol.ALIGN_LEVELS
            for g_ in range(max_guar + 1)
        ]
    )
    cf_partial = (cf[:, 2] > 0) | (cf[:, 3] > 0)
    cfR_base = wR[:, 1:] @ pol.values_R(cf)[:, 1:].T  # (2, C) non-terr part
    cfU_base = pol.values_U(cf)[:, 1:] @ wU[1:]  # (C,)
    logh_cf = log_hazard(cf[:, 4], pol.capitulatory(cf), np.where(cf_partial, c.b_preliminary, 0.0))
    ACR, ACU = _concession_costs(cfg, pk, cf, wR, wU, AC_U)
    # recognition: a comprehensive settlement turns the line into a border, so U values its terr against
    # its legal claim (terr = 0) rather than the line it holds; losses are renormalised slowly, gains at
    # once (Jervis 1992; Levy 1996); ceasefires are without prejudice and carry no such cost
    if v.recognition:
        recU = wU[0] * (tvU - pol.terr_value(pk[None, :, 0], np.zeros((1, 1)), lam, "U", rho))  # (Rf, P) >= 0
    else:
        recU = np.zeros_like(tvU)
    # breakdown hazard with duration dependence (Weibull, shape k): cumulative hazard
    # H(t) = h t_ref (t / t_ref)^k with t_ref = n_freeze, so h is the average monthly hazard over the months a
    # ceasefire needs to freeze (the v1 constant hazard when k = 1) and the risk falls with age (Fortna 2004;
    # k = 0.5 from the quantiles of simulator.md §7 V11)
    k_h, t_ref = float(c.hazard_shape), float(c.n_freeze)
    f = cfg.fighting
    var_t = f.nu / (f.nu - 2.0) if f.nu > 2 else 3.0  # Student-t variance (capped at nu = 3's)
    return Tables(
        eq=cfg.run.policy == "equilibrium",
        lam=lam,
        rho=rho,
        wR=wR,
        wU=wU,
        pk=pk,
        refs=refs,
        VR=VR,
        VU=VU,
        recU=recU,
        ACR=ACR,
        ACU=ACU,
        # utility ranges over the grid for the normalised aspiration (simulator.md §4 step 3)
        minR=VR.min(axis=2),
        maxR=VR.max(axis=2),
        minU=VUn.min(axis=1),
        maxU=VUn.max(axis=1),
        logh_grid=logh_grid,
        cf=cf,
        cf_partial=cf_partial,
        cfR_base=cfR_base,
        cfU_base=cfU_base,
        logh_cf=logh_cf,
        n_age=c.n_freeze + 1,
        k_h=k_h,
        t_ref=t_ref,
        H_deal=t_ref * (v.L_deal / t_ref) ** k_h,
        sd_war=f.noise * float(np.sqrt(v.L_war * var_t)) if v.war_share == "front" else 0.0,
        LR_eff=disc_horizon(v.delta_R, v.L_war),
        LU_eff=disc_horizon(v.delta_U, v.L_war),
    )


def _concession_costs(
    cfg: GameConfig, pk: FloatArray, cf: FloatArray, wR: FloatArray, wU: FloatArray, AC_U: Any
) -> tuple[FloatArray, FloatArray]:
    """Costs of conceding (>= 0) in a settlement, by status quo ``sq = ceasefire index x n_age + age``.

    Concession aversion in comprehensive settlements (Kahneman & Tversky 1995; Levy 1996): every issue other
    than terr is valued against a reference point, and a concession below it counts lambda times:
    ``adj = (lambda - 1) w min(v - v_ref, 0)``. The reference is each side's claim (its best value on the
    issue) when a ceasefire is signed and moves linearly to the ceasefire's terms over n_freeze months, after
    which the model treats a ceasefire as the new status quo (losses are renormalised slowly: Jervis 1992;
    Levy 1996). ``settlement_reference = 'ceasefire' / 'claims'`` fixes it at either end. Returns ``(ACR``
    ``(2, S, P), ACU (S, P))``; U's includes its audience cost on ``buf > 0``.
    """
    lam = float(cfg.values.loss_aversion)
    vRp, vRc = pol.values_R(pk)[:, 1:], pol.values_R(cf)[:, 1:]  # (P, 4), (C, 4)
    adjR_cf = (lam - 1.0) * np.einsum("kj,cpj->kcp", wR[:, 1:], np.minimum(vRp[None] - vRc[:, None], 0.0))
    adjU_cf = (lam - 1.0) * np.einsum("j,cpj->cp", wU[1:], np.minimum(vRc[:, None] - vRp[None], 0.0))
    adjR_cl = (lam - 1.0) * (wR[:, 1:] @ np.minimum(vRp - vRp.max(axis=0), 0.0).T)  # (2, P)
    adjU_cl = (lam - 1.0) * (np.minimum((1 - vRp) - (1 - vRp).max(axis=0), 0.0) @ wU[1:])  # (P,)
    n_freeze = cfg.ceasefire.n_freeze
    n_age = n_freeze + 1
    ages = np.arange(n_age, dtype=float)
    ref = cfg.values.settlement_reference
    if ref == "renormalising":
        omega = np.clip(ages / n_freeze, 0.0, 1.0)
    else:
        omega = np.full(n_age, 1.0 if ref == "ceasefire" else 0.0)
    ACR = -(
        (1 - omega)[None, None, :, None] * adjR_cl[:, None, None, :]
        + omega[None, None, :, None] * adjR_cf[:, :, None, :]
    ).reshape(2, len(cf) * n_age, len(pk))
    ACU = AC_U[None, :] - (
        (1 - omega)[None, :, None] * adjU_cl[None, None, :] + omega[None, :, None] * adjU_cf[:, None, :]
    ).reshape(len(cf) * n_age, len(pk))
    return ACR, ACU
