"""Ctrl-C and SIGTERM for the command line: stop within a second, leave nothing behind.

:func:`install` (called by the ``detente`` entry point) turns SIGINT and SIGTERM into an
:class:`Interrupted` exception in the main thread, so every ``finally`` runs: process pools are
killed (:mod:`detente.parallel`), a local Dask cluster is closed, temporary files are removed, and
outputs, which are only ever written atomically, are either complete or absent. :func:`finish` then
prints ``interrupted`` and exits 130 (SIGINT) or 143 (SIGTERM) without the interpreter's teardown
of every loaded module (measured 0.4-1 s after a sweep on a busy machine).

Two things can defeat the exception: it can be swallowed on the way (raised inside a C callback,
e.g. while numba compiles) and a clean-up can hang. So the first signal also arms a deadline: after
:data:`DEADLINE_S` the process kills its worker processes and exits anyway; a second signal does so
at once. ``detente serve`` lets uvicorn shut down gracefully under the same deadline (:func:`note`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
import threading
import time
from types import FrameType
from typing import NoReturn

HANDLED = (signal.SIGINT, signal.SIGTERM)
DEADLINE_S = 0.6  # after the first signal the process ends by then, clean-up finished or not
_received: list[int] = []
_announced = threading.Lock()


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM received; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def install() -> None:
    """SIGINT/SIGTERM raise :class:`Interrupted` (a SIGINT ignored by the caller, e.g. ``nohup``, stays ignored)."""
    for sig in HANDLED:
        if signal.getsignal(sig) is not signal.SIG_IGN:
            signal.signal(sig, _on_signal)


def received() -> int | None:
    """The first signal received, if any."""
    return _received[0] if _received else None


def note(signum: int) -> None:
    """Record a signal handled elsewhere (uvicorn's handler) and arm the deadline; a second one exits now."""
    if _received:
        exit_now()
    _received.append(signum)
    threading.Thread(target=_deadline, name="detente-interrupt-deadline", daemon=True).start()


def _on_signal(signum: int, frame: FrameType | None) -> None:
    note(signum)
    raise Interrupted(signum)


def _deadline() -> None:
    time.sleep(DEADLINE_S)
    exit_now()


def _announce() -> None:
    if _announced.acquire(blocking=False):
        with contextlib.suppress(OSError):
            os.write(2, b"interrupted\n")


def exit_now() -> NoReturn:
    """Kill this process's worker processes; exit 128 + the first signal, skipping any further clean-up."""
    if "multiprocessing" in sys.modules:
        import multiprocessing

        for proc in multiprocessing.active_children():
            with contextlib.suppress(OSError):
                proc.kill()
    _announce()
    os._exit(128 + (_received[0] if _received else signal.SIGINT))


def finish() -> NoReturn:
    """After the clean-up: print ``interrupted``, flush, run the atexit hooks, exit 128 + signal."""
    _announce()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    run_exitfuncs = getattr(atexit, "_run_exitfuncs", None)
    if run_exitfuncs is not None:
        with contextlib.suppress(BaseException):
            run_exitfuncs()
    os._exit(128 + (_received[0] if _received else signal.SIGINT))
