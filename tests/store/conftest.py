"""Store fixtures: every store test runs on SQLite and, when DETENTE_TEST_PG_URL is set, on PostgreSQL."""

from __future__ import annotations

import os

import pytest

from detente.store import Store

PG_URL = os.environ.get("DETENTE_TEST_PG_URL", "").strip()
PG_SKIP = (
    "DETENTE_TEST_PG_URL is not set: start a server with `scripts/start_test_pg.sh` "
    "(needs Debian's postgresql; CI sets the variable)"
)


def _fresh_pg() -> Store:
    st = Store(PG_URL)
    st._md.drop_all(st.engine)
    st._md.create_all(st.engine)
    return st


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    if request.param == "sqlite":
        st = Store(str(tmp_path / "t.sqlite"))
    else:
        if not PG_URL:
            pytest.skip(PG_SKIP)
        st = _fresh_pg()
        st.data_dir = tmp_path / "runs"
    yield st
    st.close()
