"""Golden digests of :func:`detente.sim.simulate`: the simulator's output, bit for bit.

Pins today's behaviour before refactors of the engine or its configuration (issue #13 item 5): every
array of the :class:`~detente.sim.engine.SimResult` (per-run results, paths, ceasefire records, the
event log), the offer counters and the reference-mode extras go into one sha256 per variant, with full
float precision (the raw bytes of each array). A refactor that changes a single random draw, its order
or one float operation changes the digest.

The variants cover the ukraine-2025 scenario as shipped, the late phase (costs since 2022 counted: deals
happen), the switches of the comparative statics (guarantees, mediator leverage, war-aim certainty), the
rules of the second pass switched back, the alternative belief/offer models, more runs than one
random-number block, and both reference modes.

The digests depend on numpy's floating-point results, so they are recorded for the numpy of the
development environment; after a numpy upgrade that changes them (and only then), re-record with
``python tests/sim/test_golden.py`` and say so in the commit.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import pytest

from detente.sim import simulate
from detente.sim.config import GameConfig, from_scenario, preset, with_overrides

WEARY = {"C0_R": 0.4, "C0_U": 0.6}

# name -> (overrides on the ukraine-2025 scenario config, runs, months, seed)
VARIANTS: dict[str, tuple[dict[str, Any], int, int | None, int]] = {
    "ukraine-2025": ({}, 300, None, 7),
    "late_phase": (WEARY, 400, 24, 11),
    "late_phase_no_eu_guarantee": ({**WEARY, "eu_guarantee": False}, 300, 24, 2024),
    "late_phase_binding_guarantee": ({**WEARY, "binding_guarantee": True}, 300, 24, 3),
    "late_phase_mediator_leverage": ({**WEARY, "lambda_US": 0.3}, 300, 24, 2024),
    "late_phase_no_leverage_certain_type": ({**WEARY, "lambda_US": 0.0, "pi_max": 0.0}, 300, 24, 5),
    "late_phase_v1_rules": (
        {
            **WEARY,
            "loss_aversion": 1.0,
            "terr_curvature": 1.0,
            "recognition": False,
            "settlement_reference": "ceasefire",
            "settle_after": 0,
            "tau_obs": 0.02,
            "hazard_shape": 1.0,
        },
        300,
        24,
        6,
    ),
    "late_phase_alternatives": (
        {
            **WEARY,
            "belief_model": "aspiration",
            "settlement_reference": "claims",
            "war_share": "p",
            "target": "weaker",
            "screening": False,
            "ceasefire_first": False,
            "loss_rate": 0.01,
            "sanctions_at": 3,
            "summit_month": 2,
        },
        300,
        24,
        8,
    ),
    "late_phase_equilibrium_policy": ({**WEARY, "policy": "equilibrium", "n_freeze": 3}, 300, 12, 1),
    "two_blocks": (WEARY, 700, 9, 4),
}


def _digest(r: Any) -> str:
    """sha256 of every output of ``r`` (not its config): names, dtypes, shapes and raw bytes."""
    h = hashlib.sha256()

    def arr(name: str, a: Any) -> None:
        a = np.ascontiguousarray(np.asarray(a))
        h.update(f"{name}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())

    for name in sorted(vars(r)):
        if name in ("config", "ceasefires", "events", "extras"):
            continue
        v = getattr(r, name)
        if isinstance(v, np.ndarray):
            arr(name, v)
        else:
            h.update(f"{name}={v!r}|".encode())
    for name in sorted(vars(r.ceasefires)):
        arr("cf." + name, getattr(r.ceasefires, name))
    ev = r.events
    for name in ("batch", "round", "kind", "actor", "counterpart", "issue", "before", "after", "value"):
        arr("ev." + name, getattr(ev, name))
    h.update(json.dumps(r.extras, sort_keys=True, default=repr).encode())
    return h.hexdigest()


def _config(name: str) -> tuple[GameConfig, int, int | None, int]:
    from detente.io.builtin import load_builtin

    if name == "rubinstein_breakdown":
        return with_overrides(preset("rubinstein"), {"breakdown": 0.1}), 200, 6, 3
    if name == "fearon_private_costs":
        return with_overrides(preset("fearon"), {"c_U_types": "0.05,0.25", "power_shift": 0.01}), 200, 3, 3
    over, runs, months, seed = VARIANTS[name]
    return with_overrides(from_scenario(load_builtin("ukraine-2025")), over), runs, months, seed


def _run(name: str) -> str:
    cfg, runs, months, seed = _config(name)
    return _digest(simulate(cfg, n_runs=runs, seed=seed, months=months))


NAMES = (*VARIANTS, "rubinstein_breakdown", "fearon_private_costs")

# recorded on the engine before the issue #13 refactor (numpy 2.4, x86-64)
GOLDEN: dict[str, str] = {
    "ukraine-2025": "724a1d0178326e711eabfd527bfff7239f1a58fdf8d29e7cdab1dae7d3b65de2",
    "late_phase": "cc87866a970b2566ab9a991292b1e9545c81a704767bfc7ea29b59af01100ff4",
    "late_phase_no_eu_guarantee": "dbc69033bdd1a79a8a09c0974f88a1cf64de61cee392bac9f1087bb984cc770a",
    "late_phase_binding_guarantee": "9062cc994f27ee6bc7d8297cc303f33334bd3112022621e4fc42ec341b44fd72",
    "late_phase_mediator_leverage": "818186eb5923226fc0721ee406dbaf49c8ad881324326ab83f82d5058286d2ec",
    "late_phase_no_leverage_certain_type": "20044a5624a01784848d4dd1e7b267178e4d7f2f0af6cd74e8d50bb5c246140d",
    "late_phase_v1_rules": "3b36641766e10b0feab41158af52925516d8716e4c2c381e99cdb8dc6918b6fb",
    "late_phase_alternatives": "d6afe2c547bcdd81a0903276a28c4b61c449b0ce524f993e6859a33c2f78d5e3",
    "late_phase_equilibrium_policy": "980ec56387ba97612dd9a7d333b1025dd33b348d326e57e67013480e758b6ce7",
    "two_blocks": "68c752f13b5e7e48020d0be517918a98ffbec1fbf5aee7289d050432c11680d3",
    "rubinstein_breakdown": "8ee3b704bdeb8d4093bec44205df668ef458016bdf430a583858e82aecdcaad3",
    "fearon_private_costs": "bfa67124714b3504e5276dd45469cf6ae52b5226e364b23d17dbbea8de173f29",
}


@pytest.mark.parametrize("name", NAMES)
def test_output_is_unchanged(name: str) -> None:
    assert _run(name) == GOLDEN[name]


def test_the_digest_sees_every_output() -> None:
    """One changed float anywhere (a path, a record, an event) changes the digest."""
    cfg, runs, months, seed = _config("late_phase")
    r = simulate(cfg, n_runs=60, seed=seed, months=months)
    base = _digest(r)
    r.beta[5, 3] = np.nextafter(r.beta[5, 3], 2.0)
    assert _digest(r) != base
    r.beta[5, 3] = np.nextafter(r.beta[5, 3], -2.0)
    assert _digest(r) == base
    r.events.value[0] += 1e-15 if r.events.value[0] else 1.0
    assert _digest(r) != base


if __name__ == "__main__":  # re-record: python tests/sim/test_golden.py
    print(json.dumps({n: _run(n) for n in NAMES}, indent=4))
