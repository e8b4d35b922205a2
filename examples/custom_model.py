"""Write your own model: a frozen dataclass with defaulted hyperparameters and ``predict``.

The conformance suite (``detente.testing.check_model``) checks it like the built-in models.
"""

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from detente import forecast, load_builtin
from detente.core.results import Diagnostics, Prediction
from detente.kernels.weighted import weighted_mean
from detente.models.base import ModelInfo, check_range


@dataclass(frozen=True, slots=True)
class PowerCompromise:
    """Compromise with capability raised to a power ``k`` (k = 1 is the compromise model)."""

    k: float = 2.0
    info: ClassVar[ModelInfo] = ModelInfo("power_compromise", dynamic=False, stochastic=False)

    def __post_init__(self) -> None:
        check_range("k", self.k, 0.0, 10.0)

    def predict(self, arrays, rng):
        cap = arrays.capability / np.maximum(arrays.capability.max(axis=-2, keepdims=True), 1e-300)
        w = cap**self.k * arrays.salience
        out, _ = weighted_mean(arrays.position, w, arrays.present)
        return Prediction(outcome=out, diagnostics=Diagnostics.closed_form(out.shape))


if __name__ == "__main__":
    sc = load_builtin("emission-standards-1994")
    print("power compromise:", forecast(PowerCompromise(), sc).outcome)
    try:
        from detente.testing import check_model

        check_model(PowerCompromise)
        print("conformance suite: passed")
    except ImportError:
        pass
