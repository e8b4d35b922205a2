"""The command line tunes glibc's malloc so that freed NumPy arrays are reused, not faulted in again
(``detente.cli.allocator``; docs/performance.md "The memory allocator")."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from test_lean_imports import _command

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not os.confstr("CS_GNU_LIBC_VERSION"),
    reason="glibc's mallopt only",
)

# a kernel's pattern: 40 rounds, each making ten 1 MB temporaries and freeing them together; prints
# the page faults they cost (a round's 10 MB is 2,560 pages of 4 KiB)
_PROBE = """
import resource
import numpy as np
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(40):
    temps = [np.ones(2**17) for _ in range(10)]
    del temps
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(setup: str, env: dict[str, str] | None = None) -> int:
    code = f"{setup}\n{_PROBE}"
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    run_env.update(env or {})
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=run_env
    )
    return int(out.stdout.split()[-1])


_ENTRY = _command(["--version"])  # the `detente` entry point, run in the probe's interpreter


def test_the_entry_point_makes_freed_arrays_reusable() -> None:
    untuned = _faults("pass")
    tuned = _faults(_ENTRY)
    assert untuned > 20 * 2560  # glibc hands the freed 10 MB back and faults it in again next round
    assert tuned < 2 * 2560, (tuned, untuned)  # the first round only


def test_a_user_tuned_allocator_is_left_alone() -> None:
    from detente.cli import allocator

    code = "from detente.cli import allocator\nprint(allocator.tune())"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "True"
    env["MALLOC_TRIM_THRESHOLD_"] = str(allocator.TRIM_THRESHOLD)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "False"
    assert _faults(_ENTRY, {"MALLOC_TRIM_THRESHOLD_": "131072"}) > 20 * 2560  # the user's setting holds
