"""Exchange model (Stokman & van Oosten 1994; models.md §5): golden oracle, slow-loop references, properties."""

from __future__ import annotations

import numpy as np
import pytest

from detente.analysis.main_job import MainJobOptions, main_job
from detente.core.arrays import ScenarioArrays, to_arrays
from detente.errors import ModelConfigError
from detente.io.builtin import load_builtin
from detente.kernels.exchange import (
    candidates,
    exchange_phase,
    issue_outcome,
    moves_at_rate,
    supply_capacity,
)
from detente.models import forecast, get_model
from detente.models.exchange import Exchange
from detente.testing import check_model, random_arrays

# --- the two-actor oracle of models.md §5 (raw units: positions 0–100, saliences 0–100) ----------

X = np.array([[0.0, 0.0], [100.0, 100.0]])  # A1, A2 on I1, I2
S = np.array([[10.0, 90.0], [60.0, 50.0]])
C = np.ones((2, 2))
P = np.ones((2, 2), dtype=bool)
TOL = 1e-9


def test_oracle_outcomes_before() -> None:
    o, total = issue_outcome(X, C * S, P)
    assert o[0] == pytest.approx(600 / 7, abs=TOL)  # 85 5/7
    assert o[1] == pytest.approx(250 / 7, abs=TOL)  # 35 5/7
    assert total.tolist() == [70.0, 140.0]


def test_oracle_full_move_hypotheticals_and_terms() -> None:
    """Full moves: I1 -> 100 (ΔO_1 = 100/7), I2 -> 0 (ΔO_2 = 250/7); loss/gain terms |ΔO|·s·c."""
    o, total = issue_outcome(X, C * S, P)
    cap = supply_capacity(X, X, C * S, o, total)  # cap[k, l, d]: k supplies d to l
    d_o1 = cap[0, 1, 0]  # A1 moves to A2's position on I1
    d_o2 = cap[1, 0, 1]  # A2 moves to A1's position on I2
    assert d_o1 == pytest.approx(100 / 7, abs=TOL)
    assert d_o2 == pytest.approx(250 / 7, abs=TOL)
    assert o[0] + d_o1 == pytest.approx(100.0, abs=TOL)
    assert o[1] - d_o2 == pytest.approx(0.0, abs=TOL)
    assert d_o1 * S[0, 0] * C[0, 0] == pytest.approx(1000 / 7, abs=TOL)  # A1 loses on I1
    assert d_o1 * S[1, 0] * C[1, 0] == pytest.approx(6000 / 7, abs=TOL)  # A2 gains on I1
    assert d_o2 * S[0, 1] * C[0, 1] == pytest.approx(22500 / 7, abs=TOL)  # A1 gains on I2
    assert d_o2 * S[1, 1] * C[1, 1] == pytest.approx(12500 / 7, abs=TOL)  # A2 loses on I2


def test_oracle_roles_and_equal_gain_candidate() -> None:
    """10/90 < 60/50 ⇒ A1 supplies I1, A2 supplies I2; the only candidate is (A1, A2, I1, I2)."""
    c = candidates(X, X, S, C * S, P, np.zeros((2, 2), dtype=np.int64))
    assert np.argwhere(c.valid).tolist() == [[0, 1, 0, 1]]
    assert c.gain[0, 1, 0, 1] == pytest.approx(500.0, abs=TOL)
    assert c.d_op[0, 1, 0, 1] == pytest.approx(100 / 7, abs=TOL)
    assert c.d_oq[0, 1, 0, 1] == pytest.approx(50 / 7, abs=TOL)
    assert c.rate_eq[0, 1, 0, 1] == pytest.approx(70 / 140, abs=TOL)


def test_oracle_equal_gain_exchange() -> None:
    """A1 moves I1 0 -> 100, A2 moves I2 100 -> 80; O = (100, 200/7); G1 = G2 = 500."""
    res = exchange_phase(X, S, C * S, P, rng=np.random.default_rng(0))
    assert len(res.steps) == 1
    st = res.steps[0]
    assert (st["i"], st["j"], st["p"], st["q"]) == (0, 1, 0, 1)
    assert st["move_i"] == pytest.approx(100.0, abs=TOL)
    assert st["move_j"] == pytest.approx(-20.0, abs=TOL)
    assert st["dO_p"] == pytest.approx(100 / 7, abs=TOL)
    assert st["dO_q"] == pytest.approx(-50 / 7, abs=TOL)
    assert st["outcome_p"] == pytest.approx(100.0, abs=TOL)
    assert st["outcome_q"] == pytest.approx(200 / 7, abs=TOL)
    assert st["gain_i"] == pytest.approx(500.0, abs=TOL)
    assert st["gain_j"] == pytest.approx(500.0, abs=TOL)
    assert res.y.tolist() == [[100.0, 0.0], [100.0, 80.0]]


