"""Simulate the ceasefire track of the June 2025 column, with and without European guarantees."""

import os

from detente import load_builtin
from detente.sim import from_scenario, headline, simulate, with_overrides

runs = 300 if os.environ.get("DETENTE_EXAMPLE_SMALL") else 2000
config = from_scenario(load_builtin("ukraine-2025"))
for label, cfg in [
    ("as in the column", config),
    ("no EU guarantee offer", with_overrides(config, {"eu_guarantee": 0})),
]:
    h = headline(simulate(cfg, n_runs=runs, seed=3))
    print(label, {k: (round(v, 3) if isinstance(v, float) else v) for k, v in h.items()})
