"""Store fixtures: every store test runs on SQLite and on a real PostgreSQL server.

PostgreSQL: ``DETENTE_TEST_PG_URL`` if set (CI starts the server with ``scripts/start_test_pg.sh``);
otherwise, where Debian's server binaries are installed, this module starts a throwaway server
itself with the same script (as the ``postgres`` user when root, on a free port and a temporary
data directory) and stops it after the session. Skipped, with the reason, only where the server
binaries (or the psycopg driver) are absent.
"""

from __future__ import annotations

import glob
import os
import socket
import subprocess
from pathlib import Path

import pytest

from detente.store import Store

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "start_test_pg.sh"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _per_worker(url: str) -> str:
    """Under pytest-xdist each worker gets its own database (tests drop and create the tables)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker:
        return url
    import sqlalchemy as sa

    base = sa.engine.make_url(url)
    name = f"{base.database}_{worker}"
    eng = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        if conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    eng.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_url():
    url = os.environ.get("DETENTE_TEST_PG_URL", "").strip()
    if url:
        yield _per_worker(url)
        return
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed (pip install 'detente[postgres]'), so no PostgreSQL tests")
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql; CI installs them)")
    port = _free_port()
    env = {
        **os.environ,
        "DETENTE_TEST_PG_PORT": str(port),
        "DETENTE_TEST_PG_DIR": f"/tmp/detente-test-pg-{port}",
    }
    proc = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        pytest.fail(f"could not start a test PostgreSQL server: {proc.stderr.strip()[-500:]}")
    try:
        yield _per_worker(proc.stdout.strip().splitlines()[-1])
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop"], env=env, capture_output=True, timeout=60)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    if request.param == "sqlite":
        st = Store(str(tmp_path / "t.sqlite"))
    else:
        st = Store(request.getfixturevalue("pg_url"))
        st._md.drop_all(st.engine)
        st._md.create_all(st.engine)
        st.data_dir = tmp_path / "runs"
    yield st
    st.close()
