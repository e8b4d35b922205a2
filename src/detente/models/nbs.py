"""Nash bargaining solution with the reference point as disagreement point (models.md §3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np

from detente.core.arrays import ScenarioArrays
from detente.core.results import Diagnostics, Prediction
from detente.kernels.nbs import nash_bargaining
from detente.kernels.weighted import weighted_mean
from detente.models.base import ModelInfo, check_literal


@dataclass(frozen=True, slots=True)
class NashBargaining:
    """Asymmetric NBS (Nash 1950; Kalai 1977) with ``q`` = the issue's reference point.

    ``infeasible``: what to forecast when no point makes everyone better off than ``q``
    (``status_quo`` → ``q``; ``compromise`` → the c·s mean). ``missing_reference``: without a
    reference point use the compromise (flagged) or NaN (``skip``).
    """

    loss: Literal["quadratic", "linear"] = "quadratic"
    weighting: Literal["cs", "c", "none"] = "cs"
    infeasible: Literal["status_quo", "compromise"] = "status_quo"
    missing_reference: Literal["compromise", "skip"] = "compromise"
    info: ClassVar[ModelInfo] = ModelInfo(
        "nbs", dynamic=False, stochastic=False, description="Nash bargaining solution, reference point as disagreement point"
    )

    def __post_init__(self) -> None:
        check_literal(self)

    def predict(self, arrays: ScenarioArrays, rng: np.random.Generator) -> Prediction:
        beta = arrays.weights(self.weighting)
        comp, _ = weighted_mean(arrays.position, arrays.weights("cs"), arrays.present)
        q = np.broadcast_to(arrays.reference, comp.shape)
        missing = np.isnan(q)
        x_star, infeas = nash_bargaining(arrays.position, beta, arrays.present, np.where(missing, 0.0, q), loss=self.loss)
        infeas = infeas & ~missing
        fallback_inf = q if self.infeasible == "status_quo" else comp
        out = np.where(infeas, fallback_inf, x_star)
        out = np.where(missing, comp if self.missing_reference == "compromise" else np.nan, out)
        flags = {"missing_reference": np.asarray(missing), "infeasible": np.asarray(infeas)}
        return Prediction(outcome=np.asarray(out, dtype=np.float64), diagnostics=Diagnostics.closed_form(out.shape, flags))
