"""What every JSON document model shares: ``Num`` and the ``_Doc`` base that forbids unknown keys."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

Num = float | None
"""A number, or ``null`` where it is undefined (no forecast, no draw with a value, NaN)."""


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")