def test_oracle_random_rate_bounds() -> None:
    """Break-even rates ρ_1 = 10/90, ρ_2 = 60/50: each actor's largest gain is the other's break-even
    point: A1 gains 1400 at ρ_2 and A2 gains 7000/9 at ρ_1 (the bounds pinned by the public test)."""
    c = candidates(X, X, S, C * S, P, np.zeros((2, 2), dtype=np.int64))
    k = (0, 1, 0, 1)
    assert c.rate_i[k] == pytest.approx(1 / 9, abs=TOL)
    assert c.rate_j[k] == pytest.approx(6 / 5, abs=TOL)

    def gains(rate: float) -> tuple[float, float]:
        dop, doq = moves_at_rate(c.cap_p[k], c.cap_q[k], rate)
        return float(S[0, 1] * doq - S[0, 0] * dop), float(S[1, 0] * dop - S[1, 1] * doq)

    g1, g2 = gains(c.rate_j[k])
    assert g1 == pytest.approx(1400.0, abs=TOL) and g2 == pytest.approx(0.0, abs=TOL)
    g1, g2 = gains(c.rate_i[k])
    assert g2 == pytest.approx(7000 / 9, abs=TOL) and g1 == pytest.approx(0.0, abs=TOL)
    g1, g2 = gains(c.rate_eq[k])
    assert g1 == pytest.approx(g2, abs=TOL) == pytest.approx(500.0, abs=TOL)


def _oracle_arrays() -> ScenarioArrays:
    return ScenarioArrays(("A1", "A2"), ("I1", "I2"), X / 100, S / 100, C, P, np.full(2, np.nan))


def test_oracle_through_model_unit_scale() -> None:
    pred = Exchange().predict(_oracle_arrays(), np.random.default_rng(0))
    assert pred.outcome == pytest.approx([1.0, 2 / 7], abs=TOL)
    assert pred.trajectory is not None and pred.trajectory.shape == (2, 2, 2)
    assert pred.trajectory[1].tolist() == [[1.0, 0.0], [1.0, 0.8]]
    assert pred.extras["round_stats"]["outcome"] == pytest.approx(
        np.array([[6 / 7, 5 / 14], [1.0, 2 / 7]]), abs=TOL
    )
    assert pred.stat_path is not None and np.array_equal(
        pred.stat_path, pred.extras["round_stats"]["outcome"]
    )
    ex = pred.extras["exchanges"]
    assert len(ex) == 1 and ex[0]["gain_i"] == pytest.approx(0.05, abs=TOL) == pytest.approx(
        ex[0]["gain_j"], abs=TOL
    )
    assert ex[0]["externalities"] == {}
    ev = pred.events
    assert ev is not None and len(ev) == 2 and set(ev.kind.tolist()) == {"exchange"}
    assert ev.actor.tolist() == [0, 1] and ev.counterpart.tolist() == [1, 0]
    assert ev.issue.tolist() == [0, 1] and ev.issue2.tolist() == [1, 0]
    assert ev.before.tolist() == [0.0, 1.0] and ev.after == pytest.approx([1.0, 0.8])
    assert ev.value == pytest.approx([0.05, 0.05])
    assert pred.diagnostics.status.tolist() == ["converged", "converged"]
    assert pred.extras["gains"] == pytest.approx([0.05, 0.05])


# --- slow, obvious loop references ------------------------------------------------------------


