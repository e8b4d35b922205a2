"""Golden digests of :func:`detente.sim.simulate`: the simulator's output, to single precision.

Pins today's behaviour before refactors of the engine or its configuration (issue #13 item 5): every
array of the :class:`~detente.sim.engine.SimResult` (per-run results, paths, ceasefire records, the
event log), the offer counters and the reference-mode extras go into one sha256 per variant: integer,
boolean and text arrays bit for bit, float arrays rounded to float32 (2^-24 relative). A refactor that
changes a single random draw, its order, a decision or a float by more than about 1e-7 of its size
changes the digest.

Why not every float bit: NumPy's ``exp``/``log`` and the BLAS choose their instructions by CPU, so the
last bits differ between machines (measured: up to 5e-15 between an AVX-512 and an AVX2 machine, with
every decision and count the same). Rounding to float32 absorbs that: a float64 value a few ulp off
crosses a float32 rounding boundary with probability about 2^-26 per value, so on ~5e5 values a false
alarm on another CPU is unlikely (none on the two instruction sets measured; docs/performance.md
"Numbers across machines").

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
        a = np.asarray(a)
        if a.dtype.kind == "f":  # to single precision (module docstring); -0.0 and 0.0 alike
            a = a.astype(np.float32) + np.float32(0.0)
        a = np.ascontiguousarray(a)
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

# recorded on the engine before the issue #13 refactor (numpy 2.4, x86-64), re-recorded at float32
# precision of the same outputs (2026-12-07; equal on AVX2 and AVX-512 instruction sets)
GOLDEN: dict[str, str] = {
    "ukraine-2025": "007f4739eec96488d47dbbb016d71f92533ee24db4147856ecf7d3ffc1e77bf5",
    "late_phase": "d3e2966aa4c546a00004767bc859ad62cffd22ad4aad2eeacd908a9e3a426854",
    "late_phase_no_eu_guarantee": "02351ccdc6f09bd9326ed46f7184cd293441248735181f1160e67b66fc962146",
    "late_phase_binding_guarantee": "a8115dfe9ef08775213ae44421d335db372cc218a61fe2c10752e54b2d75a7f2",
    "late_phase_mediator_leverage": "86f7d6ed4851fda06938ea7ff44c5d45b1b5281a6c591cd9708d5551d8250bd9",
    "late_phase_no_leverage_certain_type": "fc7bf94fc52533ab4b384c09c5d5e70712ded53da9a9e0d128d9525873036479",
    "late_phase_v1_rules": "0ef0b8abbf88a5e6e0228c5285dee368b0b06f21a16d259904bbffcb36b7fd34",
    "late_phase_alternatives": "ad679a96ba83fc58805d52bf77b64ab2b7102c753fddd7eeca7cf7679eef64ae",
    "late_phase_equilibrium_policy": "0c8404cfd47e68857d5254a362a77312a5a4e2bd9c6407e0b1dd8a4e0081fcee",
    "two_blocks": "18a6302a3604cd33890ca3c53555ed8bd9e0a72aabcbfa1878240d20c9abfdda",
    "rubinstein_breakdown": "39ed3897614aac23909e5445cfbc9867a6355a5ddf15a010965d24f3b8aaf06e",
    "fearon_private_costs": "cc4873e367b14c3c6b356ece385f4d2fe91a02724d5bc962a34705f84b756e4a",
}


@pytest.mark.parametrize("name", NAMES)
def test_output_is_unchanged(name: str) -> None:
    assert _run(name) == GOLDEN[name]


def test_the_digest_sees_every_output() -> None:
    """One float changed anywhere (a path, a record, an event) by more than ~1e-7 of its size changes
    the digest; the last bits (what another CPU changes) do not."""
    cfg, runs, months, seed = _config("late_phase")
    r = simulate(cfg, n_runs=60, seed=seed, months=months)
    base = _digest(r)
    b0 = r.beta[5, 3]
    r.beta[5, 3] = b0 * (1 + 1e-6)
    assert _digest(r) != base
    r.beta[5, 3] = np.nextafter(b0, 2.0)  # one ulp: below single precision
    assert _digest(r) == base
    r.beta[5, 3] = b0
    assert _digest(r) == base
    v0 = r.events.value[0]
    r.events.value[0] = v0 * (1 + 1e-6) if v0 else 1.0
    assert _digest(r) != base
    r.events.value[0] = v0
    assert _digest(r) == base


if __name__ == "__main__":  # re-record: python tests/sim/test_golden.py
    print(json.dumps({n: _run(n) for n in NAMES}, indent=4))
