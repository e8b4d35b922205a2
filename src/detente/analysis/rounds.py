"""Read-outs of a dynamic model's rounds (the expected-utility model's, docs/eum.md), per issue:

- :class:`Mover`: the actors that moved most (total distance over the rounds, issue units) and the
  event that moved each most often (its kind and counterpart, from the forecast's event log);
- :class:`RoundsReadout`: the range the weighted median swings over in the last ten rounds (a
  forecast that does not settle is read as that range) and the movers.

Pure: computed by the main job (:mod:`detente.analysis.main_job`), rendered by the report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from detente.core.scenario import Scenario

TAIL = 10
"""Rounds at the end whose median range is the swing."""


@dataclass(frozen=True, slots=True)
class Mover:
    """``actor`` (its label) moved ``distance`` in all; most often by event ``kind`` with ``counterpart``
    (``count`` times; ``("moved", "others", 0)`` without events); ``other``: its events of other kinds
    or with others."""

    actor: str
    distance: float
    kind: str
    counterpart: str
    count: int
    other: int


@dataclass(frozen=True, slots=True)
class RoundsReadout:
    issue: str
    swing_low: float  # the median's range over the last TAIL rounds, issue units
    swing_high: float
    last: float  # the median after the last round
    movers: tuple[Mover, ...]


def movers(scenario: Scenario, fc: Any, issue_index: int, top: int = 2) -> tuple[Mover, ...]:
    """The ``top`` actors that moved most on an issue (none that did not move)."""
    issue = scenario.issues[issue_index]
    traj = fc.trajectory_raw()
    if traj is None or traj.shape[0] < 2:
        return ()
    dist = np.abs(np.diff(traj[:, :, issue_index], axis=0)).sum(axis=0)
    rows = [r for r in fc.events.rows() if r["issue"] == issue_index] if fc.events is not None else []
    names = [a.label for a in scenario.actors]
    out = []
    for a in np.argsort(-dist, kind="stable")[:top]:
        if dist[a] <= 1e-9 * issue.scale.width:
            break
        mine = [r for r in rows if r["actor"] == a]
        kinds = Counter((r["kind"], names[r["counterpart"]]) for r in mine)
        (kind, who), n = kinds.most_common(1)[0] if kinds else (("moved", "others"), 0)
        out.append(Mover(names[a], float(dist[a]), str(kind), who, n, len(mine) - n if len(kinds) > 1 else 0))
    return tuple(out)


def rounds_readout(scenario: Scenario, fc: Any) -> tuple[RoundsReadout, ...]:
    """One :class:`RoundsReadout` per issue of a forecast whose prediction has ``round_stats``."""
    med = fc.prediction.extras["round_stats"]["median"]
    out = []
    for k, issue in enumerate(scenario.issues):
        tail = issue.scale.from_unit_array(med[-min(TAIL, med.shape[0]) :, k])
        out.append(
            RoundsReadout(
                issue.id, float(tail.min()), float(tail.max()), float(tail[-1]), movers(scenario, fc, k)
            )
        )
    return tuple(out)
