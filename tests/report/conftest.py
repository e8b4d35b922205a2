"""Fixtures shared by the report tests (tests/report and tests/report/parts)."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from detente.analysis.main_job import MainJobOptions, main_job
from detente.io.builtin import load_builtin
from detente.io.error_models import resolve_calibration


@pytest.fixture(scope="module")
def job_with_intervals() -> Any:
    """The quick main job on ukraine-2025 with the forecasts and their intervals (the shipped error
    model): what the forecast part and the interval read-outs render."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return main_job(
            load_builtin("ukraine-2025"),
            MainJobOptions(
                seed=0,
                quick=True,
                parts=("forecasts", "uncertainty"),
                error_model=resolve_calibration("default"),
            ),
        )
