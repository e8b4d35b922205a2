"""Rule features for the error model and rule-aware ensemble weights (issue #16 item 3)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from detente.analysis.rule_calibration import (
    cross_fit_group_weights,
    error_model_rule_features,
    rule_labels,
)
from detente.io.deu import backtest_cases, load_deu
from detente.models.procedural import rule_pivots
from detente.testing import random_arrays


@pytest.fixture(scope="module")
def deu_slice(data_dir):  # type: ignore[no-untyped-def]
    """Two issues of each (Council rule, procedure) pair of the DEU dev file."""
    sc = load_deu(data_dir / "deu" / "deu3_dev.tsv", empty="skip")
    picked: dict[tuple[str, str], list] = {}  # type: ignore[type-arg]
    for s in sc:
        key = (s.meta("council_rule") or "", s.meta("procedure") or "")
        if key[0] in ("QMV", "Unan") and len(picked.setdefault(key, [])) < 2:
            picked[key].append(s)
    assert len(picked) == 4  # QMV/Unan × COD/CNS
    cases, meta = backtest_cases([s for v in picked.values() for s in v])
    return cases, meta


def test_rule_code_follows_the_deu_columns(deu_slice) -> None:  # type: ignore[no-untyped-def]
    cases, meta = deu_slice
    ids = [i for c in cases for i in meta if meta[i]["proposal_id"] == c.proposal_id]
    feats = [error_model_rule_features(c.arrays, np.full(c.arrays.n_issues, 0.5)) for c in cases]
    unan = np.concatenate([f["unanimity"] for f in feats])
    setter = np.concatenate([f["setter"] for f in feats])
    labels = np.concatenate([rule_labels(c.arrays) for c in cases])
    assert unan.tolist() == [float(meta[i]["council_rule"] == "Unan") for i in ids]
    assert setter.tolist() == [float(meta[i]["procedure"] == "CNS") for i in ids]
    assert labels.tolist() == [
        "unanimity" if meta[i]["council_rule"] == "Unan" else "qualified_majority" for i in ids
    ]


def test_pivot_distances_of_a_forecast(deu_slice) -> None:  # type: ignore[no-untyped-def]
    cases, _ = deu_slice
    for c in cases:
        piv, _r = rule_pivots(c.arrays)
        inside = (piv.low + piv.high) / 2
        f_in = error_model_rule_features(c.arrays, inside)
        assert np.all(f_in["outside"] == 0.0)
        np.testing.assert_allclose(f_in["set_width"], piv.high - piv.low)
        assert np.all(f_in["set_width"] >= 0)
        above = error_model_rule_features(c.arrays, piv.high + 0.1)["outside"]
        below = error_model_rule_features(c.arrays, piv.low - 0.2)["outside"]
        np.testing.assert_allclose(above, 0.1)
        np.testing.assert_allclose(below, -0.2)


def test_labels_without_rules_are_fallback() -> None:
    arrays = dataclasses.replace(random_arrays(np.random.default_rng(0), n_actors=5, n_issues=3), rules=None)
    assert rule_labels(arrays).tolist() == ["fallback"] * 3
    f = error_model_rule_features(arrays, np.full(3, 0.5))
    assert f["unanimity"].tolist() == [0.0] * 3 and f["setter"].tolist() == [0.0] * 3


def test_group_weights_learn_each_rule_s_best_member() -> None:
    rng = np.random.default_rng(3)
    n = 120
    y = rng.uniform(0.2, 0.8, n)
    lab = np.array(["a", "b"] * (n // 2), dtype=object)
    noise = rng.normal(0, 0.15, n)
    f = np.stack([np.where(lab == "a", y, y + noise), np.where(lab == "a", y + noise, y)])
    folds = [(np.arange(n) // 2) % 4 == k for k in range(4)]  # both groups in every fold
    out, qs, used = cross_fit_group_weights(f, y, lab, folds, step=0.25)
    assert all(w == [1.0, 0.0] for w in used["a"]) and all(w == [0.0, 1.0] for w in used["b"])
    np.testing.assert_allclose(out, y)
    assert qs.shape == (n, 19) and np.all(np.diff(qs, axis=1) >= -1e-12)
    # a group too small for weights of its own takes the pooled weights of its training folds
    _o, _q, pooled = cross_fit_group_weights(f, y, lab, folds, step=0.25, min_n=10_000)
    assert pooled["a"] == pooled["b"]
