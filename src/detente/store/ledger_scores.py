"""Scores of the forecast ledger and its calibration table (``detente ledger score``).

Yes/no forecasts (a probability ``p``, outcome ``o`` in {0, 1}):

* **Brier score** ``(p - o)^2`` (Brier 1950, *Monthly Weather Review* 78(1); 0 is perfect,
  always saying 50 % scores 0.25), the ``score`` stored at resolution.
* **Log score** ``-ln(p)`` if it happened, ``-ln(1 - p)`` if not (Good 1952, *JRSS B* 14(1);
  Gneiting & Raftery 2007, *JASA* 102(477), section 4.1, negatively oriented; 0 is perfect,
  always saying 50 % scores ln 2 = 0.693). ``p`` is taken within [0.001, 0.999] for it, so a
  certain forecast that misses costs ln 1000 = 6.9, not infinity (its Brier score is 1).

Numeric forecasts recorded with quantiles ``q_a`` at levels ``a`` (the levels in percent):

* **CRPS** from the quantiles: ``(2/|A|) sum_a PB_a(q_a, y)`` with the pinball loss ``PB_a``
  (Berrisch & Ziel 2023, *J. Econometrics* 237(2), the quantile approximation of the CRPS;
  Gneiting & Raftery 2007, eq. 17/21), computed by ``scoringrules.crps_quantile``. In the
  units of the forecast; for the 19 levels 5 … 95 % it is the "quantile CRPS" of docs/calibration.md.
* **Interval coverage**: the share of outcomes inside the central 50/80/90 % interval
  ``[q_(50-c/2), q_(50+c/2)]`` (both ends counted inside), over the forecasts that have both ends.

The calibration table puts what the forecasts said beside what happened, one row per group:
``binary`` rows per tenth of probability (mean forecast vs share that happened), ``quantile``
rows per level (the level vs the share of outcomes at or below that quantile) and ``interval``
rows (nominal vs observed coverage). A calibrated forecaster has ``observed`` close to
``forecast`` on every row, within the sampling noise of ``n`` forecasts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

LOG_SCORE_FLOOR = 0.001
INTERVALS = (50, 80, 90)
BINARY_BINS = 10
CALIBRATION_COLUMNS = ("kind", "group", "n", "forecast", "observed")
CALIBRATION_WORDS = {
    "binary": ("yes/no ", "mean forecast"),
    "quantile": ("quantile ", "at or below"),
    "interval": ("", "inside"),
}
"""How the calibration table names a row of each kind (prefix of its group) and what its forecast
column means, in ``detente ledger score`` and on the dashboard's ledger page."""


def log_score(p: float, outcome: float) -> float:
    """Negatively oriented log score of probability ``p`` for an event that happened (1) or not (0).

    >>> round(log_score(0.5, 1), 4), round(log_score(0.8, 0), 4), round(log_score(1.0, 0), 4)
    (0.6931, 1.6094, 6.9078)
    """
    p = min(max(float(p), LOG_SCORE_FLOOR), 1.0 - LOG_SCORE_FLOOR)
    return -math.log(p if outcome == 1 else 1.0 - p)


def quantile_crps(outcomes: Sequence[float], quantiles: Sequence[dict[str, float]]) -> list[float]:
    """The quantile CRPS of each forecast (``scoringrules.crps_quantile``; forecasts with the same
    levels are scored together).

    >>> [round(x, 6) for x in quantile_crps([3.0], [{"10": 1.0, "50": 2.0, "90": 5.0}])]
    [0.6]
    """
    import numpy as np

    from detente.analysis.prob_scores import scoringrules

    sr = scoringrules()  # without its numba kernels, which it would compile on import (~20 s)

    out = [math.nan] * len(outcomes)
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, q in enumerate(quantiles):
        groups.setdefault(tuple(q), []).append(i)
    for levels, rows in groups.items():
        alpha = np.array([float(a) / 100.0 for a in levels])
        fct = np.array([[quantiles[i][a] for a in levels] for i in rows], dtype=float)
        obs = np.array([outcomes[i] for i in rows], dtype=float)
        scores = np.asarray(sr.crps_quantile(obs, fct, alpha, backend="numpy"), dtype=float)
        for i, s in zip(rows, scores.reshape(-1), strict=True):
            out[i] = float(s)
    return out


