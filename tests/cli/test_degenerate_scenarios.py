"""Valid but degenerate scenarios (QA audit, 2026-12-07): an issue nobody states a position on, no
stances at all, every capability 0. Every model says "no forecast" where nobody states a position (the
mean-type models printed 0.00, a made-up forecast at the scale's low end), no NumPy RuntimeWarning
reaches the terminal, and Sobol sensitivity does not crash."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

MINI = """id: mini
title: Mini
actors:
- {id: a, name: A, capability: 10}
- {id: b, name: B, capability: 20}
- {id: c, name: C, capability: 30}
issues:
- {id: x, name: X, scale: {low: 0, high: 100}}
- {id: y, name: Y, scale: {low: 0, high: 10}}
stances:
"""
STANCES = """- {actor: a, issue: x, position: 10, salience: 0.5}
- {actor: b, issue: x, position: 50, salience: 0.7}
- {actor: c, issue: x, position: 90, salience: 0.9}
"""


@pytest.fixture()
def half(tmp_path):
    p = tmp_path / "half.yaml"
    p.write_text(MINI + STANCES, encoding="utf-8")
    return p


@pytest.fixture()
def empty(tmp_path):
    p = tmp_path / "empty.yaml"
    p.write_text(MINI.replace("stances:\n", "stances: []\n"), encoding="utf-8")
    return p


def test_every_model_gives_no_forecast_where_nobody_states_a_position(half):
    from detente.io.files import read_scenario
    from detente.models import available_models, forecast, get_model

    sc = read_scenario(half)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.filterwarnings("ignore", category=UserWarning)  # the models' own notes (no rule, …)
        for name in available_models():
            f = forecast(get_model(name), sc, seed=0)
            assert np.isnan(f.outcome[1]), (name, f.outcome)


def test_the_mean_kernel_is_nan_without_anyone_present():
    from detente.kernels.weighted import weighted_mean

    x = np.array([[0.2, 0.3], [0.8, 0.9]])
    present = np.array([[True, False], [True, False]])
    m, _ = weighted_mean(x, np.ones_like(x), present)
    assert m[0] == pytest.approx(0.5) and np.isnan(m[1])


@pytest.mark.parametrize(
    "args",
    [
        ("forecast", "{f}"),
        ("forecast", "{f}", "--format", "json"),
        ("sweep", "{f}", "-n", "40"),
        ("sensitivity", "{f}", "--method", "sobol", "-n", "16"),
        ("sensitivity", "{f}"),
    ],
)
@pytest.mark.parametrize("which", ["half", "empty"])
def test_no_warning_and_no_crash(cli, request, which, args):
    f = request.getfixturevalue(which)
    with warnings.catch_warnings(record=True) as caught:  # what a terminal would show on stderr
        warnings.simplefilter("always", RuntimeWarning)  # not hidden by an earlier test's registry
        r = cli(*(a.format(f=f) for a in args))
    assert [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)] == []
    assert r.exit_code == 0, r.output
    assert "Warning" not in r.stderr and "Traceback" not in r.output, r.stderr
    if "json" in args:
        doc = json.loads(r.stdout)
        for res in doc["results"]:
            y = [i for i in res["issues"] if i["issue"] == "y"][0]
            assert y["forecast"] is None, (res["model"], y["forecast"])


def test_levers_and_sensitivity_say_when_the_model_has_no_forecast(cli, half):
    """nbs without a status quo: levers printed 'nbs forecast nan' and a search over NaN (exit 0)."""
    r = cli("levers", str(half), "-i", "x", "-t", ">=60", "-m", "nbs")
    assert r.exit_code == 2 and "Traceback" not in r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "gives no forecast on this issue (no status quo given)" in lines[0], r.stderr
    r = cli("sensitivity", str(half), "-m", "nbs", "-i", "x")
    assert r.exit_code == 0 and "nan" not in r.stdout and "no forecast here" in " ".join(r.stdout.split())


def test_a_scale_beyond_float_range_is_refused_where_it_is_written(cli, tmp_path):
    """QA audit: a scale of ±1e308 validated, then every unit conversion overflowed (50–78 warning
    lines per command and no forecast from any model)."""
    p = tmp_path / "huge.yaml"
    p.write_text(
        MINI.replace("{low: 0, high: 100}", "{low: -1e308, high: 1e308}") + STANCES, encoding="utf-8"
    )
    r = cli("validate", str(p))
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines() == [
        f"{p}:8: issues[0].scale.low: -1e+308 is too large (expected a number within ±1e+15)"
    ]
    from detente.core.scale import Scale
    from detente.errors import ScenarioError

    with pytest.raises(ScenarioError, match="within"):
        Scale(low=-1e308, high=1e308)
    assert Scale(low=-1e15, high=1e15).width == 2e15


def test_a_capability_beyond_1e15_is_refused(cli, tmp_path):
    """QA audit: capability 1e308 validated, then the expected-utility model overflowed (warnings)."""
    p = tmp_path / "bigcap.yaml"
    p.write_text(MINI.replace("capability: 30}", "capability: 1e308}") + STANCES, encoding="utf-8")
    r = cli("validate", str(p))
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines() == [
        f"{p}:6: actors[2].capability: 1e+308 is above range (expected 0 to 1e+15)"
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("as_of: yesterday", "as_of: 'yesterday' is not a date (expected YYYY-MM-DD, YYYY-MM or YYYY)"),
        ("dynamics: yes", "dynamics: True is not a mapping (expected key: value pairs)"),
    ],
)
def test_header_fields_say_what_they_expect(cli, tmp_path, line, message):
    """QA audit: as_of 'yesterday' was accepted (and printed as the report's date); a dynamics section
    that is not a mapping said '(expected keys )'."""
    p = tmp_path / "h.yaml"
    p.write_text(MINI.replace("title: Mini\n", f"title: Mini\n{line}\n") + STANCES, encoding="utf-8")
    r = cli("validate", str(p))
    assert r.exit_code == 2 and r.stderr.strip().splitlines() == [f"{p}:3: {message}"], r.stderr
