"""detente.sim: the bargaining-while-fighting (ceasefire) simulator of simulator.md (v1).

``simulate(config, n_runs=, seed=) -> SimResult``; ``GameConfig`` holds every parameter with its
default and source, one frozen section per mechanism (``detente.sim.config``; flat names through
``with_overrides``, ``GameConfig.get``/``replace``); ``summarize`` turns a result into the JSON of
``detente simulate``. The engine's monthly phases: ``detente.sim.phases`` and ``detente.sim.negotiation``.
"""

from detente.sim.config import (
    GameConfig,
    from_mapping,
    from_scenario,
    parameter_table,
    preset,
    with_overrides,
)
from detente.sim.engine import OUTCOME_NAMES, SimResult, simulate
from detente.sim.summary import headline, summarize

__all__ = [
    "OUTCOME_NAMES",
    "GameConfig",
    "SimResult",
    "from_mapping",
    "from_scenario",
    "headline",
    "parameter_table",
    "preset",
    "simulate",
    "summarize",
    "with_overrides",
]
