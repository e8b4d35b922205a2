"""SIGKILL the dashboard server while clients save versions: every acknowledged version survives."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from detente.store import Store


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX-only")
def test_sigkill_server_during_saves(tmp_path):
    httpx = pytest.importorskip("httpx")
    db = str(tmp_path / "kill.sqlite")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = (
        "import uvicorn; from detente.web import create_app; "
        f"uvicorn.run(create_app(db_url={db!r}), host='127.0.0.1', port={port}, log_level='critical')"
    )
    proc = subprocess.Popen([sys.executable, "-c", code])
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # a start beside the 80-process store tests took > 30 s once
    while True:
        try:
            urllib.request.urlopen(base + "/api/health", timeout=1)
            break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
    data = httpx.get(base + "/api/scenarios/emission-standards-1994").json()["scenario"]
    acked: list[tuple[int, float]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(k: int) -> None:
        with httpx.Client(base_url=base, timeout=10) as c:
            j = 0
            while not stop.is_set():
                j += 1
                d = dict(data)
                d["stances"] = [dict(s) for s in data["stances"]]
                sal = round((k * 1000 + j) / 1e5, 5)
                d["stances"][0]["salience"] = sal
                try:
                    r = c.post("/api/scenarios", json={"scenario": d, "author": f"c{k}"})
                except httpx.HTTPError:
                    return  # the server is gone
                if r.status_code == 201:
                    with lock:
                        acked.append((r.json()["version"], sal))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    while len(acked) < 30 and time.monotonic() < deadline + 30:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)  # mid-flight: other saves are in progress
    proc.wait(10)
    stop.set()
    for t in threads:
        t.join(15)
    assert len(acked) >= 30
    st = Store(db)
    versions = {v.version for v in st.versions("emission-standards-1994")}
    assert versions == set(range(1, max(versions) + 1))  # readable, no holes
    for version, sal in acked:  # every acknowledged save is there with its content
        assert st.get_scenario("emission-standards-1994", version).data["stances"][0]["salience"] == sal
    with st.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    st.close()
