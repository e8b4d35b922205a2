"""Executor factory for sweeps: in-process, a local process pool, or Dask (stack.md §5).

:func:`get_executor` is a context manager yielding a ``concurrent.futures.Executor`` (or
``None`` for in-process) and cleaning up afterwards:

- ``kind="inline"``: ``None`` (``run_ensemble`` loops in this process);
- ``kind="process"``: ``ProcessPoolExecutor(max_workers=workers)``;
- ``kind="dask"``: ``scheduler`` (or env ``DASK_SCHEDULER_ADDRESS``) connects to an existing
  cluster, otherwise a ``LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
  dashboard_address=None)`` is started; yields ``Client.get_executor()``.

``dask.distributed`` is imported lazily; without it a one-line :class:`MissingExtraError`
names the ``distributed`` extra.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Literal

from detente.errors import DetenteError, MissingExtraError

ENV_SCHEDULER = "DASK_SCHEDULER_ADDRESS"
ExecutorKind = Literal["inline", "process", "dask"]


def scheduler_from_env() -> str | None:
    """The scheduler address from ``DASK_SCHEDULER_ADDRESS`` (empty = unset)."""
    value = os.environ.get(ENV_SCHEDULER, "").strip()
    return value or None


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise MissingExtraError(
            "Dask is not installed: install the distributed extra with pip install 'detente[distributed]'"
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
        with ProcessPoolExecutor(max_workers=workers) as pool:
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
    import dask

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
        raise DetenteError(
            f"--workers {workers or 2}: the local Dask cluster did not start ({exc})"
        ) from None
    try:
        client = distributed.Client(cluster, timeout="60s")
    except (OSError, TimeoutError) as exc:
        cluster.close()
        raise DetenteError(
            f"--workers {workers or 2}: cannot connect to the local Dask cluster ({exc})"
        ) from None
    try:
        yield client.get_executor()
    finally:
        client.close()
        cluster.close()
