"""Conformance suite for forecast models (architecture.md §4).

>>> from detente.testing import check_model
>>> from detente.models.mean import Compromise
>>> check_model(Compromise)
"""

from detente.testing.checks import (
    OUTSIDE_HULL_ALLOWED,
    Check,
    check_model,
    iter_checks,
    random_arrays,
    scenario_arrays,
)

__all__ = ["OUTSIDE_HULL_ALLOWED", "Check", "check_model", "iter_checks", "random_arrays", "scenario_arrays"]
