"""State of the full engine between and within monthly rounds (simulator.md §2, §5).

* :class:`State`: one entry per run (arrays of length ``N``): R's type, the state variables of §2 (front,
  capacities, costs, beliefs, sanctions, progress, the running ceasefire) and the per-run outputs of §5
  (termination, months, counts, paths);
* :class:`Month`: what the first phases of a month hand to the talks and the fighting (US pressure,
  R's sanction-adjusted war cost, the battle edge ``p_t``);
* :class:`Log`: the ceasefire records, the event log and the offer counters, filled as the runs go;
* :class:`BlockRNG`: the random stream, block by block, so that a run's draws do not depend on ``N``.

Phases (:mod:`detente.sim.phases`, :mod:`detente.sim.negotiation`) read and update these in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente._typing import BoolArray, FloatArray, IntArray
from detente.core.results import EventLog
from detente.core.rng import as_seed_sequence
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


BLOCK = 512
"""Runs per random-number block (one generator each)."""


class BlockRNG:
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


class Events:
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

    def kinds(self) -> list[str]:
        """The kinds of the events recorded so far, in the order recorded (for tests)."""
        return [str(k) for part in self.cols["kind"] for k in part]


@dataclass
class State:
    """Per-run arrays of the full engine (``N`` runs): §2 state, R's type, the ceasefire, §5 outputs."""

    runs: IntArray
    maximal: BoolArray  # R's private type (simulator.md §3)
    stalling: BoolArray  # a maximal R following the stalling policy
    typ: IntArray  # R's type as an index: 0 limited, 1 maximal
    q: FloatArray  # the front: share of contested land held by R
    M_R: FloatArray
    M_U: FloatArray
    C_R: FloatArray  # accumulated costs
    C_U: FloatArray
    mu: FloatArray  # U's belief that R is maximal
    beta: FloatArray  # the public's (blame) belief
    S_US: FloatArray
    S_EU: FloatArray
    P: FloatArray  # US progress stock
    trig: IntArray  # consecutive months of the US sanctions trigger
    steps_R: FloatArray  # US pressure steps on R (pressure time)
    steps_U: FloatArray
    shift_R: FloatArray  # change of R's war value (strong summit communique)
    eu_cut: BoolArray  # EU aid cut after a capitulatory deal
    active: BoolArray  # the run goes on
    in_cf: BoolArray  # a ceasefire holds
    cf_age: FloatArray  # its age in months
    cf_h: FloatArray  # its monthly hazard h
    cf_id: IntArray  # its row in the ceasefire records
    cf_ci: IntArray  # its ceasefire candidate (terms)
    outcome: IntArray  # termination code (OUTCOME_NAMES)
    end_month: IntArray
    first_cf: IntArray
    settle_m: IntArray
    decide_m: IntArray
    sanc_m: IntArray
    n_cf: IntArray
    n_bd: IntArray
    n_pre: IntArray
    n_hum: IntArray
    terms: FloatArray  # (N, 5) settled package
    align: FloatArray  # summit alignment
    strong: BoolArray  # strong summit communique
    beta_path: FloatArray  # (N, T + 1)
    mu_path: FloatArray
    q_path: FloatArray
    s_path: FloatArray


def init_state(cfg: GameConfig, N: int, T: int, maximal: BoolArray, stalling: BoolArray) -> State:
    """The state at the start of the run (month 0), R's types drawn by the caller (simulator.md §2, §3)."""
    f, b = cfg.fighting, cfg.beliefs

    def i0() -> IntArray:
        return np.zeros(N, dtype=np.int64)

    st = State(
        runs=np.arange(N),
        maximal=maximal,
        stalling=stalling,
        typ=maximal.astype(np.int64),
        q=np.full(N, f.q0),
        M_R=np.full(N, f.M_R),
        M_U=np.full(N, f.M_U),
        C_R=np.full(N, f.C0_R),
        C_U=np.full(N, f.C0_U),
        mu=np.full(N, b.pi_max),
        beta=np.full(N, b.beta0),
        S_US=np.zeros(N),
        S_EU=np.zeros(N),
        P=np.full(N, cfg.mediation.P0),
        trig=i0(),
        steps_R=np.zeros(N),
        steps_U=np.zeros(N),
        shift_R=np.zeros(N),
        eu_cut=np.zeros(N, dtype=bool),
        active=np.ones(N, dtype=bool),
        in_cf=np.zeros(N, dtype=bool),
        cf_age=np.zeros(N),
        cf_h=np.zeros(N),
        cf_id=np.full(N, -1, dtype=np.int64),
        cf_ci=i0(),
        outcome=np.full(N, ONGOING_WAR, dtype=np.int64),
        end_month=np.full(N, T, dtype=np.int64),
        first_cf=i0(),
        settle_m=i0(),
        decide_m=i0(),
        sanc_m=i0(),
        n_cf=i0(),
        n_bd=i0(),
        n_pre=i0(),
        n_hum=i0(),
        terms=np.full((N, 5), np.nan),
        align=np.full(N, np.nan),
        strong=np.zeros(N, dtype=bool),
        beta_path=np.empty((N, T + 1)),
        mu_path=np.empty((N, T + 1)),
        q_path=np.empty((N, T + 1)),
        s_path=np.empty((N, T + 1)),
    )
    record_paths(st, 0)
    return st


def record_paths(st: State, t: int) -> None:
    """Write month ``t`` of the belief, front and US sanctions paths."""
    st.beta_path[:, t], st.mu_path[:, t], st.q_path[:, t], st.s_path[:, t] = st.beta, st.mu, st.q, st.S_US


@dataclass
class Month:
    """What a phase of month ``t`` hands to later phases of the same month."""

    t: int
    on_R: BoolArray  # US pressure on R this month (simulator.md §3 US)
    on_U: BoolArray
    c_R: FloatArray  # R's flow cost of war under sanctions
    p: FloatArray  # battle edge of R


@dataclass
class Log:
    """Ceasefire records, events and offer counters (the non-per-run outputs of §5)."""

    cf_rows: dict[str, list[Any]] = field(
        default_factory=lambda: {k: [] for k in ("run", "start", "guar", "imposed", "partial", "hazard")}
    )
    cf_dur: list[FloatArray] = field(default_factory=list)  # durations of ended ceasefires ...
    cf_dur_idx: list[IntArray] = field(default_factory=list)  # ... and their rows
    cf_broke_idx: list[IntArray] = field(default_factory=list)  # rows of ceasefires that broke down
    n_cf_total: int = 0
    ev: Events = field(default_factory=Events)
    stats: dict[str, int] = field(default_factory=lambda: {"made": 0, "acc": 0, "cf_to_R": 0, "cf_acc_R": 0})

    def end_ceasefires(self, st: State, mask: BoolArray, duration: FloatArray) -> None:
        """Record the duration of the ceasefires of the runs in ``mask`` that end now (broken or not)."""
        self.cf_dur.append(duration)
        self.cf_dur_idx.append(st.cf_id[mask].copy())