def _slow_candidates(x, y, s, c, present, moved, min_gain=1e-10):
    """Direct transcription of models.md §5 (with docs/exchange.md's side rule), one candidate at a time."""
    A, I = x.shape
    w = [[c[k, d] * s[k, d] if present[k, d] else 0.0 for d in range(I)] for k in range(A)]
    O, tot = [], []
    for d in range(I):
        t = sum(w[k][d] for k in range(A))
        n = sum(1 for k in range(A) if present[k, d])
        O.append(
            sum(w[k][d] * y[k, d] for k in range(A)) / t
            if t > 0
            else sum(y[k, d] for k in range(A) if present[k, d]) / n
        )
        tot.append(t)
    eps = 1e-12 * max(1.0, max(abs(x[k, d]) for k in range(A) for d in range(I) if present[k, d]))

    def side(v, d):
        return 1 if v > O[d] + eps else (-1 if v < O[d] - eps else 0)

    def ok(k, d):
        return present[k, d] and side(x[k, d], d) != 0 and side(x[k, d], d) == side(y[k, d], d)

    def cap(k, l, d):  # k supplies d toward x_ld
        if tot[d] <= 0:
            return 0.0
        return min(w[k][d] * abs(x[l, d] - y[k, d]) / tot[d], abs(x[l, d] - O[d]))

    out = {}
    for i in range(A):
        for j in range(A):
            if i == j:
                continue
            for p in range(I):
                for q in range(p + 1, I):
                    if not (ok(i, p) and ok(j, p) and ok(i, q) and ok(j, q)):
                        continue
                    if side(y[i, p], p) != -side(y[j, p], p) or side(y[i, q], q) != -side(y[j, q], q):
                        continue
                    if not (s[i, p] * s[j, q] < s[i, q] * s[j, p]):
                        continue
                    if w[i][p] <= 0 or w[j][q] <= 0:
                        continue
                    di, dj = np.sign(x[j, p] - y[i, p]), np.sign(x[i, q] - y[j, q])
                    if moved[i, p] not in (0, di) or moved[j, q] not in (0, dj):
                        continue
                    rate = (s[i, p] + s[j, p]) / (s[i, q] + s[j, q])
                    dop = cap(i, j, p)
                    if rate * dop > cap(j, i, q):
                        dop = cap(j, i, q) / rate
                    doq = rate * dop
                    g_i = s[i, q] * doq - s[i, p] * dop
                    g_j = s[j, p] * dop - s[j, q] * doq
                    assert abs(g_i - g_j) <= 1e-12 * max(1.0, abs(g_i))
                    if g_i > min_gain and dop > 0 and doq > 0:
                        out[(i, j, p, q)] = g_i
    return out


def _state(seed: int, A: int = 6, I: int = 4):
    arr = random_arrays(np.random.default_rng(seed), n_actors=A, n_issues=I)
    x = np.where(arr.present, arr.position, 0.0)
    s = np.where(arr.present, arr.salience, 0.0)
    return x, s, arr.capability, arr.present


@pytest.mark.parametrize("seed", range(12))
def test_candidates_match_slow_loop(seed: int) -> None:
    x, s, c, present = _state(seed)
    w = np.where(present, c * s, 0.0)
    rng = np.random.default_rng(seed)
    y = x.copy()
    moved = np.zeros(x.shape, dtype=np.int64)
    for _ in range(4):  # initial state and states in the middle of a phase
        fast = candidates(x, y, s, w, present, moved)
        slow = _slow_candidates(x, y, s, c, present, moved)
        assert {tuple(int(v) for v in k) for k in np.argwhere(fast.valid)} == set(slow)
        for k, g in slow.items():
            assert fast.gain[k] == pytest.approx(g, rel=1e-12, abs=1e-15)
        # perturb: move a few voting positions toward random targets and mark directions
        for _ in range(2):
            k, d = int(rng.integers(x.shape[0])), int(rng.integers(x.shape[1]))
            if present[k, d]:
                new = y[k, d] + 0.3 * (rng.random() - y[k, d])
                moved[k, d] = int(np.sign(new - y[k, d]))
                y[k, d] = new


