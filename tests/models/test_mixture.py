"""The `mixture` model (docs/backtest_research2.md): closed forms, a slow loop reference, the
agenda-setter rule on hand examples, role-aware invariances, and committed defaults = documented fit."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from detente.core.arrays import ScenarioArrays
from detente.errors import ModelConfigError
from detente.kernels.weighted import weighted_median
from detente.models import get_model
from detente.models.mean import Compromise
from detente.models.mixture import Mixture, agenda_setter, family_grid, mixture_median
from detente.testing import random_arrays

IDS = ("com", "ep", "de", "fr", "it", "nl", "be")


def _with_ids(arr: ScenarioArrays, ids: tuple[str, ...]) -> ScenarioArrays:
    return dataclasses.replace(arr, actor_ids=ids[: arr.n_actors])


def _arrays(seed: int, batch: tuple[int, ...] = (), n_actors: int = 7) -> ScenarioArrays:
    return _with_ids(
        random_arrays(np.random.default_rng(seed), n_actors=n_actors, n_issues=4, batch=batch), IDS
    )


# ------------------------------------------------------------------ slow obvious reference
def _slow_median(points: list[tuple[float, float]]) -> float:
    pts = sorted(points)
    cum, lower = 0.0, None
    for x, w in pts:
        cum += w
        if lower is None and cum >= 0.5 - 1e-9:
            lower, c_lo = x, cum
        if cum > 0.5 + 1e-9:
            return (lower + x) / 2 if abs(c_lo - 0.5) <= 1e-9 else lower  # type: ignore[operator]
    raise AssertionError("no median")


def _slow_setter(x, c, ids, q, quota):  # type: ignore[no-untyped-def]
    if not np.isfinite(q) or "com" not in ids:
        return None
    xc = x[ids.index("com")]
    members = [(xi, ci) for xi, ci, a in zip(x, c, ids, strict=True) if a not in ("com", "ep")]
    if not members:
        return None
    s = float(np.sign(xc - q))
    tot = sum(ci for _, ci in members)
    best = -np.inf
    for xi, _ in members:  # pivot: largest t with share(y >= t) >= quota
        t = s * (xi - q)
        share = sum(cj for xj, cj in members if s * (xj - q) >= t) / tot
        if share >= quota - 1e-9:
            best = max(best, t)
    return q + s * min(abs(xc - q), 2 * max(best, 0.0))


def _slow(arr: ScenarioArrays, lam: tuple[float, float, float, float], quota: float = 0.71) -> np.ndarray:
    lam_m, lam_q, lam_e, lam_p = lam
    out = np.zeros(arr.n_issues)
    for i in range(arr.n_issues):
        pres = [k for k in range(arr.n_actors) if arr.present[k, i]]
        ids = [arr.actor_ids[k] for k in pres]
        x = [float(arr.position[k, i]) for k in pres]
        c = [float(arr.capability[k, i]) for k in pres]
        w = [float(arr.capability[k, i] * arr.salience[k, i]) for k in pres]
        m = sum(a * b for a, b in zip(w, x, strict=True)) / sum(w)
        lo, hi = min(x), max(x)
        q = float(arr.reference[i])
        comps: list[tuple[float, float]] = [(m, lam_m)]
        if np.isfinite(q):
            comps.append((q, lam_q))
        if m != (lo + hi) / 2:
            comps.append((hi if m > (lo + hi) / 2 else lo, lam_e))
        p = _slow_setter(x, c, ids, q, quota) if lam_p > 0 else None
        if p is not None:
            comps.append((p, lam_p))
        lam_a = 1 - lam_m - lam_q - lam_e - lam_p
        total = lam_a + sum(v for _, v in comps)
        pts = [(xi, lam_a / total * wi / sum(w)) for xi, wi in zip(x, w, strict=True)]
        pts += [(v, s / total) for v, s in comps]
        out[i] = min(max(_slow_median(pts), lo), hi)
    return out


@pytest.mark.parametrize(
    "lam", [(0.6, 0, 0, 0), (0, 0, 0, 0), (0.3, 0.1, 0.2, 0), (0.2, 0.2, 0.1, 0.3), (0.1, 0, 0.2, 0.2)]
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fast_equals_slow_loop(lam: tuple[float, float, float, float], seed: int) -> None:
    arr = _arrays(seed)
    fast = Mixture(*lam).predict(arr, np.random.default_rng(0)).outcome
    np.testing.assert_allclose(fast, _slow(arr, lam), atol=1e-12)


def test_batched_equals_loop_with_roles() -> None:
    arr = _arrays(5, batch=(6,))
    model = Mixture(0.2, 0.1, 0.1, 0.3)
    whole = model.predict(arr, np.random.default_rng(0)).outcome
    for b in range(6):
        np.testing.assert_allclose(whole[b], model.predict(arr.take(b), np.random.default_rng(0)).outcome)


# ------------------------------------------------------------------ closed forms
def test_lam_m_above_half_is_the_compromise() -> None:
    for seed in range(4):
        arr = _arrays(seed, batch=(3,))
        a = Mixture(0.6, 0.2, 0.2, 0.0).predict(arr, np.random.default_rng(0)).outcome
        b = Compromise().predict(arr, np.random.default_rng(0)).outcome
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_no_components_is_the_weighted_median_midpoint() -> None:
    arr = _arrays(3, batch=(5,))
    a = Mixture(0.0, 0.0, 0.0, 0.0).predict(arr, np.random.default_rng(0)).outcome
    b = weighted_median(arr.position, arr.weights("cs"), arr.present, tie="midpoint")
    np.testing.assert_allclose(a, b, atol=1e-12)


def test_mixture_median_hand_cases() -> None:
    inf = np.inf
    sup = np.array([[0.1, 0.4, 0.9, inf]]).T
    assert mixture_median(sup, np.array([[0.2, 0.2, 0.6, 0.0]]).T)[0] == pytest.approx(0.9)
    assert mixture_median(sup, np.array([[0.2, 0.3, 0.5, 0.0]]).T)[0] == pytest.approx(0.65)  # exact tie
    assert mixture_median(sup, np.array([[0.2, 0.31, 0.49, 0.0]]).T)[0] == pytest.approx(0.4)


def test_compromise_clipped_to_central_actor_band() -> None:
    # actors 0 (w 0.5), 1 (w 0.5) with m placed by a third actor at 0.5 of tiny weight: with lam_m = 0.2
    # the mixture is 0.4 δ0 + 0.4 δ1 + 0.2 δm → median m (cum 0.4 < 1/2 < 0.6)
    x = np.array([[0.0], [1.0], [0.5]])
    arr = ScenarioArrays(
        ("a", "b", "c"),
        ("i",),
        x,
        np.ones_like(x),
        np.array([[1.0], [1.0], [1e-9]]),
        np.ones_like(x, dtype=bool),
        np.array([np.nan]),
    )
    out = Mixture(0.2, 0.0, 0.0, 0.0).predict(arr, np.random.default_rng(0)).outcome
    assert out[0] == pytest.approx(0.5, abs=1e-6)
    # the same actors at 0 (w 0.8) and 1 (w 0.2): m = 0.2, central band = {0} → forecast 0
    arr2 = dataclasses.replace(arr, capability=np.array([[4.0], [1.0], [1e-9]]))
    assert Mixture(0.2, 0.0, 0.0, 0.0).predict(arr2, np.random.default_rng(0)).outcome[0] == pytest.approx(
        0.0
    )


def test_agenda_setter_hand_examples() -> None:
    # q = 0, Commission at 1, Council 0.2 (3), 0.5 (3), 0.9 (4)
    x = np.array([[1.0], [0.2], [0.5], [0.9]])
    c = np.array([[9.0], [3.0], [3.0], [4.0]])
    pres = np.ones_like(x, dtype=bool)
    setter = np.array([[True], [False], [False], [False]])
    council = ~setter
    q = np.array([0.0])
    p, ok = agenda_setter(x, c, pres, q, setter, council, 0.71)  # pivot 0.2 → room 0.4
    assert ok[0] and p[0] == pytest.approx(0.4)
    p, _ = agenda_setter(x, c, pres, q, setter, council, 0.6)  # pivot 0.5 → room 1.0 → Commission's ideal
    assert p[0] == pytest.approx(1.0)
    p, _ = agenda_setter(x, c, pres, np.array([0.3]), setter, council, 0.71)  # pivot below q → gridlock
    assert p[0] == pytest.approx(0.3)
    p, ok = agenda_setter(x, c, pres, np.array([np.nan]), setter, council, 0.71)
    assert not ok[0] and np.isnan(p[0])
    # mirrored: 1 - everything
    p, _ = agenda_setter(1 - x, c, pres, 1 - q, setter, council, 0.71)
    assert p[0] == pytest.approx(0.6)


def test_roles_permutation_mirror_and_masks() -> None:
    model = Mixture(0.2, 0.1, 0.1, 0.3)
    arr = _arrays(11, batch=(4,))
    base = model.predict(arr, np.random.default_rng(0)).outcome
    perm = np.random.default_rng(2).permutation(arr.n_actors)
    pa = dataclasses.replace(
        arr,
        actor_ids=tuple(arr.actor_ids[k] for k in perm),
        position=arr.position[..., perm, :],
        salience=arr.salience[..., perm, :],
        capability=arr.capability[..., perm, :],
        present=arr.present[..., perm, :],
    )
    np.testing.assert_allclose(model.predict(pa, np.random.default_rng(0)).outcome, base, atol=1e-12)
    mir = dataclasses.replace(
        arr, position=np.where(arr.present, 1 - arr.position, arr.position), reference=1 - arr.reference
    )
    np.testing.assert_allclose(model.predict(mir, np.random.default_rng(0)).outcome, 1 - base, atol=1e-9)
    junk = dataclasses.replace(
        arr,
        position=np.where(arr.present, arr.position, 7.0),
        capability=np.where(arr.present, arr.capability, 99.0),
    )
    np.testing.assert_allclose(model.predict(junk, np.random.default_rng(0)).outcome, base, atol=1e-12)


def test_config_errors() -> None:
    with pytest.raises(ModelConfigError, match="lam_p"):
        Mixture(0.5, 0.2, 0.2, 0.3)
    with pytest.raises(ModelConfigError, match="quota"):
        Mixture(quota=0.3)
    assert isinstance(get_model("mixture"), Mixture)


def test_grids_are_the_preregistered_ones() -> None:
    f1, f2 = family_grid("F1"), family_grid("F2")
    assert len(f1) == 63 and f1[0] == (0.6, 0.0, 0.0, 0.0)
    assert all(p == 0 for *_, p in f1)
    assert {p for *_, p in f2} == {0.1, 0.2, 0.3}
    assert all(sum(pt) <= 1 + 1e-12 for pt in f2)


# ------------------------------------------------------------------ the pre-registered run (dev file)
def _script():  # type: ignore[no-untyped-def]
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "deu_research2.py"
    spec = importlib.util.spec_from_file_location("deu_research2", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_committed_defaults_are_the_documented_full_dev_fit(data_dir) -> None:  # type: ignore[no-untyped-def]
    from detente.analysis.backtest import paired_difference, protocol_cv
    from detente.io.deu import backtest_cases, load_deu

    s = _script()
    cases, _ = backtest_cases(load_deu(data_dir / "deu" / "deu3_dev.tsv"))
    y, g = s.outcomes(cases)
    comp = s.unit_forecasts(cases, Compromise())
    grids = {f: family_grid(f) for f in s.FAMILIES}
    preds = {f: np.stack([s.unit_forecasts(cases, Mixture(*pt)) for pt in grids[f]]) for f in s.FAMILIES}

    def make(f):  # type: ignore[no-untyped-def]
        return (lambda tr: s.grid_fit(preds[f], y, tr)), (lambda i, mask: preds[f][i, mask])

    res = protocol_cv({f: make(f) for f in s.FAMILIES}, y, g, inner_k=5)
    assert res["chosen"] == "F1"  # docs/backtest_research2.md §5
    full = grids["F1"][s.grid_fit(preds["F1"], y, np.ones(y.size, dtype=bool))]
    d = Mixture()
    assert full == (d.lam_m, d.lam_q, d.lam_e, d.lam_p) == (0.4, 0.0, 0.2, 0.0)
    assert d.quota == 0.71
    # the documented nested numbers (MAE 23.27, paired −0.66 [−1.45, +0.11])
    assert np.abs(res["nested"] - y).mean() * 100 == pytest.approx(23.27, abs=0.01)
    pdiff = paired_difference(res["nested"] * 100, comp * 100, y * 100, g)
    assert (pdiff["diff"], pdiff["low"], pdiff["high"]) == pytest.approx((-0.66, -1.45, 0.11), abs=0.01)
    # the committed model reproduces the fitted grid point's forecasts
    np.testing.assert_allclose(
        s.unit_forecasts(cases, get_model("mixture")), preds["F1"][grids["F1"].index(full)]
    )
