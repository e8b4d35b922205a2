"""Store behaviour on SQLite and PostgreSQL: versions with diffs, runs with manifests and .npz, ledger scores."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from detente.errors import StoreError
from detente.store import Store, diff_summary, normalise_url, score_forecast
from detente.store.db import default_db_url


def _scenario(sal: float = 0.5, extra_actor: bool = False) -> dict:
    actors = [{"id": "a", "capability": 1.0}, {"id": "b", "capability": 2.0}]
    stances = [
        {"actor": "a", "issue": "x", "position": 10.0, "salience": sal},
        {"actor": "b", "issue": "x", "position": 90.0, "salience": 0.8},
    ]
    if extra_actor:
        actors.append({"id": "c", "capability": 0.5})
    return {
        "id": "toy",
        "title": "Toy",
        "actors": actors,
        "issues": [{"id": "x", "scale": {"low": 0, "high": 100}}],
        "stances": stances,
    }


def test_versions_record_who_when_what(store):
    v1 = store.save_scenario(_scenario(), author="ana")
    v2 = store.save_scenario(_scenario(sal=0.7), author="bo")
    v3 = store.save_scenario(_scenario(sal=0.7, extra_actor=True), author="cy")
    assert (v1.version, v2.version, v3.version) == (1, 2, 3)
    assert v1.summary == "created"
    assert v2.summary == "stance a/x salience 0.5 → 0.7"
    assert v3.summary == "added actor c"
    hist = store.versions("toy")
    assert [(h.version, h.author) for h in hist] == [(1, "ana"), (2, "bo"), (3, "cy")]
    assert all(h.created_at.startswith("20") for h in hist)
    got = store.get_scenario("toy", 2)
    assert got.data["stances"][0]["salience"] == 0.7 and len(got.data["actors"]) == 2
    assert store.get_scenario("toy").version == 3
    assert [s.ref for s in store.list_scenarios()] == ["toy@3"]
    assert got.content_hash != store.get_scenario("toy", 1).content_hash


def test_missing_scenario_and_bad_key(store):
    with pytest.raises(StoreError, match="not in the store"):
        store.get_scenario("nope")
    store.save_scenario(_scenario())
    with pytest.raises(StoreError, match="no version 9"):
        store.get_scenario("toy", 9)
    with pytest.raises(StoreError, match="scenario key"):
        store.save_scenario(_scenario(), key="../etc/passwd")


def test_concurrent_saves_get_distinct_versions(store):
    errors = []

    def worker(k: int) -> None:
        try:
            for j in range(5):
                store.save_scenario(_scenario(sal=(k * 5 + j) / 100), author=f"t{k}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [v.version for v in store.versions("toy")] == list(range(1, 21))


def test_runs_keep_manifest_and_arrays_beside(store):
    draws = np.arange(12.0).reshape(4, 3)
    r = store.save_run(
        scenario_ref="toy@1",
        model="eum",
        variant="bdm",
        params={"rounds": np.int64(5)},
        seed=7,
        input_hash="abc",
        version="0.1.0",
        results={"outcome": np.array([1.5, float("nan")])},
        arrays={"outcomes": draws},
    )
    got = store.get_run(r.id)
    assert (got.model, got.variant, got.seed, got.input_hash, got.version) == (
        "eum",
        "bdm",
        7,
        "abc",
        "0.1.0",
    )
    assert got.params == {"rounds": 5}
    assert got.results == {"outcome": [1.5, None]}
    assert got.arrays_path and got.arrays_path.endswith(".npz")
    np.testing.assert_array_equal(store.load_arrays(got)["outcomes"], draws)
    assert [x.id for x in store.list_runs("toy@1")] == [r.id]
    assert store.list_runs("other") == []
    with pytest.raises(StoreError, match="run 999"):
        store.get_run(999)


def test_ledger_add_resolve_score(store):
    b = store.ledger_add(
        "Ceasefire signed by 2025-12-31?", 0.3, resolution_date="2025-12-31", scenario_ref="ukraine-2025@1"
    )
    n = store.ledger_add("Years until standards apply", 8.0, kind="numeric", model="eum")
    assert (b.kind, n.kind) == ("binary", "numeric")
    assert [e.id for e in store.ledger_list(resolved=False)] == [b.id, n.id]
    rb = store.ledger_resolve(b.id, 0)
    rn = store.ledger_resolve(n.id, 8.833)
    assert rb.score == pytest.approx(0.09) and rb.resolved_at
    assert rn.score == pytest.approx(0.833)
    s = store.ledger_score()
    assert s["resolved"] == 2 and s["open"] == 0
    assert s["mean_brier"] == pytest.approx(0.09) and s["mean_absolute_error"] == pytest.approx(0.833)
    with pytest.raises(StoreError, match="expected 0 or 1"):
        store.ledger_resolve(b.id, 0.5)
    with pytest.raises(StoreError, match="probability"):
        store.ledger_add("p?", 1.5, kind="binary")
    with pytest.raises(StoreError, match="YYYY-MM-DD"):
        store.ledger_add("p?", 0.5, resolution_date="next year")
    with pytest.raises(StoreError, match="not found"):
        store.ledger_resolve(12345, 1)


def test_scores_and_diff_are_plain_functions():
    # Brier (1950) for one binary event; absolute error for numbers (hand-computed)
    assert score_forecast("binary", 0.25, 1) == pytest.approx(0.5625)
    assert score_forecast("numeric", 3.0, 1.0) == 2.0
    assert diff_summary({"title": "a"}, {"title": "a"}) == "no change"
    many = {"actors": [{"id": str(k)} for k in range(20)]}
    assert diff_summary({"actors": []}, many).endswith("and 8 more")


def test_urls_and_default(tmp_path, monkeypatch):
    assert normalise_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    monkeypatch.setenv("DETENTE_DB", str(tmp_path / "env.sqlite"))
    assert default_db_url() == "sqlite:///" + str(tmp_path / "env.sqlite")
    monkeypatch.delenv("DETENTE_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_url().endswith("detente/detente.sqlite")
    st = Store()
    st.save_scenario(_scenario())
    assert (tmp_path / "xdg" / "detente" / "detente.sqlite").exists()
    st.close()


def test_bad_url_is_a_store_error():
    with pytest.raises(StoreError):
        Store("nosuchdialect://x/y")


def test_ledger_question_mark_means_a_probability(store):
    for bad in (1.7, -0.2, 70):
        with pytest.raises(StoreError, match=r"probability in \[0, 1\] for a yes/no question"):
            store.ledger_add("Ceasefire by June?", bad)
    assert store.ledger_list() == []
    assert store.ledger_add("Tariff rate in 2026?", 17, kind="numeric").kind == "numeric"
    assert store.ledger_add("Tariff rate in 2026", 17).kind == "numeric"
    assert store.ledger_add("Ceasefire by June?", 1).kind == "binary"


def test_ledger_re_resolve_needs_force_and_keeps_history(store):
    from detente.store import AlreadyResolvedError

    e = store.ledger_add("Ceasefire by June?", 0.3)
    assert store.ledger_history(e.id) == []
    first = store.ledger_resolve(e.id, 0)
    with pytest.raises(
        AlreadyResolvedError, match=r"already resolved on 20.* with outcome 0 \(Brier score 0.090\)"
    ):
        store.ledger_resolve(e.id, 1)
    assert store.ledger_get(e.id).score == pytest.approx(0.09)  # unchanged
    second = store.ledger_resolve(e.id, 1, force=True)
    assert second.score == pytest.approx(0.49) and second.earlier_resolutions == 1
    third = store.ledger_resolve(e.id, 0, force=True)
    hist = store.ledger_history(e.id)
    assert [(h.outcome, round(h.score, 2)) for h in hist] == [(0.0, 0.09), (1.0, 0.49), (0.0, 0.09)]
    assert hist[0].resolved_at == first.resolved_at and hist[0].replaced_at
    assert hist[-1].replaced_at is None and hist[-1].resolved_at == third.resolved_at
    assert [x.earlier_resolutions for x in store.ledger_list()] == [2]
    assert store.ledger_score()["resolved"] == 1


def test_old_database_gets_the_history_table(tmp_path):
    import sqlalchemy as sa

    db = str(tmp_path / "old.sqlite")
    st = Store(db)
    e = st.ledger_add("Deal?", 0.8)
    st.ledger_resolve(e.id, 1)
    st.t_resolutions.drop(st.engine)  # a database made before the history table existed
    st.close()
    st = Store(db)
    assert "ledger_resolution_history" in sa.inspect(st.engine).get_table_names()
    assert st.ledger_resolve(e.id, 0, force=True).score == pytest.approx(0.64)
    assert [h.outcome for h in st.ledger_history(e.id)] == [1.0, 0.0]
    st.close()


def test_a_read_only_store_on_postgresql_writes_nothing(pg_url) -> None:
    """``Store(url, read_only=True)`` on a server creates no table (a new database reads as empty
    through TEMP stand-ins) and runs READ ONLY transactions, so even a raw write is refused."""
    import sqlalchemy as sa

    setup = Store(pg_url)
    setup._md.drop_all(setup.engine)  # a database detente has not used yet
    setup.close()
    ro = Store(pg_url, read_only=True)
    assert ro.ledger_list() == [] and ro.list_runs("any") == []
    with pytest.raises(StoreError, match="opened read-only"):
        ro.ledger_add("Deal?", 0.5)
    ro.close()
    probe = sa.create_engine(pg_url)
    with probe.connect() as conn:
        assert not set(sa.inspect(conn).get_table_names()) & {"ledger", "runs", "scenarios"}
    probe.dispose()

    writer = Store(pg_url)  # a write command makes the tables
    writer.ledger_add("Deal?", 0.5)
    writer.close()
    ro = Store(pg_url, read_only=True)
    assert [e.question for e in ro.ledger_list()] == ["Deal?"]
    with ro.engine.connect() as conn, pytest.raises(sa.exc.DBAPIError, match="read-only transaction"):
        conn.execute(sa.text("DELETE FROM ledger"))
    ro.close()


@pytest.mark.parametrize("date", ["20251231", "2025-W01-1", "2025-12-31T10:00", "2025-02-30", "2025-1-5"])
def test_a_resolution_date_is_exactly_yyyy_mm_dd(store, date) -> None:
    """date.fromisoformat also reads 20251231 and 2025-W01-1; they were stored as typed."""
    with pytest.raises(StoreError, match="expected YYYY-MM-DD"):
        store.ledger_add("Deal?", 0.5, resolution_date=date)
    assert store.ledger_list() == []
    assert store.ledger_add("Deal?", 0.5, resolution_date="2025-12-31").resolution_date == "2025-12-31"
