"""The anchored model (docs/backtest.md §5–§6): closed form, fitting, CV protocol, committed defaults."""

from __future__ import annotations

import numpy as np
import pytest

from detente.analysis.backtest import anchored_cv
from detente.core.arrays import ScenarioArrays
from detente.errors import ModelConfigError
from detente.models import get_model
from detente.models.anchored import CANDIDATES, Anchored, anchored_features, combine, fit_anchored


def _arrays(pos, sal, cap, ref):
    pos, sal, cap = (np.asarray(v, dtype=float) for v in (pos, sal, cap))
    return ScenarioArrays(
        tuple(f"a{k}" for k in range(pos.shape[0])),
        tuple(f"i{k}" for k in range(pos.shape[1])),
        pos,
        sal,
        cap,
        np.ones(pos.shape, bool),
        np.asarray(ref, dtype=float),
    )


def test_zero_coefficients_equal_compromise():
    rng = np.random.default_rng(0)
    arr = _arrays(
        rng.uniform(size=(6, 5)),
        rng.uniform(size=(6, 5)),
        rng.uniform(1, 5, size=(6, 5)),
        [0.1, np.nan, 0.9, 0.5, 0.0],
    )
    a = Anchored(a=0, b=0, e=0).predict(arr, np.random.default_rng(0)).outcome
    c = get_model("compromise").predict(arr, np.random.default_rng(0)).outcome
    np.testing.assert_allclose(a, c, atol=1e-15)


def test_formula_by_hand():
    # two actors at 0.2 (w=1) and 0.8 (w=3): m = 0.65, lower weighted median d = 0.8, q = 0.3
    arr = _arrays([[0.2], [0.8]], [[1.0], [1.0]], [[1.0], [3.0]], [0.3])
    f = anchored_features(arr)
    assert f["m"][0] == pytest.approx(0.65) and f["d"][0] == pytest.approx(0.8)
    z = 0.65 + 0.5 * (0.8 - 0.65) + 0.2 * (0.65 - 0.3) + 0.1 * (1 - 0.65)
    out = Anchored(a=0.5, b=0.2, e=0.1).predict(arr, np.random.default_rng(0)).outcome[0]
    assert out == pytest.approx(min(z, 0.8))
    # clipped to the hull of positions
    assert Anchored(b=2.0).predict(arr, np.random.default_rng(0)).outcome[0] == pytest.approx(0.8)


def test_fit_recovers_coefficients():
    rng = np.random.default_rng(1)
    n = 400
    m = rng.uniform(0.2, 0.8, n)
    f = {
        "m": m,
        "d": m + rng.normal(0, 0.2, n),
        "rep": rng.normal(0, 0.3, n),
        "ext": (m > 0.5) - m,
        "low": np.zeros(n),
        "high": np.ones(n),
    }
    y = combine(f, 0.4, -0.3, 0.0)
    coef = fit_anchored(f, y, ("a", "b"))
    assert coef == {"a": 0.4, "b": -0.3, "e": 0.0}


def test_bad_coefficient_rejected():
    with pytest.raises(ModelConfigError, match="b: expected a number"):
        Anchored(b=float("nan"))
    with pytest.raises(ModelConfigError):
        Anchored(weighting="gdp")  # type: ignore[arg-type]


def test_cv_protocol_on_synthetic_signal():
    rng = np.random.default_rng(2)
    groups = np.repeat([f"p{k:02d}" for k in range(30)], 3)
    n = groups.size
    m = rng.uniform(0.1, 0.9, n)
    q = rng.uniform(0, 1, n)
    f = {
        "m": m,
        "d": np.clip(m + rng.normal(0, 0.2, n), 0, 1),
        "rep": m - q,
        "ext": (m > 0.5) - m,
        "low": np.zeros(n),
        "high": np.ones(n),
    }
    y = np.clip(m + 0.5 * (m - q) + rng.normal(0, 0.02, n), 0, 1)
    r = anchored_cv(f, y, groups)
    assert set(r["lopo_mae"]) == set(CANDIDATES)
    assert r["lopo_mae"]["C1"] < r["lopo_mae"]["C2"]  # the true signal is the repulsion term
    assert r["full_fit"]["b"] == pytest.approx(0.5, abs=0.05)
    assert np.isfinite(r["nested"]).all() and sum(r["nested_picks"].values()) == 30


def test_committed_defaults_are_the_documented_full_dev_fit(data_dir):
    """docs/backtest.md §6: selected candidate and defaults come from the pre-registered protocol."""
    from detente.io.deu import backtest_cases, load_deu

    cases, _ = backtest_cases(load_deu(data_dir / "deu" / "deu3_dev.tsv"))
    feats: dict[str, list[np.ndarray]] = {}
    ys, gs = [], []
    for c in cases:
        ok = np.isfinite(c.outcome)
        for k, v in anchored_features(c.arrays).items():
            feats.setdefault(k, []).append(v[ok])
        ys.append(c.outcome[ok] / 100)
        gs += [c.proposal_id] * int(ok.sum())
    f = {k: np.concatenate(v) for k, v in feats.items()}
    y = np.concatenate(ys)
    chosen = "C1"
    coef = fit_anchored(f, y, CANDIDATES[chosen])
    d = Anchored()
    assert (d.a, d.b, d.e) == (coef["a"], coef["b"], coef["e"])
