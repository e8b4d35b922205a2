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
    reference point there is no disagreement point, so by default (``skip``) the issue gets no
    forecast (NaN, reason: no status quo given); ``compromise`` substitutes the c·s mean. Both
    cases are flagged in ``diagnostics.flags["missing_reference"]``.

    Where no outcome leaves every actor better off than ``q`` (actors stand on both sides of the
    status quo, or one stands at it, so every move away from it hurts someone) the forecast is
    ``q`` itself, flagged ``infeasible``; input noise that does not change that keeps the forecast at ``q`` in every
    draw, so its interval has no width.
    """

    loss: Literal["quadratic", "linear"] = "quadratic"
    weighting: Literal["cs", "c", "none"] = "cs"
    infeasible: Literal["status_quo", "compromise"] = "status_quo"
    missing_reference: Literal["compromise", "skip"] = "skip"
    info: ClassVar[ModelInfo] = ModelInfo(
        "nbs",
        dynamic=False,
        stochastic=False,
        description="Nash bargaining solution, reference point as disagreement point",
    )

    def __post_init__(self) -> None:
        check_literal(self)

    def predict(self, arrays: ScenarioArrays, rng: np.random.Generator) -> Prediction:
        beta = arrays.weights(self.weighting)
        comp, _ = weighted_mean(arrays.position, arrays.weights("cs"), arrays.present)
        q = np.broadcast_to(arrays.reference, comp.shape)
        missing = np.isnan(q)
        x_star, infeas = nash_bargaining(
            arrays.position, beta, arrays.present, np.where(missing, 0.0, q), loss=self.loss
        )
        infeas = infeas & ~missing
        fallback_inf = q if self.infeasible == "status_quo" else comp
        out = np.where(infeas, fallback_inf, x_star)
        out = np.where(missing, comp if self.missing_reference == "compromise" else np.nan, out)
        flags = {"missing_reference": np.asarray(missing), "infeasible": np.asarray(infeas)}
        return Prediction(
            outcome=np.asarray(out, dtype=np.float64), diagnostics=Diagnostics.closed_form(out.shape, flags)
        )