def _slow_phase(x, s, c, present, min_gain=1e-10):
    """Greedy loop over the slow candidate list (index tie-break: first in (p, q, i, j) order)."""
    y = x.copy()
    moved = np.zeros(x.shape, dtype=np.int64)
    w = np.where(present, c * s, 0.0)
    seq = []
    while True:
        cands = _slow_candidates(x, y, s, c, present, moved, min_gain)
        if not cands:
            return y, seq
        best = max(cands.values())
        tied = [k for k, g in cands.items() if g >= best - 1e-12 * max(1.0, abs(best))]
        i, j, p, q = min(tied, key=lambda k: (k[2], k[3], k[0], k[1]))
        tot_p, tot_q = w[:, p].sum(), w[:, q].sum()
        o_p, o_q = (w[:, p] * y[:, p]).sum() / tot_p, (w[:, q] * y[:, q]).sum() / tot_q
        cap_p = min(w[i, p] * abs(x[j, p] - y[i, p]) / tot_p, abs(x[j, p] - o_p))
        cap_q = min(w[j, q] * abs(x[i, q] - y[j, q]) / tot_q, abs(x[i, q] - o_q))
        rate = (s[i, p] + s[j, p]) / (s[i, q] + s[j, q])
        dop = min(cap_p, cap_q / rate)
        for k, d, target, dist in (
            (i, p, x[j, p], dop * tot_p / w[i, p]),
            (j, q, x[i, q], rate * dop * tot_q / w[j, q]),
        ):
            before = y[k, d]
            y[k, d] = (
                target
                if dist >= abs(target - before) * (1 - 1e-12)
                else before + np.sign(target - before) * dist
            )
            moved[k, d] = int(np.sign(y[k, d] - before))
        seq.append((i, j, p, q))


@pytest.mark.parametrize("seed", range(8))
def test_phase_matches_slow_greedy_loop(seed: int) -> None:
    x, s, c, present = _state(100 + seed, A=5, I=3)
    w = np.where(present, c * s, 0.0)
    fast = exchange_phase(x, s, w, present, rng=np.random.default_rng(0))
    y_slow, seq = _slow_phase(x, s, c, present)
    assert [(st["i"], st["j"], st["p"], st["q"]) for st in fast.steps] == seq
    assert np.allclose(fast.y, y_slow, rtol=0, atol=1e-12)


# --- properties ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("p", [0.0, 1.0])
def test_phase_properties(seed: int, p: float) -> None:
    """Valid moves stay inside the scale, never reverse, gains are positive (equal at p = 0), rates
    lie between the break-even rates, externalities follow models.md §5."""
    x, s, c, present = _state(200 + seed, A=8, I=4)
    w = np.where(present, c * s, 0.0)
    res = exchange_phase(x, s, w, present, rng=np.random.default_rng(seed), p=p)
    assert res.steps, "random scenarios of this size always have an exchange"
    y = x.copy()
    direction = np.zeros(x.shape)
    for st in res.steps:
        i, j, ip, iq = st["i"], st["j"], st["p"], st["q"]
        for k, d, mv in ((i, ip, st["move_i"]), (j, iq, st["move_j"])):
            assert mv != 0
            assert direction[k, d] in (0.0, np.sign(mv))
            direction[k, d] = np.sign(mv)
        lo, hi = s[i, ip] / s[i, iq], s[j, ip] / s[j, iq]
        assert lo - 1e-12 <= st["rate"] <= hi + 1e-12
        assert st["gain_i"] >= -1e-12 and st["gain_j"] >= -1e-12
        if p == 0.0:
            assert st["gain_i"] == pytest.approx(st["gain_j"], rel=1e-9)
            assert st["gain_i"] > 1e-10
        o0, _ = issue_outcome(y, w, present)
        y[i, ip] += st["move_i"]
        y[j, iq] += st["move_j"]
        o1, _ = issue_outcome(y, w, present)
        assert st["dO_p"] == pytest.approx(o1[ip] - o0[ip], abs=1e-12)
        for k in range(x.shape[0]):
            e = sum(
                s[k, d] * (abs(o0[d] - x[k, d]) - abs(o1[d] - x[k, d])) for d in (ip, iq) if present[k, d]
            )
            assert st["externalities"][k] == pytest.approx(e, abs=1e-12)
        # demanders' outcome never passes their position (overshoot cap)
        assert (o1[ip] - x[j, ip]) * (o0[ip] - x[j, ip]) >= -1e-15
        assert (o1[iq] - x[i, iq]) * (o0[iq] - x[i, iq]) >= -1e-15
    assert np.allclose(y, res.y, atol=1e-9)
    assert ((res.y >= -1e-12) & (res.y <= 1 + 1e-12))[present].all()


