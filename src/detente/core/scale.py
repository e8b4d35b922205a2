"""Issue scales: raw units <-> the unit interval used by every kernel."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from detente._typing import FloatArray
from detente.errors import ScenarioError

AT_POINT = 0.005
"""``Scale.describe``: a value this close to a labelled point (share of the scale's width) is at it."""
NEAR_POINT = 0.025
"""``Scale.describe``: a value this close to a labelled point is near it."""


MAX_ABS = 1e15
"""Largest ``|low|`` or ``|high|`` of a scale: its width and the unit conversions then stay exact to
about 1e-1 of a unit and far from overflow (a scale of ±1e308 overflowed every conversion)."""


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
        for name in ("low", "high"):
            v = getattr(self, name)
            if isinstance(v, (np.integer, np.floating)):  # a value from a NumPy array or a pandas frame
                object.__setattr__(self, name, v.item())
            elif isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ScenarioError(f"scale: {name}: expected a finite number, received {v!r}")
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ScenarioError(
                f"scale: low and high must be finite numbers (received {self.low}, {self.high})"
            )
        if not self.high > self.low:
            raise ScenarioError(
                f"scale: high must be greater than low (received low={self.low}, high={self.high})"
            )
        if not math.isfinite(self.high - self.low) or max(abs(self.low), abs(self.high)) > MAX_ABS:
            # ±1e308 passed the checks above, then every unit conversion overflowed to inf and NaN
            raise ScenarioError(
                f"scale: low and high must lie within ±{MAX_ABS:g} (received {self.low:g}, {self.high:g})"
            )
        for value, _name in self.points:
            if not (self.low <= value <= self.high):
                raise ScenarioError(f"scale.points: {value} lies outside [{self.low}, {self.high}]")

    @property
    def width(self) -> float:
        return self.high - self.low

    def contains(self, value: float) -> bool:
        return (
            math.isfinite(value) and self.low - 1e-12 * self.width <= value <= self.high + 1e-12 * self.width
        )

    def to_unit(self, value: float) -> float:
        return (value - self.low) / self.width

    def from_unit(self, value: float) -> float:
        return self.low + value * self.width

    def to_unit_array(self, values: npt.ArrayLike) -> FloatArray:
        return to_unit(values, (self.low, self.high))

    def from_unit_array(self, values: npt.ArrayLike) -> FloatArray:
        return from_unit(values, (self.low, self.high))

    def describe(
        self, value: float, *, reference: float | None = None, label_width: int | None = None
    ) -> str:
        """Plain words for a value, relative to the labelled points of the scale.

        The anchors are the two ends (with their labels), the named ``points`` and the ``reference``
        point (the status quo) when given: its own label if a named point or an end sits there, else
        'status quo'. A value at a labelled anchor (within 0.5 % of the scale's width) is its label,
        one within 2.5 % is "near" it; otherwise it is placed between the two anchors around it,
        counted from the one nearer the centre of the scale (the reference point, else a named point
        at the midpoint, else the low end), so a two-sided scale reads as a direction from its status
        quo or midpoint. A scale without labels gives the number itself. ``label_width`` shortens the
        labels of a sentence that names two of them to that many characters each (for narrow table
        columns: the sentence keeps both ends).

        Examples
        --------
        >>> s = Scale(low=-20, high=20, labels=("cut 20 %", "raise 20 %"), points=((0, "no change"),))
        >>> s.describe(0.0), s.describe(5.0), s.describe(-5.0)
        ('no change', "25% of the way from 'no change' to 'raise 20 %'", "25% of the way from 'no change' to 'cut 20 %'")
        >>> Scale(low=0, high=10, labels=("early", "late")).describe(5.0)
        "midway between 'early' and 'late'"
        >>> Scale(low=0, high=100, labels=("none", "all")).describe(40.0, reference=20.0)
        "25% of the way from 'status quo' to 'all'"
        >>> Scale(low=0, high=10, labels=("none at all", "every single one")).describe(3.0, label_width=6)
        "30% of the way from 'none…' to 'every…'"
        """
        if not math.isfinite(value):
            return f"{value:g}"
        eps = 1e-9 * self.width
        anchors: dict[float, str] = {}
        for pos, label in ((self.low, self.labels[0]), (self.high, self.labels[1]), *self.points):
            if label or float(pos) not in anchors:
                anchors[float(pos)] = label
        if reference is not None and math.isfinite(reference):
            at = [p for p in anchors if abs(p - reference) <= eps]
            if not at:
                anchors[float(reference)] = "status quo"
            elif not anchors[at[0]]:
                anchors[at[0]] = "status quo"
        labelled = [(p, lab) for p, lab in anchors.items() if lab]
        if not labelled:
            return f"{value:g}"
        near = min(labelled, key=lambda a: abs(a[0] - value))
        if abs(near[0] - value) <= AT_POINT * self.width:
            return near[1]
        if abs(near[0] - value) <= NEAR_POINT * self.width:
            return f"near '{near[1]}'"
        order = sorted(anchors)

        def name(p: float) -> str:
            lab = anchors[p]
            if label_width is not None and len(lab) > label_width:
                lab = lab[: max(1, label_width - 1)].rstrip() + "…"
            return f"'{lab}'" if lab else f"{p:g}"

        if value < order[0]:
            return f"below {name(order[0])}"
        if value > order[-1]:
            return f"above {name(order[-1])}"
        below = max(p for p in order if p <= value)
        above = min(p for p in order if p >= value)
        if not (anchors[below] or anchors[above]):
            return f"{value:g}"
        mid = 0.5 * (self.low + self.high)
        if reference is not None and math.isfinite(reference):
            centre: float | None = float(reference)
        elif any(abs(p - mid) <= eps and anchors[p] for p in anchors):
            centre = mid
        else:
            centre = None
        if centre is not None and abs(above - centre) < abs(below - centre):
            origin, target = above, below
        else:
            origin, target = below, above
        share = abs(value - origin) / abs(target - origin)
        if round(100 * share) == 50:
            return f"midway between {name(origin)} and {name(target)}"
        return f"{share:.0%} of the way from {name(origin)} to {name(target)}"


Scales: TypeAlias = "Iterable[tuple[float, float] | Scale] | tuple[float, float] | npt.ArrayLike"
"""One scale as a ``(low, high)`` pair, or a sequence of ``(low, high)`` pairs / :class:`Scale` (one per issue)."""


def bounds(scales: Scales) -> tuple[FloatArray, FloatArray]:
    """``(low, high)`` as float64 arrays: shape ``()`` for one ``(low, high)`` pair, ``(I,)`` for I scales.

    >>> bounds([(0, 10), Scale(low=-1, high=1)])
    (array([ 0., -1.]), array([10.,  1.]))
    """
    pairs: object = scales
    if not isinstance(scales, np.ndarray) and isinstance(scales, Iterable):
        pairs = [(s.low, s.high) if isinstance(s, Scale) else s for s in scales]
    arr = np.asarray(pairs, dtype=np.float64)
    if arr.shape[-1:] != (2,) or arr.ndim > 2:
        raise ValueError(f"scales: expected (low, high) pairs, received an array of shape {arr.shape}")
    return arr[..., 0], arr[..., 1]


def from_unit(values: npt.ArrayLike, scales: Scales) -> FloatArray:
    """Unit-interval values (..., I) -> issue units: ``low + u · (high − low)`` per issue (last axis).

    The one conversion from the kernels' unit scale to the issues' own units (NaN stays NaN).

    >>> from_unit([[0.0, 0.5], [1.0, 0.25]], [(0, 10), (-1, 1)]).tolist()
    [[0.0, 0.0], [10.0, -0.5]]
    >>> float(from_unit(0.5, (0, 100)))
    50.0
    """
    lo, hi = bounds(scales)
    return np.asarray(lo + np.asarray(values, dtype=np.float64) * (hi - lo), dtype=np.float64)


def to_unit(values: npt.ArrayLike, scales: Scales) -> FloatArray:
    """Issue-unit values (..., I) -> the unit interval: ``(x − low) / (high − low)`` per issue (last axis).

    >>> to_unit([5.0, 0.0], [(0, 10), (-1, 1)]).tolist()
    [0.5, 0.5]
    """
    lo, hi = bounds(scales)
    return np.asarray((np.asarray(values, dtype=np.float64) - lo) / (hi - lo), dtype=np.float64)
