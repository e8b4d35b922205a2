"""GameConfig: documented fields, overrides, scenario mapping."""

from __future__ import annotations

import dataclasses

import pytest

from detente.errors import ModelConfigError
from detente.sim.config import (
    GameConfig,
    field_names,
    from_mapping,
    from_scenario,
    parameter_table,
    preset,
    with_overrides,
)


def test_every_field_is_documented_with_a_source():
    rows = parameter_table()
    assert len(rows) == len(dataclasses.fields(GameConfig))
    for row in rows:
        assert row["doc"] and row["source"] and row["group"], row["name"]
        assert row["tag"] in ("C", "S", "P")


def test_spec_defaults():
    c = GameConfig()
    assert (c.horizon, c.substeps, c.n_freeze, c.summit_month) == (36, 3, 12, 1)
    assert (c.q0, c.drift, c.noise, c.nu, c.gamma) == (0.19, 0.02, 0.01, 3.0, 1.0)
    assert (c.h0, c.b_written, c.b_monitor, c.b_guar2, c.b_guar3) == (0.35, -0.8, -0.5, -0.7, -1.2)
    assert (c.H_US, c.p_star, c.s_star, c.dS, c.lambda_US, c.rho_P) == (3, 1.0, 0.6, 0.2, 0.05, 0.7)
    assert c.w_U == (0.35, 0.15, 0.10, 0.10, 0.30)


def test_overrides_coerce_and_alias():
    c = with_overrides(
        GameConfig(),
        {
            "delta_1": "0.9",
            "delta_2": "0.8",
            "horizon": "12",
            "eu_guarantee": "off",
            "w_U": "0.2,0.2,0.2,0.2,0.2",
            "target": "weaker",
        },
    )
    assert (c.delta_R, c.delta_U, c.horizon, c.eu_guarantee) == (0.9, 0.8, 12, False)
    assert c.w_U == (0.2,) * 5 and c.target == "weaker"


@pytest.mark.parametrize(
    "sets",
    [
        {"nope": "1"},
        {"h0": "abc"},
        {"horizon": "1.5"},
        {"pi_max": "2"},
        {"target": "everyone"},
        {"w_U": "1,2"},
        {"eu_guarantee": "maybe"},
        {"h0": "0"},
        {"hazard_shape": "0"},
        {"hazard_shape": "1.5"},
        {"terr_curvature": "0"},
        {"loss_aversion": "0.5"},
        {"tau_obs": "0"},
        {"settle_after": "-1"},
        {"settlement_reference": "both"},
    ],
)
def test_bad_overrides_raise_one_line(sets):
    with pytest.raises(ModelConfigError) as e:
        with_overrides(GameConfig(), sets)
    assert "\n" not in str(e.value)
    assert e.value.parameter in (*field_names(), *sets)


def test_unknown_name_suggests():
    with pytest.raises(ModelConfigError, match="did you mean"):
        with_overrides(GameConfig(), {"lambda_us": "0.1"})


def test_from_mapping_layouts():
    nested = {"parameters": {"h0": 0.2, "pi_max": 0.5}, "evidence": {"h0": {"assumption": True}}}
    assert from_mapping(nested).h0 == 0.2 and from_mapping(nested).pi_max == 0.5
    assert from_mapping({"h0": 0.3}).h0 == 0.3
    assert from_mapping(None) == GameConfig()
    with pytest.raises(ModelConfigError, match="dynamics.parameters.h0"):
        from_mapping({"parameters": {"h0": "x"}})
    with pytest.raises(ModelConfigError):
        from_mapping([1, 2])


def test_from_scenario_falls_back_to_defaults():
    class S:
        dynamics = ()

    class T:
        dynamics = (("parameters", {"lambda_US": 0.3}),)

    assert from_scenario(S()) == GameConfig()
    assert from_scenario(T()).lambda_US == 0.3


def test_builtin_ukraine_dynamics_parse():
    from detente.io.builtin import builtin_names, load_builtin

    if "ukraine-2025" not in builtin_names():
        pytest.fail("built-in ukraine-2025 missing")
    cfg = from_scenario(load_builtin("ukraine-2025"))
    assert isinstance(cfg, GameConfig)
    assert cfg.pi_max == 0.6 and cfg.e_R == 0.2


def test_preset_unknown():
    with pytest.raises(ModelConfigError):
        preset("nash")


def test_user_doc_lists_every_parameter():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "simulator.md").read_text(encoding="utf-8")
    missing = [n for n in field_names() if f"| `{n}` |" not in text]
    assert not missing


def test_ukraine_dynamics_every_parameter_has_quote_or_assumption():
    from detente.io.builtin import load_builtin

    dyn = dict(load_builtin("ukraine-2025").dynamics)
    params, evidence = dyn["parameters"], dyn["evidence"]
    reference_only = {
        "mode",
        "policy",
        "breakdown",
        "outside_U",
        "p_war",
        "c_U_types",
        "power_shift",
        "indivisible",
        "sanctions_at",
    }
    assert set(params) == set(field_names()) - reference_only
    for name in params:
        ev = evidence[name]
        assert ev and all(("quote" in e and "source" in e) or e.get("assumption") is True for e in ev), name
    # that the quotes are verbatim excerpts of the column: tests/io/test_io_builtin.py (recorded digest)
