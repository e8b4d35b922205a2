"""Exchange model: actors trade voting positions across issues (Stokman & van Oosten 1994; models.md §5).

The outcome of each issue is the capability × salience weighted mean of the *voting* positions
(the §1 compromise, Stokman & van Oosten's approximation of the Nash bargaining solution). Pairs
of actors who care differently about two issues trade: each moves its vote on the issue it cares
less about toward the other's position, with equal expected gain; the best exchange is realised
first, everything is recomputed, and the phase runs until no profitable exchange is left.
Random-rate variant (``p > 0``): the exchange rate is drawn between the two actors' break-even
rates (idea: Dijkstra, van Assen, Stokman & Draaijer 2018; formalisation in docs/exchange.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np

from detente.core.arrays import ScenarioArrays
from detente.core.results import Diagnostics, EventLog, Prediction
from detente.errors import ConvergenceWarning, warn_caller
from detente.kernels.dynamics import classify_path
from detente.kernels.exchange import MIN_GAIN, exchange_run
from detente.models.base import ModelInfo, check_literal, check_range


@dataclass(frozen=True, slots=True)
class Exchange:
    """Equal-gain exchange of voting positions, optionally with random exchange rates.

    Parameters
    ----------
    rounds
        Exchange phases (models.md §5 "Rounds"); ``1`` = one phase, then the vote.
    carryover
        How a round's voting positions become the next round's preferences: ``"partial"``
        (``x' = x + λ(y − x)``, ``λ = 0.1 + 0.4(1 − s)`` for moved cells) or ``"full"`` (``x' = y``).
    tie_break
        Among exchanges with the same best gain: ``"index"`` (first in ``(p, q, i, j)`` order) or
        ``"random"`` (uniform, from the generator passed to ``predict``).
    p
        Random-rate weight in ``[0, 1]``: rate ``ρ = (1 − p)·ρ_equal_gain + p·U(ρ_i, ρ_j)``;
        ``0`` = equal gain (Stokman & van Oosten), ``1`` = rate uniform between the break-even rates.
    max_exchanges
        Cap on realised exchanges per round (reaching it sets status ``capped``).
    min_gain
        An exchange is valid only if its equal gain exceeds this (models.md §5: ``1e-10``).

    Outputs: ``outcome`` = the weighted mean of the final voting positions; ``trajectory``
    ``(..., rounds+1, A, I)`` voting positions at the end of each round (row 0 = inputs);
    ``stat_path`` and ``extras["round_stats"]["outcome"]`` the outcome after each round;
    ``extras["exchanges"]`` one dict per realised exchange; events of kind ``"exchange"`` (two
    rows per exchange, one per mover, ``value`` = the mover's gain).

    Examples
    --------
    >>> import numpy as np
    >>> from detente.core.arrays import ScenarioArrays
    >>> arr = ScenarioArrays(("A1", "A2"), ("I1", "I2"), np.array([[0.0, 0.0], [1.0, 1.0]]),
    ...     np.array([[0.1, 0.9], [0.6, 0.5]]), np.ones((2, 2)), np.ones((2, 2), bool), np.full(2, np.nan))
    >>> pred = Exchange().predict(arr, np.random.default_rng(0))
    >>> [round(float(v), 6) for v in pred.outcome]
    [1.0, 0.285714]
    >>> ex = pred.extras["exchanges"][0]
    >>> ex["i"], ex["j"], ex["p"], ex["q"], round(ex["gain_i"], 9), round(ex["gain_j"], 9)
    ('A1', 'A2', 'I1', 'I2', 0.05, 0.05)
    """

    rounds: int = 1
    carryover: Literal["partial", "full"] = "partial"
    tie_break: Literal["index", "random"] = "index"
    p: float = 0.0
    max_exchanges: int = 1000
    min_gain: float = MIN_GAIN
    info: ClassVar[ModelInfo] = ModelInfo(
        "exchange",
        dynamic=True,
        stochastic=True,  # only when p > 0 or tie_break == "random"; info is per class
        joint_issues=True,
        description="exchange of voting positions with equal gain (Stokman & van Oosten 1994)",
    )

    def __post_init__(self) -> None:
        check_range("rounds", self.rounds, 1, 10_000, integer=True)
        check_literal(self)
        check_range("p", self.p, 0.0, 1.0)
        check_range("max_exchanges", self.max_exchanges, 1, 10_000_000, integer=True)
        check_range("min_gain", self.min_gain, 0.0, None)

    def predict(self, arrays: ScenarioArrays, rng: np.random.Generator) -> Prediction:
        batch = arrays.batch_shape
        A, I = arrays.n_actors, arrays.n_issues
        n = int(np.prod(batch)) if batch else 1
        R = int(self.rounds)
        pos = np.asarray(arrays.position, dtype=np.float64).reshape(n, A, I)
        sal = np.asarray(arrays.salience, dtype=np.float64).reshape(n, A, I)
        cap = np.asarray(arrays.capability, dtype=np.float64).reshape(n, A, I)
        pres = np.asarray(arrays.present, dtype=bool).reshape(n, A, I)
        traj = np.empty((n, R + 1, A, I))
        outs = np.empty((n, R + 1, I))
        done = np.zeros(n, dtype=np.int64)
        stopped = np.zeros(n, dtype=bool)
        capped = np.zeros(n, dtype=bool)
        gains = np.zeros((n, A))
        externalities = np.zeros((n, A))
        n_ex = np.zeros(n, dtype=np.int64)
        exchanges: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        aid, iid = arrays.actor_ids, arrays.issue_ids
        # one generator, draws processed in C order (a batched call = a loop of single calls sharing it)
        for b in range(n):
            x0 = np.where(pres[b], pos[b], 0.0)
            run = exchange_run(
                x0,
                sal[b],
                cap[b],
                pres[b],
                rng=rng,
                rounds=R,
                carryover=self.carryover,
                p=float(self.p),
                tie_break=self.tie_break,
                max_exchanges=int(self.max_exchanges),
                min_gain=float(self.min_gain),
            )
            traj[b] = np.where(pres[b], run.trajectory, pos[b])
            outs[b] = run.outcomes
            done[b], stopped[b], capped[b] = run.rounds_done, run.stopped, run.capped
            n_ex[b] = len(run.steps)
            for k, st in enumerate(run.steps):
                i, j, ip, iq = st["i"], st["j"], st["p"], st["q"]
                ext = np.asarray(st["externalities"])
                third = [a for a in range(A) if a not in (i, j) and (pres[b, a, ip] or pres[b, a, iq])]
                gains[b, i] += st["gain_i"]
                gains[b, j] += st["gain_j"]
                externalities[b, third] += ext[third]
                exchanges.append(
                    {
                        "batch": b,
                        "round": st["round"],
                        "step": k,
                        "i": aid[i],
                        "j": aid[j],
                        "p": iid[ip],
                        "q": iid[iq],
                        "y_i_before": st["y_i_before"],
                        "y_i_after": st["y_i_after"],
                        "y_j_before": st["y_j_before"],
                        "y_j_after": st["y_j_after"],
                        "move_i": st["move_i"],
                        "move_j": st["move_j"],
                        "dO_p": st["dO_p"],
                        "dO_q": st["dO_q"],
                        "outcome_p": st["outcome_p"],
                        "outcome_q": st["outcome_q"],
                        "gain_i": st["gain_i"],
                        "gain_j": st["gain_j"],
                        "rate": st["rate"],
                        "externalities": {aid[a]: float(ext[a]) for a in third},
                    }
                )
                common = {"batch": b, "round": st["round"], "kind": "exchange", "step": k, "rate": st["rate"]}
                rows.append(
                    {
                        **common,
                        "actor": i,
                        "counterpart": j,
                        "issue": ip,
                        "issue2": iq,
                        "before": st["y_i_before"],
                        "after": st["y_i_after"],
                        "value": st["gain_i"],
                        "delta_outcome": st["dO_p"],
                    }
                )
                rows.append(
                    {
                        **common,
                        "actor": j,
                        "counterpart": i,
                        "issue": iq,
                        "issue2": ip,
                        "before": st["y_j_before"],
                        "after": st["y_j_after"],
                        "value": st["gain_j"],
                        "delta_outcome": st["dO_q"],
                    }
                )
        status, period = self._status(traj, outs, stopped, capped)
        rounds_arr = np.broadcast_to(done[:, None], (n, I)).copy()
        flags = {"exchange_cap": np.broadcast_to(capped[:, None], (n, I)).reshape(*batch, I).copy()}
        if (status != "converged").any():
            warn_caller(
                ConvergenceWarning(
                    f"exchange: {int((status != 'converged').sum())} of {status.size} issue runs did not converge "
                    f"within {R} round(s) / {self.max_exchanges} exchanges per round"
                )
            )
        outcome = outs[:, -1, :].reshape(*batch, I)
        return Prediction(
            outcome=np.asarray(outcome, dtype=np.float64),
            diagnostics=Diagnostics(
                status=status.reshape(*batch, I),
                rounds=rounds_arr.reshape(*batch, I),
                period=period.reshape(*batch, I),
                flags=flags,
            ),
            trajectory=traj.reshape(*batch, R + 1, A, I),
            events=EventLog.from_rows(rows),
            stat_path=outs.reshape(*batch, R + 1, I),
            extras={
                "round_stats": {"outcome": outs.reshape(*batch, R + 1, I)},
                "exchanges": exchanges,
                "gains": gains.reshape(*batch, A),
                "externalities": externalities.reshape(*batch, A),
                "n_exchanges": n_ex.reshape(batch),
            },
        )

    def _status(
        self, traj: np.ndarray, outs: np.ndarray, stopped: np.ndarray, capped: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Statuses (models.md §0/§5): a phase that ran out of exchanges has converged; multi-round
        runs that never ran out are classified by ``classify_path``; a hit exchange cap is ``capped``."""
        n, _, _, I = traj.shape
        status = np.full((n, I), "converged", dtype="<U12")
        period = np.zeros((n, I), dtype=np.int64)
        if self.rounds > 1 and not stopped.all():
            st, _, per = classify_path(traj, outs)
            status = np.where(stopped[:, None], status, st)
            period = np.where(stopped[:, None], period, per)
        status = np.where(capped[:, None], "capped", status)
        return status, period
