"""The shipped error-model file: it loads, says where it comes from, matches the dev file it names."""

from __future__ import annotations

import hashlib

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
    with pytest.raises(InputFileError, match="x.json: expected a JSON object"):
        parse_error_models("[1]", "x.json")
