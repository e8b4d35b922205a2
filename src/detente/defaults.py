"""Defaults shared by the core and every shell (CLI, HTML report, dashboard).

A light module without imports, so the CLI can show these values in ``--help`` without loading the models.
"""

from __future__ import annotations

SIM_RUNS = 2000
"""Simulated runs of the ceasefire simulator when none are asked for: ``detente run``/``report`` (without
--thorough), ``detente simulate``, ``detente.sim.simulate`` and the dashboard all use this, so one seed gives
one set of headline numbers everywhere."""
