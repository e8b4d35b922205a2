"""Mean-type baselines: unweighted mean, compromise (c·s weighted mean), status quo."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np

from detente.core.arrays import ScenarioArrays
from detente.core.results import Diagnostics, Prediction
from detente.kernels.weighted import weighted_mean
from detente.models.base import ModelInfo, check_literal

Weighting = Literal["cs", "c", "s", "none"]


@dataclass(frozen=True, slots=True)
class Compromise:
    """Compromise model: ``x̂ = Σ w_i x_i / Σ w_i`` with ``w = c·s`` by default.

    Source: Achen (2006), ch. 4 of Thomson et al. (eds.), *The European Union Decides*:
    a linear approximation to the Nash bargaining solution (models.md §1).
    """

    weighting: Weighting = "cs"
    info: ClassVar[ModelInfo] = ModelInfo(
        "compromise",
        dynamic=False,
        stochastic=False,
        description="capability × salience weighted mean (Achen 2006)",
    )

    def __post_init__(self) -> None:
        check_literal(self)

    def predict(self, arrays: ScenarioArrays, rng: np.random.Generator) -> Prediction:
        out, fb = weighted_mean(arrays.position, arrays.weights(self.weighting), arrays.present)
        return Prediction(outcome=out, diagnostics=Diagnostics.closed_form(out.shape, {"fallback": fb}))


@dataclass(frozen=True, slots=True)
class Mean:
    """Unweighted mean of the present positions (models.md §1, ``weighting="none"``)."""

    info: ClassVar[ModelInfo] = ModelInfo(
        "mean", dynamic=False, stochastic=False, description="unweighted mean of positions"
    )

    def predict(self, arrays: ScenarioArrays, rng: np.random.Generator) -> Prediction:
        out, _ = weighted_mean(arrays.position, arrays.weights("none"), arrays.present)
        return Prediction(outcome=out, diagnostics=Diagnostics.closed_form(out.shape))


@dataclass(frozen=True, slots=True)
class StatusQuo:
    """The reference point (status quo) as the forecast.

    An issue without a reference point gets no forecast (NaN), flagged in
    ``diagnostics.flags["missing_reference"]`` (reason: no status quo given): a baseline that
    printed another model's number there would pretend to a forecast it does not make.
    """

    info: ClassVar[ModelInfo] = ModelInfo(
        "status_quo", dynamic=False, stochastic=False, description="the issue's reference point (status quo)"
    )

    def predict(self, arrays: ScenarioArrays, rng: np.random.Generator) -> Prediction:
        shape = arrays.position.shape[:-2] + arrays.position.shape[-1:]
        ref = np.broadcast_to(arrays.reference, shape)
        missing = np.isnan(ref)
        # a reference point outside the hull of present positions would break unanimity checks:
        # it is the forecast all the same (the status quo is what happens without agreement)
        out = np.array(ref, dtype=np.float64)
        return Prediction(
            outcome=out, diagnostics=Diagnostics.closed_form(out.shape, {"missing_reference": missing})
        )
