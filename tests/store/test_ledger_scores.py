"""The ledger scores distributions: quantile CRPS, interval coverage, log score, calibration table."""

from __future__ import annotations

import math

import numpy as np
import pytest

from detente.errors import StoreError
from detente.store import Store
from detente.store.ledger import check_quantiles, forecast_warnings, parse_quantiles
from detente.store.ledger_scores import interval_hits, ledger_summary, log_score, quantile_crps

LEVELS = [f"{a}" for a in range(5, 100, 5)]


def _pinball_crps(y: float, q: dict[str, float]) -> float:
    """The quantile CRPS written out (Berrisch & Ziel 2023): 2/|A| sum of pinball losses."""
    total = 0.0
    for a, x in q.items():
        t = float(a) / 100
        total += t * (y - x) if y >= x else (1 - t) * (x - y)
    return 2 * total / len(q)


def test_quantile_crps_is_the_mean_pinball_loss() -> None:
    rng = np.random.default_rng(3)
    qs, ys = [], []
    for _ in range(20):
        vals = np.sort(rng.uniform(0, 100, len(LEVELS)))
        qs.append(dict(zip(LEVELS, map(float, vals), strict=True)))
        ys.append(float(rng.uniform(0, 100)))
    qs.append({"10": 20.0, "90": 30.0})  # another set of levels, scored in its own group
    ys.append(50.0)
    got = quantile_crps(ys, qs)
    assert got == pytest.approx([_pinball_crps(y, q) for y, q in zip(ys, qs, strict=True)])


def test_quantile_crps_of_many_levels_approaches_the_normal_closed_form() -> None:
    """Gneiting & Raftery (2007) eq. 5: CRPS(N(mu, s), y) = s [z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi)]."""
    from statistics import NormalDist

    mu, s, y = 40.0, 10.0, 52.0
    z = (y - mu) / s
    nd = NormalDist()
    closed = s * (z * (2 * nd.cdf(z) - 1) + 2 * nd.pdf(z) - 1 / math.sqrt(math.pi))
    levels = np.arange(1, 1000) / 1000
    q = {f"{100 * a:g}": mu + s * nd.inv_cdf(float(a)) for a in levels}
    assert quantile_crps([y], [q])[0] == pytest.approx(closed, rel=5e-3)


def test_log_score_and_its_floor() -> None:
    assert log_score(0.5, 1) == pytest.approx(math.log(2))
    assert log_score(0.9, 1) == pytest.approx(-math.log(0.9))
    assert log_score(0.9, 0) == pytest.approx(-math.log(0.1))
    assert log_score(0.0, 1) == pytest.approx(math.log(1000))  # certain and wrong: finite


def test_quantiles_are_checked() -> None:
    assert parse_quantiles("90:7, 10:3") == {"10": 3.0, "90": 7.0}
    assert parse_quantiles('{"50": 4}') == {"50": 4.0}
    for bad, message in [
        ("10:5,90:2", "do not decrease"),
        ("0:1", "strictly between 0 and 100"),
        ("100:1", "strictly between 0 and 100"),
        ("10:x", "expected a number"),
        ("10:nan", "finite"),
        ("10", "LEVEL:VALUE"),
        ("[1, 2]", "LEVEL:VALUE"),
        ('{"10": 1, "10.0": 2}', "given twice"),
        ('{"10": 1, "10": 2}', "level 10 given twice"),  # a JSON key twice: not the last one kept
        ("10:1,10:2", "level 10 given twice"),
        ("12.5:1,50:2,12.50:3", "level 12.5 given twice"),
        ('{"10": {"a": 1}}', "expected a number"),
    ]:
        with pytest.raises(StoreError, match=message):
            parse_quantiles(bad)
    with pytest.raises(StoreError, match="at least one"):
        check_quantiles({})


def test_store_scores_distributions(store) -> None:
    q = {"10": 40.0, "25": 48.0, "50": 55.0, "75": 61.0, "90": 70.0}
    a = store.ledger_add("Sanctions level", 55, quantiles=q)
    b = store.ledger_add("Tariff", 10, quantiles={"5": 0.0, "25": 5.0, "75": 15.0, "95": 30.0})
    c = store.ledger_add("Years", 8)  # a number without quantiles: absolute error only
    p = store.ledger_add("Deal?", 0.8)
    with pytest.raises(StoreError, match="only a numeric forecast"):
        store.ledger_add("Other deal?", 0.5, quantiles=q)
    assert store.ledger_get(a.id).quantiles == q and store.ledger_get(c.id).quantiles is None
    for entry, outcome in ((a, 64), (b, 2), (c, 9), (p, 0)):
        store.ledger_resolve(entry.id, outcome)
    s = store.ledger_score()
    assert s["numeric_resolved"] == 3 and s["numeric_with_quantiles"] == 2
    assert s["mean_crps"] == pytest.approx(
        (_pinball_crps(64, q) + _pinball_crps(2, store.ledger_get(b.id).quantiles)) / 2
    )
    assert s["mean_brier"] == pytest.approx(0.64) and s["mean_log_score"] == pytest.approx(-math.log(0.2))
    # central 50 %: a (48-61 misses 64) and b (5-15 misses 2) -> 0; 80 % only a has 10/90 -> inside
    assert s["coverage"] == {"50": 0.0, "80": 1.0, "90": pytest.approx(1.0)}
    rows = {(r["kind"], r["group"]): r for r in s["calibration"]}
    assert rows[("binary", "80-90 %")]["n"] == 1 and rows[("binary", "80-90 %")]["observed"] == 0.0
    assert rows[("quantile", "25 %")]["n"] == 2 and rows[("quantile", "25 %")]["observed"] == 0.5
    assert rows[("interval", "central 90 %")]["n"] == 1


