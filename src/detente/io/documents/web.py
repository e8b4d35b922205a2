"""Documents of the web API: forecast (and what-if sides), sweep and simulate job results.

Re-exported by :mod:`detente.io.documents` (see its table).
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import Field

from detente.io.documents._base import Num, _Doc
from detente.io.documents.analysis import (
    Intervals,
    IntervalSource,
    PHighEnd,
    PLowEnd,
    Quantiles,
    predictive_fields,
)
from detente.io.documents.runs import SimulateDocument, simulate_document
from detente.io.results import _jsonable, forecast_to_dict


# ================================================================================ web
class WebForecastIssue(_Doc):
    issue: str
    name: str
    forecast: Num
    in_words: str = Field(description="The forecast in the scale's words, or why there is none.")
    scale: tuple[float, float]
    status: str
    # the predictive distribution as in ``detente forecast --format json`` (its default calibration)
    quantiles: Quantiles = None
    p_low_end: PLowEnd = None
    p_high_end: PHighEnd = None
    interval_source: IntervalSource = None
    intervals: Intervals = None


class WebForecast(_Doc):
    """A forecast in the API (``/api/forecast``; each side of ``/api/whatif``) and the dashboard."""

    scenario: str
    model: str
    params: dict[str, Any]
    seed: int | None
    input_sha256: str
    detente_version: str = Field(description="detente's version, as in the CLI's documents.")
    issues: list[WebForecastIssue]
    interval_caveat: str = Field(
        default="",
        description="What applying the error model learned on EU legislation to this scenario implies "
        "(empty when it is EU legislation), as under detente run's brief.",
    )
    run_id: int | None = Field(default=None, description="With record: the stored run.")


class WebWhatIf(_Doc):
    """``/api/whatif``."""

    baseline: WebForecast
    whatif: WebForecast


class WebSweepIssue(_Doc):
    issue: str
    name: str
    p05: Num
    p25: Num
    median: Num
    p75: Num
    p95: Num
    mean: Num


class WebSweep(_Doc):
    """The result of an API sweep job (``/api/jobs/{id}``)."""

    scenario: str
    model: str
    draws: int = Field(description="The number of Monte Carlo draws (the request's draws, --draws).")
    seed: int
    issues: list[WebSweepIssue]
    run_id: int | None = Field(default=None, description="The stored run (once the job is done).")


class SimHeadline(_Doc):
    p_ceasefire_6: Num
    p_ceasefire_12: Num
    p_sanctions: Num
    alignment_mean: Num
    p_strong_communique: Num
    p_settlement: Num


class WebSimulate(_Doc):
    """The result of an API simulate job (``/api/jobs/{id}``): the ``detente simulate`` document as ``summary``."""

    scenario: str
    draws: int = Field(description="The number of simulator runs (the request's draws, --draws).")
    seed: int
    months: int
    headline: SimHeadline
    summary: SimulateDocument


def web_forecast(scenario: Any, fc: Any, pred: Any = None, caveat: str = "") -> dict[str, Any]:
    """A forecast for the API and the dashboard: the CLI's result (:func:`forecast_to_dict`) with
    each issue's name and the forecast in words (or why there is none); ``pred``: its predictive
    distribution (``analysis.runs.predictive``), whose :func:`predictive_fields` each issue gets as
    in ``detente forecast --format json``; ``caveat``: ``analysis.intervals.domain_caveat`` (short)."""
    base = forecast_to_dict(fc, scenario)
    issues = []
    for k, (issue, entry) in enumerate(zip(scenario.issues, base["issues"], strict=True)):
        v = float(fc.outcome[k])
        ok = math.isfinite(v)
        issues.append(
            {
                "issue": entry["issue"],
                "name": issue.name,
                "forecast": entry["forecast"],
                "in_words": issue.scale.describe(v, reference=issue.reference)
                if ok
                else entry.get("reason", ""),
                "scale": entry["scale"],
                "status": entry["status"],
                **(predictive_fields(pred, k, 0) if pred is not None else {}),
            }
        )
    return {
        "scenario": scenario.id,
        "model": base["model"],
        "params": base["params"],
        "seed": base["seed"],
        "input_sha256": base["input_sha256"],
        "detente_version": base["detente_version"],
        "issues": issues,
        "interval_caveat": caveat,
    }


def web_sweep(scenario: Any, model: str, ens: Any, *, draws: int, seed: int) -> dict[str, Any]:
    """A sweep for the API and the dashboard: the 5/25/50/75/95 % quantiles and the mean of each
    issue from the same summaries as ``detente sweep`` (``analysis.summary.summarize``)."""
    from detente.analysis.summary import summarize

    issues = []
    for issue, s in zip(scenario.issues, summarize(ens), strict=True):
        q = s.quantiles
        issues.append(
            {
                "issue": s.issue,
                "name": issue.name,
                "p05": q["5"],
                "p25": q["25"],
                "median": q["50"],
                "p75": q["75"],
                "p95": q["95"],
                "mean": s.mean,
            }  # fmt: skip
        )
    return _jsonable(  # type: ignore[no-any-return]
        {"scenario": scenario.id, "model": model, "draws": draws, "seed": seed, "issues": issues}
    )


def web_simulate(
    scenario_id: str, result: Any, *, draws: int, seed: int, months: int, scenario: Any = None
) -> dict[str, Any]:
    """A simulator run for the API and the dashboard: its headline and the ``detente simulate`` document
    (with the scenario's id, title and sha256 when ``scenario`` is given)."""
    from detente.sim.summary import headline

    return _jsonable(  # type: ignore[no-any-return]
        {
            "scenario": scenario_id,
            "draws": draws,
            "seed": seed,
            "months": months,
            "headline": headline(result),
            "summary": simulate_document(result, scenario=scenario),
        }
    )
