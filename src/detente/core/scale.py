"""Issue scales: raw units <-> the unit interval used by every kernel."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from detente._typing import FloatArray
from detente.errors import ScenarioError


@dataclass(frozen=True, slots=True, kw_only=True)
class Scale:
    """A closed interval ``[low, high]`` with a label for each end and optional named points.

    Examples
    --------
    >>> s = Scale(low=0, high=100, labels=("none", "all"))
    >>> s.to_unit(25.0)
    0.25
    >>> s.from_unit(0.5)
    50.0
    """

    low: float = 0.0
    high: float = 100.0
    labels: tuple[str, str] = ("", "")
    points: tuple[tuple[float, str], ...] = field(default=())

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ScenarioError(f"scale: low and high must be finite numbers (received {self.low}, {self.high})")
        if not self.high > self.low:
            raise ScenarioError(f"scale: high must be greater than low (received low={self.low}, high={self.high})")
        for value, _name in self.points:
            if not (self.low <= value <= self.high):
                raise ScenarioError(f"scale.points: {value} lies outside [{self.low}, {self.high}]")

    @property
    def width(self) -> float:
        return self.high - self.low

    def contains(self, value: float) -> bool:
        return math.isfinite(value) and self.low - 1e-12 * self.width <= value <= self.high + 1e-12 * self.width

    def to_unit(self, value: float) -> float:
        return (value - self.low) / self.width

    def from_unit(self, value: float) -> float:
        return self.low + value * self.width

    def to_unit_array(self, values: FloatArray) -> FloatArray:
        return np.asarray((np.asarray(values, dtype=np.float64) - self.low) / self.width, dtype=np.float64)

    def from_unit_array(self, values: FloatArray) -> FloatArray:
        return np.asarray(self.low + np.asarray(values, dtype=np.float64) * self.width, dtype=np.float64)

    def describe(self, value: float) -> str:
        """Plain words for a value: the nearest named point or end label when close, else a share."""
        u = self.to_unit(value)
        named = [*((self.low, self.labels[0]), (self.high, self.labels[1])), *self.points]
        best = min(named, key=lambda p: abs(p[0] - value))
        if best[1] and abs(best[0] - value) <= 0.05 * self.width:
            return best[1]
        if self.labels[1]:
            return f"{u:.0%} toward '{self.labels[1]}'"
        return f"{value:g}"
