"""GameConfig: documented fields, overrides, scenario mapping."""

from __future__ import annotations

import dataclasses

import pytest

from detente.errors import ModelConfigError
from detente.sim.config import (
    FLAT,
    Beliefs,
    Ceasefire,
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
    assert len(rows) == len(field_names()) == 91
    for row in rows:
        assert row["doc"] and row["source"] and row["group"], row["name"]
        assert row["tag"] in ("C", "S", "P")


def test_spec_defaults():
    c = GameConfig()
    assert (c.run.horizon, c.offers.substeps, c.ceasefire.n_freeze, c.summit.summit_month) == (36, 3, 12, 1)
    f = c.fighting
    assert (f.q0, f.drift, f.noise, f.nu, f.gamma) == (0.19, 0.02, 0.01, 3.0, 1.0)
    assert (c.ceasefire.h0, c.guarantees.b_written, c.guarantees.b_monitor) == (0.35, -0.8, -0.5)
    assert (c.guarantees.b_guar2, c.guarantees.b_guar3) == (-0.7, -1.2)
    assert (c.sanctions.H_US, c.mediation.p_star, c.sanctions.s_star, c.sanctions.dS) == (3, 1.0, 0.6, 0.2)
    assert (c.mediation.lambda_US, c.mediation.rho_P) == (0.05, 0.7)
    assert c.values.w_U == (0.35, 0.15, 0.10, 0.10, 0.30)


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
    assert (c.values.delta_R, c.values.delta_U, c.run.horizon) == (0.9, 0.8, 12)
    assert c.guarantees.eu_guarantee is False
    assert c.values.w_U == (0.2,) * 5 and c.mediation.target == "weaker"
    assert (c.get("delta_1"), c.get("horizon"), c.get("target")) == (0.9, 12, "weaker")


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
        {"horizon": "inf"},
        {"summit_month": "1e400"},
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
    assert from_mapping(nested).ceasefire.h0 == 0.2 and from_mapping(nested).beliefs.pi_max == 0.5
    assert from_mapping({"h0": 0.3}).ceasefire.h0 == 0.3
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
    assert from_scenario(T()).mediation.lambda_US == 0.3


def test_builtin_ukraine_dynamics_parse():
    from detente.io.builtin import builtin_names, load_builtin

    if "ukraine-2025" not in builtin_names():
        pytest.fail("built-in ukraine-2025 missing")
    cfg = from_scenario(load_builtin("ukraine-2025"))
    assert isinstance(cfg, GameConfig)
    assert cfg.beliefs.pi_max == 0.6 and cfg.offers.e_R == 0.2
    assert cfg == GameConfig()  # the scenario carries the defaults


def test_preset_unknown():
    with pytest.raises(ModelConfigError):
        preset("nash")


def test_user_doc_lists_every_parameter():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "simulator.md").read_text(encoding="utf-8")
    missing = [n for n in field_names() if f"| `{n}` |" not in text]
    assert not missing
    # with its section (the table FLAT) and its default
    rows = {r["name"]: r for r in parameter_table()}
    wrong = [n for n in field_names() if f"| `{n}` | {FLAT[n]} | `{rows[n]['default']}` |" not in text]
    assert not wrong


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


def test_sections_group_the_parameters_by_mechanism():
    c = GameConfig()
    sections = [f.name for f in dataclasses.fields(GameConfig)]
    for mechanism in ("fighting", "beliefs", "offers", "mediation", "sanctions", "guarantees", "summit"):
        assert mechanism in sections
    # the one table from flat names to sections covers every parameter once, and agrees with the sections
    assert list(FLAT) == list(field_names()) and len(set(FLAT)) == len(FLAT)
    assert sorted(FLAT) == sorted(p.name for s in sections for p in dataclasses.fields(getattr(c, s)))
    flat = c.flat()
    for name, section in FLAT.items():
        assert flat[name] == c.get(name) == getattr(getattr(c, section), name)
    assert (FLAT["h0"], FLAT["pi_max"], FLAT["lambda_US"], FLAT["eu_guarantee"]) == (
        "ceasefire",
        "beliefs",
        "mediation",
        "guarantees",
    )
    # parameter_table lists every parameter with its section as the group
    assert {r["name"]: r["group"] for r in parameter_table()} == FLAT


def test_sections_are_frozen_and_checked_when_built():
    c = GameConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.ceasefire.h0 = 1.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.beliefs = Beliefs()  # type: ignore[misc]
    with pytest.raises(ModelConfigError) as e:
        Ceasefire(h0=0.0)
    assert e.value.parameter == "h0" and "\n" not in str(e.value)
    with pytest.raises(ModelConfigError, match="pi_max"):
        Beliefs(pi_max=1.5)
    with pytest.raises(ModelConfigError, match="ceasefire"):
        GameConfig(ceasefire=Beliefs())  # type: ignore[arg-type]


def test_replace_by_flat_name_or_section():
    c = GameConfig()
    d = c.replace(h0=0.2, pi_max=0.3)
    assert (d.ceasefire.h0, d.beliefs.pi_max) == (0.2, 0.3)
    assert d.fighting is c.fighting and d.offers is c.offers  # untouched sections are shared
    assert c.ceasefire.h0 == 0.35  # the original is unchanged
    assert c.replace(ceasefire=Ceasefire(h0=0.2)) == c.replace(h0=0.2)
    assert c.replace(delta_1=0.9).values.delta_R == 0.9  # aliases
    with pytest.raises(ModelConfigError, match="did you mean"):
        c.replace(lambda_us=0.1)
    with pytest.raises(ModelConfigError, match="h0"):
        c.replace(h0=-1.0)
    with pytest.raises(ModelConfigError, match="did you mean"):
        c.get("pimax")
