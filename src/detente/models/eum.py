"""Expected-utility (challenge) model of Bueno de Mesquita as specified by Scholz, Calbert & Smith (2011).

models.md §4. Every ambiguity of the paper is a named parameter; ``variant`` picks a preset and any
parameter passed explicitly overrides it (``None`` = take it from the preset):

=====================  ===========================  ==========================
parameter              ``scholz2011`` (default)      ``paper``
=====================  ===========================  ==========================
``prob``               ``all_pairs``                 ``pair`` (eq. 31)
``votes_risk``         ``voter``                     ``linear``
``perspective``        ``receiver``                  ``own``
``compromise_choice``  ``weighted_position_min``     ``least_move`` (§6.2)
``capitulation``       True                          True
``q``                  1.0                           1.0
``range``              ``positions``                 ``positions``
``risk``               ``scholz``                    ``scholz``
=====================  ===========================  ==========================

``scholz2011`` reproduces the published trajectory (Scholz et al. 2011, Table 2) and the third-party
run log (moves in ``data/bdm_eum/jmckib_model_emission_moves.csv``); ``paper`` follows the printed equations as written.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, cast

import numpy as np

from detente._typing import FloatArray
from detente.core.arrays import ScenarioArrays
from detente.core.results import Diagnostics, EventLog, Prediction
from detente.errors import ConvergenceWarning, MissingExtraError, ModelConfigError, install_hint, warn_caller
from detente.kernels.dynamics import classify_path
from detente.kernels.eum import EUMRun, numba_available, perspective, rows_per_call, run_eum
from detente.kernels.eum_spec import KIND_NAMES, EUMSettings
from detente.models.base import ModelInfo, check_literal, check_range

PRESETS: dict[str, dict[str, Any]] = {
    # models.md §4 "Presets"
    "scholz2011": dict(
        prob="all_pairs",
        votes_risk="voter",
        perspective="receiver",
        compromise_choice="weighted_position_min",
        capitulation=True,
        q=1.0,
        range="positions",
        risk="scholz",
    ),
    "paper": dict(
        prob="pair",
        votes_risk="linear",
        perspective="own",
        compromise_choice="least_move",
        capitulation=True,
        q=1.0,
        range="positions",
        risk="scholz",
    ),
}

# batches up to this many elements keep the per-round offer log and the perspective data
RECORD_LIMIT = 64
# peak memory of one kernel call (bytes): the rows (issue-runs) of a call come from the kernel's
# peak-memory formula (``kernels.eum.peak_bytes``, docs/performance.md "Memory"), so a predict call
# needs at most this much on top of its inputs and outputs, whatever the batch or the actor count
CALL_BUDGET = 64 * 2**20


# ``engine="auto"``: numba only when a call's work (issue-runs × actors², the pairwise vote sums)
# is at least this much. Measured on 2 cores (docs/performance.md "The numba engine", 2026-12-07):
# numba saves about 1.6 µs CPU per issue-run × actor² (10 rounds) against NumPy, and importing numba
# and loading its cached kernels costs about 0.85 s CPU and 110 MB per process; below ~10⁶ the load
# costs about as much as the JIT saves (``detente run``'s 300-draw sweep: 1,800 issue-runs × 10² =
# 1.8 × 10⁵, NumPy). A sweep decides once for all its chunks (``for_batch``).
AUTO_NUMBA_WORK = 1_000_000


@dataclass(frozen=True, slots=True)
class ExpectedUtility:
    """Bueno de Mesquita's expected-utility (challenge) model, Scholz et al. (2011) form.

    Parameters (models.md §4; ``None`` = from ``variant``'s preset)
    ----------------------------------------------------------------
    variant: ``"scholz2011"`` (reproduces Table 2) or ``"paper"`` (printed equations).
    prob: ``"pair"`` normalises the vote by the pair's votes (eq. 31); ``"all_pairs"`` by all
        pairs' votes (the convention behind the published trajectory).
    votes_risk: votes use the voter's risk exponent (``"voter"``) or are linear.
    perspective: the proposer's expected utility ``b`` as the receiver sees it (``"receiver"``)
        or as the proposer sees it (``"own"``, paper text).
    compromise_choice: among compromise offers the smallest move (``"least_move"``, §6.2) or the
        lowest weighted position ``(|a| x_i + |b| x_j)/(|a| + |b|)`` (``"weighted_position_min"``).
    capitulation: whether the capitulation branch of Fig. 6 can fire.
    q: probability ``Q`` that the target does not respond (eq. 25; Scholz use 1.0).
    range: ``Δ`` = range of the initial positions (``"positions"``) or the scale width.
    risk: risk exponents from eqs. 33–34 (``"scholz"``) or all 1 (``"neutral"``).
    rounds: maximum number of rounds (models.md §4: 10).
    forecast: forecast statistic of the final positions, ``"median"`` (BdM) or ``"mean"``.
    tol, patience, osc_tol: stopping rules of models.md §0.
    precision: arithmetic of the rounds, ``"float64"`` (default; the golden tests) or
        ``"float32"`` (about 1.5–2× faster for large Monte Carlo batches; results agree to ~1e-5 on
        the unit scale except where a draw sits on a knife edge between two offers).
    engine: ``"auto"`` (default: numba for calls of at least ``AUTO_NUMBA_WORK`` issue-runs × actors²
        when it is installed and ``precision="float64"``, else NumPy — small calls never pay
        numba's import), ``"numpy"`` or ``"numba"`` (compiled rounds from the ``fast`` extra, float64
        only; its own exp/log make the numbers differ from NumPy's in the last bits, the offers and
        statuses are the same; a sweep decides ``auto`` once for all its chunks, :meth:`for_batch`).
    """

    variant: Literal["scholz2011", "paper"] = "scholz2011"
    prob: Literal[None, "pair", "all_pairs"] = None
    votes_risk: Literal[None, "voter", "linear"] = None
    perspective: Literal[None, "receiver", "own"] = None
    compromise_choice: Literal[None, "least_move", "weighted_position_min"] = None
    capitulation: bool | None = None
    q: float | None = None
    range: Literal[None, "positions", "scale"] = None
    risk: Literal[None, "scholz", "neutral"] = None
    rounds: int = 10
    forecast: Literal["median", "mean"] = "median"
    tol: float = 1e-9
    patience: int = 2
    osc_tol: float = 0.01
    precision: Literal["float64", "float32"] = "float64"
    engine: Literal["numpy", "numba", "auto"] = "auto"
    info: ClassVar[ModelInfo] = ModelInfo(
        "eum",
        dynamic=True,
        stochastic=False,
        mirror_symmetric=False,  # weighted_position_min (scholz2011) prefers lower positions
        description="Bueno de Mesquita's expected-utility challenge model (Scholz, Calbert & Smith 2011)",
    )

    def __post_init__(self) -> None:
        check_literal(self)
        if self.capitulation is not None and not isinstance(self.capitulation, bool | np.bool_):
            raise ModelConfigError("capitulation", "true or false", self.capitulation)
        if self.q is not None:
            check_range("q", self.q, 0.0, 1.0)
        check_range("rounds", self.rounds, 0, 10_000, integer=True)
        check_range("tol", self.tol, 0.0, 1.0)
        check_range("patience", self.patience, 1, 1000, integer=True)
        check_range("osc_tol", self.osc_tol, 0.0, 1.0)
        if self.engine == "numba" and self.precision != "float64":
            raise ModelConfigError("engine", "'numpy' or 'auto' with precision='float32'", self.engine)

    def resolved_engine(self, n_runs: int | None = None, n_actors: int = 1) -> str:
        """The engine the rounds run on: ``numba`` needs the ``fast`` extra (a one-line error otherwise).

        ``auto`` picks numba only for calls of at least ``AUTO_NUMBA_WORK`` issue-runs × actors²
        (``n_runs`` None = large). The engines agree to ~1e-12, not bit for bit: a job split into
        calls decides once for all of them (:meth:`for_batch`).
        """
        if self.engine == "numpy" or (self.engine == "auto" and self.precision != "float64"):
            return "numpy"
        if self.engine == "auto" and n_runs is not None and n_runs * n_actors**2 < AUTO_NUMBA_WORK:
            return "numpy"
        if numba_available():
            return "numba"
        if self.engine == "auto":
            return "numpy"
        raise MissingExtraError(
            "eum engine='numba' needs numba: install the fast extra with " + install_hint("fast")
        )

    def numba_missing_for(self, n_runs: int, n_actors: int) -> bool:
        """Whether ``auto`` would run a job of ``n_runs`` issue-runs on numba (it is large enough,
        ``AUTO_NUMBA_WORK``) but numba is not installed, so the job runs on NumPy: the CLI then says
        that the ``fast`` extra would speed it up (about 4× for the EUM sweep of issue #15, 41 s
        against 9.4 s of CPU; benchmarks/README.md)."""
        return (
            self.engine == "auto"
            and self.precision == "float64"
            and n_runs * n_actors**2 >= AUTO_NUMBA_WORK
            and not numba_available()
        )

    def for_batch(self, n_runs: int, n_actors: int) -> ExpectedUtility:
        """This model with ``engine="auto"`` decided for a whole job of ``n_runs`` issue-runs (a Monte
        Carlo sweep calls :meth:`predict` once per chunk): every chunk, of any size and in any
        process, then runs on the same engine, so the numbers do not depend on the chunking."""
        if self.engine != "auto":
            return self
        engine = cast(Literal["numpy", "numba"], self.resolved_engine(n_runs, n_actors))
        return dataclasses.replace(self, engine=engine)

    @property
    def settings(self) -> EUMSettings:
        """The preset of ``variant`` with the explicitly given parameters applied."""
        base = dict(PRESETS[self.variant])
        for name in base:
            v = getattr(self, name)
            if v is not None:
                base[name] = v
        base["q"] = float(base["q"])
        base["capitulation"] = bool(base["capitulation"])
        return EUMSettings(**base)

    def resolved_params(self) -> dict[str, Any]:
        """All switches as actually used (preset + overrides), for manifests and reports."""
        st = self.settings
        return {
            "variant": self.variant,
            **{k: getattr(st, k) for k in PRESETS["paper"]},
            "rounds": self.rounds,
            "forecast": self.forecast,
        }

    def predict(self, arrays: ScenarioArrays, rng: np.random.Generator) -> Prediction:
        st = self.settings
        T = int(self.rounds)
        batch = arrays.batch_shape
        A, I = arrays.n_actors, arrays.n_issues
        nb = math.prod(batch)
        record = nb <= RECORD_LIMIT

        def flat(v: np.ndarray) -> np.ndarray:
            return np.ascontiguousarray(
                np.moveaxis(np.broadcast_to(v, (*batch, A, I)), -1, -2).reshape(-1, A)
            )

        present = flat(arrays.present)
        x0 = cast(FloatArray, flat(arrays.position).astype(np.float64))
        s = cast(FloatArray, np.where(present, flat(arrays.salience), 0.0).astype(np.float64))
        w = cast(FloatArray, np.where(present, flat(arrays.capability) * s, 0.0).astype(np.float64))
        B = x0.shape[0]
        chunk = rows_per_call(A, T, CALL_BUDGET, record)
        engine = self.resolved_engine(B, A)
        runs = [
            run_eum(
                x0[k : k + chunk],
                w[k : k + chunk],
                s[k : k + chunk],
                present[k : k + chunk],
                st,
                T,
                record=record,
                precision=self.precision,
                engine=engine,
            )
            for k in range(0, max(B, 1), chunk)
        ]
        run = _concat(runs) if len(runs) > 1 else runs[0]

        def unflat_pairs(v: np.ndarray) -> np.ndarray:  # (R, B, A) -> (*batch, R, A, I)
            R = v.shape[0]
            return np.moveaxis(v.reshape(R, *batch, I, A), 0, -3).swapaxes(-1, -2)

        def unflat_stat(v: np.ndarray) -> np.ndarray:  # (R, B) -> (*batch, R, I)
            R = v.shape[0]
            return np.moveaxis(v.reshape(R, *batch, I), 0, -2)

        traj = unflat_pairs(run.positions)
        med = unflat_stat(run.median)
        mean = unflat_stat(run.mean)
        stat = med if self.forecast == "median" else mean
        status, stop, period = classify_path(
            traj, stat, tol=self.tol, patience=int(self.patience), osc_tol=self.osc_tol
        )
        # no present actor on an issue: nothing to forecast (NaN) and nothing that can move, so no
        # convergence to warn about: "converged" at once, as the exchange and spatial models report it
        empty = ~np.asarray(arrays.present).any(axis=-2)
        if empty.any():
            status = np.where(np.broadcast_to(empty, status.shape), "converged", status)
            stop = np.where(np.broadcast_to(empty, stop.shape), 0, stop)
        if (status != "converged").any():
            counts = {
                k: int((status == k).sum())
                for k in ("cycled", "oscillating", "capped")
                if (status == k).any()
            }
            warn_caller(
                ConvergenceWarning(
                    "eum: positions did not converge within "
                    f"{T} rounds ({', '.join(f'{v} {k}' for k, v in counts.items())} of {status.size} issue runs)"
                )
            )
        extras: dict[str, Any] = {
            "round_stats": {"median": med, "mean": mean},
            "risk": unflat_pairs(run.risk) if T > 0 else np.zeros((*batch, 0, A, I)),
            "settings": self.resolved_params(),
        }
        # large Monte Carlo batches skip the offer log (it would hold ~A events per round and draw)
        events = EventLog.empty()
        extras["events_recorded"] = record
        if record:
            events = _events(run, batch, A, I)
            # (B, H, A) twice, (B, A), in calls of ``chunk`` rows like the rounds (bounded memory)
            rows = [slice(k, k + chunk) for k in range(0, max(B, 1), chunk)]
            if run.p1 is None:
                parts = [perspective(x0[q], w[q], s[q], present[q], st) for q in rows]
            else:  # round 1's probabilities and risk exponents, kept by the rounds: not computed again
                p1 = run.p1
                parts = [
                    perspective(x0[q], w[q], s[q], present[q], st, first=(run.risk[0, q], p1[q]))
                    for q in rows
                ]
            own, rival, r = (np.concatenate([q[n] for q in parts]) for n in range(3))
            assert run.press_j is not None and run.press_a is not None and run.press_b is not None
            # per round and receiver: the rival with the largest b and the pair (a, b), moved or not
            extras["pressure"] = {
                "proposer": unflat_pairs(run.press_j)[..., :, :, :],
                "a": unflat_pairs(run.press_a),
                "b": unflat_pairs(run.press_b),
            }
            extras["perspective"] = {
                # own[..., h, j, d] = E^h(U_hj), rival[..., h, j, d] = E^h(U_jh) on issue d at the
                # initial positions (O(A²) per issue: the chart reads nothing else)
                "own": np.moveaxis(own.reshape(*batch, I, A, A), -3, -1),
                "rival": np.moveaxis(rival.reshape(*batch, I, A, A), -3, -1),
                "risk": np.moveaxis(r.reshape(*batch, I, A), -2, -1),
            }
        return Prediction(
            outcome=np.asarray(stat[..., -1, :], dtype=np.float64),
            diagnostics=Diagnostics(status=status, rounds=stop, period=period),
            trajectory=traj,
            events=events,
            stat_path=stat,
            extras=extras,
        )


def _concat(runs: list[EUMRun]) -> EUMRun:
    def cat(name: str, axis: int) -> Any:
        vals = [getattr(r, name) for r in runs]
        return None if vals[0] is None else np.concatenate(vals, axis=axis)

    return EUMRun(
        positions=cat("positions", 1),
        median=cat("median", 1),
        mean=cat("mean", 1),
        risk=cat("risk", 1),
        kind=cat("kind", 1),
        partner=cat("partner", 1),
        a=cat("a", 1),
        b=cat("b", 1),
        press_j=cat("press_j", 1),
        press_a=cat("press_a", 1),
        press_b=cat("press_b", 1),
        p1=cat("p1", 0),
    )


def _events(run: EUMRun, batch: tuple[int, ...], A: int, I: int) -> EventLog:
    """EventLog rows (round, kind, mover = actor, proposer = counterpart, issue, before, after, a, b)."""
    assert run.kind is not None and run.partner is not None and run.a is not None and run.b is not None
    t, row, i = np.nonzero(run.kind)
    if t.size == 0:
        return EventLog.empty()
    bidx, issue = np.divmod(row, I)
    order = np.lexsort((i, issue, bidx, t))
    t, row, i, bidx, issue = t[order], row[order], i[order], bidx[order], issue[order]
    a = run.a[t, row, i]
    return EventLog(
        batch=bidx.astype(np.int64),
        round=(t + 1).astype(np.int64),
        kind=np.array([KIND_NAMES[k] for k in run.kind[t, row, i]]),
        actor=i.astype(np.int64),
        counterpart=run.partner[t, row, i].astype(np.int64),
        issue=issue.astype(np.int64),
        before=run.positions[t, row, i],
        after=run.positions[t + 1, row, i],
        value=a,
        extra={"a": a, "b": run.b[t, row, i]},
    )
