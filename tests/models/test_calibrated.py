"""The calibrated model (docs/backtest.md §7–§8) and the generic selection protocol."""

from __future__ import annotations

import numpy as np
import pytest

from detente.analysis.backtest import grouped_folds, protocol_cv
from detente.core.arrays import ScenarioArrays
from detente.errors import ModelConfigError
from detente.models import get_model
from detente.models.calibrated import Calibrated, calibrated_mean, fit_calibrated


def _arrays(rng, A=6, I=4, ids=None):
    return ScenarioArrays(
        tuple(ids or [f"a{k}" for k in range(A)]),
        tuple(f"i{k}" for k in range(I)),
        rng.uniform(size=(A, I)),
        rng.uniform(size=(A, I)),
        rng.uniform(1, 30, size=(A, I)),
        rng.uniform(size=(A, I)) > 0.2,
        np.full(I, np.nan),
    )


def test_unit_parameters_are_the_compromise():
    arr = _arrays(np.random.default_rng(0), ids=["com", "ep", "de", "fr", "it", "lu"])
    np.testing.assert_allclose(
        Calibrated(alpha=1, beta=1, kappa=1).predict(arr, np.random.default_rng(0)).outcome,
        get_model("compromise").predict(arr, np.random.default_rng(0)).outcome,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        Calibrated(alpha=0, beta=1, kappa=1).predict(arr, np.random.default_rng(0)).outcome,
        get_model("compromise", weighting="s").predict(arr, np.random.default_rng(0)).outcome,
        atol=1e-12,
    )


def test_weights_by_hand():
    # com (c=10, s=0.5, x=1), de (c=5, s=1, x=0): alpha=2, beta=1, kappa=3 -> w_com = 3*1*0.5, w_de = 0.25*1
    x = np.array([[1.0], [0.0]])
    c = np.array([[10.0], [5.0]])
    s = np.array([[0.5], [1.0]])
    pres = np.ones((2, 1), bool)
    inst = np.array([[True], [False]])
    out = calibrated_mean(x, c, s, pres, inst, 2.0, 1.0, 3.0)
    assert out[0] == pytest.approx(1.5 / 1.75)


def test_fit_recovers_exponents():
    rng = np.random.default_rng(4)
    A, n = 8, 300
    d = {
        "x": rng.uniform(size=(A, n)),
        "c": rng.uniform(1, 10, size=(A, n)),
        "s": rng.uniform(size=(A, n)),
        "present": np.ones((A, n), bool),
        "inst": np.zeros((A, n), bool),
    }
    d["inst"][0] = True
    y = calibrated_mean(d["x"], d["c"], d["s"], d["present"], d["inst"], 0.5, 2.0, 1.5)
    assert fit_calibrated(d, y, ("alpha", "beta", "kappa"), sweeps=8) == pytest.approx(
        {"alpha": 0.5, "beta": 2.0, "kappa": 1.5}
    )


def test_bad_parameters():
    with pytest.raises(ModelConfigError, match="alpha"):
        Calibrated(alpha=-1)


def test_protocol_nested_equals_picked_candidate_lopo():
    """Nested forecasts are, fold by fold, the LOPO forecasts of the candidate picked inside that fold."""
    rng = np.random.default_rng(5)
    groups = np.repeat([f"g{k:02d}" for k in range(12)], 2)
    n = groups.size
    y = rng.uniform(size=n)
    feats = rng.uniform(size=(3, n))

    def cand(j):
        def fit(train):
            return float(np.median(y[train] - feats[j, train]))

        def pred(shift, mask):
            return feats[j, mask] + shift

        return fit, pred

    res = protocol_cv({f"K{j}": cand(j) for j in range(3)}, y, groups, inner_k=3)
    assert sum(res["nested_picks"].values()) == 12
    for test in grouped_folds(groups):
        vals = res["nested"][test]
        assert any(np.allclose(vals, res["lopo"][k][test]) for k in res["lopo"])
    assert res["chosen"] == min(res["lopo_mae"], key=res["lopo_mae"].get)


def test_committed_defaults_are_the_documented_full_dev_fit(data_dir):
    """docs/backtest.md §8: D1 was selected by LOPO; defaults = its fit on all 210 dev issues."""
    from detente.analysis.backtest import issue_matrices
    from detente.io.deu import backtest_cases, load_deu
    from detente.models.calibrated import CANDIDATES

    cases, _ = backtest_cases(load_deu(data_dir / "deu" / "deu3_dev.tsv"))
    data = issue_matrices(cases)
    assert data["y"].size == 210
    fit = fit_calibrated(data, data["y"], CANDIDATES["D1"])
    d = Calibrated()
    assert (d.alpha, d.beta, d.kappa) == (fit["alpha"], fit["beta"], fit["kappa"])