def _mean(xs: Sequence[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def _binary_rows(pairs: Sequence[tuple[float, float]]) -> list[dict[str, Any]]:
    rows = []
    for b in range(BINARY_BINS):
        lo, hi = b / BINARY_BINS, (b + 1) / BINARY_BINS
        inside = [(p, o) for p, o in pairs if lo <= p < hi or (b == BINARY_BINS - 1 and p == 1.0)]
        rows.append(
            {
                "kind": "binary",
                "group": f"{100 * lo:g}-{100 * hi:g} %",
                "n": len(inside),
                "forecast": _mean([p for p, _ in inside]),
                "observed": _mean([o for _, o in inside]),
            }
        )
    return rows


def _quantile_rows(pairs: Sequence[tuple[float, dict[str, float]]]) -> list[dict[str, Any]]:
    levels = sorted({a for _, q in pairs for a in q}, key=float)
    rows = []
    for a in levels:
        below = [1.0 if y <= q[a] else 0.0 for y, q in pairs if a in q]
        rows.append(
            {
                "kind": "quantile",
                "group": f"{a} %",
                "n": len(below),
                "forecast": float(a) / 100.0,
                "observed": _mean(below),
            }
        )
    return rows


def _ends(c: int) -> tuple[str, str]:
    """The quantile levels that bound the central ``c`` % interval: 80 -> ("10", "90")."""
    return f"{50 - c / 2:g}", f"{50 + c / 2:g}"


def interval_hits(outcome: float, quantiles: dict[str, float]) -> list[tuple[int, float, float, bool]]:
    """(c, lower end, upper end, outcome inside) for each central 50/80/90 % interval the quantiles
    have both ends of (both ends counted inside, as in the coverage of :func:`ledger_summary`).

    >>> interval_hits(55, {"10": 30.0, "50": 40.0, "90": 45.0})
    [(80, 30.0, 45.0, False)]
    """
    out = []
    for c in INTERVALS:
        lo, hi = _ends(c)
        if lo in quantiles and hi in quantiles:
            out.append((c, quantiles[lo], quantiles[hi], quantiles[lo] <= outcome <= quantiles[hi]))
    return out


def _interval_rows(pairs: Sequence[tuple[float, dict[str, float]]]) -> list[dict[str, Any]]:
    rows = []
    for c in INTERVALS:
        lo, hi = _ends(c)
        inside = [1.0 if q[lo] <= y <= q[hi] else 0.0 for y, q in pairs if lo in q and hi in q]
        rows.append(
            {
                "kind": "interval",
                "group": f"central {c} %",
                "n": len(inside),
                "forecast": c / 100.0,
                "observed": _mean(inside),
            }
        )
    return rows


def ledger_summary(entries: Iterable[Any]) -> dict[str, Any]:
    """Counts, mean scores and the calibration table of ledger entries (``store.LedgerEntry``);
    only the current resolution of each forecast counts."""
    entries = list(entries)
    binary = [(e.value, e.outcome, e.score) for e in entries if e.kind == "binary" and e.outcome is not None]
    numeric = [e for e in entries if e.kind == "numeric" and e.outcome is not None]
    with_q = [(float(e.outcome), e.quantiles) for e in numeric if e.quantiles]
    crps = quantile_crps([y for y, _ in with_q], [q for _, q in with_q]) if with_q else []
    intervals = _interval_rows(with_q)
    out: dict[str, Any] = {
        "forecasts": len(entries),
        "resolved": len(binary) + len(numeric),
        "open": len(entries) - len(binary) - len(numeric),
        "binary_resolved": len(binary),
        "mean_brier": _mean([s for _, _, s in binary]),
        "mean_log_score": _mean([log_score(p, o) for p, o, _ in binary]),
        "numeric_resolved": len(numeric),
        "mean_absolute_error": _mean([float(e.score) for e in numeric]),
        "numeric_with_quantiles": len(with_q),
        "mean_crps": _mean(crps),
        "coverage": {str(c): row["observed"] for c, row in zip(INTERVALS, intervals, strict=True)},
        "calibration": _binary_rows([(p, o) for p, o, _ in binary]) + _quantile_rows(with_q) + intervals,
    }
    return out
