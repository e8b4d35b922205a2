"""The bargaining-while-fighting engine: ``simulate(config, n_runs=, seed=) -> SimResult``.

Discrete monthly rounds, vectorised over runs (a leading batch axis; a Python loop over months
and offer sub-steps only). Per round, in the order of simulator.md §4 (v1):

0. calendar: the NATO summit as a scheduled alignment test (:func:`phases.summit`);
1. third parties: US progress stock, pressure (:func:`phases.mediate`); sanctions trigger, EU
   sanctions and aid, sanctions effects (:func:`phases.sanction`);
2. arming and the battle edge ``p_t`` (:func:`phases.arm`);
3. negotiation: ``K`` alternating offers over the package grid with aspiration, stalling,
   bundling, acceptance against the value of continuing the war (:func:`negotiation.negotiate`);
   humanitarian track, meetings (:func:`phases.side_tracks`);
4. ceasefire regime: breakdown hazard ``h = h0 exp(b.z)``, freezing (:func:`phases.ceasefire_regime`);
5. fighting: battle lottery with Student-t shocks, costs, collapse (:func:`phases.fight`);
6. beliefs: Bayes on R's responses (U's ``mu`` and the public ``beta``; :func:`phases.update_beliefs`);
7. termination: settlement, frozen ceasefire, military decision, horizon.

The phases share the per-run arrays of :class:`~detente.sim.state.State`; the tables that depend
on the config only are built once (:func:`~detente.sim.tables.build_tables`).

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
from detente.core.rng import check_seed
from detente.defaults import SIM_RUNS
from detente.errors import ModelConfigError
from detente.sim import negotiation, phases
from detente.sim import policies as pol
from detente.sim.config import GameConfig
from detente.sim.state import (
    ACTORS,
    BLOCK,
    DECISION_R,
    DECISION_U,
    FROZEN,
    ONGOING_CEASEFIRE,
    ONGOING_WAR,
    OUTCOME_NAMES,
    SETTLEMENT,
    BlockRNG,
    Log,
    Month,
    State,
    init_state,
    record_paths,
)
from detente.sim.tables import build_tables

__all__ = [
    "ACTORS",
    "BLOCK",
    "DECISION_R",
    "DECISION_U",
    "FROZEN",
    "ONGOING_CEASEFIRE",
    "ONGOING_WAR",
    "OUTCOME_NAMES",
    "SETTLEMENT",
    "CeasefireRecords",
    "SimResult",
    "simulate",
]


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

    def __repr__(self) -> str:
        # one line (the dataclass repr printed every array: 40,000 characters for 2,000 runs)
        codes, counts = np.unique(np.asarray(self.outcome), return_counts=True)
        ends = ", ".join(
            f"{OUTCOME_NAMES[int(c)] if 0 <= int(c) < len(OUTCOME_NAMES) else c} {n}"
            for c, n in zip(codes.tolist(), counts.tolist(), strict=True)
        )
        return (
            f"SimResult({self.config.run.mode}, {self.n_runs} runs × {self.months} months, seed {self.seed}; "
            f"endings: {ends}; {len(self.events)} events; per-run arrays ({self.n_runs},), paths "
            f"({self.n_runs}, {self.months + 1}))"
        )


# ------------------------------------------------------------------------------ public
def simulate(
    config: GameConfig | None = None,
    *,
    n_runs: int = SIM_RUNS,
    seed: int = 0,
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
    if not isinstance(cfg, GameConfig):  # a dict or a preset name gave an AttributeError deep inside
        raise ModelConfigError(
            "config", "a detente.sim.GameConfig (or None for the defaults)", type(cfg).__name__
        )
    seed = check_seed(seed)  # None would draw fresh entropy: the numbers could not be reproduced
    if not isinstance(n_runs, int) or isinstance(n_runs, bool) or n_runs < 1:
        raise ModelConfigError("runs", "an integer >= 1", n_runs)
    T = cfg.run.horizon if months is None else months
    if not isinstance(T, int) or isinstance(T, bool) or T < 1:
        raise ModelConfigError("months", "an integer >= 1", months)
    rng = BlockRNG(seed, n_runs)
    if cfg.run.mode == "rubinstein":
        return _simulate_rubinstein(cfg, n_runs, seed, T, rng)
    if cfg.run.mode == "fearon":
        return _simulate_fearon(cfg, n_runs, seed, T, rng)
    return _simulate_full(cfg, n_runs, seed, T, rng, progress)


# ------------------------------------------------------------------------------ full engine
def _simulate_full(
    cfg: GameConfig,
    N: int,
    seed: int | None,
    T: int,
    rng: BlockRNG,
    progress: Callable[[int, int], None] | None,
) -> SimResult:
    """The monthly rounds of simulator.md §4 over ``N`` runs: one phase per step, in the order of the draws."""
    tb = build_tables(cfg)
    maximal = rng.random(N) < cfg.beliefs.pi_max  # R's private type (simulator.md §3)
    stalling = maximal & (rng.random(N) < cfg.beliefs.sigma_stall)
    st = init_state(cfg, N, T, maximal, stalling)
    log = Log()
    for t in range(1, T + 1):
        phases.summit(cfg, st, log, t, rng)  # 0. calendar
        on_R, on_U = phases.mediate(cfg, st)  # 1. third parties
        prod_R, c_R, aid_EU = phases.sanction(cfg, st, log, t)
        p = phases.arm(cfg, st, prod_R, aid_EU)  # 2. arming
        mo = Month(t=t, on_R=on_R, on_U=on_U, c_R=c_R, p=p)
        llr = negotiation.negotiate(cfg, tb, st, log, mo, rng)  # 3. talks
        phases.side_tracks(cfg, st, rng)
        phases.ceasefire_regime(cfg, tb, st, log, t, rng)  # 4. ceasefire regime
        phases.fight(cfg, st, log, mo, rng)  # 5. fighting
        phases.update_beliefs(st, llr)  # 6. beliefs
        record_paths(st, t)
        if progress is not None:
            progress(t, T)
        if not st.active.any():  # 7. termination: every run has ended
            for tt in range(t + 1, T + 1):
                record_paths(st, tt)
                if progress is not None:
                    progress(tt, T)
            break
    return _result(cfg, seed, N, T, st, log)


def _result(cfg: GameConfig, seed: int | None, N: int, T: int, st: State, log: Log) -> SimResult:
    """The :class:`SimResult` of the full engine; ceasefires still running at the horizon are censored."""
    still = st.active & st.in_cf
    st.outcome[still] = ONGOING_CEASEFIRE
    log.end_ceasefires(st, still, st.cf_age[still].copy())
    rows, n = log.cf_rows, log.n_cf_total

    def cat(key: str, dtype: Any) -> Any:
        return np.concatenate(rows[key]).astype(dtype) if rows[key] else np.zeros(0, dtype=dtype)

    dur = np.zeros(n)
    if log.cf_dur:
        dur[np.concatenate(log.cf_dur_idx).astype(np.int64)] = np.concatenate(log.cf_dur)
    broke = np.zeros(n, dtype=bool)
    if log.cf_broke_idx:
        broke[np.concatenate(log.cf_broke_idx).astype(np.int64)] = True
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
        outcome=st.outcome,
        end_month=st.end_month,
        first_ceasefire=st.first_cf,
        settlement_month=st.settle_m,
        decision_month=st.decide_m,
        sanction_month=st.sanc_m,
        n_ceasefires=st.n_cf,
        n_breakdowns=st.n_bd,
        n_meetings=st.n_pre,
        n_humanitarian=st.n_hum,
        final_q=st.q,
        final_S_US=st.S_US,
        alignment=st.align,
        strong_communique=st.strong,
        maximal=st.maximal,
        stalling=st.stalling,
        terms=st.terms,
        beta=st.beta_path,
        mu=st.mu_path,
        q=st.q_path,
        S_US=st.s_path,
        ceasefires=records,
        events=log.ev.log(),
        offers_made=log.stats["made"],
        offers_accepted=log.stats["acc"],
        cf_offers_to_R=log.stats["cf_to_R"],
        cf_accepted_by_R=log.stats["cf_acc_R"],
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


def _simulate_rubinstein(cfg: GameConfig, N: int, seed: int | None, T: int, rng: BlockRNG) -> SimResult:
    """Alternating offers, complete information, no fighting (Rubinstein 1982; simulator.md §6.1, §6.3).

    R proposes first; one offer per sub-step (``T x K`` steps). Equilibrium policy: the proposer
    offers the responder its value of rejecting (backward induction, :func:`policies.rubinstein_shares`),
    the responder accepts iff the offer is at least that value; after a rejection the talks break
    down with probability ``breakdown`` (Binmore, Rubinstein & Wolinsky 1986).
    """
    n_steps = T * cfg.offers.substeps
    x = pol.rubinstein_shares(
        cfg.values.delta_R, cfg.values.delta_U, n_steps, cfg.reference.breakdown, cfg.reference.outside_U
    )
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
        d = cfg.values.delta_U if r_prop else cfg.values.delta_R
        out = cfg.reference.outside_U if r_prop else 0.0
        value_reject = max(out, (1 - cfg.reference.breakdown) * d * nxt)
        acc = open_ & (offer_resp >= value_reject - 1e-12)
        share_R[acc] = x[k] if r_prop else 1.0 - x[k]
        step_agreed[acc] = k
        open_ &= ~acc
        if cfg.reference.breakdown > 0:
            open_ &= ~(rng.random(N) < cfg.reference.breakdown)
    agreed = step_agreed >= 0
    month = np.where(agreed, step_agreed // cfg.offers.substeps + 1, 0)
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


def _simulate_fearon(cfg: GameConfig, N: int, seed: int | None, T: int, rng: BlockRNG) -> SimResult:
    """Take-it-or-leave-it offer by R, then war or peace (Fearon 1995; simulator.md §6.2).

    U's cost is ``c_U`` (complete information) or drawn per run from ``c_U_types`` (equally likely,
    private); R offers the grid share maximising its expected payoff (:func:`policies.fearon_offer`);
    U accepts iff its share is at least its reservation (with the commitment-problem premium of a
    power shift); an indivisible stake allows only shares 0 or 1. War is a lottery won by R w.p. ``p_war``.
    """
    res = _empty_result(cfg, N, seed, T)
    types = np.asarray(
        cfg.reference.c_U_types if cfg.reference.c_U_types else (cfg.fighting.c_U,), dtype=float
    )
    c_run = types[rng.integers(0, len(types), N)]
    grid = np.array([0.0, 1.0]) if cfg.reference.indivisible else np.linspace(0.0, 1.0, pol.TERR_STEPS)
    res_types = pol.fearon_reservation(
        cfg.reference.p_war, types, cfg.values.delta_U, cfg.reference.power_shift
    )
    offer, ev_offer = pol.fearon_offer(cfg.reference.p_war, cfg.fighting.c_R, res_types, grid)
    res_run = pol.fearon_reservation(
        cfg.reference.p_war, c_run, cfg.values.delta_U, cfg.reference.power_shift
    )
    acc = (1.0 - offer) >= res_run - 1e-9
    r_wins = rng.random(N) < cfg.reference.p_war
    res["outcome"] = np.where(acc, SETTLEMENT, np.where(r_wins, DECISION_R, DECISION_U))
    res["settlement_month"] = np.where(acc, 1, 0)
    res["decision_month"] = np.where(acc, 0, 1)
    res["end_month"] = np.ones(N, dtype=np.int64)
    res["terms"][:, 0] = np.where(acc, offer, np.nan)
    res["final_q"] = np.where(acc, offer, np.where(r_wins, 1.0, 0.0))
    lo, hi = cfg.reference.p_war - cfg.fighting.c_R, cfg.reference.p_war + float(types.min())
    res["extras"] = {
        "offer": offer,
        "expected_payoff_R": ev_offer,
        "bargaining_range": [lo, hi],
        "range_nonempty": bool(hi >= lo),
        "p_war": float((~acc).mean()),
        "first_offer_accepted": float(acc.mean()),
    }
    return SimResult(**res)
