"""Fit the report's figures to the dashboard's columns: :mod:`detente.report.fit`, which the report
also uses for phones (one home); the names stay importable from here."""

from __future__ import annotations

from detente.report.fit import EM, LINE, MIN_WIDTH, MODEBAR_H, TOP_PAD, fit, wrap

__all__ = ["EM", "LINE", "MIN_WIDTH", "MODEBAR_H", "TOP_PAD", "fit", "wrap"]
