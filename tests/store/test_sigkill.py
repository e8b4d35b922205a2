"""SIGKILL during saves loses no committed version and leaves the SQLite store readable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from detente.store import Store

WRITER = r"""
import sys
from detente.store import Store
st = Store(sys.argv[1])
k = 0
while True:
    k += 1
    data = {"id": "kill", "title": "k", "actors": [{"id": "a", "note": "x" * 2000}],
            "stances": [{"actor": "a", "issue": "i", "salience": k / 1e6}]}
    v = st.save_scenario(data, author="writer")
    st.ledger_add(f"q{k}?", 0.5)
    print(v.version, flush=True)   # printed only after the commit returned
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX-only")
def test_sigkill_during_saves_loses_no_committed_version(tmp_path):
    db = tmp_path / "kill.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True)
    committed = 0
    deadline = time.monotonic() + 60  # bounds a writer that hangs; 40 commits took over 20 s on a loaded host
    assert proc.stdout is not None
    while committed < 40 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        committed = int(line)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert committed >= 40, "writer did not make progress"
    st = Store(str(db))
    versions = [v.version for v in st.versions("kill")]
    # every version reported as committed is there, numbering has no holes, content is readable
    assert versions == list(range(1, len(versions) + 1))
    assert len(versions) >= committed
    last = st.get_scenario("kill")
    assert last.data["stances"][0]["salience"] == pytest.approx(last.version / 1e6)
    with st.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    # and it is still writable
    assert st.save_scenario(last.data, author="after").version == last.version + 1
    st.close()
