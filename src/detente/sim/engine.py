"""The bargaining-while-fighting engine: ``simulate(config, n_runs=, seed=) -> SimResult``.

Discrete monthly rounds, vectorised over runs (a leading batch axis; a Python loop over months
and offer sub-steps only). Per round, in the order of simulator.md §4 (v1):

0. calendar: the NATO summit as a scheduled alignment test;
1. third parties: US progress stock, pressure and sanctions trigger; EU aid, sanctions,
   guarantee offer; sanctions effects;
2. arming and the battle edge ``p_t``;
3. negotiation: ``K`` alternating offers over the package grid with aspiration, stalling,
   bundling, acceptance against the value of continuing the war; humanitarian track, meetings;
4. ceasefire regime: monthly breakdown hazard ``h = h0 exp(b.z)``;
5. fighting: battle lottery with Student-t shocks, costs, collapse;
6. beliefs: Bayes on R's responses (U's ``mu`` and the public ``beta``);
7. termination: settlement, frozen ceasefire, military decision, horizon.

Every rule names its source (simulator.md §10 references). One seed drives everything:
runs are grouped in blocks of ``BLOCK`` with one generator per block (``SeedSequence.spawn``, so
block ``k`` always gets child ``k``) and every draw is made for whole blocks at a fixed place in the
round, so a run's path is reproducible from ``(config, seed, run index)`` whatever the number of runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente._typing import BoolArray, FloatArray, IntArray
from detente.core.results import EventLog
from detente.core.rng import as_seed_sequence
from detente.defaults import SIM_RUNS
from detente.errors import ModelConfigError
from detente.sim import policies as pol
from detente.sim.config import GameConfig

# termination codes (simulator.md §5)
ONGOING_WAR = 0  # horizon reached while fighting (right-censored)
SETTLEMENT = 1  # comprehensive settlement (SubComp)
FROZEN = 2  # ceasefire held n_freeze months (UCDP outcome 5)
DECISION_R = 3  # military decision for R (q = 1 or U collapses)
DECISION_U = 4  # military decision for U (q = 0 or R collapses)
ONGOING_CEASEFIRE = 5  # horizon reached during a ceasefire (right-censored)
OUTCOME_NAMES: tuple[str, ...] = (
    "war_ongoing",
    "settlement",
    "frozen_ceasefire",
    "decision_R",
    "decision_U",
    "ceasefire_ongoing",
)
ACTORS: tuple[str, ...] = ("R", "U", "US", "EU")


@dataclass(frozen=True)
class CeasefireRecords:
    """One row per ceasefire (all runs): who, when, how long, on what design."""

    run: IntArray
    start: IntArray  # month signed (1-based)
    duration: FloatArray  # months (continuous; censored ones: months held so far)
    broke: BoolArray  # ended by breakdown (else censored: frozen, settled, decided or horizon)
    guar: IntArray
    imposed: BoolArray  # accepted under US pressure (mediator-imposed)
    partial: BoolArray  # carries cap/align terms (SubPar class) rather than a bare Cea
    hazard: FloatArray  # monthly breakdown hazard h


@dataclass(frozen=True)
class SimResult:
    """Batched result of :func:`simulate` (``N`` runs, ``T`` months).

    Per-run arrays ``(N,)``: ``outcome`` (codes of ``OUTCOME_NAMES``), ``end_month``,
    ``first_ceasefire``, ``settlement_month``, ``decision_month``, ``sanction_month`` (month of
    the first US sanctions step; 0 = never), ``n_ceasefires``, ``n_breakdowns``, ``n_meetings``
    (Pre), ``n_humanitarian`` (SubPar), ``final_q``, ``final_S_US``, ``alignment`` (NaN if no
    summit in the horizon), ``strong_communique``, ``maximal`` (R's true type), ``stalling``.
    ``terms`` ``(N, 5)``: the settled package (NaN if none). Paths ``(N, T + 1)``: ``beta``,
    ``mu``, ``q``, ``S_US``. ``ceasefires``: one row per ceasefire. ``extras``: reference-mode
    numbers (``first_mover_share``, ``agreement_round``, ``p_war``...).
    """

    config: GameConfig
    seed: int | None
    n_runs: int
    months: int
    outcome: IntArray
    end_month: IntArray
    first_ceasefire: IntArray
    settlement_month: IntArray
    decision_month: IntArray
    sanction_month: IntArray
    n_ceasefires: IntArray
    n_breakdowns: IntArray
    n_meetings: IntArray
    n_humanitarian: IntArray
    final_q: FloatArray
    final_S_US: FloatArray
    alignment: FloatArray
    strong_communique: BoolArray
    maximal: BoolArray
    stalling: BoolArray
    terms: FloatArray
    beta: FloatArray
    mu: FloatArray
    q: FloatArray
    S_US: FloatArray
    ceasefires: CeasefireRecords
    events: EventLog
    offers_made: int = 0
    offers_accepted: int = 0
    cf_offers_to_R: int = 0
    cf_accepted_by_R: int = 0
    extras: dict[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------------------ helpers
BLOCK = 512
"""Runs per random-number block (one generator each)."""


class _BlockRNG:
    """Draws of length ``n`` made block by block: run ``i`` always reads block ``i // BLOCK``'s stream.

    Mirrors the few ``numpy.random.Generator`` methods the engine uses; every call draws ``BLOCK``
    numbers per block (the tail of the last block is discarded), so the numbers a run gets do not
    depend on how many runs are simulated.
    """

    def __init__(self, seed: int | np.random.SeedSequence | np.random.Generator | None, n: int) -> None:
        if isinstance(seed, np.random.Generator):
            seed = int(seed.integers(0, 2**63 - 1))
        ss = as_seed_sequence(seed)
        self.n = n
        self.gens = [np.random.default_rng(c) for c in ss.spawn(-(-n // BLOCK))]

    def _cat(self, parts: list[Any]) -> Any:
        return np.concatenate(parts)[: self.n]

    def random(self, n: int) -> FloatArray:
        return self._cat([g.random(BLOCK) for g in self.gens])  # type: ignore[no-any-return]

    def normal(self, loc: float, scale: float, n: int) -> FloatArray:
        return self._cat([g.normal(loc, scale, BLOCK) for g in self.gens])  # type: ignore[no-any-return]

    def logistic(self, loc: float, scale: float, n: int) -> FloatArray:
        return self._cat([g.logistic(loc, scale, BLOCK) for g in self.gens])  # type: ignore[no-any-return]

    def standard_t(self, df: float, n: int) -> FloatArray:
        return self._cat([g.standard_t(df, BLOCK) for g in self.gens])  # type: ignore[no-any-return]

    def integers(self, low: int, high: int, n: int) -> IntArray:
        return self._cat([g.integers(low, high, BLOCK) for g in self.gens])  # type: ignore[no-any-return]


class _Events:
    """Collects event rows as arrays per month (no per-run Python loop)."""

    def __init__(self) -> None:
        self.cols: dict[str, list[Any]] = {
            k: [] for k in ("batch", "round", "kind", "actor", "counterpart", "before", "after", "value")
        }

    def add(
        self,
        runs: IntArray,
        month: int,
        kind: str,
        actor: int,
        counterpart: int = -1,
        before: FloatArray | float = np.nan,
        after: FloatArray | float = np.nan,
        value: FloatArray | float = np.nan,
    ) -> None:
        n = len(runs)
        if n == 0:
            return
        self.cols["batch"].append(runs.astype(np.int64))
        self.cols["round"].append(np.full(n, month, dtype=np.int64))
        self.cols["kind"].append(np.full(n, kind, dtype="<U12"))
        self.cols["actor"].append(np.full(n, actor, dtype=np.int64))
        self.cols["counterpart"].append(np.full(n, counterpart, dtype=np.int64))
        for k, v in (("before", before), ("after", after), ("value", value)):
            self.cols[k].append(np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy())

    def log(self) -> EventLog:
        if not self.cols["batch"]:
            return EventLog.empty()
        c = {k: np.concatenate(v) for k, v in self.cols.items()}
        order = np.lexsort((c["batch"], c["round"]))
        c = {k: v[order] for k, v in c.items()}
        n = len(order)
        return EventLog(
            batch=c["batch"],
            round=c["round"],
            kind=c["kind"],
            actor=c["actor"],
            counterpart=c["counterpart"],
            issue=np.full(n, -1, dtype=np.int64),
            before=c["before"],
            after=c["after"],
            value=c["value"],
        )


def _disc_horizon(delta: float, L: float) -> float:
    """Discounted length of ``L`` months of war: ``sum_{t<L} delta^t`` (the ``c_i L`` term of the war value)."""
    return L if delta >= 1.0 else (1.0 - delta**L) / (1.0 - delta)


def _weights(w: tuple[float, ...]) -> FloatArray:
    a: FloatArray = np.asarray(w, dtype=np.float64)
    out: FloatArray = a / a.sum()
    return out


# ------------------------------------------------------------------------------ public
def simulate(
    config: GameConfig | None = None,
    *,
    n_runs: int = SIM_RUNS,
    seed: int | None = 0,
    months: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimResult:
    """Run ``n_runs`` simulations of ``months`` (default ``config.horizon``) monthly rounds.

    ``progress(month, months)`` is called after every month (the CLI draws its bar from it).

    Examples
    --------
    >>> r = simulate(n_runs=200, seed=1, months=6)
    >>> r.outcome.shape, bool((r.first_ceasefire >= 0).all())
    ((200,), True)
    """
    cfg = config if config is not None else GameConfig()
    if not isinstance(n_runs, int) or isinstance(n_runs, bool) or n_runs < 1:
        raise ModelConfigError("runs", "an integer >= 1", n_runs)
    T = cfg.horizon if months is None else months
    if not isinstance(T, int) or isinstance(T, bool) or T < 1:
        raise ModelConfigError("months", "an integer >= 1", months)
    rng = _BlockRNG(seed, n_runs)
    if cfg.mode == "rubinstein":
        return _simulate_rubinstein(cfg, n_runs, seed, T, rng)
    if cfg.mode == "fearon":
        return _simulate_fearon(cfg, n_runs, seed, T, rng)
    return _simulate_full(cfg, n_runs, seed, T, rng, progress)


# ------------------------------------------------------------------------------ full engine
def _simulate_full(
    cfg: GameConfig,
    N: int,
    seed: int | None,
    T: int,
    rng: _BlockRNG,
    progress: Callable[[int, int], None] | None,
) -> SimResult:
    eq = cfg.policy == "equilibrium"
    # ---- packages (simulator.md §1) and utilities (§3: linear-additive, weights sum 1)
    max_guar = 3 if cfg.binding_guarantee else (2 if cfg.eu_guarantee else 1)
    pk = pol.package_grid(max_guar)
    vR, vU = pol.values_R(pk), pol.values_U(pk)
    wR = np.stack([_weights(cfg.w_R_limited), _weights(cfg.w_R_maximal)])  # (2, 5)
    wU = _weights(cfg.w_U)
    lam, rho = float(cfg.loss_aversion), float(cfg.terr_curvature)
    # territory valued against the line each side holds (reference point = the front, quantised to the
    # terr grid so that packages stay table look-ups): Kahneman & Tversky 1979; Levy 1996
    refs = np.linspace(0.0, 1.0, pol.TERR_STEPS)  # (Rf,) reference lines
    tvR = pol.terr_value(pk[None, :, 0], refs[:, None], lam, "R", rho)  # (Rf, P)
    tvU = pol.terr_value(pk[None, :, 0], refs[:, None], lam, "U", rho)
    VR = (wR[:, 1:] @ vR[:, 1:].T)[:, None, :] + wR[:, 0][:, None, None] * tvR[None]  # (2, Rf, P)
    AC_U = cfg.alpha_U * (pk[:, 1] > 0)  # audience cost on buf > 0 (simulator.md §3)
    VU = (vU[:, 1:] @ wU[1:])[None, :] + wU[0] * tvU  # (Rf, P)
    VUn = VU - AC_U[None, :]
    arming = (cfg.prod_R > 0) or (cfg.prod_U > 0)

    def log_hazard(guar: FloatArray, capit: BoolArray, cls: FloatArray) -> FloatArray:
        """``log h = log h0 + b.z`` (simulator.md §4 step 4; Fortna 2003, 2004; Clayton & Sticher 2021)."""
        out: FloatArray = (
            np.log(cfg.h0)
            + cfg.b_written * (guar >= 1)
            + cfg.b_monitor * (guar >= 2)
            + cfg.b_guar2 * (guar == 2)
            + cfg.b_guar3 * (guar == 3)
            + cfg.b_arming * arming
            + cfg.b_capit * capit
            + cls
        )
        return out

    logh_grid = log_hazard(pk[:, 4], pol.capitulatory(pk), np.full(len(pk), cfg.b_definitive))
    # ceasefire candidates: terr = q_t, buf = 0, cap, align, guar (bare Cea if cap = align = 0)
    cf = np.array(
        [(0.0, 0.0, c, a, g) for c in pol.CAP_LEVELS for a in pol.ALIGN_LEVELS for g in range(max_guar + 1)]
    )
    cf_partial = (cf[:, 2] > 0) | (cf[:, 3] > 0)
    n_cf_pk = len(cf)
    cfR_base = wR[:, 1:] @ pol.values_R(cf)[:, 1:].T  # (2, C) non-terr part
    cfU_base = pol.values_U(cf)[:, 1:] @ wU[1:]  # (C,)
    logh_cf = log_hazard(cf[:, 4], pol.capitulatory(cf), np.where(cf_partial, cfg.b_preliminary, 0.0))
    # concession aversion in comprehensive settlements (Kahneman & Tversky 1995; Levy 1996): every issue
    # other than terr is valued against a reference point, and a concession below it counts lambda times:
    # adj = (lambda - 1) w min(v - v_ref, 0). The reference is each side's claim (its best value on the issue)
    # when a ceasefire is signed and moves linearly to the ceasefire's terms over n_freeze months, after which
    # the model treats a ceasefire as the new status quo (losses are renormalised slowly: Jervis 1992;
    # Levy 1996). settlement_reference = 'ceasefire' / 'claims' fixes it at either end.
    vRp, vRc = pol.values_R(pk)[:, 1:], pol.values_R(cf)[:, 1:]  # (P, 4), (C, 4)
    adjR_cf = (lam - 1.0) * np.einsum("kj,cpj->kcp", wR[:, 1:], np.minimum(vRp[None] - vRc[:, None], 0.0))
    adjU_cf = (lam - 1.0) * np.einsum("j,cpj->cp", wU[1:], np.minimum(vRc[:, None] - vRp[None], 0.0))
    adjR_cl = (lam - 1.0) * (wR[:, 1:] @ np.minimum(vRp - vRp.max(axis=0), 0.0).T)  # (2, P)
    adjU_cl = (lam - 1.0) * (np.minimum((1 - vRp) - (1 - vRp).max(axis=0), 0.0) @ wU[1:])  # (P,)
    n_age = cfg.n_freeze + 1
    ages = np.arange(n_age, dtype=float)
    if cfg.settlement_reference == "renormalising":
        omega = np.clip(ages / cfg.n_freeze, 0.0, 1.0)
    else:
        omega = np.full(n_age, 1.0 if cfg.settlement_reference == "ceasefire" else 0.0)
    # costs of conceding (>= 0), indexed by status quo sq = ceasefire index x n_age + age in months
    ACR = -(
        (1 - omega)[None, None, :, None] * adjR_cl[:, None, None, :]
        + omega[None, None, :, None] * adjR_cf[:, :, None, :]
    ).reshape(2, n_cf_pk * n_age, len(pk))
    ACU = AC_U[None, :] - (
        (1 - omega)[None, :, None] * adjU_cl[None, None, :] + omega[None, :, None] * adjU_cf[:, None, :]
    ).reshape(n_cf_pk * n_age, len(pk))
    # recognition: a comprehensive settlement turns the line into a border, so U values its terr against
    # its legal claim (terr = 0) rather than the line it holds; losses are renormalised slowly, gains at
    # once (Jervis 1992; Levy 1996); ceasefires are without prejudice and carry no such cost
    if cfg.recognition:
        recU = wU[0] * (tvU - pol.terr_value(pk[None, :, 0], np.zeros((1, 1)), lam, "U", rho))  # (Rf, P) >= 0
    else:
        recU = np.zeros_like(tvU)
    # utility ranges over the grid for the normalised aspiration (simulator.md §4 step 3)
    minR, maxR = VR.min(axis=2), VR.max(axis=2)  # (2, Rf)
    minU, maxU = VUn.min(axis=1), VUn.max(axis=1)  # (Rf,)
    # offer tables (built on demand per reference line): R types vs U's net utility; U vs R's estimated
    # net utility on a grid of beliefs mu
    mu_grid = np.linspace(0.0, 1.0, 21)
    tab_cache: dict[tuple[int, int, int, int], pol.OfferTable] = {}

    def table(who: int, k: int, ri: int, sq: int) -> pol.OfferTable:
        """who 0: R of type k; who 1: U with belief mu_grid[k]; reference line refs[ri]; status quo sq."""
        key = (who, k, ri, sq)
        if key not in tab_cache:
            vr = VR[:, ri] - ACR[:, sq]  # (2, P) net of concession costs
            vu = VU[ri] - ACU[sq] - recU[ri]
            if who == 0:
                tab_cache[key] = pol.offer_table(vr[k], vu)
            else:
                m = mu_grid[k]
                tab_cache[key] = pol.offer_table(vu, (1 - m) * vr[0] + m * vr[1])
        return tab_cache[key]

    # breakdown hazard with duration dependence (Weibull, shape k): cumulative hazard
    # H(t) = h t_ref (t / t_ref)^k with t_ref = n_freeze, so h is the average monthly hazard over the months a
    # ceasefire needs to freeze (the v1 constant hazard when k = 1) and the risk falls with age (Fortna 2004;
    # k = 0.5 from the quantiles of simulator.md §7 V11)
    k_h, t_ref = float(cfg.hazard_shape), float(cfg.n_freeze)

    def cum_h(h: FloatArray, t: FloatArray) -> FloatArray:
        out: FloatArray = h * t_ref * np.power(np.maximum(t, 0.0) / t_ref, k_h)
        return out

    def inv_cum_h(h: FloatArray, H: FloatArray) -> FloatArray:
        out: FloatArray = t_ref * np.power(H / np.maximum(h * t_ref, 1e-300), 1.0 / k_h)
        return out

    H_deal = t_ref * (cfg.L_deal / t_ref) ** k_h  # cumulative hazard per unit h over L_deal months (new deal)
    var_t = cfg.nu / (cfg.nu - 2.0) if cfg.nu > 2 else 3.0  # Student-t variance (capped at nu = 3's)
    sd_war = cfg.noise * float(np.sqrt(cfg.L_war * var_t)) if cfg.war_share == "front" else 0.0
    LR_eff = _disc_horizon(cfg.delta_R, cfg.L_war)
    LU_eff = _disc_horizon(cfg.delta_U, cfg.L_war)

    # ---- state (simulator.md §2)
    runs = np.arange(N)
    maximal = rng.random(N) < cfg.pi_max  # R's private type (simulator.md §3)
    stalling = maximal & (rng.random(N) < cfg.sigma_stall)
    typ = maximal.astype(np.int64)
    q = np.full(N, cfg.q0)
    M_R, M_U = np.full(N, cfg.M_R), np.full(N, cfg.M_U)
    C_R, C_U = np.full(N, cfg.C0_R), np.full(N, cfg.C0_U)
    mu = np.full(N, cfg.pi_max)
    beta = np.full(N, cfg.beta0)
    S_US, S_EU = np.zeros(N), np.zeros(N)
    P = np.full(N, cfg.P0)
    trig = np.zeros(N, dtype=np.int64)
    steps_R, steps_U = np.zeros(N), np.zeros(N)
    shift_R = np.zeros(N)
    eu_cut = np.zeros(N, dtype=bool)
    active = np.ones(N, dtype=bool)
    in_cf = np.zeros(N, dtype=bool)
    cf_age = np.zeros(N)
    cf_h = np.zeros(N)
    cf_id = np.full(N, -1, dtype=np.int64)
    cf_ci = np.zeros(N, dtype=np.int64)
    outcome = np.full(N, ONGOING_WAR, dtype=np.int64)
    end_month = np.full(N, T, dtype=np.int64)
    first_cf = np.zeros(N, dtype=np.int64)
    settle_m = np.zeros(N, dtype=np.int64)
    decide_m = np.zeros(N, dtype=np.int64)
    sanc_m = np.zeros(N, dtype=np.int64)
    n_cf = np.zeros(N, dtype=np.int64)
    n_bd = np.zeros(N, dtype=np.int64)
    n_pre = np.zeros(N, dtype=np.int64)
    n_hum = np.zeros(N, dtype=np.int64)
    terms = np.full((N, 5), np.nan)
    align = np.full(N, np.nan)
    strong = np.zeros(N, dtype=bool)
    beta_path, mu_path = np.empty((N, T + 1)), np.empty((N, T + 1))
    q_path, s_path = np.empty((N, T + 1)), np.empty((N, T + 1))
    beta_path[:, 0], mu_path[:, 0], q_path[:, 0], s_path[:, 0] = beta, mu, q, S_US
    cf_rows: dict[str, list[Any]] = {k: [] for k in ("run", "start", "guar", "imposed", "partial", "hazard")}
    cf_dur: list[FloatArray] = []
    cf_dur_idx: list[IntArray] = []
    cf_broke_idx: list[IntArray] = []
    n_cf_total = 0
    ev = _Events()
    stats = {"made": 0, "acc": 0, "cf_to_R": 0, "cf_acc_R": 0}

    for t in range(1, T + 1):
        # ---- 0. calendar: NATO summit as a scheduled alignment test (column; simulator.md §4.0)
        if t == cfg.summit_month:
            a = np.clip(rng.normal(1.0 - cfg.policy_gap, cfg.sd_align, N), 0.0, 1.0)
            s = rng.random(N) < a  # communique strong w.p. a
            align[:] = a
            strong[:] = s
            shift_R -= cfg.delta_summit * s  # strong communique lowers R's war value
            ev.add(runs[active], t, "summit", 2, 3, value=a[active])
        # ---- 1. third parties (simulator.md §3 US/EU; Beardsley 2008; Favretto 2009)
        P *= cfg.rho_P
        pressing = active & (P < cfg.p_star)
        if cfg.target == "blame":
            on_R = pressing & (beta > 0.5)
        else:
            on_R = pressing & (M_R < M_U)
        on_U = pressing & ~on_R
        if cfg.lambda_US > 0:
            steps_R += on_R
            steps_U += on_U
        trig = np.where(active & (beta > cfg.s_star) & (P < cfg.p_star), trig + 1, 0)
        fire = (trig >= cfg.H_US) | (active & (t == cfg.sanctions_at))
        if fire.any():
            S_US = np.where(fire, np.minimum(1.0, S_US + cfg.dS), S_US)
            sanc_m = np.where(fire & (sanc_m == 0), t, sanc_m)
            ev.add(runs[fire], t, "sanctions", 2, 0, value=S_US[fire])
            trig = np.where(fire, 0, trig)
        S_EU = np.where(active & (beta > cfg.s_star), np.minimum(1.0, S_EU + cfg.dS_EU), S_EU)
        S = S_US + S_EU
        prod_R = cfg.prod_R * np.maximum(0.0, 1.0 - cfg.eta * S)  # simulator.md §3 sanctions effect
        c_R = cfg.c_R * (1.0 + cfg.eta_cost * S)
        aid_EU = cfg.aid_EU * (1.0 - cfg.rho_EU * eu_cut)  # EU cuts aid after a capitulatory deal
        # ---- 2. arming: M' = M(1 - dep) + prod + aid - loss (simulator.md §2)
        intensity = np.where(in_cf, cfg.iota_cf, 1.0)
        M_R = np.maximum(1e-6, M_R * (1 - cfg.dep) + prod_R - cfg.loss_rate * intensity)
        M_U = np.maximum(
            1e-6, M_U * (1 - cfg.dep) + cfg.prod_U + cfg.aid_US + aid_EU - cfg.loss_rate * intensity
        )
        p = M_R**cfg.gamma / (M_R**cfg.gamma + M_U**cfg.gamma)
        # ---- 3. negotiation (simulator.md §4.3)
        # war values (Fearon 1995 proxy): w_terr E[value of the share] + no-deal values of other issues - c L;
        # the share is valued against the line held now (loss aversion, Levy 1996), the lottery over it by
        # quadrature (its spread: L_war months of the step-5 shocks)
        ri = np.clip(np.rint(q * (pol.TERR_STEPS - 1)).astype(np.int64), 0, pol.TERR_STEPS - 1)
        ref = refs[ri]
        if cfg.war_share == "p":
            share_R = p
        else:  # expected front after L months of the battle lottery (step 5)
            share_R = np.clip(q + cfg.drift * (p - 0.5) * cfg.L_war, 0.0, 1.0)
        ev_R = pol.expected_terr_value(share_R, sd_war, ref, lam, "R", rho)
        ev_U = pol.expected_terr_value(share_R, sd_war, ref, lam, "U", rho)
        VwR = (
            wR[:, 0][:, None] * ev_R[None, :] + wR[:, 4][:, None] - (c_R * LR_eff)[None, :] + shift_R[None, :]
        )
        VwU = wU[0] * ev_U + wU[1] + wU[2] + wU[3] - cfg.c_U * LU_eff
        # the line q itself, valued against the reference line (a ceasefire freezes q)
        tq_R = pol.terr_value(q, ref, lam, "R", rho)
        tq_U = pol.terr_value(q, ref, lam, "U", rho)
        if in_cf.any():
            # during a ceasefire the no-deal value is the ceasefire itself (its expected survival), never
            # below war: outside options bind only when better (simulator.md §4.3; Powell 1996)
            Dc = np.exp(-(cum_h(cf_h, cf_age + cfg.L_deal) - cum_h(cf_h, cf_age)))  # survival from its age
            cur_R = cfR_base[:, cf_ci] + wR[:, 0][:, None] * tq_R[None, :]
            cur_U = cfU_base[cf_ci] + wU[0] * tq_U
            VwR = np.where(in_cf[None, :], np.maximum(VwR, Dc * cur_R + (1 - Dc) * VwR), VwR)
            VwU = np.where(in_cf, np.maximum(VwU, Dc * cur_U + (1 - Dc) * VwU), VwU)
        # aspiration (Faratin et al. 1998) with pressure time tau (simulator.md §4.3)
        tauR = np.clip(C_R / cfg.Cmax_R + cfg.pressure_step * steps_R, 0, 1)
        tauU = np.clip(C_U / cfg.Cmax_U + cfg.pressure_step * steps_U, 0, 1)
        mnR, mxR = minR[:, ri], maxR[:, ri]  # (2, N) utility range at each run's reference line
        mnU, mxU = minU[ri], maxU[ri]
        rR = np.clip((VwR - mnR) / (mxR - mnR), 0, 1)  # (2, N)
        rU = np.clip((VwU - mnU) / (mxU - mnU), 0, 1)
        if eq:
            aR_n, aU_n = rR, rU
        else:
            aR_n = pol.aspiration(rR, tauR[None, :], cfg.e_R)
            aU_n = pol.aspiration(rU, tauU, cfg.e_U)
        aR_n = aR_n.copy()
        aR_n[1] = np.where(stalling, np.maximum(aR_n[1], 1 - cfg.stall_band), aR_n[1])
        # a non-stalling maximal type, as seen by observers: same aspiration without the floor
        aR_ns = pol.aspiration(rR[1], tauR, cfg.e_R) if not eq else rR[1]
        aR_st = np.maximum(aR_ns, 1 - cfg.stall_band)
        aR = mnR + aR_n * (mxR - mnR)  # (2, N) absolute
        aR_ns_abs, aR_st_abs = mnR[1] + aR_ns * (mxR[1] - mnR[1]), mnR[1] + aR_st * (mxR[1] - mnR[1])
        aU = mnU + aU_n * (mxU - mnU)
        aR_true = aR[typ, runs]
        VwR_true = VwR[typ, runs]
        llr = np.zeros(N)  # log P(responses | maximal) - log P(responses | limited), this round
        agreed = np.zeros(N, dtype=bool)
        mu_idx = np.clip(np.rint(mu * 20).astype(np.int64), 0, 20)
        cfR_now = cfR_base[:, None, :] + wR[:, 0][:, None, None] * tq_R[None, :, None]  # (2, N, C)
        cfU_now = cfU_base[None, :] + wU[0] * tq_U[:, None]  # (N, C)
        # status quo of a settlement: the running ceasefire and its age (else no deal, age 0)
        sq = np.where(in_cf, cf_ci * n_age + np.clip(cf_age, 0, cfg.n_freeze).astype(np.int64), 0)
        n_sq = n_cf_pk * n_age
        for j in range(cfg.substeps):
            neg = active & ~agreed
            eps = 0.0 if eq else rng.logistic(0.0, cfg.tau_q, N)  # drawn every sub-step (reproducibility)
            if not neg.any():
                continue
            r_prop = (t + j) % 2 == 1  # alternating first mover by round (simulator.md §4.3)
            allow_cf = neg & ~in_cf
            # ceasefire-first sequencing of U (column; simulator.md §9): no package under fire
            # and comprehensive (SubComp) talks only once a ceasefire has held settle_after months (PA-X stage
            # order Pre -> Cea -> SubPar -> SubComp; Bell & Badanjak 2019; simulator.md §7 V14-V15)
            in_cf_old = in_cf & (cf_age >= cfg.settle_after)
            allow_grid = neg & (in_cf_old | (not cfg.ceasefire_first))
            if r_prop:
                # R proposes (simulator.md §4.3): the package best for U (expected utility with deal
                # survival D) among those worth at least R's aspiration; maximal R: bundling rule
                imposed = on_U & (cfg.lambda_US > 0)
                h_cf = np.exp(logh_cf[None, :] + cfg.b_imposed * imposed[:, None])  # (N, C)
                D_cf = np.exp(-h_cf * H_deal)
                own_cf = D_cf * cfR_now[typ, runs] + (1 - D_cf) * VwR_true[:, None]
                opp_cf_all = D_cf * cfU_now + (1 - D_cf) * VwU[:, None]
                bundle = ~(maximal[:, None] & ~cf_partial[None, :])
                ok_cf = (own_cf >= aR_true[:, None]) & allow_cf[:, None] & bundle
                opp_cf = np.where(ok_cf, opp_cf_all, -np.inf)
                ci = np.argmax(opp_cf, axis=1)
                best_cf = opp_cf[runs, ci]
                gi = np.zeros(N, dtype=np.int64)
                key = (typ * pol.TERR_STEPS + ri) * n_sq + sq
                for kk in np.unique(key[allow_grid]):
                    sel = allow_grid & (key == kk)
                    a_, s_ = divmod(int(kk), n_sq)
                    tb = table(0, a_ // pol.TERR_STEPS, a_ % pol.TERR_STEPS, s_)
                    gi[sel] = pol.offer_lookup(tb, aR[typ[sel], runs[sel]])[0]
                h_g = np.exp(logh_grid[gi] + cfg.b_imposed * imposed)
                D_g = np.exp(-h_g * H_deal)
                opp_grid = D_g * VU[ri, gi] + (1 - D_g) * VwU - ACU[sq, gi] - recU[ri, gi]
                grid_ok = allow_grid & (VR[typ, ri, gi] - ACR[typ, sq, gi] >= aR_true - 1e-12)
                use_cf = np.isfinite(best_cf) & (~grid_ok | (best_cf > opp_grid))
                serious = use_cf | grid_ok  # else only R's capitulatory demand: no acceptable offer
                # U responds: accept iff EU - AC + M >= max(V_war, a) + eps (simulator.md §4.3)
                h = np.where(use_cf, h_cf[runs, ci], h_g)
                EU = np.where(use_cf, opp_cf_all[runs, ci], opp_grid) + cfg.lambda_US * on_U
                acc = neg & serious & (EU >= np.maximum(VwU, aU) + eps)
            else:
                # U proposes: best for R's estimated utility (belief mu over R's types) among packages
                # worth at least U's aspiration
                imposed = on_R & (cfg.lambda_US > 0)
                h_cf = np.exp(logh_cf[None, :] + cfg.b_imposed * imposed[:, None])
                D_cf = np.exp(-h_cf * H_deal)
                own_cf = D_cf * cfU_now + (1 - D_cf) * VwU[:, None]
                estR = [D_cf * cfR_now[k] + (1 - D_cf) * VwR[k][:, None] for k in range(2)]
                est_cf = (1 - mu)[:, None] * estR[0] + mu[:, None] * estR[1]
                ok_cf = (own_cf >= aU[:, None]) & allow_cf[:, None]
                opp_cf = np.where(ok_cf, est_cf, -np.inf)
                ci = np.argmax(opp_cf, axis=1)
                best_cf = opp_cf[runs, ci]
                gi = np.zeros(N, dtype=np.int64)
                key = (mu_idx * pol.TERR_STEPS + ri) * n_sq + sq
                for kk in np.unique(key[allow_grid]):
                    sel = allow_grid & (key == kk)
                    a_, s_ = divmod(int(kk), n_sq)
                    tb = table(1, a_ // pol.TERR_STEPS, a_ % pol.TERR_STEPS, s_)
                    gi[sel] = pol.offer_lookup(tb, aU[sel])[0]
                h_g = np.exp(logh_grid[gi] + cfg.b_imposed * imposed)
                D_g = np.exp(-h_g * H_deal)
                est_grid = (
                    D_g * ((1 - mu) * VR[0, ri, gi] + mu * VR[1, ri, gi])
                    + (1 - D_g) * ((1 - mu) * VwR[0] + mu * VwR[1])
                    - ((1 - mu) * ACR[0, sq, gi] + mu * ACR[1, sq, gi])
                )
                grid_ok = allow_grid & (VU[ri, gi] - ACU[sq, gi] - recU[ri, gi] >= aU - 1e-12)
                use_cf = np.isfinite(best_cf) & (~grid_ok | (best_cf > est_grid))
                serious = use_cf | grid_ok
                if cfg.screening:
                    # column: 'Ukraine participates in negotiations even when we know in advance that no
                    # ceasefire agreement will be reached': with nothing meeting its aspiration, U offers the
                    # ceasefire best for a limited R among those it prefers to war (screening, Powell 2004)
                    scr = np.where(allow_cf[:, None] & (own_cf >= VwU[:, None]), estR[0], -np.inf)
                    si = np.argmax(scr, axis=1)
                    screen = neg & ~serious & np.isfinite(scr[runs, si])
                    ci = np.where(screen, si, ci)
                    use_cf |= screen
                    serious |= screen
                # R responds by its true type; observers evaluate both types (screening, Powell 2004)
                h = np.where(use_cf, h_cf[runs, ci], h_g)
                D = np.exp(-h * H_deal)
                Vk = np.where(use_cf[None, :], cfR_now[:, runs, ci], VR[:, ri, gi])  # (2, N)
                ACk = np.where(use_cf[None, :], 0.0, ACR[:, sq, gi])  # settlements only (concession aversion)
                EUk = D[None, :] * Vk + (1 - D[None, :]) * VwR - ACk + cfg.lambda_US * on_R[None, :]
                bundle_ok = ~(use_cf & ~cf_partial[ci])  # maximal type: no stand-alone ceasefire
                # acceptance probabilities per type (logit; simulator.md §4.6)
                # observers' likelihood scale: their uncertainty about R's valuations (tau_obs), not R's noise
                sc = 0.0 if eq else cfg.tau_obs
                if cfg.belief_model == "reservation":  # observers judge offers against war values
                    th_lim, th_ns = VwR[0], VwR[1]
                else:  # observers know each type's aspiration path
                    th_lim, th_ns = np.maximum(VwR[0], aR[0]), np.maximum(VwR[1], aR_ns_abs)
                p_lim = pol.logistic_cdf(EUk[0] - th_lim, sc)
                p_max = bundle_ok * (
                    cfg.sigma_stall * pol.logistic_cdf(EUk[1] - np.maximum(VwR[1], aR_st_abs), sc)
                    + (1 - cfg.sigma_stall) * pol.logistic_cdf(EUk[1] - th_ns, sc)
                )
                thr_true = np.maximum(VwR_true, aR_true)
                acc = neg & serious & (EUk[typ, runs] >= thr_true + eps) & (bundle_ok | ~maximal)
                llr += np.where(neg & serious, pol.log_likelihood_ratio(acc, p_max, p_lim), 0.0)
                stats["cf_to_R"] += int((neg & use_cf).sum())
                stats["cf_acc_R"] += int((acc & use_cf).sum())
            stats["made"] += int(neg.sum())
            stats["acc"] += int(acc.sum())
            if not acc.any():
                continue
            agreed |= acc
            # settlement (SubComp) ends the run (simulator.md §5)
            st = acc & ~use_cf
            if st.any():
                terms[st] = pk[gi[st]]
                outcome[st], end_month[st], settle_m[st] = SETTLEMENT, t, t
                ev.add(
                    runs[st],
                    t,
                    "settlement",
                    0 if not r_prop else 1,
                    1 if not r_prop else 0,
                    value=pk[gi[st], 0],
                )
                # a settlement during a ceasefire ends that ceasefire (censored, not broken)
                ended = st & in_cf
                cf_dur.append(cf_age[ended].copy())
                cf_dur_idx.append(cf_id[ended].copy())
                in_cf[st] = False
                active[st] = False
            # ceasefire (Cea / SubPar class): intensity drops, hazard h (simulator.md §4.4)
            new = acc & use_cf
            if new.any():
                idx = runs[new]
                cf_rows["run"].append(idx)
                cf_rows["start"].append(np.full(len(idx), t, dtype=np.int64))
                cf_rows["guar"].append(cf[ci[new], 4].astype(np.int64))
                cf_rows["imposed"].append(imposed[new])
                cf_rows["partial"].append(cf_partial[ci[new]])
                cf_rows["hazard"].append(h[new])
                cf_id[new] = n_cf_total + np.arange(len(idx))
                n_cf_total += len(idx)
                in_cf[new], cf_age[new], cf_h[new], cf_ci[new] = True, 0.0, h[new], ci[new]
                first_cf = np.where(new & (first_cf == 0), t, first_cf)
                n_cf += new
                P += new  # a ceasefire is presentable progress (column: US wants 'some kind of result')
                eu_cut |= new & pol.capitulatory(cf[ci])
                ev.add(idx, t, "ceasefire", 0 if r_prop else 1, 1 if r_prop else 0, value=cf[ci[new], 4])
        # humanitarian track and meetings (Bara & Clayton 2022; column: meetings framed as progress)
        hum = active & (rng.random(N) < cfg.p_hum)
        meet = active & (rng.random(N) < cfg.p_meet)
        n_hum += hum
        n_pre += meet
        P += hum + meet
        # ---- 4. ceasefire regime: breakdown with monthly hazard h (simulator.md §4.4; Fortna 2004)
        u_bd = rng.random(N)
        u_frac = rng.random(N)
        live = active & in_cf
        H_now = cum_h(cf_h, cf_age)
        pb = 1.0 - np.exp(-(cum_h(cf_h, cf_age + 1.0) - H_now))
        bd = live & (u_bd < pb)
        if bd.any():
            # time within the month of a constant-hazard breakdown (truncated exponential)
            # (Weibull: invert the cumulative hazard from the ceasefire's age)
            extra = -np.log1p(-u_frac[bd] * pb[bd])
            frac = inv_cum_h(cf_h[bd], H_now[bd] + extra) - cf_age[bd]
            cf_dur.append(cf_age[bd] + frac)
            cf_dur_idx.append(cf_id[bd].copy())
            cf_broke_idx.append(cf_id[bd].copy())
            n_bd += bd
            in_cf[bd] = False
            ev.add(runs[bd], t, "breakdown", -1, value=cf_age[bd] + frac)
        held = live & ~bd
        cf_age[held] += 1.0
        frz = held & (cf_age >= cfg.n_freeze)
        if frz.any():
            cf_dur.append(cf_age[frz].copy())
            cf_dur_idx.append(cf_id[frz].copy())
            outcome[frz], end_month[frz] = FROZEN, t
            active[frz] = False
            ev.add(runs[frz], t, "frozen", -1, value=cf_age[frz])
        # ---- 5. fighting: battle lottery with Student-t shocks (simulator.md §4.5; §7 V19)
        shock = rng.standard_t(cfg.nu, N)
        u_cR, u_cU = rng.random(N), rng.random(N)
        war = active & ~in_cf
        q = np.where(war, np.clip(q + cfg.drift * (p - 0.5) + cfg.noise * shock, 0.0, 1.0), q)
        intensity = np.where(in_cf, cfg.iota_cf, 1.0)
        C_R = np.where(active, C_R + c_R * intensity, C_R)
        C_U = np.where(active, C_U + cfg.c_U * intensity, C_U)
        # collapse kappa_i(M) = kappa (M_j/M_i)^gamma (Powell 2004; Filson & Werner 2002)
        col_R = war & (u_cR < cfg.kappa * (M_U / M_R) ** cfg.gamma)
        col_U = war & (u_cU < cfg.kappa * (M_R / M_U) ** cfg.gamma)
        win_R = war & ((q >= 1.0) | (col_U & ~col_R))
        win_U = war & ~win_R & ((q <= 0.0) | col_R)
        for mask, code in ((win_R, DECISION_R), (win_U, DECISION_U)):
            if mask.any():
                outcome[mask], end_month[mask], decide_m[mask] = code, t, t
                active[mask] = False
                ev.add(runs[mask], t, "decision", 0 if code == DECISION_R else 1, value=q[mask])
        # ---- 6. beliefs: Bayes on R's responses (Powell 2004 screening; simulator.md §4.6)
        mu = pol.posterior(mu, llr)
        beta = pol.posterior(beta, llr)
        beta_path[:, t], mu_path[:, t], q_path[:, t], s_path[:, t] = beta, mu, q, S_US
        # ---- 7. termination at the horizon (right-censored)
        if progress is not None:
            progress(t, T)
        if not active.any():
            beta_path[:, t + 1 :] = beta[:, None]
            mu_path[:, t + 1 :] = mu[:, None]
            q_path[:, t + 1 :] = q[:, None]
            s_path[:, t + 1 :] = S_US[:, None]
            if progress is not None:
                for tt in range(t + 1, T + 1):
                    progress(tt, T)
            break
    # censored ceasefires at the horizon
    still = active & in_cf
    outcome[still] = ONGOING_CEASEFIRE
    cf_dur.append(cf_age[still].copy())
    cf_dur_idx.append(cf_id[still].copy())

    def cat(key: str, dtype: Any) -> Any:
        return np.concatenate(cf_rows[key]).astype(dtype) if cf_rows[key] else np.zeros(0, dtype=dtype)

    dur = np.zeros(n_cf_total)
    if cf_dur:
        dur[np.concatenate(cf_dur_idx).astype(np.int64)] = np.concatenate(cf_dur)
    broke = np.zeros(n_cf_total, dtype=bool)
    if cf_broke_idx:
        broke[np.concatenate(cf_broke_idx).astype(np.int64)] = True
    records = CeasefireRecords(
        run=cat("run", np.int64),
        start=cat("start", np.int64),
        duration=dur,
        broke=broke,
        guar=cat("guar", np.int64),
        imposed=cat("imposed", bool),
        partial=cat("partial", bool),
        hazard=cat("hazard", float),
    )
    return SimResult(
        config=cfg,
        seed=seed,
        n_runs=N,
        months=T,
        outcome=outcome,
        end_month=end_month,
        first_ceasefire=first_cf,
        settlement_month=settle_m,
        decision_month=decide_m,
        sanction_month=sanc_m,
        n_ceasefires=n_cf,
        n_breakdowns=n_bd,
        n_meetings=n_pre,
        n_humanitarian=n_hum,
        final_q=q,
        final_S_US=S_US,
        alignment=align,
        strong_communique=strong,
        maximal=maximal,
        stalling=stalling,
        terms=terms,
        beta=beta_path,
        mu=mu_path,
        q=q_path,
        S_US=s_path,
        ceasefires=records,
        events=ev.log(),
        offers_made=stats["made"],
        offers_accepted=stats["acc"],
        cf_offers_to_R=stats["cf_to_R"],
        cf_accepted_by_R=stats["cf_acc_R"],
    )


# ------------------------------------------------------------------------------ reference modes
def _empty_result(cfg: GameConfig, N: int, seed: int | None, T: int) -> dict[str, Any]:
    z = np.zeros(N, dtype=np.int64)
    f = np.full(N, np.nan)
    b = np.zeros(N, dtype=bool)
    e = np.zeros(0, dtype=np.int64)
    recs = CeasefireRecords(
        run=e,
        start=e,
        duration=np.zeros(0),
        broke=np.zeros(0, dtype=bool),
        guar=e,
        imposed=np.zeros(0, dtype=bool),
        partial=np.zeros(0, dtype=bool),
        hazard=np.zeros(0),
    )
    path = np.full((N, T + 1), np.nan)
    return dict(
        config=cfg,
        seed=seed,
        n_runs=N,
        months=T,
        outcome=np.full(N, ONGOING_WAR, dtype=np.int64),
        end_month=np.full(N, T, dtype=np.int64),
        first_ceasefire=z.copy(),
        settlement_month=z.copy(),
        decision_month=z.copy(),
        sanction_month=z.copy(),
        n_ceasefires=z.copy(),
        n_breakdowns=z.copy(),
        n_meetings=z.copy(),
        n_humanitarian=z.copy(),
        final_q=f.copy(),
        final_S_US=np.zeros(N),
        alignment=f.copy(),
        strong_communique=b.copy(),
        maximal=b.copy(),
        stalling=b.copy(),
        terms=np.full((N, 5), np.nan),
        beta=path,
        mu=path.copy(),
        q=path.copy(),
        S_US=path.copy(),
        ceasefires=recs,
        events=EventLog.empty(),
    )


def _simulate_rubinstein(cfg: GameConfig, N: int, seed: int | None, T: int, rng: _BlockRNG) -> SimResult:
    """Alternating offers, complete information, no fighting (Rubinstein 1982; simulator.md §6.1, §6.3).

    R proposes first; one offer per sub-step (``T x K`` steps). Equilibrium policy: the proposer
    offers the responder its value of rejecting (backward induction, :func:`policies.rubinstein_shares`),
    the responder accepts iff the offer is at least that value; after a rejection the talks break
    down with probability ``breakdown`` (Binmore, Rubinstein & Wolinsky 1986).
    """
    n_steps = T * cfg.substeps
    x = pol.rubinstein_shares(cfg.delta_R, cfg.delta_U, n_steps, cfg.breakdown, cfg.outside_U)
    res = _empty_result(cfg, N, seed, T)
    share_R = np.full(N, np.nan)
    step_agreed = np.full(N, -1, dtype=np.int64)
    open_ = np.ones(N, dtype=bool)
    for k in range(n_steps):
        if not open_.any():
            break
        r_prop = k % 2 == 0
        offer_resp = 1.0 - x[k]  # share offered to the responder
        nxt = x[k + 1] if k + 1 < n_steps else 0.0
        d = cfg.delta_U if r_prop else cfg.delta_R
        out = cfg.outside_U if r_prop else 0.0
        value_reject = max(out, (1 - cfg.breakdown) * d * nxt)
        acc = open_ & (offer_resp >= value_reject - 1e-12)
        share_R[acc] = x[k] if r_prop else 1.0 - x[k]
        step_agreed[acc] = k
        open_ &= ~acc
        if cfg.breakdown > 0:
            open_ &= ~(rng.random(N) < cfg.breakdown)
    agreed = step_agreed >= 0
    month = np.where(agreed, step_agreed // cfg.substeps + 1, 0)
    res["outcome"] = np.where(agreed, SETTLEMENT, ONGOING_WAR)
    res["settlement_month"] = month
    res["end_month"] = np.where(agreed, month, T)
    res["terms"][:, 0] = share_R
    rounds = step_agreed[agreed] + 1
    res["extras"] = {
        "first_mover_share": float(np.nanmean(share_R)) if agreed.any() else None,
        "agreement_round": int(np.median(rounds)) if agreed.any() else None,
        "share_agreed": float(agreed.mean()),
    }
    return SimResult(**res)


def _simulate_fearon(cfg: GameConfig, N: int, seed: int | None, T: int, rng: _BlockRNG) -> SimResult:
    """Take-it-or-leave-it offer by R, then war or peace (Fearon 1995; simulator.md §6.2).

    U's cost is ``c_U`` (complete information) or drawn per run from ``c_U_types`` (equally likely,
    private); R offers the grid share maximising its expected payoff (:func:`policies.fearon_offer`);
    U accepts iff its share is at least its reservation (with the commitment-problem premium of a
    power shift); an indivisible stake allows only shares 0 or 1. War is a lottery won by R w.p. ``p_war``.
    """
    res = _empty_result(cfg, N, seed, T)
    types = np.asarray(cfg.c_U_types if cfg.c_U_types else (cfg.c_U,), dtype=float)
    c_run = types[rng.integers(0, len(types), N)]
    grid = np.array([0.0, 1.0]) if cfg.indivisible else np.linspace(0.0, 1.0, pol.TERR_STEPS)
    res_types = pol.fearon_reservation(cfg.p_war, types, cfg.delta_U, cfg.power_shift)
    offer, ev_offer = pol.fearon_offer(cfg.p_war, cfg.c_R, res_types, grid)
    res_run = pol.fearon_reservation(cfg.p_war, c_run, cfg.delta_U, cfg.power_shift)
    acc = (1.0 - offer) >= res_run - 1e-9
    r_wins = rng.random(N) < cfg.p_war
    res["outcome"] = np.where(acc, SETTLEMENT, np.where(r_wins, DECISION_R, DECISION_U))
    res["settlement_month"] = np.where(acc, 1, 0)
    res["decision_month"] = np.where(acc, 0, 1)
    res["end_month"] = np.ones(N, dtype=np.int64)
    res["terms"][:, 0] = np.where(acc, offer, np.nan)
    res["final_q"] = np.where(acc, offer, np.where(r_wins, 1.0, 0.0))
    lo, hi = cfg.p_war - cfg.c_R, cfg.p_war + float(types.min())
    res["extras"] = {
        "offer": offer,
        "expected_payoff_R": ev_offer,
        "bargaining_range": [lo, hi],
        "range_nonempty": bool(hi >= lo),
        "p_war": float((~acc).mean()),
        "first_offer_accepted": float(acc.mean()),
    }
    return SimResult(**res)
