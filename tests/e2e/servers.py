"""A real dashboard server for the browser tests (one home for starting and stopping it)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def running_server(db: Path, *, log: Path | None = None) -> Iterator[str]:
    """A real uvicorn server of the dashboard on a free 127.0.0.1 port, yielding its base URL.

    With ``log``, its output goes to that file with the access log on (tests read it); without, it
    logs warnings only. The server is stopped on exit (SIGTERM, then SIGKILL after 10 s).
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    level = "'info', access_log=True" if log is not None else "'warning'"
    code = (
        "import uvicorn; from detente.web import create_app; "
        f"uvicorn.run(create_app(db_url={str(db)!r}), host='127.0.0.1', port={port}, log_level={level})"
    )
    out = open(log, "wb") if log is not None else None  # noqa: SIM115  (closed below)
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=out, stderr=subprocess.STDOUT if out else None
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a start beside the 80-process store tests took > 30 s once
        while True:
            try:
                with urllib.request.urlopen(base + "/api/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the dashboard server did not start")
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if out is not None:
            out.close()
