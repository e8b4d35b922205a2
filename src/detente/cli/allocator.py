"""glibc's ``malloc`` tuned for a process of many short-lived NumPy arrays (the command line's).

The kernels allocate and free arrays of 0.1–30 MB many times per second: one round of the
expected-utility model on 300 draws × 6 issues at 10 actors makes dozens of 1.4 MB temporaries.
By default glibc serves each from a fresh ``mmap`` (above its adaptive threshold) or trims the heap
after a large free, so every new array is faulted in page by page again: ≈ 22,000 page faults per
300-draw EUM run, a fifth of its CPU time. :func:`tune` raises ``M_MMAP_THRESHOLD`` to 32 MiB
(glibc's own ceiling for the adaptive threshold on 64-bit systems) and ``M_TRIM_THRESHOLD`` to
128 MiB (glibc manual, "Malloc Tunable Parameters"), so freed blocks stay mapped and are reused.
The cost: up to 128 MiB of freed memory may stay resident until the process ends. Measured in
docs/performance.md "The memory allocator".
"""

from __future__ import annotations

import os
import sys

MMAP_THRESHOLD = 32 * 2**20
"""Blocks up to this size come from the heap instead of a fresh ``mmap`` of their own."""
TRIM_THRESHOLD = 128 * 2**20
"""Free memory at the top of the heap kept for reuse instead of being handed back to the OS."""
GLIBC_ENV = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES")
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # <malloc.h>


def tune() -> bool:
    """Set both thresholds for this process (its forked workers inherit them); True if set.

    Called once by the ``detente`` entry point: a library caller's process is left alone. Nothing is
    changed off glibc (macOS, Windows, musl) or when the user tunes glibc's allocator through its
    own environment variables (:data:`GLIBC_ENV`).
    """
    if not sys.platform.startswith("linux") or any(k in os.environ for k in GLIBC_ENV):
        return False
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return False
    except (ValueError, OSError):  # not glibc
        return False
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt  # the C library this interpreter runs on
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
