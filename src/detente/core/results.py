"""Result containers (pure data): Prediction, EventLog, Diagnostics, Forecast.

A model's ``predict`` returns a :class:`Prediction` on the unit scale; :func:`detente.models.forecast`
turns it into a :class:`Forecast` in the issues' own units with the run's manifest
(model, parameters, seed, input hash, version).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from detente._typing import FloatArray, IntArray
from detente.core.scale import from_unit

Status = Literal["converged", "cycled", "oscillating", "capped", "closed_form"]
STATUSES: tuple[str, ...] = ("converged", "cycled", "oscillating", "capped", "closed_form")
EVENT_KINDS: tuple[str, ...] = (
    "challenge",
    "confrontation",
    "compromise",
    "capitulation",
    "exchange",
    "bargain",
)
NO_FORECAST_REASONS: dict[str, str] = {
    "no_stances": "no actor takes a position on it",  # set by models.base.forecast
    "missing_reference": "no status quo given",
    "no_reference": "no status quo given",
}
"""Why a model gives no forecast (NaN) on an issue, by the diagnostics flag it sets there."""


EVENT_COLUMNS = (
    "batch",
    "round",
    "kind",
    "actor",
    "counterpart",
    "issue",
    "before",
    "after",
    "value",
    "issue2",
)
"""The core columns of an :class:`EventLog`, in order (model-specific ones go to ``extra``)."""

REPR_ITEMS = 8
"""A result's ``repr`` shows at most this many issues (or arrays' leading values), then '…'."""


def _short(value: object) -> str:
    """An array as its shape and dtype (its numbers when there are few), anything else as ``repr``:
    a result's ``repr`` stays a few lines however many draws, rounds or events it holds."""
    if isinstance(value, np.ndarray):
        if value.size <= REPR_ITEMS:
            return np.array2string(value, precision=6, separator=", ", max_line_width=10**6)
        return f"<array {'×'.join(map(str, value.shape))} {value.dtype}>"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_short(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _by_issue_text(ids: tuple[str, ...], values: np.ndarray) -> str:
    items = [f"{k!r}: {str(v)!r}" for k, v in zip(ids[:REPR_ITEMS], values[:REPR_ITEMS], strict=False)]
    more = f", … {len(ids) - REPR_ITEMS} more" if len(ids) > REPR_ITEMS else ""
    return "{" + ", ".join(items) + more + "}"


def _by_issue(ids: tuple[str, ...], values: np.ndarray) -> str:
    """``{'issue': value, ...}`` for the first :data:`REPR_ITEMS` issues."""
    items = [
        f"{k!r}: {float(v):.6g}"
        for k, v in zip(ids[:REPR_ITEMS], np.ravel(values)[:REPR_ITEMS], strict=False)
    ]
    more = f", … {len(ids) - REPR_ITEMS} more" if len(ids) > REPR_ITEMS else ""
    return "{" + ", ".join(items) + more + "}"


@dataclass(frozen=True, slots=True)
class EventLog:
    """Events as parallel 1-D arrays (one row per event).

    ``actor`` moved (or acted) because of ``counterpart``; ``before``/``after`` are the actor's
    positions on ``issue`` (unit scale); ``value`` is the deciding number (e.g. expected utility);
    ``extra`` holds further model-specific columns of the same length (e.g. ``a``, ``b``, ``gain``).
    Joint events (exchanges) use ``issue2`` for the second issue (-1 if none).
    """

    batch: IntArray
    round: IntArray
    kind: np.ndarray  # str array
    actor: IntArray
    counterpart: IntArray
    issue: IntArray
    before: FloatArray
    after: FloatArray
    value: FloatArray
    issue2: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    extra: dict[str, FloatArray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.round)
        if len(self.issue2) != n:
            object.__setattr__(self, "issue2", np.full(n, -1, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.round)

    def __repr__(self) -> str:
        kinds, counts = np.unique(np.asarray(self.kind, dtype=str), return_counts=True)
        by_kind = ", ".join(f"{k}={n}" for k, n in zip(kinds.tolist(), counts.tolist(), strict=True))
        extra = f", extra={sorted(self.extra)}" if self.extra else ""
        return f"EventLog({len(self)} events{': ' + by_kind if by_kind else ''}{extra}; .rows() lists them)"

    @classmethod
    def empty(cls) -> EventLog:
        z = np.zeros(0, dtype=np.int64)
        f = np.zeros(0)
        return cls(z, z, np.zeros(0, dtype="<U12"), z, z, z, f, f, f, z, {})

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]]) -> EventLog:
        """Build from a list of dicts with the column names as keys (missing extras -> NaN)."""
        if not rows:
            return cls.empty()
        extra_keys = sorted({k for r in rows for k in r} - set(EVENT_COLUMNS))
        ints = ("batch", "round", "actor", "counterpart", "issue")
        cols: dict[str, Any] = {}
        for k in ints:
            cols[k] = np.array([int(r.get(k, 0)) for r in rows], dtype=np.int64)
        cols["issue2"] = np.array([int(r.get("issue2", -1)) for r in rows], dtype=np.int64)
        cols["kind"] = np.array([str(r["kind"]) for r in rows])
        for k in ("before", "after", "value"):
            cols[k] = np.array([float(r.get(k, np.nan)) for r in rows], dtype=np.float64)
        extra = {k: np.array([float(r.get(k, np.nan)) for r in rows], dtype=np.float64) for k in extra_keys}
        return cls(extra=extra, **cols)

    def rows(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for n in range(len(self)):
            row: dict[str, Any] = {
                "batch": int(self.batch[n]),
                "round": int(self.round[n]),
                "kind": str(self.kind[n]),
                "actor": int(self.actor[n]),
                "counterpart": int(self.counterpart[n]),
                "issue": int(self.issue[n]),
                "issue2": int(self.issue2[n]),
                "before": float(self.before[n]),
                "after": float(self.after[n]),
                "value": float(self.value[n]),
            }
            for k, v in self.extra.items():
                row[k] = float(v[n])
            out.append(row)
        return out


@dataclass(frozen=True, slots=True)
class Diagnostics:
    """Per-issue run diagnostics; arrays have shape ``(..., I)``.

    ``status`` in :data:`STATUSES`; ``rounds`` executed; ``period`` of a detected cycle (0 if none);
    ``flags`` names notable fallbacks (e.g. ``"nbs_infeasible"``) with per-issue booleans.
    """

    status: np.ndarray
    rounds: IntArray
    period: IntArray
    flags: dict[str, np.ndarray] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"Diagnostics(status={_short(np.asarray(self.status))}, rounds={_short(np.asarray(self.rounds))}, "
            f"period={_short(np.asarray(self.period))}, flags={_short(dict(self.flags))})"
        )

    @classmethod
    def closed_form(cls, shape: tuple[int, ...], flags: dict[str, np.ndarray] | None = None) -> Diagnostics:
        return cls(
            status=np.full(shape, "closed_form", dtype="<U12"),
            rounds=np.zeros(shape, dtype=np.int64),
            period=np.zeros(shape, dtype=np.int64),
            flags=dict(flags or {}),
        )