def test_summary_of_nothing_has_no_numbers() -> None:
    s = ledger_summary([])
    assert s["mean_crps"] is None and s["coverage"] == {"50": None, "80": None, "90": None}
    assert all(r["n"] == 0 and r["observed"] is None for r in s["calibration"])


def test_store_made_before_quantiles_gains_them(tmp_path) -> None:
    import sqlalchemy as sa

    db = str(tmp_path / "old.sqlite")
    st = Store(db)
    e = st.ledger_add("Years", 8.0)
    st.ledger_resolve(e.id, 9.0)
    st.t_quantiles.drop(st.engine)  # a database made before the quantiles table existed
    st.close()
    st = Store(db)
    assert "ledger_quantiles" in sa.inspect(st.engine).get_table_names()
    old = st.ledger_get(e.id)
    assert (old.value, old.outcome, old.score, old.quantiles) == (8.0, 9.0, 1.0, None)
    n = st.ledger_add("Years again", 8.0, quantiles={"10": 6, "90": 10})
    st.ledger_resolve(n.id, 9.0)
    s = st.ledger_score()
    assert s["numeric_resolved"] == 2 and s["numeric_with_quantiles"] == 1 and s["coverage"]["80"] == 1.0
    st.close()


def test_interval_hits_of_one_forecast_agree_with_the_coverage() -> None:
    q = {"5": 10.0, "10": 20.0, "25": 30.0, "50": 40.0, "75": 50.0, "90": 60.0, "95": 70.0}
    assert interval_hits(55.0, q) == [(50, 30.0, 50.0, False), (80, 20.0, 60.0, True), (90, 10.0, 70.0, True)]
    assert [h[3] for h in interval_hits(30.0, q)] == [True, True, True]  # both ends count inside
    assert interval_hits(1.0, {"10": 2.0, "50": 3.0}) == []  # no interval has both ends
    e = type("E", (), {"kind": "numeric", "outcome": 55.0, "score": 15.0, "quantiles": q, "value": 40.0})
    cov = ledger_summary([e])["coverage"]
    assert cov == {str(c): float(inside) for c, _, _, inside in interval_hits(55.0, q)}


def test_forecast_warnings() -> None:
    import datetime as dt

    today = dt.date(2026, 12, 7)
    q = {"10": 1.0, "50": 5.0, "90": 9.0}
    assert forecast_warnings(5.0, q, "2026-12-07", today=today) == []  # today is not the past
    assert forecast_warnings(5.0, q, "2026-12-06", today=today) == [
        "resolves 2026-12-06 is in the past (today 2026-12-07)"
    ]
    assert forecast_warnings(2.1, q, today=today) == []  # inside its quantiles, though not the median
    assert forecast_warnings(1.0, q, today=today) == forecast_warnings(9.0, q, today=today) == []
    assert forecast_warnings(0.5, q, today=today) == ["value 0.5 lies below its lowest quantile (10 %: 1)"]
    assert forecast_warnings(9.5, q, today=today) == ["value 9.5 lies above its highest quantile (90 %: 9)"]
    assert forecast_warnings(0.3, None, "", today=today) == []
    # the default today is today in UTC
    assert forecast_warnings(1.0, None, "2000-01-01") and not forecast_warnings(1.0, None, "2999-01-01")


def test_quantile_levels_written_as_fractions_are_refused() -> None:
    """Levels are in percent: '0.1:4,0.9:6' would be stored as the 0.1 % and 0.9 % quantiles and
    scored as such (no command deletes a forecast), so it is refused with the percent spelling."""
    for bad, hint in [
        ("0.1:4,0.5:5,0.9:6", "probably 10:4,50:5,90:6"),
        ('{"0.1": 4, "0.9": 6}', "probably 10:4,90:6"),
        ("0.5:5", "probably 50:5"),
    ]:
        with pytest.raises(StoreError, match="expected levels in percent") as info:
            parse_quantiles(bad)
        assert hint in str(info.value)
    assert parse_quantiles("0.5:1,50:5,99.5:9") == {"0.5": 1.0, "50": 5.0, "99.5": 9.0}
