"""Background jobs for long runs (sweeps, the simulator, reports): a small thread pool with progress.

A job never blocks the request that starts it nor other requests; clients poll
``/api/jobs/{id}`` (the dashboard does so with htmx every half second).
"""

from __future__ import annotations

import secrets
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from detente.errors import DetenteError


@dataclass
class Job:
    id: str
    kind: str
    label: str
    status: str = "queued"  # queued | running | done | failed
    progress: float = 0.0
    message: str = ""
    result: Any = None
    created: float = field(default_factory=time.time)
    finished: float | None = None

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "status": self.status,
            "progress": round(self.progress, 4),
            "message": self.message,
            "result": self.result if self.status == "done" and not isinstance(self.result, str) else None,
        }


class JobManager:
    """Runs callables ``fn(progress)`` in worker threads; keeps the last ``keep`` jobs."""

    def __init__(self, workers: int = 2, keep: int = 200) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="detente-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._keep = keep

    def submit(
        self,
        kind: str,
        label: str,
        fn: Callable[[Callable[[float], None]], Any],
        on_done: Callable[[Job], None] | None = None,
    ) -> Job:
        job = Job(id=secrets.token_hex(8), kind=kind, label=label)
        with self._lock:
            self._jobs[job.id] = job
            if len(self._jobs) > self._keep:
                for old in sorted(self._jobs.values(), key=lambda j: j.created)[
                    : len(self._jobs) - self._keep
                ]:
                    if old.status in ("done", "failed"):
                        self._jobs.pop(old.id, None)

        def progress(x: float) -> None:
            job.progress = float(min(max(x, 0.0), 1.0))

        def run() -> None:
            job.status = "running"
            try:
                job.result = fn(progress)
                if on_done is not None:  # e.g. record the run; before "done" so pollers see it
                    on_done(job)
                job.progress = 1.0
                job.status = "done"
            except DetenteError as exc:
                job.status, job.message = "failed", " ".join(str(exc).split())
            except Exception:  # never a traceback to the client; keep it in the server log
                traceback.print_exc()
                job.status, job.message = (
                    "failed",
                    "internal error while running this job (see the server log)",
                )
            finally:
                job.finished = time.time()

        self._pool.submit(run)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