@dataclass(frozen=True, slots=True)
class Prediction:
    """What ``predict`` returns (unit scale).

    ``outcome`` (..., I); ``trajectory`` (..., T+1, A, I) or None; ``stat_path`` (..., T+1, I)
    the per-round forecast statistic (e.g. weighted median) or None; ``extras`` model-specific data.
    """

    outcome: FloatArray
    diagnostics: Diagnostics
    trajectory: FloatArray | None = None
    events: EventLog | None = None
    stat_path: FloatArray | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        """A few lines whatever the size: arrays beyond a few numbers show as their shape."""
        parts = [f"outcome={_short(np.asarray(self.outcome))}", f"diagnostics={self.diagnostics!r}"]
        if self.trajectory is not None:
            parts.append(f"trajectory={_short(np.asarray(self.trajectory))}")
        if self.events is not None:
            parts.append(f"events={self.events!r}")
        if self.stat_path is not None:
            parts.append(f"stat_path={_short(np.asarray(self.stat_path))}")
        if self.extras:
            parts.append(f"extras=<{', '.join(map(str, self.extras))}>")
        return "Prediction(" + ", ".join(parts) + ")"


@dataclass(frozen=True, slots=True)
class Forecast:
    """A model run on a scenario, in the issues' own units, with its manifest."""

    scenario_id: str
    scenario_hash: str
    model: str
    params: dict[str, Any]
    seed: int | None
    version: str
    actor_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    outcome: FloatArray  # (I,) issue units
    unit_outcome: FloatArray  # (I,) unit scale
    scales: tuple[tuple[float, float], ...]
    prediction: Prediction

    def __repr__(self) -> str:
        """One line: model, scenario, seed and the outcome per issue (the full record: :meth:`manifest`,
        ``prediction``)."""
        status = np.asarray(self.diagnostics.status).ravel()[: len(self.issue_ids)]
        return (
            f"Forecast(model={self.model!r}, scenario={self.scenario_id!r}, seed={self.seed!r}, "
            f"outcome={_by_issue(self.issue_ids, np.asarray(self.outcome))}, "
            f"status={_by_issue_text(self.issue_ids, status)}, version={self.version!r})"
        )

    @property
    def diagnostics(self) -> Diagnostics:
        return self.prediction.diagnostics

    @property
    def events(self) -> EventLog | None:
        return self.prediction.events

    def trajectory_raw(self) -> FloatArray | None:
        """Trajectory (T+1, A, I) in issue units, or None."""
        tr = self.prediction.trajectory
        if tr is None:
            return None
        return from_unit(tr, self.scales)

    def outcome_of(self, issue_id: str) -> float:
        """The forecast of issue ``issue_id`` in its units (NaN: no forecast, :meth:`no_forecast_reason`)."""
        if issue_id not in self.issue_ids:
            from detente.errors import ScenarioError

            raise ScenarioError(
                f"issue: unknown issue {issue_id!r} (expected one of {', '.join(self.issue_ids)})"
            )
        return float(self.outcome[self.issue_ids.index(issue_id)])

    def no_forecast_reason(self, k: int) -> str | None:
        """Why issue ``k`` has no forecast (a few words), or None when it has one.

        The reason comes from the first flag of :data:`NO_FORECAST_REASONS` set on the issue,
        else ``"no forecast"``.
        """
        if np.isfinite(self.outcome[k]):
            return None
        n = len(self.issue_ids)
        for flag, reason in NO_FORECAST_REASONS.items():
            v = self.diagnostics.flags.get(flag)
            if v is not None and bool(np.broadcast_to(np.asarray(v), (n,))[k]):
                return reason
        return "no forecast"

    def manifest(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "params": self.params,
            "seed": self.seed,
            "scenario": self.scenario_id,
            "input_sha256": self.scenario_hash,
            "detente_version": self.version,
        }
