"""Per-issue summaries of an :class:`~detente.analysis.montecarlo.Ensemble`, in issue units.

- ``mean``, ``sd`` (sample, ``ddof=1``; 0 for one draw), quantiles 5/25/50/75/95 (linear
  interpolation, numpy's default);
- ``p_at_least[v]`` = share of draws with outcome ``>= v`` (issue units; ``1e-9`` of the scale
  width tolerance against rounding);
- ``p_win[actor]`` = share of draws whose outcome lies within ``WIN_BAND`` (10 %) of the scale
  from the actor's *stated* (base) position; only actors with a stance on the issue;
- ``status`` shares (converged / cycled / oscillating / capped / closed_form) for dynamic models.

Draws whose outcome is NaN (an issue with nobody present) are left out of every share.

:func:`issue_brief` condenses the models' point forecasts of one issue for the "In brief" read-out:
the lead model's forecast with its 90 % interval and the range of the models that give a
forecast; a model without one (NaN, e.g. the status quo where none is given) is left out of the
range and listed with its reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente.analysis.montecarlo import Ensemble
from detente.core.results import STATUSES

QUANTILES: tuple[int, ...] = (5, 25, 50, 75, 95)
WIN_BAND = 0.10


@dataclass(frozen=True, slots=True)
class IssueSummary:
    issue: str
    mean: float
    sd: float
    quantiles: dict[str, float]
    p_at_least: dict[str, float]
    p_win: dict[str, float]
    status: dict[str, float] = field(default_factory=dict)
    n_valid: int = 0

    def as_dict(self, *, with_status: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "issue": self.issue,
            "mean": self.mean,
            "sd": self.sd,
            # input uncertainty only (the sweep); a forecast's predictive quantiles are "quantiles" (issue #14)
            "input_quantiles": dict(self.quantiles),
            "p_at_least": dict(self.p_at_least),
            "p_win": dict(self.p_win),
        }
        if with_status:
            d["status"] = dict(self.status)
        return d


def threshold_key(value: float) -> str:
    """JSON key of a threshold value (``60.0`` -> ``"60"``)."""
    return f"{value:g}"


def summarize(ens: Ensemble, thresholds: dict[str, list[float]] | None = None) -> list[IssueSummary]:
    """One :class:`IssueSummary` per issue, in the issues' own units.

    ``thresholds`` maps an issue id to values ``v`` for ``P(outcome >= v)``.

    Examples
    --------
    >>> from detente.io.builtin import load_builtin
    >>> from detente.models import get_model
    >>> from detente.analysis.montecarlo import run_ensemble
    >>> ens = run_ensemble(get_model("compromise"), load_builtin("emission-standards-1994"), n_draws=200, seed=1)
    >>> s = summarize(ens, {"emission": [7.0]})[0]
    >>> 7.0 < s.quantiles["50"] < 8.0 and 0.5 < s.p_at_least["7"] <= 1.0
    True
    """
    thresholds = thresholds or {}
    raw = ens.raw_outcomes()
    out: list[IssueSummary] = []
    for i, issue in enumerate(ens.issue_ids):
        lo, hi = ens.scales[i]
        width = hi - lo
        col = raw[:, i]
        ok = np.isfinite(col)
        v = col[ok]
        n = int(v.size)
        if n == 0:
            nan = float("nan")
            out.append(IssueSummary(issue, nan, nan, {str(q): nan for q in QUANTILES}, {}, {}, {}, 0))
            continue
        mean = float(v.mean())
        sd = float(v.std(ddof=1)) if n > 1 else 0.0
        qs = np.quantile(v, [q / 100 for q in QUANTILES])
        quant = {str(q): float(x) for q, x in zip(QUANTILES, qs, strict=True)}
        pal = {threshold_key(t): float(np.mean(v >= t - 1e-9 * width)) for t in thresholds.get(issue, [])}
        unit = ens.outcomes[ok, i]
        pwin: dict[str, float] = {}
        for a, actor in enumerate(ens.actor_ids):
            if ens.base_present[a, i]:
                pwin[actor] = float(np.mean(np.abs(unit - ens.base_position[a, i]) <= WIN_BAND + 1e-12))
        st = ens.statuses[ok, i]
        status = {s: float(np.mean(st == s)) for s in STATUSES if np.any(st == s)}
        out.append(IssueSummary(issue, mean, sd, quant, pal, pwin, status, n))
    return out


def sweep_result(ens: Ensemble, thresholds: dict[str, list[float]] | None = None) -> dict[str, Any]:
    """``{"model", "issues": [...]}`` as in the ``detente sweep`` JSON (status shares for dynamic models)."""
    return {
        "model": ens.model,
        "issues": [s.as_dict(with_status=ens.dynamic) for s in summarize(ens, thresholds)],
    }


@dataclass(frozen=True, slots=True)
class IssueBrief:
    """One issue in brief (issue units): the lead model's forecast, its 90 % interval, the models' range.

    ``low``/``high`` are NaN when the lead model was not swept; ``range_low``/``range_high`` (and the
    models giving them) span only the models with a forecast; ``left_out`` maps each model without
    one to the reason.
    """

    issue: str
    lead: str
    forecast: float
    low: float
    high: float
    range_low: float
    range_low_model: str
    range_high: float
    range_high_model: str
    n_models: int
    left_out: dict[str, str] = field(default_factory=dict)
    detail: Any = None  # detente.analysis.intervals.IssueInterval: the interval's parts (issue #14)

    @property
    def has_interval(self) -> bool:
        return math.isfinite(self.low) and math.isfinite(self.high)


def issue_brief(
    issue: str,
    values: Mapping[str, float],
    *,
    lead: str = "compromise",
    interval: tuple[float, float] | None = None,
    reasons: Mapping[str, str] | None = None,
) -> IssueBrief:
    """Condense ``values`` (model -> point forecast, issue units) of one issue.

    Non-finite values are left out of the range; their model appears in ``left_out`` with
    ``reasons[model]`` (default ``"no forecast"``). ``interval`` is the lead model's 90 % interval.

    Examples
    --------
    >>> b = issue_brief("x", {"compromise": 40.0, "mean": 30.0, "status_quo": math.nan},
    ...                 interval=(35.0, 45.0), reasons={"status_quo": "no status quo given"})
    >>> b.range_low, b.range_low_model, b.range_high, b.range_high_model, b.left_out
    (30.0, 'mean', 40.0, 'compromise', {'status_quo': 'no status quo given'})
    """
    reasons = reasons or {}
    ok = {m: float(v) for m, v in values.items() if math.isfinite(float(v))}
    left_out = {m: reasons.get(m, "no forecast") for m in values if m not in ok}
    nan = math.nan
    lo_m = min(ok, key=ok.__getitem__) if ok else ""
    hi_m = max(ok, key=ok.__getitem__) if ok else ""
    lo, hi = interval if interval is not None else (nan, nan)
    return IssueBrief(
        issue=issue,
        lead=lead,
        forecast=ok.get(lead, nan),
        low=float(lo),
        high=float(hi),
        range_low=ok[lo_m] if ok else nan,
        range_low_model=lo_m,
        range_high=ok[hi_m] if ok else nan,
        range_high_model=hi_m,
        n_models=len(ok),
        left_out=left_out,
    )
