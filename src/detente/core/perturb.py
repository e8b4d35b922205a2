"""Perturbation spec: the input uncertainty of a Monte Carlo sweep (data only).

A :class:`Perturbation` holds the *global* noise levels; per-stance uncertainty comes from the
scenario itself (``Stance.sd`` or ``Stance.low``/``Stance.high``, issue units) and is resolved by
:func:`detente.analysis.montecarlo.prepare`. The drawing rules (docs/uncertainty.md):

- position: ``x + sd·z`` clipped to the stance's ``[low, high]`` if given, else to the scale
  ``[0, 1]``; ``sd`` = the stance's own ``sd`` (issue units -> unit scale), else
  ``(high - low) / 3.92`` when only ``low``/``high`` are given (read as a 95 % range), else
  ``position_sd`` (unit scale, i.e. a share of the scale width);
- salience: ``s + salience_sd·z`` clipped to ``[0, 1]``;
- capability: ``c·exp(capability_sd·z)`` (median-preserving log-normal, stays >= 0);
- drop-out: each actor leaves a draw (all issues) with probability ``dropout``; a draw in which
  drop-out would empty an issue keeps every actor instead.

``z`` are independent standard normal draws. Clipping (not a truncated normal) keeps the median
of every input at its stated value; a truncated normal would push actors at the end of a scale
inwards on average.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from detente.errors import ScenarioError

#: metadata keys a scenario may use to set its own global uncertainty (values are numbers as text)
METADATA_KEYS: dict[str, str] = {
    "uncertainty.position_sd": "position_sd",
    "uncertainty.salience_sd": "salience_sd",
    "uncertainty.capability_sd": "capability_sd",
    "uncertainty.dropout": "dropout",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Perturbation:
    """Global noise levels of a sweep.

    ``position_sd`` (share of the scale width) applies to stances without their own ``sd`` or
    ``low``/``high``; ``salience_sd`` is absolute on [0, 1]; ``capability_sd`` is the sigma of a
    log-normal factor; ``dropout`` is the probability that an actor is absent from a draw.
    ``use_stances=False`` ignores the stances' own uncertainty.

    Examples
    --------
    >>> Perturbation().position_sd
    0.05
    >>> Perturbation.none().salience_sd
    0.0
    """

    position_sd: float = 0.05
    salience_sd: float = 0.1
    capability_sd: float = 0.2
    dropout: float = 0.0
    use_stances: bool = True

    def __post_init__(self) -> None:
        for name, high in (
            ("position_sd", 1.0),
            ("salience_sd", 1.0),
            ("capability_sd", 5.0),
            ("dropout", 1.0),
        ):
            v = getattr(self, name)
            ok = (
                isinstance(v, (int, float))
                and not isinstance(v, bool)
                and math.isfinite(v)
                and 0.0 <= v <= high
            )
            if not ok:
                raise ScenarioError(f"uncertainty.{name}: expected a number in [0, {high:g}], received {v!r}")
            object.__setattr__(self, name, float(v))
        if self.dropout >= 1.0:
            raise ScenarioError(
                f"uncertainty.dropout: expected a probability below 1, received {self.dropout!r}"
            )

    @classmethod
    def none(cls) -> Perturbation:
        """No noise at all (every draw equals the scenario)."""
        return cls(position_sd=0.0, salience_sd=0.0, capability_sd=0.0, dropout=0.0, use_stances=False)

    @classmethod
    def from_metadata(cls, metadata: tuple[tuple[str, str], ...], **overrides: float | None) -> Perturbation:
        """Defaults, then the scenario's ``uncertainty.*`` metadata, then non-None ``overrides``."""
        values: dict[str, float] = {}
        for key, text in metadata:
            if key in METADATA_KEYS:
                try:
                    values[METADATA_KEYS[key]] = float(text)
                except ValueError:
                    raise ScenarioError(f"metadata.{key}: expected a number, received {text!r}") from None
        for k, v in overrides.items():
            if v is not None:
                values[k] = float(v)
        return cls(**values)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, float | bool]:
        return {
            "position_sd": self.position_sd,
            "salience_sd": self.salience_sd,
            "capability_sd": self.capability_sd,
            "dropout": self.dropout,
            "use_stances": self.use_stances,
        }
