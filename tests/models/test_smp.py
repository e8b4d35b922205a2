"""Spatial Model of Politics (models.md §6): golden KTAB runs, slow loop reference, batch, masks, events."""

from __future__ import annotations

import csv
import dataclasses
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from detente.analysis.main_job import MainJobOptions, main_job
from detente.core.arrays import ScenarioArrays, to_arrays
from detente.errors import ConvergenceWarning, ModelConfigError
from detente.io.formats import read_ktab_csv
from detente.kernels import smp as K
from detente.models import get_model
from detente.models.base import forecast
from detente.models.smp import SpatialModel
from detente.testing import check_model, random_arrays

KTAB = Path(__file__).resolve().parents[2] / "data" / "ktab"  # the repository's data/ (data/README.md)


def _reference(name: str, actor_ids: tuple[str, ...]) -> np.ndarray:
    """KTAB's logged position history (states, actors, dims) on 0-100, rounded to 0.1."""
    with open(KTAB / f"ktab_ref_{name}_position_history.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    dims: list[str] = []
    for r in rows:
        if r["dimension"] not in dims:
            dims.append(r["dimension"])
    n_states = len([k for k in rows[0] if k.startswith("state_")])
    out = np.full((n_states, len(actor_ids), len(dims)), np.nan)
    for r in rows:
        a, d = actor_ids.index(r["actor"].strip()), dims.index(r["dimension"])
        out[:, a, d] = [float(r[f"state_{t}"]) for t in range(n_states)]
    assert not np.isnan(out).any()
    return out


# --- golden: KTAB's deterministic reference runs ---------------------------------------------


@pytest.mark.parametrize(("name", "states"), [("SOE-Pol-Comp", 28), ("dummyData_3Dim", 11)])
def test_reproduces_ktab_reference_history(name: str, states: int) -> None:
    sc = read_ktab_csv(KTAB / f"{name}.csv")
    f = forecast(get_model("smp"), sc, seed=0)
    traj = f.trajectory_raw()
    assert traj is not None
    ref = _reference(name, sc.actor_ids)
    assert traj.shape[0] == states == ref.shape[0]
    dev = np.abs(traj - ref).max(axis=(1, 2))
    assert (dev <= 0.1).all(), f"max deviation per state {np.round(dev, 3).tolist()}"
    assert (f.diagnostics.status == "converged").all()
    assert (f.diagnostics.rounds == states - 1).all()


def test_soe_cnooc_never_moves_and_final_band() -> None:
    sc = read_ktab_csv(KTAB / "SOE-Pol-Comp.csv")
    f = forecast(SpatialModel(), sc, seed=0)
    traj = f.trajectory_raw()
    assert traj is not None
    wy = sc.actor_ids.index("WY")
    assert np.array_equal(traj[:, wy, :], np.broadcast_to([15.0, 60.0], traj[:, wy, :].shape))
    others = np.delete(traj[-1], wy, axis=0)
    # models.md §6 golden 1: final Policy 38.6-43.2, Competitive 28.8-43.3 (0.05 log rounding)
    assert others[:, 0].min() >= 38.6 - 0.05 and others[:, 0].max() <= 43.2 + 0.05
    assert others[:, 1].min() >= 28.8 - 0.05 and others[:, 1].max() <= 43.3 + 0.05
    for a in ("XJ", "LK"):
        assert abs(traj[-1, sc.actor_ids.index(a), 0] - 43.2) <= 0.05
    # KTAB logs a final change ratio of 0.0083
    res = K.run(*_kernel_inputs(to_arrays(sc)), K.Params())
    assert abs(float(res.ratio[0]) - 0.0083) < 5e-5


def _kernel_inputs(arr: ScenarioArrays) -> tuple[np.ndarray, ...]:
    c = arr.capability[:, 0] / arr.capability[:, 0].max()
    A, D = arr.position.shape
    return (
        arr.position[None].copy(),
        arr.salience[None].copy(),
        c[None],
        np.ones((1, A), dtype=bool),
        np.ones((1, A, D), dtype=bool),
    )


# --- slow, obvious loop version of one turn (models.md §6, written independently) ------------


def _vote(w: float, du: float, rule: str) -> float:
    b = max(-1.0, min(1.0, du / 1e-8))
    return {
        "prop": w * du,
        "binary": w * b,
        "propbin": w * (0.8 * du + 0.2 * b),
        "cubic": w * du**3,
        "propcbc": w * (0.5 * du + 0.5 * du**3),
        "asymprosp": w * du if du < 0 else (2.0 / 3.0) * w * du,
    }[rule]


def _f(z: float, model: str) -> float:
    return {"linear": z, "square": z**2, "quartic": z**4, "octic": z**8}[model]


def _pvict(cab: float, cba: float, model: str) -> float:
    if model == "binary":
        share = cab / (cab + cba)
        return min(1.0, max(0.0, (share - 1 / 2.1) / (1.1 / 2.1 - 1 / 2.1)))
    return _f(cab, model) / (_f(cab, model) + _f(cba, model))


def _dist(x_i: list[float], s_i: list[float], y: list[float]) -> float:
    den = sum(s * s for s in s_i)
    if den == 0:
        return 0.0
    return math.sqrt(sum(s * s * (a - b) ** 2 for s, a, b in zip(s_i, x_i, y, strict=True)) / den)


def _u(d: float, r: float) -> float:
    return (1 - d) * (1 + r * d) if d <= 1 else (1 - d) * (1 + r)


def _election(opts: list[int], util: list[list[float]], c: list[float], rule: str, model: str) -> list[float]:
    """Conditional PCE over the options ``opts`` (indices into util columns)."""
    n = len(util)
    prod = []
    for a in opts:
        p = 1.0
        for b in opts:
            if a == b:
                p *= 0.5
                continue
            cab = 1e-8 + sum(max(0.0, _vote(c[k], util[k][a] - util[k][b], rule)) for k in range(n))
            cba = 1e-8 + sum(max(0.0, _vote(c[k], util[k][b] - util[k][a], rule)) for k in range(n))
            p *= _pvict(cab, cba, model)
        prod.append(p)
    tot = sum(prod)
    return [p / tot for p in prod] if tot > 0 else [1 / len(opts)] * len(opts)


def _slow_turn(x: np.ndarray, sal: np.ndarray, c: np.ndarray, prm: K.Params) -> np.ndarray:
    A, D = x.shape
    X = x.tolist()
    Sg = sal.tolist()
    C = c.tolist()
    S = [sum(s) for s in Sg]
    rule, vm = prm.voting_rule, prm.victory_prob_model
    # 1. risk
    u0 = [[1 - _dist(X[k], Sg[k], X[a]) for a in range(A)] for k in range(A)]
    p = _election(list(range(A)), u0, C, rule, vm)
    pmax, pmin = max(p), min(p)
    R = []
    for pi in p:
        if pmax - pmin <= 0:
            R.append(0.0)
        elif prm.big_r_range == "mid":
            R.append((3 * pi - pmax - 2 * pmin) / (2 * (pmax - pmin)))
        elif prm.big_r_range == "min":
            R.append((pi - pmin) / (pmax - pmin))
        else:
            R.append((2 * pi - pmax - pmin) / (pmax - pmin))
    wgt = {"none": 0.0, "half": 0.5, "one_third": 1 / 3, "two_thirds": 2 / 3, "full": 1.0}[prm.big_r_adjust]

    def rhat(h: int, i: int) -> float:
        if prm.big_r_adjust == "one_third":
            return (2 * R[h] + R[i]) / 3
        if prm.big_r_adjust == "two_thirds":
            return (R[h] + 2 * R[i]) / 3
        if prm.big_r_adjust == "half":
            return (R[h] + R[i]) / 2
        return (1 - wgt) * R[h] + wgt * R[i]

    # 3-5. challenges, targets, bargains
    bargains: dict[int, tuple[int, list[float], list[float]]] = {}
    for i in range(A):
        best, bj, bp = -math.inf, -1, 0.0
        for j in range(A):
            if j == i:
                continue

            def U(k: int, m: int, i: int = i) -> float:  # i's view of k's utility for m's position
                return _u(_dist(X[k], Sg[k], X[m]), R[i] if k == i else rhat(i, k))

            ei = _vote(S[i] * C[i], U(i, i) - U(i, j), rule)
            ej = _vote(S[j] * C[j], U(j, i) - U(j, j), rule)
            c0ij = 1e-10 + max(ei, 0) + max(ej, 0)
            c0ji = 1e-10 + max(-ei, 0) + max(-ej, 0)
            cij, cji = c0ij, c0ji
            if prm.third_party_commit == "semi":
                for k in range(A):
                    if k in (i, j):
                        continue
                    v0 = _vote(S[k] * C[k], U(k, i) - U(k, j), rule)
                    pi_ = (c0ij + max(v0, 0)) / (c0ij + c0ji + abs(v0))
                    a_ = pi_ * (2 * U(k, i) + U(k, k)) + (1 - pi_) * 3 * U(k, j)
                    b_ = pi_ * 3 * U(k, i) + (1 - pi_) * (2 * U(k, j) + U(k, k))
                    v = _vote(S[k] * C[k], a_ - b_, rule)
                    cij += max(v, 0)
                    cji += max(-v, 0)
            P = cij / (cij + cji)
            uii, uij = U(i, i), U(i, j)
            deu = (1 - S[j]) * 2 * uii + S[j] * (P * 2 * uii + (1 - P) * 2 * uij) - (uii + uij)
            if deu > best:
                best, bj, bp = deu, j, P
        if best > 1e-5:
            k2 = 2 if prm.inter_vec_brgn == "s2p2" else 1
            yi, yj = [], []
            for d in range(D):
                a = Sg[i][d] ** k2 * bp**k2
                b = Sg[bj][d] ** k2 * (1 - bp) ** k2
                den = a + 1e-6 + b
                vi = ((a + 1e-6) * X[i][d] + b * X[bj][d]) / den
                vj = (a * X[i][d] + (1e-6 + b) * X[bj][d]) / den
                if prm.round_decimals is not None:
                    vi, vj = float(np.round(vi, prm.round_decimals)), float(np.round(vj, prm.round_decimals))
                lo, hi = min(X[i][d], X[bj][d]), max(X[i][d], X[bj][d])
                yi.append(min(hi, max(lo, vi)))
                yj.append(min(hi, max(lo, vj)))
            bargains[i] = (bj, yi, yj)
    # 6-8. queues, state utilities, choice
    states: list[list[list[float]]] = [X]
    for i, (j, yi, yj) in sorted(bargains.items()):
        st = [list(r) for r in X]
        st[i], st[j] = yi, yj
        states.append(st)
    keys = [-1] + sorted(bargains)
    util = [
        [sum(_u(_dist(X[a], Sg[a], st[q]), R[a]) for q in range(A)) / A for st in states] for a in range(A)
    ]
    new = [list(r) for r in X]
    for k in range(A):
        opts = [0] + [m + 1 for m, i in enumerate(keys[1:]) if i == k or bargains[i][0] == k]
        pr = _election(opts, util, C, rule, vm)
        o = opts[int(np.argmax(pr))]
        if o:
            i = keys[o]
            new[k] = bargains[i][1] if i == k else bargains[i][2]
    return np.array(new)


VARIANTS = [
    {},
    {"voting_rule": "binary", "victory_prob_model": "binary"},
    {"voting_rule": "propbin", "victory_prob_model": "square", "big_r_range": "min"},
    {"voting_rule": "cubic", "victory_prob_model": "quartic", "big_r_adjust": "full"},
    {"voting_rule": "propcbc", "victory_prob_model": "octic", "big_r_adjust": "half", "big_r_range": "max"},
    {"voting_rule": "asymprosp", "big_r_adjust": "none", "third_party_commit": "none"},
    {"inter_vec_brgn": "s1p1", "big_r_adjust": "two_thirds", "round_decimals": None},
]


@pytest.mark.parametrize(
    "variant", VARIANTS, ids=[",".join(f"{k}={v}" for k, v in v.items()) or "ktab" for v in VARIANTS]
)
def test_turn_matches_slow_loop_version(variant: dict[str, object]) -> None:
    g = np.random.default_rng(7)
    prm = dataclasses.replace(K.Params(), **variant)
    for _ in range(3):
        A, D = int(g.integers(3, 7)), int(g.integers(1, 4))
        x = np.round(g.uniform(0, 1, (A, D)), 3)
        sal = g.uniform(0.05, 1.0, (A, D))
        sal = sal / np.maximum(sal.sum(1, keepdims=True), 1.0)
        c = g.uniform(0.1, 1.0, A)
        for _t in range(3):  # follow a few turns
            fast = K.turn(x[None], sal[None], c[None], np.ones((1, A), dtype=bool), prm).new_x[0]
            slow = _slow_turn(x, sal, c, prm)
            np.testing.assert_allclose(fast, slow, atol=1e-9)
            x = slow


# --- batch, masks, options ------------------------------------------------------------------


def _soe() -> ScenarioArrays:
    return to_arrays(read_ktab_csv(KTAB / "SOE-Pol-Comp.csv"))


def test_batch_with_different_stopping_rounds_equals_single_calls() -> None:
    g = np.random.default_rng(3)
    arr = random_arrays(g, n_actors=7, n_issues=2, batch=(4,))
    m = SpatialModel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        whole = m.predict(arr, g)
        assert whole.trajectory is not None and whole.events is not None
        for b in range(4):
            one = m.predict(arr.take(b), g)
            assert one.trajectory is not None and one.events is not None
            T1 = one.trajectory.shape[0]
            np.testing.assert_array_equal(whole.trajectory[b, :T1], one.trajectory)
            # frozen after stopping: later states repeat the final one
            assert (whole.trajectory[b, T1:] == one.trajectory[-1]).all()
            np.testing.assert_array_equal(whole.outcome[b], one.outcome)
            np.testing.assert_array_equal(whole.diagnostics.rounds[b], one.diagnostics.rounds)
            sel = whole.events.batch == b
            np.testing.assert_array_equal(whole.events.after[sel], one.events.after)
            np.testing.assert_array_equal(whole.events.kind[sel], one.events.kind)
    assert len(set(whole.diagnostics.rounds[:, 0].tolist())) > 1, "test needs runs of different lengths"


def test_chunked_batch_equals_unchunked(monkeypatch: pytest.MonkeyPatch) -> None:
    arr = random_arrays(np.random.default_rng(4), n_actors=6, n_issues=3, batch=(5,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        whole = SpatialModel().predict(arr, np.random.default_rng(0))
        monkeypatch.setattr("detente.models.smp._CHUNK_ELEMENTS", 1)  # one draw per chunk
        chunked = SpatialModel().predict(arr, np.random.default_rng(0))
    np.testing.assert_array_equal(whole.outcome, chunked.outcome)
    assert whole.events is not None and chunked.events is not None
    np.testing.assert_array_equal(whole.events.batch, chunked.events.batch)
    np.testing.assert_array_equal(whole.events.after, chunked.events.after)


def test_absent_actor_has_no_influence_and_sits_out() -> None:
    arr = _soe()
    A, D = arr.position.shape
    present = np.ones((A, D), dtype=bool)
    present[0, 1] = False  # XJ has no stance on Competitive
    present[5, :] = False  # XS takes no part at all
    base = dataclasses.replace(arr, present=present)
    junk = dataclasses.replace(
        base,
        position=np.where(present, arr.position, 0.99),
        salience=np.where(present, arr.salience, 0.77),
        capability=np.where(present, arr.capability, 500.0),
    )
    a = SpatialModel().predict(base, np.random.default_rng(0))
    b = SpatialModel().predict(junk, np.random.default_rng(0))
    np.testing.assert_array_equal(a.outcome, b.outcome)
    assert a.trajectory is not None and a.events is not None
    # the non-participant never moves, never acts and is never targeted
    assert (a.trajectory[:, 5, :] == a.trajectory[0, 5, :]).all()
    assert not ((a.events.actor == 5) | (a.events.counterpart == 5)).any()
    # no effective power where absent
    eff = a.extras["effective_power"]
    assert eff[0, 0, 1] == 0.0 and (eff[:, 5, :] == 0).all()
    np.testing.assert_allclose(eff[0, 1, 0], arr.capability[1, 0] * arr.salience[1, 0])


def test_separate_equals_one_run_per_issue() -> None:
    arr = random_arrays(np.random.default_rng(11), n_actors=6, n_issues=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sep = SpatialModel(dimensions="separate").predict(arr, np.random.default_rng(0))
        for d in range(3):
            one = SpatialModel().predict(arr.subset_issues([d]), np.random.default_rng(0))
            assert abs(sep.outcome[d] - one.outcome[0]) < 1e-12
            assert sep.diagnostics.rounds[d] == one.diagnostics.rounds[0]
    assert set(sep.extras["proposals"].issue.tolist()) == {0, 1, 2}


def test_joint_differs_from_separate_on_soe() -> None:
    arr = _soe()
    joint = SpatialModel().predict(arr, np.random.default_rng(0))
    sep = SpatialModel(dimensions="separate").predict(arr, np.random.default_rng(0))
    assert np.abs(joint.outcome - sep.outcome).max() > 0.01


def test_stochastic_transitions_are_seeded() -> None:
    arr = _soe()
    m = SpatialModel(state_transitions="stochastic")
    a = m.predict(arr, np.random.default_rng(5))
    b = m.predict(arr, np.random.default_rng(5))
    c = m.predict(arr, np.random.default_rng(6))
    assert a.trajectory is not None and b.trajectory is not None and c.trajectory is not None
    np.testing.assert_array_equal(a.trajectory, b.trajectory)
    assert a.trajectory.shape != c.trajectory.shape or not np.array_equal(a.trajectory, c.trajectory)
    # draw b of a batch uses rng.spawn(n)[b]
    many = m.predict(arr.broadcast((3,)), np.random.default_rng(9))
    kids = np.random.default_rng(9).spawn(3)
    for k in range(3):
        np.testing.assert_array_equal(many.outcome[k], m.predict(arr, kids[k]).outcome)


def test_outputs_and_events() -> None:
    arr = _soe()
    p = SpatialModel().predict(arr, np.random.default_rng(0))
    assert p.trajectory is not None and p.events is not None and p.stat_path is not None
    T1, A, D = p.trajectory.shape
    assert p.extras["round_stats"]["mean"].shape == (T1, D)
    assert p.extras["effective_power"].shape == (T1, A, D)
    assert p.extras["risk"].shape == (T1, A, D)
    r = p.extras["risk"]
    assert (r >= -0.5 - 1e-12).all() and (r <= 1 + 1e-12).all()  # BigRRange mid ∈ [−½, 1]
    np.testing.assert_allclose(p.outcome, p.stat_path[-1])
    ev = p.events
    assert set(ev.kind.tolist()) == {"challenge", "bargain"}
    # every row is a real move of `actor`, agreed with `counterpart`
    for n in range(len(ev)):
        t, a, d = ev.round[n], ev.actor[n], ev.issue[n]
        assert ev.before[n] == p.trajectory[t - 1, a, d] and ev.after[n] == p.trajectory[t, a, d]
        assert ev.before[n] != ev.after[n] and ev.actor[n] != ev.counterpart[n]
        own = ev.kind[n] == "bargain"
        assert ev.extra["initiator"][n] == (a if own else ev.counterpart[n])
        assert ev.extra["target"][n] == (ev.counterpart[n] if own else a)
        if own:
            assert 0 < ev.value[n] <= 1
        else:
            assert ev.value[n] > K.MIN_GAIN
    # ... and every move has its row
    moved = np.abs(np.diff(p.trajectory, axis=0)) > 0
    assert int(moved.sum()) == len(ev)
    # the proposal log: one challenge per initiator and turn, with who accepted
    prop = p.extras["proposals"]
    assert set(prop.kind.tolist()) == {"challenge"}
    assert len(prop) == (T1 - 1) * A * D
    acc = prop.extra["accepted_by_target"] > 0
    for n in np.flatnonzero(acc & (prop.extra["target_before"] != prop.extra["target_after"]))[:40]:
        tg, t, d = prop.counterpart[n], prop.round[n], prop.issue[n]
        assert p.trajectory[t, tg, d] == prop.extra["target_after"][n]
    # CNOOC - Wang Yilin (WY) never moves, so it never appears as a mover
    assert not (ev.actor == arr.actor_ids.index("WY")).any()


def test_explain_reads_smp_events() -> None:
    from detente.io.builtin import load_builtin
    from detente.report.narrative import actor_story

    sc = load_builtin("ktab-soe-pol-comp")
    f = forecast(SpatialModel(), sc, seed=0)
    story = actor_story(
        sc, f.events, "SHX", "policy", model="smp", trajectory=f.prediction.trajectory, status="converged"
    )
    text = " ".join(" ".join(r.sentences) for r in story.rounds)
    assert "Shanxi was challenged by Xi Jinping and moved from 49.85 to 31.43" in text
    assert "Shanxi struck a bargain with Ministry of Environmental Protection" in text


def test_pce_outcome_in_hull_and_stats() -> None:
    arr = _soe()
    p = SpatialModel(outcome="pce").predict(arr, np.random.default_rng(0))
    assert p.trajectory is not None
    final = p.trajectory[-1]
    assert (p.outcome >= final.min(0) - 1e-12).all() and (p.outcome <= final.max(0) + 1e-12).all()
    pce = p.extras["pce"][-1, :, 0]
    assert abs(pce.sum() - 1) < 1e-9


def test_capped_run_warns_once() -> None:
    arr = _soe()
    with pytest.warns(ConvergenceWarning) as rec:
        p = SpatialModel(max_turns=3).predict(arr, np.random.default_rng(0))
    assert len([w for w in rec if issubclass(w.category, ConvergenceWarning)]) == 1
    assert set(p.diagnostics.status.tolist()) <= {"capped", "oscillating"}
    assert (p.diagnostics.rounds == 3).all()


@pytest.mark.parametrize(
    ("param", "value"),
    [("voting_rule", "majority"), ("big_r_adjust", "quarter"), ("max_turns", 0), ("stop_ratio", -1.0)],
)
def test_bad_parameters(param: str, value: object) -> None:
    with pytest.raises(ModelConfigError, match=param):
        SpatialModel(**{param: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "variant",
    [{"state_transitions": "stochastic"}, {"dimensions": "separate"}, {"outcome": "pce"}],
    ids=["stochastic", "separate", "pce"],
)
def test_variants_pass_conformance(variant: dict[str, object]) -> None:
    check_model(get_model("smp", **variant))


def test_salience_total_rescale_keeps_ratios_and_ktab_inputs() -> None:
    from detente.models.smp import _salience_total

    soe = _soe().salience[None]
    np.testing.assert_array_equal(_salience_total(soe, "rescale"), soe)  # KTAB totals ≤ 1: untouched
    sal = np.array([[[0.9, 0.9, 0.9], [0.4, 0.2, 0.0]]])
    out = _salience_total(sal, "rescale")
    np.testing.assert_allclose(out, sal / 2.7)
    np.testing.assert_allclose(_salience_total(sal, "divide"), sal / 3)
    assert _salience_total(sal, "none") is sal


# --- report part and CLI ----------------------------------------------------------------------


def test_report_part_on_ukraine() -> None:
    from detente.io.builtin import load_builtin
    from detente.report.parts import smp as part

    sc = load_builtin("ukraine-2025")
    p = part.build(main_job(sc, MainJobOptions(seed=0, quick=True, parts=("smp",))))
    assert part.choose_dimensions(sc) == list(part.PREFERRED)
    compare = p.tables[0]
    assert [r[0] for r in compare.rows] == [sc.issue(i).name for i in part.PREFERRED]
    sub = part.sub_scenario(sc, list(part.PREFERRED))
    joint = forecast(SpatialModel(), sub, seed=0)
    sep = forecast(SpatialModel(dimensions="separate"), sub, seed=0)
    for row, j, s in zip(compare.rows, joint.outcome, sep.outcome, strict=True):
        assert row[1] == f"{j:.1f}" and row[2] == f"{s:.1f}" and row[3] == f"{j - s:+.1f}"
    assert {s.id for s in p.sections} >= {"smp-joint", "smp-positions", "smp-power"}
    assert all(s.caption for s in p.sections)
    assert len(p.sections[1].figures[0].data) >= 3  # one line per actor and dimension
    assert p.manifest["dimensions"] == list(part.PREFERRED)


def test_report_part_falls_back_to_first_issues() -> None:
    from detente.io.builtin import load_builtin
    from detente.report.parts import smp as part

    sc = load_builtin("ktab-dummy-3dim")
    p = part.build(main_job(sc, MainJobOptions(seed=0, quick=True, parts=("smp",))))
    assert p.manifest["dimensions"] == list(sc.issue_ids[:3])
    assert len(p.tables[0].rows) == 3 and p.notes


def test_cli_forecast_gives_per_dimension_trajectories(cli) -> None:  # type: ignore[no-untyped-def]
    import json

    res = cli("forecast", "ktab-soe-pol-comp", "--model", "smp", "--format", "json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    issues = out["results"][0]["issues"]
    assert [i["issue"] for i in issues] == ["policy", "competitive"]
    for i in issues:
        assert len(i["trajectory"]) == 28
        assert i["trajectory"][-1]["positions"]["WY"] in (15.0, 60.0)


def test_dimension_without_stances_has_no_forecast() -> None:
    arr = ScenarioArrays(
        ("a", "b", "c"),
        ("x", "y"),
        np.array([[0.3, 0.1], [0.9, 0.2], [0.5, 0.4]]),
        np.full((3, 2), 0.5),
        np.array([[1.0, 1.0], [2.0, 2.0], [1.0, 1.0]]),
        np.array([[1, 0], [1, 0], [1, 0]], dtype=bool),
        np.full(2, np.nan),
    )
    p = SpatialModel().predict(arr, np.random.default_rng(0))
    assert np.isfinite(p.outcome[0]) and np.isnan(p.outcome[1])
    assert 0.3 <= p.outcome[0] <= 0.9


def test_smp_example_xml_runs_with_an_absent_stance() -> None:
    from detente.io.formats import read_ktab_xml

    sc = read_ktab_xml(KTAB / "smpExample.xml")
    arr = to_arrays(sc)
    assert not arr.present.all()  # Alice has no first coordinate
    m = SpatialModel(voting_rule="propcbc", state_transitions="stochastic")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        p = m.predict(arr.broadcast((8,)), np.random.default_rng(0))
    lo = np.where(arr.present, arr.position, np.inf).min(0)
    hi = np.where(arr.present, arr.position, -np.inf).max(0)
    assert np.isfinite(p.outcome).all() and ((p.outcome >= lo) & (p.outcome <= hi)).all()
    assert p.outcome.std(axis=0).max() > 0  # stochastic draws differ