def test_random_rate_is_seeded_and_varies() -> None:
    arr = to_arrays(load_builtin("cop21-2015"))
    m = Exchange(p=1.0)
    a = m.predict(arr, np.random.default_rng(1))
    b = m.predict(arr, np.random.default_rng(1))
    c = m.predict(arr, np.random.default_rng(2))
    assert np.array_equal(a.outcome, b.outcome)
    assert not np.array_equal(a.outcome, c.outcome)
    eq = Exchange(p=0.0).predict(arr, np.random.default_rng(1))
    assert not np.array_equal(a.outcome, eq.outcome)
    # p = 0 never touches the generator
    g = np.random.default_rng(5)
    state = g.bit_generator.state
    Exchange().predict(arr, g)
    assert g.bit_generator.state == state


def _duplicated_pair() -> ScenarioArrays:
    """Two identical copies of the oracle's A1: two exchanges with exactly the same gain."""
    x = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
    s = np.array([[0.1, 0.9], [0.1, 0.9], [0.6, 0.5]])
    return ScenarioArrays(
        ("a", "b", "c"), ("I1", "I2"), x, s, np.ones((3, 2)), np.ones((3, 2), bool), np.full(2, np.nan)
    )


def test_tie_break_index_and_random() -> None:
    arr = _duplicated_pair()
    first = Exchange().predict(arr, np.random.default_rng(0)).extras["exchanges"][0]
    assert (first["i"], first["j"]) == ("a", "c")
    picks = {
        Exchange(tie_break="random").predict(arr, np.random.default_rng(k)).extras["exchanges"][0]["i"]
        for k in range(20)
    }
    assert picks == {"a", "b"}


def test_multi_round_carryover() -> None:
    arr = to_arrays(load_builtin("copenhagen-2009"))
    one = Exchange().predict(arr, np.random.default_rng(0))
    full = Exchange(rounds=5, carryover="full").predict(arr, np.random.default_rng(0))
    part = Exchange(rounds=5, carryover="partial").predict(arr, np.random.default_rng(0))
    A, I = arr.n_actors, arr.n_issues
    assert full.trajectory is not None and full.trajectory.shape == (6, A, I)
    # round 1 of every variant is the one-round model
    assert np.allclose(full.trajectory[1], one.trajectory[1]) and np.allclose(
        part.trajectory[1], one.trajectory[1]
    )
    assert np.allclose(full.extras["round_stats"]["outcome"][1], one.outcome)
    assert {e["round"] for e in full.extras["exchanges"]} >= {1}
    # full carryover: round t+1 starts where round t ended, so a round without exchanges ends the run
    r = int(full.diagnostics.rounds[0])
    if r < 5:
        assert set(full.diagnostics.status.tolist()) == {"converged"}
        assert np.array_equal(full.trajectory[r], full.trajectory[-1])
    for pred in (one, full, part):
        assert ((pred.outcome >= 0) & (pred.outcome <= 1)).all()


def test_batch_loop_and_batch_indices() -> None:
    arr = random_arrays(np.random.default_rng(3), batch=(2, 2), n_actors=5, n_issues=3)
    m = Exchange(p=0.3)
    pred = m.predict(arr, np.random.default_rng(9))
    assert pred.outcome.shape == (2, 2, 3) and pred.trajectory.shape == (2, 2, 2, 5, 3)
    assert pred.extras["n_exchanges"].shape == (2, 2)
    assert sum(pred.extras["n_exchanges"].ravel()) == len(pred.extras["exchanges"])
    assert len(pred.events) == 2 * len(pred.extras["exchanges"])
    g = np.random.default_rng(9)  # the batch is a loop of single calls sharing the generator
    flat = [
        a.reshape(4, *a.shape[2:])
        for a in (arr.position, arr.salience, arr.capability, arr.present, arr.reference)
    ]
    for b in range(4):
        one = ScenarioArrays(arr.actor_ids, arr.issue_ids, *(a[b] for a in flat))
        single = m.predict(one, g)
        assert np.array_equal(single.outcome, pred.outcome.reshape(4, 3)[b])
        mine = [e for e in pred.extras["exchanges"] if e["batch"] == b]
        assert [(e["i"], e["j"], e["p"], e["q"]) for e in mine] == [
            (e["i"], e["j"], e["p"], e["q"]) for e in single.extras["exchanges"]
        ]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"rounds": 0}, "rounds"),
        ({"rounds": 1.5}, "rounds"),
        ({"p": 1.5}, "p"),
        ({"p": float("nan")}, "p"),
        ({"carryover": "some"}, "carryover"),
        ({"tie_break": "coin"}, "tie_break"),
        ({"max_exchanges": 0}, "max_exchanges"),
        ({"min_gain": -1.0}, "min_gain"),
    ],
)
def test_bad_parameters(params: dict, name: str) -> None:
    with pytest.raises(ModelConfigError) as exc:
        Exchange(**params)
    assert exc.value.parameter == name


