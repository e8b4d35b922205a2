"""EUM memory is bounded by design (issue #15 item 3; docs/performance.md "Memory").

The kernel's rows per call come from its peak-memory formula (``kernels.eum.peak_bytes``) and a
fixed budget, and the perspective chart keeps two (A, A) slices per issue instead of (A, A, A): a
200-actor × 10-issue forecast must stay far below what an n³ array would take (2.5 GB).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest

from detente.core import Scenario
from detente.core.arrays import to_arrays
from detente.errors import ConvergenceWarning
from detente.kernels.eum import PAIR_ARRAYS, peak_bytes, rows_per_call, run_eum
from detente.kernels.eum_spec import EUMSettings
from detente.models.eum import CALL_BUDGET, ExpectedUtility
from detente.testing.inputs import synthetic_scenario

MiB = 2**20


def big_scenario(n_actors: int = 200, n_issues: int = 10, seed: int = 0) -> Scenario:
    return synthetic_scenario(n_actors, n_issues, seed, name="big")


def test_peak_formula_bounds_the_kernel() -> None:
    """tracemalloc peak of one call <= peak_bytes (with and without the offer log, Q < 1)."""
    for st in (EUMSettings(), EUMSettings(q=0.5, prob="pair", perspective="own")):
        for A, B in ((20, 300), (120, 4)):
            g = np.random.default_rng(A)
            x = g.random((B, A))
            s = g.uniform(0.05, 1.0, (B, A))
            w = s * g.uniform(0.1, 2.0, (B, A))
            present = g.random((B, A)) > 0.1
            for record in (False, True):
                tracemalloc.start()
                try:
                    run_eum(x, w, s, present, st, 4, record=record)
                    peak = tracemalloc.get_traced_memory()[1]
                finally:
                    tracemalloc.stop()
                bound = peak_bytes(B, A, 4, record)
                assert peak <= bound, (A, B, record, peak / MiB, bound / MiB)
                assert peak > bound / 3  # the formula is a tight bound, not a guess
    assert rows_per_call(200, 10, CALL_BUDGET) * 8 * PAIR_ARRAYS * 200**2 <= CALL_BUDGET


def test_forecast_200_actors_10_issues_under_a_memory_ceiling() -> None:
    """predict on 200 × 10 (offer log and perspective chart included) peaks under 128 MiB (it was
    2.5 GB when the chart held E^h(U_ij) for every viewer)."""
    arrays = to_arrays(big_scenario())
    model = ExpectedUtility()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tracemalloc.start()
        try:
            pred = model.predict(arrays, np.random.default_rng(0))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 128 * MiB, f"peak {peak / MiB:.0f} MiB"
    assert pred.extras["perspective"]["own"].shape == (200, 200, 10)
    assert np.isfinite(pred.outcome).all()


# Runs ``detente`` with the given arguments and, on the way out, writes the process's own peak resident
# memory (VmHWM: reset by exec, so it never counts the parent's pages the way a forked child's
# ru_maxrss can) to the file named by DETENTE_TEST_HWM.
_HWM_WRAPPER = """
import os, sys
from detente.cli import main
try:
    main()
except SystemExit as e:
    code = e.code
else:
    code = 0
with open('/proc/self/status') as fh:
    hwm = [line.split()[1] for line in fh if line.startswith('VmHWM:')][0]
with open(os.environ['DETENTE_TEST_HWM'], 'w') as out:
    out.write(hwm)
sys.exit(code)
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is read from Linux's /proc")
def test_forecast_command_rss_under_300_mb(tmp_path: Path) -> None:
    """The whole ``detente forecast`` command on 200 × 10 (the issue's target: < 300 MB peak RSS),
    measured as the command's own VmHWM (a forked child's ru_maxrss would include the test worker's
    pages: 500 MB under pytest-xdist although the command itself peaks near 120 MB)."""
    from detente.io.files import write_scenario

    path = write_scenario(big_scenario(), tmp_path / "big.yaml")
    hwm = tmp_path / "hwm.txt"
    cmd = [sys.executable, "-c", _HWM_WRAPPER, "forecast", str(path), "-m", "eum", "--format", "json"]
    env = dict(os.environ, DETENTE_TEST_HWM=str(hwm))
    with open(tmp_path / "out.json", "w") as out, open(tmp_path / "err.txt", "w") as err:
        proc = subprocess.run(cmd, stdout=out, stderr=err, env=env, check=False)
    assert proc.returncode == 0, (tmp_path / "err.txt").read_text()
    peak_kb = int(hwm.read_text())
    assert peak_kb < 300 * 1024, f"peak RSS {peak_kb / 1024:.0f} MB"
