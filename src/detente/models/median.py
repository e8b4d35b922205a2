"""Weighted median = 1-D Condorcet winner of pairwise weighted votes (models.md §2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np

from detente.core.arrays import ScenarioArrays
from detente.core.results import Diagnostics, Prediction
from detente.kernels.weighted import pairwise_condorcet, weighted_median
from detente.models.base import ModelInfo, check_literal


@dataclass(frozen=True, slots=True)
class Median:
    """Weighted median (Black 1948), ``c·s`` weights (Scholz et al. 2011 §3.2).

    ``method="pairwise"`` finds the Condorcet winner by pairwise votes (slow reference).
    """

    weighting: Literal["cs", "c", "s", "none"] = "cs"
    tie: Literal["lower", "midpoint", "upper"] = "lower"
    method: Literal["weighted_median", "pairwise"] = "weighted_median"
    info: ClassVar[ModelInfo] = ModelInfo(
        "median",
        dynamic=False,
        stochastic=False,
        mirror_symmetric=False,  # the lower tie rule breaks x -> 1-x symmetry on exact ties
        description="capability × salience weighted median = Condorcet winner (Black 1948)",
    )

    def __post_init__(self) -> None:
        check_literal(self)

    def predict(self, arrays: ScenarioArrays, rng: np.random.Generator) -> Prediction:
        w = arrays.weights(self.weighting)
        if self.method == "pairwise":
            out = pairwise_condorcet(arrays.position, w, arrays.present)
        else:
            out = weighted_median(arrays.position, w, arrays.present, tie=self.tie)
        return Prediction(outcome=out, diagnostics=Diagnostics.closed_form(out.shape))
