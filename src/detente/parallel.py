"""Executor factory for sweeps: in-process, a local process pool, or Dask (stack.md §5).

:func:`get_executor` is a context manager yielding a ``concurrent.futures.Executor`` (or
``None`` for in-process) and cleaning up afterwards:

- ``kind="inline"``: ``None`` (``run_ensemble`` loops in this process);
- ``kind="process"``: ``ProcessPoolExecutor(max_workers=workers)`` whose workers ignore SIGINT
  (the parent decides: a Ctrl-C sent to the whole process group must not kill a worker mid-task)
  and end themselves when the parent is gone, even after a SIGKILL;
- ``kind="dask"``: ``scheduler`` (or env ``DASK_SCHEDULER_ADDRESS``) connects to an existing
  cluster, otherwise a ``LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
  dashboard_address=None)`` is started; yields ``Client.get_executor()``.

``dask.distributed`` is imported lazily; without it a one-line :class:`MissingExtraError`
names the ``distributed`` extra.

Leaving the ``with`` block by an exception (a KeyboardInterrupt from Ctrl-C or the CLI's SIGTERM
handler, a failing task) never waits for the queued work: pending tasks are cancelled and the
pool's processes are killed, so the parent exits at once and leaves no process behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Literal

from detente.errors import DetenteError, MissingExtraError, install_hint

ENV_SCHEDULER = "DASK_SCHEDULER_ADDRESS"
ExecutorKind = Literal["inline", "process", "dask"]


def available_memory() -> int | None:
    """Bytes the OS can hand out without swapping (``MemAvailable``), or None if unknown.

    ``psutil`` when it is installed, else ``/proc/meminfo`` (Linux); no new dependency.
    """
    try:
        import psutil
    except ImportError:
        pass
    else:
        return int(psutil.virtual_memory().available)
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def memory_per_worker(workers: int = 1) -> int | None:
    """The available memory shared by ``workers`` chunks in flight (``run_ensemble(memory=...)``:
    the default chunk fits in half of it, docs/performance.md "Memory"); None if unknown."""
    avail = available_memory()
    return None if avail is None else avail // max(1, workers)


def scheduler_from_env() -> str | None:
    """The scheduler address from ``DASK_SCHEDULER_ADDRESS`` (empty = unset)."""
    value = os.environ.get(ENV_SCHEDULER, "").strip()
    return value or None


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise MissingExtraError(
            "Dask is not installed: install the distributed extra with " + install_hint("distributed")
        ) from None
    return distributed


@contextmanager
def get_executor(
    kind: ExecutorKind = "inline", *, workers: int | None = None, scheduler: str | None = None
) -> Iterator[Executor | None]:
    """Yield an executor for ``run_ensemble`` and shut it down on exit.

    Examples
    --------
    >>> with get_executor("inline") as ex:
    ...     ex is None
    True
    """
    if kind == "inline":
        yield None
        return
    if workers is not None and workers < 1:
        raise DetenteError(f"workers: expected an integer >= 1, received {workers!r}")
    if kind == "process":
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init, initargs=(os.getpid(),))
        with _owned(pool):
            yield pool
        return
    if kind != "dask":
        raise DetenteError(f"executor: expected one of inline, process, dask, received {kind!r}")
    distributed = _import_distributed()
    address = scheduler or scheduler_from_env()
    if address:
        try:
            client = distributed.Client(address, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise DetenteError(f"scheduler {address}: cannot connect ({exc})") from None
        try:
            try:
                client.get_versions(check=True)
            except ValueError as exc:  # mismatched package versions between client and workers
                raise DetenteError(f"scheduler {address}: {' '.join(str(exc).split())[:300]}") from None
            yield client.get_executor()
        finally:
            client.close()
        return
    import multiprocessing

    import dask

    before = {p.pid for p in multiprocessing.active_children()}
    try:
        # Dask sets MALLOC_TRIM_THRESHOLD_ for its workers, which also freezes glibc's mmap threshold at
        # 128 KiB: every large NumPy temporary is then mmap'd and page-faulted afresh (measured: an EUM
        # sweep several times slower than in-process). Our workers keep glibc's adaptive defaults.
        with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
            cluster = distributed.LocalCluster(
                n_workers=workers or 2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=50,
            )
    except (OSError, TimeoutError, RuntimeError) as exc:
        _kill_children(before)
        raise DetenteError(
            f"--workers {workers or 2}: the local Dask cluster did not start ({exc})"
        ) from None
    except BaseException:  # interrupted while the workers start
        _kill_children(before)
        raise
    try:
        client = distributed.Client(cluster, timeout="60s")
    except BaseException as exc:
        _kill_children(before)
        with contextlib.suppress(Exception):
            cluster.close(timeout=2)
        if isinstance(exc, (OSError, TimeoutError)):
            raise DetenteError(
                f"--workers {workers or 2}: cannot connect to the local Dask cluster ({exc})"
            ) from None
        raise
    try:
        yield client.get_executor()
    except BaseException:
        # interrupted or failed: a graceful close waits for the running tasks (measured: it times out
        # after 2 s and raises); the workers hold no state, so kill them first (telling their nannies
        # not to restart them), then close quickly
        for nanny in list(getattr(cluster, "workers", {}).values()):
            with contextlib.suppress(Exception):
                nanny.close_gracefully()
        _kill_children(before)
        with contextlib.suppress(Exception):
            client.close(timeout=2)
            cluster.close(timeout=2)
        raise
    client.close()
    cluster.close()
    _kill_children(before)


ENV_SIDE_PROCESS = "DETENTE_SIDE_PROCESS"


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity where the OS tells it, else ``os.cpu_count``)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@contextmanager
def side_process(wanted: bool = True) -> Iterator[Executor | None]:
    """One forked worker process for a computation that overlaps the caller's own (``main_job`` runs
    the ceasefire simulator there while it computes the models), or ``None``: compute in-process.

    ``None`` unless it can pay: ``wanted``, at least 2 usable CPUs, the ``fork`` start method (a
    fresh interpreter would spend the time saved on imports), ``DETENTE_SIDE_PROCESS`` not ``0``, and a
    pool that starts (no POSIX semaphores, e.g. without ``/dev/shm``: in-process). The worker is
    forked here, before the caller starts any thread of its own (a terminal spinner): a fork copies
    only the forking thread, and a lock another thread held would stay locked in the child. It ignores
    SIGINT and dies with the parent (:func:`_worker_init`); leaving the block by an exception kills it.
    """
    import multiprocessing

    ok = (
        wanted
        and os.environ.get(ENV_SIDE_PROCESS, "").strip() != "0"
        and usable_cpus() >= 2
        and "fork" in multiprocessing.get_all_start_methods()
    )
    pool = None
    if ok:
        try:
            pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_worker_init,
                initargs=(os.getpid(),),
            )
            pool.submit(int).result(timeout=30)  # fork the worker now (see above)
        except Exception:  # no semaphores, no fork, a worker that did not start: compute in-process
            if pool is not None:
                abort_pool(pool)
            pool = None
    if pool is None:
        yield None
        return
    with _owned(pool):
        yield pool


@contextmanager
def _owned(pool: ProcessPoolExecutor) -> Iterator[ProcessPoolExecutor]:
    """``pool`` for the block: killed at once if it is left by an exception (queued work is not
    waited for), else shut down when its work is done."""
    try:
        yield pool
    except BaseException:
        abort_pool(pool)
        raise
    pool.shutdown(wait=True)


def _kill_children(before: set[int | None]) -> None:
    """Kill this process's multiprocessing children that are not in ``before`` (the cluster's)."""
    import multiprocessing

    procs = [p for p in multiprocessing.active_children() if p.pid not in before]
    for proc in procs:
        proc.kill()
    for proc in procs:
        proc.join(1)


POLL_PARENT_S = 0.2  # how often a pool worker checks that its parent is alive (fallback to PDEATHSIG)


def _worker_init(parent: int) -> None:
    """Pool worker set-up: ignore SIGINT, die on SIGTERM, end when the parent process is gone.

    Linux kills the worker with the parent (``PR_SET_PDEATHSIG``, immediate even when the worker
    is inside a long native call); elsewhere, and as a fallback, a daemon thread polls the parent.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    ppid = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            pass
    if ppid != parent and not _alive(parent):  # the parent died before this line (or: forkserver)
        os._exit(1)

    def watch() -> None:
        while os.getppid() == ppid:
            time.sleep(POLL_PARENT_S)
        os._exit(1)

    threading.Thread(target=watch, name="detente-parent-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def abort_pool(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` now: cancel what has not started, kill the workers, reap them."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        if proc.is_alive():
            proc.kill()  # pure computation: nothing to flush, nothing to release
    for proc in procs:
        proc.join(1)
