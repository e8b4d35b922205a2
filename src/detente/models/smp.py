"""KTAB-style Spatial Model of Politics (models.md §6): joint bargaining over several dimensions.

The scenario's issues are the dimensions. Defaults are the settings of KTAB's deterministic
reference runs (data/README.md, KTAB), which this model reproduces within the 0.1 log
rounding (tests/models/test_smp.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np

from detente._typing import BoolArray, FloatArray
from detente.core.arrays import ScenarioArrays
from detente.core.results import Diagnostics, EventLog, Prediction
from detente.errors import ConvergenceWarning, warn_caller
from detente.kernels import smp as K
from detente.kernels.dynamics import classify_path
from detente.kernels.weighted import weighted_mean
from detente.models.base import ModelInfo, check_literal, check_range

# budget of elements in the largest (chunk, A, A, A) temporary
_CHUNK_ELEMENTS = 4_000_000


@dataclass(frozen=True, slots=True)
class SpatialModel:
    """Spatial Model of Politics (KTAB SMP; models.md §6), batch-first.

    Options (KTAB names in brackets; defaults = KTAB's deterministic reference runs, source
    models.md §6 and data/README.md, KTAB):

    - ``victory_prob_model`` [VictoryProbModel]: ``linear`` | square | quartic | octic | binary.
    - ``voting_rule`` [VotingRule]: ``prop`` | binary | propbin | cubic | propcbc | asymprosp.
    - ``pce_model`` [PCEModel]: ``conditional`` (Markov variants not implemented).
    - ``state_transitions`` [StateTransitions]: ``deterministic`` (argmax, first on ties) | stochastic
      (sampled from the choice PCE with the run's generator).
    - ``big_r_range`` [BigRRange]: ``mid`` | min | max. ``big_r_adjust`` [BigRAdjust]:
      ``one_third`` | none | half | two_thirds | full.
    - ``third_party_commit`` [ThirdPartyCommit]: ``semi`` | full | none (full and none: third
      parties abstain, models.md §6 step 3).
    - ``inter_vec_brgn`` [InterVecBrgn]: ``s2p2`` | s1p1. ``bargn_model`` [BargnModel]: ``init_only``.
    - ``max_turns`` (100) and ``stop_ratio`` (0.02): KTAB stopping rule (models.md §6 Stop).
    - ``round_decimals`` (4): bargain positions are rounded on the unit scale (KTAB); None = off.

    detente's own choices (docs/smp.md):

    - ``dimensions``: ``joint`` (all issues form one space) | ``separate`` (one 1-D SMP per issue,
      run together along the batch axis).
    - ``capability_rule``: the one capability of an actor in a joint run is the ``mean`` (default)
      or ``max`` of its per-issue capabilities over the issues where it has a stance.
    - ``salience_total``: the SMP assumes each actor's saliences sum to at most 1 over the
      dimensions (KTAB budgets 100 points). ``rescale`` (default) divides every salience by
      ``max(1, max_k Σ_d s_kd)``, one common factor, so KTAB inputs are untouched and per-issue
      saliences (each up to 1) keep their ratios; ``divide`` uses ``s_id / D`` (validation.md
      sensitivity run); ``none`` takes them as given.
    - ``outcome``: ``weighted_mean`` (default: ``c_i σ_id`` weighted mean of the final positions)
      | ``pce`` (final positions weighted by the PCE probability that each wins the election).

    An actor without a stance on an issue has salience 0 there; its position on that dimension
    starts at the ``c·σ`` weighted mean of the present positions (so masked values never matter)
    and it does not count in that dimension's outcome. Actors with no stance at all sit out.
    """

    victory_prob_model: Literal["linear", "square", "quartic", "octic", "binary"] = "linear"
    voting_rule: Literal["prop", "binary", "propbin", "cubic", "propcbc", "asymprosp"] = "prop"
    pce_model: Literal["conditional"] = "conditional"
    state_transitions: Literal["deterministic", "stochastic"] = "deterministic"
    big_r_range: Literal["mid", "min", "max"] = "mid"
    big_r_adjust: Literal["one_third", "none", "half", "two_thirds", "full"] = "one_third"
    third_party_commit: Literal["semi", "full", "none"] = "semi"
    inter_vec_brgn: Literal["s2p2", "s1p1"] = "s2p2"
    bargn_model: Literal["init_only"] = "init_only"
    max_turns: int = 100
    stop_ratio: float = 0.02
    round_decimals: int | None = 4
    dimensions: Literal["joint", "separate"] = "joint"
    capability_rule: Literal["mean", "max"] = "mean"
    salience_total: Literal["rescale", "divide", "none"] = "rescale"
    outcome: Literal["weighted_mean", "pce"] = "weighted_mean"
    info: ClassVar[ModelInfo] = ModelInfo(
        "smp",
        dynamic=True,
        stochastic=True,
        joint_issues=True,
        mirror_symmetric=True,
        description="KTAB-style Spatial Model of Politics: challenges and bargains over several dimensions",
    )

    def __post_init__(self) -> None:
        check_literal(self)
        check_range("max_turns", self.max_turns, 1, 10_000, integer=True)
        check_range("stop_ratio", self.stop_ratio, 0.0, 1.0)
        if self.round_decimals is not None:
            check_range("round_decimals", self.round_decimals, 0, 15, integer=True)

    # ------------------------------------------------------------------------------------------
    def _params(self) -> K.Params:
        return K.Params(
            victory_prob_model=self.victory_prob_model,
            voting_rule=self.voting_rule,
            state_transitions=self.state_transitions,
            big_r_range=self.big_r_range,
            big_r_adjust=self.big_r_adjust,
            third_party_commit=self.third_party_commit,
            inter_vec_brgn=self.inter_vec_brgn,
            round_decimals=None if self.round_decimals is None else int(self.round_decimals),
            max_turns=int(self.max_turns),
            stop_ratio=float(self.stop_ratio),
        )

    def predict(self, arrays: ScenarioArrays, rng: np.random.Generator) -> Prediction:
        batch = arrays.batch_shape
        A, D = arrays.n_actors, arrays.n_issues
        pos = np.asarray(arrays.position, dtype=np.float64).reshape(-1, A, D)
        sal = np.asarray(arrays.salience, dtype=np.float64).reshape(-1, A, D)
        cap = np.asarray(arrays.capability, dtype=np.float64).reshape(-1, A, D)
        present = np.asarray(arrays.present, dtype=bool).reshape(-1, A, D)
        B = pos.shape[0]
        sal = np.where(present, sal, 0.0)
        cap_m = np.where(present, cap, 0.0)
        x0 = _fill_absent(pos, sal * cap_m, present)
        gens: list[np.random.Generator] | None = None
        if self.state_transitions == "stochastic":
            # one generator per draw: the run's own for an unbatched call, rng.spawn(n)[b] for draw b
            gens = [rng] if not batch else list(rng.spawn(B))

        if self.dimensions == "joint":
            sal = _salience_total(sal, self.salience_total)
            c = _actor_capability(cap_m, present, self.capability_rule)  # (B, A)
            res = self._run_chunks(x0, sal, c, present, gens)
            traj = res.trajectory  # (B, T+1, A, D)
            risk = res.risk[:, :, :, None] * np.ones(D)
            pce_path = res.pce[:, :, :, None] * np.ones(D)
            status = np.repeat(res.status[:, None], D, axis=1)
            rounds = np.repeat(res.rounds[:, None], D, axis=1)
            period = np.repeat(res.period[:, None], D, axis=1)
            ev = _event_log(res.events, D=D, separate=False)
            proposals = _event_log(res.proposals, D=D, separate=False)
            c_eff = np.repeat(c[:, :, None], D, axis=2)
        else:
            # one 1-D SMP per issue: move the issue axis into the batch
            def split(a: np.ndarray) -> np.ndarray:
                return np.moveaxis(a, 2, 1).reshape(B * D, A, 1)

            g2 = None if gens is None else [child for g in gens for child in g.spawn(D)]
            c_sep = np.moveaxis(cap_m, 2, 1).reshape(B * D, A)
            res = self._run_chunks(split(x0), split(sal), c_sep, split(present), g2)
            T1 = res.trajectory.shape[1]
            traj = np.moveaxis(res.trajectory.reshape(B, D, T1, A), 1, -1)
            risk = np.moveaxis(res.risk.reshape(B, D, T1, A), 1, -1)
            pce_path = np.moveaxis(res.pce.reshape(B, D, T1, A), 1, -1)
            status = res.status.reshape(B, D)
            rounds = res.rounds.reshape(B, D)
            period = res.period.reshape(B, D)
            ev = _event_log(res.events, D=D, separate=True)
            proposals = _event_log(res.proposals, D=D, separate=True)
            c_eff = cap_m
        T1 = traj.shape[1]
        eff = np.where(present, c_eff * sal, 0.0)  # effective power c_i σ_id
        w_path = np.broadcast_to(eff[:, None], traj.shape)
        p_path = np.broadcast_to(present[:, None], traj.shape)
        mean_path, _ = weighted_mean(traj, w_path, p_path)  # (B, T+1, D)
        if self.outcome == "pce":
            pw = np.where(present[:, None], pce_path, 0.0)
            tot = pw.sum(axis=-2)
            stat_path = np.where(tot > 0, (pw * traj).sum(axis=-2) / np.where(tot > 0, tot, 1.0), mean_path)
        else:
            stat_path = mean_path
        # a dimension where nobody has a stance has no forecast
        nobody = np.asarray(~present.any(axis=-2), dtype=bool)  # (B, D)
        mean_path = np.where(nobody[:, None, :], np.nan, mean_path)
        stat_path = np.where(nobody[:, None, :], np.nan, stat_path)
        outcome = stat_path[:, -1, :]
        # at the cap, tell oscillation from plain capping (models.md §0)
        cls_status, _, _ = classify_path(traj, stat_path)
        status = np.where((status == "capped") & (cls_status == "oscillating"), "oscillating", status)
        if np.any(status != "converged"):
            n_bad = int(np.sum(status != "converged"))
            warn_caller(
                ConvergenceWarning(
                    f"smp: {n_bad} of {status.size} runs did not converge (statuses: "
                    f"{', '.join(sorted(set(status.ravel().tolist())))})"
                )
            )

        def rs(a: np.ndarray, tail: tuple[int, ...]) -> Any:
            return np.ascontiguousarray(a).reshape(*batch, *tail)

        extras: dict[str, Any] = {
            "round_stats": {"mean": rs(mean_path, (T1, D))},
            "effective_power": rs(np.broadcast_to(eff[:, None], traj.shape), (T1, A, D)),
            "risk": rs(risk, (T1, A, D)),
            "pce": rs(pce_path, (T1, A, D)),
            "proposals": proposals,
            "dimensions": self.dimensions,
        }
        diag = Diagnostics(
            status=rs(status, (D,)),
            rounds=rs(rounds.astype(np.int64), (D,)),
            period=rs(period.astype(np.int64), (D,)),
            flags={"joint": np.full((*batch, D), self.dimensions == "joint")},
        )
        return Prediction(
            outcome=rs(outcome, (D,)),
            diagnostics=diag,
            trajectory=rs(traj, (T1, A, D)),
            events=ev,
            stat_path=rs(stat_path, (T1, D)),
            extras=extras,
        )

    def _run_chunks(
        self,
        x0: FloatArray,
        sal: FloatArray,
        c: FloatArray,
        present: BoolArray,
        gens: list[np.random.Generator] | None,
    ) -> K.RunResult:
        """Run the kernel on batch chunks small enough for the (chunk, A, A, A) temporaries."""
        B, A, D = x0.shape
        active = present.any(axis=-1) & (c > 0)
        cmax = np.where(active, c, 0.0).max(axis=-1, keepdims=True)
        # capabilities enter only as ratios: normalise by the largest (scale-free, conformance §4.10)
        cn = np.where(active, c / np.where(cmax > 0, cmax, 1.0), 0.0)
        size = max(1, _CHUNK_ELEMENTS // max(1, A * A * (A + 1)))
        prm = self._params()
        parts: list[K.RunResult] = []
        for lo in range(0, B, size):
            hi = min(B, lo + size)
            r = K.run(
                x0[lo:hi],
                sal[lo:hi],
                cn[lo:hi],
                active[lo:hi],
                present[lo:hi],
                prm,
                gens=None if gens is None else gens[lo:hi],
            )
            if lo:
                r.events["batch"] = [b + lo for b in r.events.get("batch", [])]
                r.proposals["batch"] = [b + lo for b in r.proposals.get("batch", [])]
            parts.append(r)
        return _concat(parts)


def _fill_absent(pos: FloatArray, w: FloatArray, present: BoolArray) -> FloatArray:
    """Absent coordinates start at the weighted mean of the present positions on that dimension."""
    fill, _ = weighted_mean(pos, w, present)  # (B, D), plain mean when all weights are 0
    fill = np.where(present.any(axis=-2), fill, 0.5)
    return np.asarray(np.where(present, pos, fill[:, None, :]), dtype=np.float64)


def _salience_total(sal: FloatArray, rule: str) -> FloatArray:
    """Keep every actor's total salience ≤ 1 over the dimensions (models.md §6 assumes S_i ≤ 1)."""
    if rule == "divide":
        return np.asarray(sal / sal.shape[-1], dtype=np.float64)
    if rule == "rescale":
        top = sal.sum(axis=-1).max(axis=-1)  # (B,)
        return np.asarray(sal / np.maximum(top, 1.0)[:, None, None], dtype=np.float64)
    return sal


def _actor_capability(cap: FloatArray, present: BoolArray, rule: str) -> FloatArray:
    """One capability per actor from its per-issue capabilities where present (``mean`` or ``max``)."""
    n = present.sum(axis=-1)
    if rule == "max":
        out = np.where(present, cap, 0.0).max(axis=-1)
    else:
        out = np.where(present, cap, 0.0).sum(axis=-1) / np.maximum(n, 1)
    return np.asarray(np.where(n > 0, out, 0.0), dtype=np.float64)


def _concat(parts: list[K.RunResult]) -> K.RunResult:
    if len(parts) == 1:
        return parts[0]
    T1 = max(p.trajectory.shape[1] for p in parts)

    def pad(a: FloatArray) -> FloatArray:
        if a.shape[1] == T1:
            return a
        last = a[:, -1:]
        return np.concatenate([a, np.repeat(last, T1 - a.shape[1], axis=1)], axis=1)

    ev: dict[str, list[np.ndarray]] = {}
    prop: dict[str, list[np.ndarray]] = {}
    for p in parts:
        for k, v in p.events.items():
            ev.setdefault(k, []).extend(v)
        for k, v in p.proposals.items():
            prop.setdefault(k, []).extend(v)
    return K.RunResult(
        trajectory=np.concatenate([pad(p.trajectory) for p in parts]),
        risk=np.concatenate([pad(p.risk) for p in parts]),
        pce=np.concatenate([pad(p.pce) for p in parts]),
        rounds=np.concatenate([p.rounds for p in parts]),
        status=np.concatenate([p.status for p in parts]),
        period=np.concatenate([p.period for p in parts]),
        ratio=np.concatenate([p.ratio for p in parts]),
        events=ev,
        proposals=prop,
    )


_CORE = ("batch", "round", "kind", "actor", "counterpart", "issue", "before", "after", "value")


def _event_log(ev: dict[str, list[np.ndarray]], *, D: int, separate: bool) -> EventLog:
    """EventLog (sorted by batch, round) from the kernel's column lists."""
    if not ev or not ev.get("round"):
        return EventLog.empty()
    cols = {k: np.concatenate(v) for k, v in ev.items()}
    if separate:  # batch index b*D + d of the 1-D runs -> (b, issue d)
        flat = cols["batch"]
        cols["batch"] = flat // D
        cols["issue"] = flat % D
    order = np.lexsort((cols["round"], cols["batch"]))
    cols = {k: v[order] for k, v in cols.items()}
    extra = {k: np.asarray(v, dtype=np.float64) for k, v in cols.items() if k not in _CORE}
    return EventLog(
        batch=cols["batch"].astype(np.int64),
        round=cols["round"].astype(np.int64),
        kind=cols["kind"].astype("<U12"),
        actor=cols["actor"].astype(np.int64),
        counterpart=cols["counterpart"].astype(np.int64),
        issue=cols["issue"].astype(np.int64),
        before=cols["before"].astype(np.float64),
        after=cols["after"].astype(np.float64),
        value=cols["value"].astype(np.float64),
        extra=extra,
    )
