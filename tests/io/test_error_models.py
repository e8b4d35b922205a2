"""The shipped error-model file: it loads, says where it comes from, matches the dev file it names."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from detente.errors import InputFileError
from detente.io.error_models import default_error_models, parse_error_models, resolve_calibration


def test_shipped_error_models_are_from_the_dev_file(data_dir) -> None:
    ems = default_error_models()
    prov = ems.provenance
    dev = (data_dir / "deu" / "deu3_dev.tsv").read_bytes()
    assert prov["data_sha256"] == hashlib.sha256(dev).hexdigest()  # refit if the dev file changes
    assert prov["licence"].startswith("CC BY 4.0") and prov["fitted_on"]
    assert ems.n == prov["n_issues"] == 210 and prov["n_proposals"] == 81
    assert ems.domain == "EU legislation"
    assert {"compromise", "smp", "exchange", "eum", "conformal_compromise"} <= set(ems.models)
    assert ems.get("a model registered later").coef is ems.get("compromise").coef  # falls back to the default
    assert ems.get("compromise").kind == "hurdle" and ems.get("compromise").ends is not None
    assert ems.get("conformal_compromise").kind == "residual"
    # the compromise curves are increasing in the forecast at the median (more forecast, more outcome)
    c = ems.get("compromise").curves(np.array([0.2, 0.8]), np.array([0.35, 0.35]))
    assert c[1, 9] > c[0, 9]


def test_resolve_calibration_words_and_errors(tmp_path) -> None:
    assert resolve_calibration("crossfit") == "crossfit" and resolve_calibration("NONE") == "none"
    assert resolve_calibration("default").n == 210  # type: ignore[union-attr]
    with pytest.raises(InputFileError, match="nothere.json: cannot read"):
        resolve_calibration(str(tmp_path / "nothere.json"))
    with pytest.raises(InputFileError, match="x.json: line 1: not valid JSON"):
        parse_error_models("{", "x.json")
    with pytest.raises(
        InputFileError,
        match=r"s\.yaml: line 1: .*; expected an error-model file written by detente calibrate$",
    ):
        parse_error_models("scenario:\n  id: x\n", "s.yaml")  # a scenario given as --calibration
    with pytest.raises(InputFileError, match="x.json: expected a JSON object"):
        parse_error_models("[1]", "x.json")


def _shipped() -> dict:
    from importlib import resources

    return json.loads(
        (resources.files("detente.io") / "data" / "error_models_deu3_dev.json").read_text("utf-8")
    )


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["models"]["compromise"].update(coef="abc"),
         "models.compromise.coef: expected a list of rows of numbers, got 'abc'"),
        (lambda d: d["models"]["compromise"]["coef"][0].__setitem__(1, "abc"),
         "models.compromise.coef[0][1]: expected a number, got 'abc'"),
        (lambda d: d["models"]["compromise"]["levels"].__setitem__(2, None),
         "models.compromise.levels[2]: expected a number, got None"),
        (lambda d: d["models"]["compromise"]["ends"]["mean"].__setitem__(0, True),
         "models.compromise.ends.mean[0]: expected a number, got True"),
        (lambda d: d["models"]["compromise"]["coef"][0].__setitem__(0, 10**400),
         "models.compromise.coef[0][0]: expected a number, got an integer of 401 digits"),
        (lambda d: d["models"]["compromise"].update(n="many"),
         "models.compromise.n: expected a whole number >= 0, got 'many'"),
        (lambda d: d.update(n=None), "n: expected a whole number >= 0, got None"),
        (lambda d: d["models"].update(compromise=[1]), "models.compromise: expected an object (one error model), got a list"),
        (lambda d: d.pop("models"),
         "missing key 'models' (expected an error-model file written by detente calibrate)"),
        (lambda d: [d.pop("models"), d.pop("format")],
         "missing keys 'format' and 'models' (expected an error-model file written by detente calibrate)"),
        (lambda d: d.update(format="x"),
         "format: expected 'detente-error-models', got 'x' (expected an error-model file written by detente calibrate)"),
    ],
)  # fmt: skip
def test_error_model_file_problems_name_the_field(mutate, message) -> None:
    d = _shipped()
    mutate(d)
    with pytest.raises(InputFileError) as ei:
        parse_error_models(json.dumps(d), "em.json")
    assert str(ei.value) == f"em.json: {message}"


def test_error_model_file_duplicate_keys_and_huge_numbers() -> None:
    with pytest.raises(InputFileError, match=r"^em\.json: duplicate key 'models' \(expected each key once"):
        parse_error_models('{"models": {}, "models": {}}', "em.json")
    with pytest.raises(
        InputFileError, match=r"^em\.json: not valid JSON \(Exceeds the limit \(4300 digits\)"
    ):
        parse_error_models('{"n": ' + "9" * 5000 + "}", "em.json")


def test_error_model_file_cli_one_line(cli, tmp_path, data_dir) -> None:
    d = _shipped()
    d["models"]["compromise"]["coef"] = "abc"
    bad = tmp_path / "em.json"
    bad.write_text(json.dumps(d))
    out = tmp_path / "f.csv"
    tsv = data_dir / "deu" / "deu3_dev.tsv"
    r = cli("backtest", str(tsv), "-m", "compromise", "--calibration", str(bad), "--out", str(out))
    assert r.exit_code == 2 and "Traceback" not in r.output, r.output
    (line,) = r.output.strip().splitlines()
    assert line.endswith(f"{bad}: models.compromise.coef: expected a list of rows of numbers, got 'abc'"), (
        line
    )
    assert not out.exists()