@pytest.mark.parametrize(
    "model",
    [Exchange(p=0.5, tie_break="random", rounds=3), Exchange(rounds=4, carryover="full"), Exchange(p=1.0)],
    ids=["random-3rounds", "full-4rounds", "p1"],
)
def test_conformance_of_variants(model: Exchange) -> None:
    check_model(model)


# --- real scenarios ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cop21-2015", "copenhagen-2009"])
@pytest.mark.parametrize("params", [{}, {"p": 0.5}, {"rounds": 3, "carryover": "partial"}])
def test_real_scenarios_are_sane(name: str, params: dict) -> None:
    sc = load_builtin(name)
    model = get_model("exchange", **params)
    f1 = forecast(model, sc, seed=7)
    f2 = forecast(model, sc, seed=7)
    assert np.array_equal(f1.outcome, f2.outcome)
    lo = np.array([i.scale.low for i in sc.issues])
    hi = np.array([i.scale.high for i in sc.issues])
    assert ((f1.outcome >= lo) & (f1.outcome <= hi)).all()
    ex = f1.prediction.extras["exchanges"]
    assert len(ex) > 0
    assert {e["i"] for e in ex} <= set(sc.actor_ids) and {e["p"] for e in ex} <= set(sc.issue_ids)
    assert f1.prediction.extras["exchanges"] == f2.prediction.extras["exchanges"]
    # the exchange outcome stays inside the hull of the actors' positions
    arr = to_arrays(sc)
    assert (f1.unit_outcome >= np.where(arr.present, arr.position, np.inf).min(axis=0) - 1e-9).all()
    assert (f1.unit_outcome <= np.where(arr.present, arr.position, -np.inf).max(axis=0) + 1e-9).all()
    # everyone who traded gained (equal gain: both sides gain alike)
    if not params.get("p"):
        assert all(e["gain_i"] > 0 and e["gain_i"] == pytest.approx(e["gain_j"], rel=1e-9) for e in ex)


# --- report part ----------------------------------------------------------------------------------
ONLY = MainJobOptions(seed=0, quick=True, parts=("exchange",))


def test_report_part_on_ukraine() -> None:
    from detente.report.parts import exchange as part_mod

    sc = load_builtin("ukraine-2025")
    part = part_mod.build(main_job(sc, ONLY))
    assert part.name == "exchange"
    titles = [t.title for t in part.tables]
    assert titles[0].startswith("Exchange model: outcome before and after")
    assert len(part.tables[0].rows) == len(sc.issues)
    ex_table = part.tables[1]
    n = part.manifest["n_exchanges"]
    assert n > 0 and len(ex_table.rows) == min(n, part_mod.MAX_ROWS)
    assert {s.id for s in part.sections} == {"exchange-network", "exchange-outcomes"}
    net = next(s for s in part.sections if s.id == "exchange-network")
    fig = net.figures[0]
    assert all(tr["type"] == "scatter" for tr in fig.data)  # no geo traces
    hover = [h for tr in fig.data for h in tr.get("hovertext", [])]
    assert any("↔" in h and "gains" in h for h in hover)
    assert len(net.tables[0].rows) == n
    # outcome after = the model's forecast
    f = forecast(Exchange(), sc, seed=0)
    assert [r[2] for r in part.tables[0].rows] == [f"{v:.1f}" for v in f.outcome]


def test_report_part_single_issue_and_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.report.parts import exchange as part_mod

    one = part_mod.build(main_job(load_builtin("emission-standards-1994"), ONLY))
    assert one.notes and "two issues" in one.notes[0]
    assert [s.id for s in one.sections] == ["exchange-outcomes"]
    import detente.analysis.main_job as main_job_mod

    monkeypatch.setattr(main_job_mod, "EXCHANGE_ROUNDS", 3)  # the main job runs the model with 3 phases
    many = part_mod.build(main_job_mod.main_job(load_builtin("copenhagen-2009"), ONLY))
    fig = next(s for s in many.sections if s.id == "exchange-network").figures[0]
    assert len(fig.frames) >= 2 and fig.layout["sliders"]
