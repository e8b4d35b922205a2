"""A scenario whose ``dynamics:`` section names an unknown simulator parameter or a bad value: one
error line naming the file and the field, exit 2, no traceback, no report, before any model runs
(QA, stop 25: ``detente run`` and ``report`` ended in a ModelConfigError traceback, and
``validate`` called the file valid)."""

from __future__ import annotations

import pytest
import yaml


@pytest.fixture()
def bad_dynamics(cli, tmp_path):
    """ukraine-2025 as a YAML file with one bad simulator parameter, per case."""
    good = tmp_path / "u.yaml"
    r = cli("convert", "ukraine-2025", str(good))
    assert r.exit_code == 0, r.output
    doc = yaml.safe_load(good.read_text(encoding="utf-8"))

    def write(name: str, value: object) -> str:
        d = dict(doc)
        d["dynamics"] = {**doc["dynamics"], "parameters": {**doc["dynamics"]["parameters"], name: value}}
        path = tmp_path / f"bad_{name}.yaml"
        path.write_text(yaml.safe_dump(d, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return str(path)

    return write


@pytest.fixture()
def no_models(monkeypatch):
    import detente.analysis.main_job

    def boom(*a, **k):
        raise AssertionError("the main job started before the dynamics: section was checked")

    monkeypatch.setattr(detente.analysis.main_job, "main_job", boom)


@pytest.mark.parametrize("command", ["run", "report", "validate"])
@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("no_such_parameter", 3, "dynamics.parameters.no_such_parameter: expected a simulator parameter"),
        ("horizon", "soon", "dynamics.parameters.horizon"),
        # QA audit: gamma = 1e300 passed and overflowed every power of the month loop (warnings, NaN)
        ("gamma", 1e300, "gamma: expected a number within ±1e+06"),
    ],
)
def test_a_bad_dynamics_section_is_one_line(
    cli, tmp_path, bad_dynamics, no_models, command, name, value, fragment
):
    path = bad_dynamics(name, value)
    report = tmp_path / "r.html"
    args = [command, path] + (["--report", str(report)] if command != "validate" else [])
    r = cli(*args)
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: ") and fragment in lines[0], r.stderr
    assert "Traceback" not in r.output
    assert not report.exists()


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("evidence", 5, "dynamics.evidence: expected a mapping of parameter"),
        (
            "evidence",
            {"no_such": {"assumption": True}},
            "dynamics.evidence.no_such: expected a simulator parameter",
        ),
        ("evidence", {"gamma": 7}, "dynamics.evidence.gamma: expected {quote, source, date}"),
        (
            "parmeters",
            {"gamma": 2},
            "dynamics.parmeters: expected one of parameters, evidence, notes, description",
        ),
    ],
)
def test_the_documentation_keys_are_checked_too(cli, tmp_path, key, value, fragment):
    """QA audit: `evidence: 5` validated, and a misspelt key beside `parameters` was dropped."""
    good = tmp_path / "u.yaml"
    assert cli("convert", "ukraine-2025", str(good)).exit_code == 0
    doc = yaml.safe_load(good.read_text(encoding="utf-8"))
    doc["dynamics"][key] = value
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    r = cli("validate", str(path))
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], r.stderr
