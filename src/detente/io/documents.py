"""The JSON documents detente writes, in one place: a pydantic model and one builder per document.

The CLI's ``--format json`` and the web service build their JSON with the functions here, so a
shape is written once; the models describe the same shapes for tools and tests (every model
forbids keys it does not name, so an unexpected key fails validation). ``python -m
detente.io.documents [FOLDER]`` writes their JSON Schemas (default ``docs/schema/``); docs/json.md
explains each document.

=========================  ==================================  ======================================
document                   written by                          builder
=========================  ==================================  ======================================
``ForecastDocument``       ``detente forecast --format json``  :func:`forecast_document`
``SweepDocument``          ``detente sweep --format json``     :func:`sweep_document`
``LeversDocument``         ``detente levers --format json``    :func:`levers_document`
``CohesionDocument``       ``detente cohesion --format json``  :func:`cohesion_document`
``SensitivityDocument``    ``detente sensitivity --format json``  :func:`sensitivity_document`
``SimulateDocument``       ``detente simulate --format json``  :func:`simulate_document`
``BacktestDocument``       ``detente backtest --format json``  :func:`backtest_document`
``LedgerEntryDocument``    ``detente ledger add/resolve``      :func:`ledger_entry_document`
``LedgerListDocument``     ``detente ledger list``             :func:`ledger_list_document`
``LedgerHistoryDocument``  ``detente ledger history``          :func:`ledger_history_document`
``LedgerScoreDocument``    ``detente ledger score``            :func:`ledger_score_document`
``WebForecast``            API forecast, what-if sides         :func:`web_forecast`
``WebSweep``               API sweep job result                :func:`web_sweep`
``WebSimulate``            API simulate job result             :func:`web_simulate`
=========================  ==================================  ======================================

Numbers that are not finite (NaN, inf) are written as ``null``.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from detente._version import __version__
from detente.io.results import _jsonable, forecast_to_dict

Num = float | None
"""A number, or ``null`` where it is undefined (no forecast, no draw with a value, NaN)."""


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ================================================================================ forecast
class TrajectoryEntry(BaseModel):
    """One round of a dynamic model: positions (issue units) of the actors present, plus the
    per-round statistics the model reports (e.g. EUM ``median``/``mean``, exchange ``outcome``,
    ``stat``), each a number."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, Num] = Field(init=False)

    round: int
    positions: dict[str, Num]


class ForecastIssue(_Doc):
    issue: str
    forecast: Num = Field(description="In the issue's units; null when the model gives none (see reason).")
    scale: tuple[float, float] = Field(description="The issue's two ends [low, high].")
    trajectory: list[TrajectoryEntry] | None = Field(
        description="One entry per round; null for static models."
    )
    status: Literal["converged", "cycled", "oscillating", "capped", "closed_form"]
    reason: str | None = Field(
        default=None, description="Why there is no forecast (only when forecast is null)."
    )
    rounds: int | None = Field(default=None, description="Rounds run (dynamic models only).")
    period: int | None = Field(default=None, description="Length of a detected cycle (when there is one).")
    flags: list[str] | None = Field(default=None, description="Notable fallbacks, e.g. nbs_infeasible.")


class ExchangeRecord(_Doc):
    """One realised exchange of the exchange model (unit scale)."""

    batch: int
    round: int
    step: int
    i: str
    j: str
    p: str
    q: str
    y_i_before: float
    y_i_after: float
    y_j_before: float
    y_j_after: float
    move_i: float
    move_j: float
    dO_p: float
    dO_q: float
    outcome_p: float
    outcome_q: float
    gain_i: float
    gain_j: float
    rate: Num
    externalities: dict[str, Num]


class ForecastResult(_Doc):
    """One model's forecast of every issue (``io.results.forecast_to_dict``)."""

    model: str
    params: dict[str, Any]
    seed: int | None
    input_sha256: str
    detente_version: str
    issues: list[ForecastIssue]
    exchanges: list[ExchangeRecord] | None = None


class ScenarioRef(_Doc):
    id: str
    title: str
    sha256: str


class ForecastDocument(_Doc):
    """``detente forecast --format json``."""

    detente_version: str
    scenario: ScenarioRef
    results: list[ForecastResult]


def forecast_document(scenario: Any, forecasts: Iterable[Any]) -> dict[str, Any]:
    """The ``detente forecast`` document of ``forecasts`` (one per model) on ``scenario``."""
    from detente.core.hashing import scenario_hash

    return {
        "detente_version": __version__,
        "scenario": {"id": scenario.id, "title": scenario.title, "sha256": scenario_hash(scenario)},
        "results": [forecast_to_dict(f, scenario) for f in forecasts],
    }


# ================================================================================ sweep
class SweepIssue(_Doc):
    issue: str
    mean: Num
    sd: Num
    quantiles: dict[str, Num] = Field(description='Keys "5", "25", "50", "75", "95" (percent).')
    p_at_least: dict[str, Num] = Field(description='Threshold (as text, e.g. "60") -> share of draws >= it.')
    p_win: dict[str, Num] = Field(
        description="Actor -> share of draws within 10 % of the scale of its position."
    )
    status: dict[str, Num] | None = Field(
        default=None, description="Dynamic models: share of draws per status."
    )


class SweepResult(_Doc):
    model: str
    issues: list[SweepIssue]


class SweepDocument(_Doc):
    """``detente sweep --format json``."""

    detente_version: str
    seed: int
    draws: int
    results: list[SweepResult]


def sweep_document(
    ensembles: Iterable[Any], thresholds: dict[str, list[float]] | None, *, seed: int, draws: int
) -> dict[str, Any]:
    """The ``detente sweep`` document: per model, the summaries of ``analysis.summary.summarize``."""
    from detente.analysis.summary import sweep_result

    results = [sweep_result(e, thresholds) for e in ensembles]
    return _jsonable({"detente_version": __version__, "seed": seed, "draws": draws, "results": results})  # type: ignore[no-any-return]


# ================================================================================ levers
class Target(_Doc):
    op: Literal[">=", "<="]
    value: float


class Lever(_Doc):
    actor: str
    input: Literal["position", "salience", "capability"]
    feasible: bool
    base: Num
    value: Num
    change: Num
    forecast: Num
    effort: Num
    statement: str


class LeversDocument(_Doc):
    """``detente levers --format json``."""

    model: str
    issue: str
    target: Target
    forecast: Num
    already: bool
    levers: list[Lever]


def lever_rows(res: Any, issue_name: str, target: str) -> list[dict[str, Any]]:
    """One row per actor and input of an ``analysis.inverse`` result (the JSON levers, the CSV rows)."""
    return [
        {
            "actor": lv.actor,
            "input": lv.input,
            "feasible": lv.feasible,
            "base": lv.base,
            "value": lv.value,
            "change": lv.change if lv.feasible else None,
            "forecast": lv.outcome,
            "effort": lv.effort,
            "statement": lv.sentence(issue_name, target),
        }
        for lv in res.levers
    ]


def levers_document(
    model: str, issue: str, op: str, value: float, res: Any, issue_name: str
) -> dict[str, Any]:
    """The ``detente levers`` document of ``res`` (``analysis.inverse.what_it_takes``)."""
    return _jsonable(  # type: ignore[no-any-return]
        {
            "model": model,
            "issue": issue,
            "target": {"op": op, "value": value},
            "forecast": res.base_outcome,
            "already": res.already,
            "levers": lever_rows(res, issue_name, f"{op} {value:g}"),
        }
    )


# ================================================================================ cohesion
class CohesionIssue(BaseModel):
    """Distance of the two groups on one issue, plus ``position_<group>`` for each group."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, Num] = Field(init=False)

    issue: str
    distance: Num
    share: Num


class CohesionDocument(_Doc):
    """``detente cohesion --format json``."""

    groups: tuple[str, str]
    members: dict[str, list[str]]
    index: Num
    within: dict[str, Num]
    issues: list[CohesionIssue]
    splits: list[str]
    coalitions: list[list[str]]
    map: dict[str, tuple[float, float]]


def cohesion_rows(c: Any, a: str, b: str) -> list[dict[str, Any]]:
    """One row per issue of an ``analysis.coalitions.cohesion`` result (the JSON issues, the CSV rows)."""
    return [
        {
            "issue": iid,
            "distance": float(c.distance[k]),
            "share": float(c.split_share[k]),
            "position_" + a: float(c.mean_a[k]),
            "position_" + b: float(c.mean_b[k]),
        }
        for k, iid in enumerate(c.issue_ids)
    ]


def cohesion_document(a: str, b: str, c: Any, cm: Any) -> dict[str, Any]:
    """The ``detente cohesion`` document: cohesion ``c`` of groups ``a``/``b`` and coalition map ``cm``."""
    return _jsonable(  # type: ignore[no-any-return]
        {
            "groups": [a, b],
            "members": {a: list(c.members_a), b: list(c.members_b)},
            "index": c.index,
            "within": {a: c.within_a, b: c.within_b},
            "issues": cohesion_rows(c, a, b),
            "splits": [s[0] for s in c.splits(3)],
            "coalitions": [list(bl) for bl in cm.blocs()],
            "map": {
                aid: [float(cm.coords[k, 0]), float(cm.coords[k, 1])] for k, aid in enumerate(cm.actor_ids)
            },
        }
    )


# ================================================================================ sensitivity
class TornadoInput(_Doc):
    actor: str
    input: str
    on_issue: str
    low: Num
    high: Num
    forecast_low: Num
    forecast_high: Num
    swing: Num


class TornadoIssue(_Doc):
    issue: str
    forecast: Num
    top: list[TornadoInput]


class KnockoutIssue(_Doc):
    issue: str
    forecast: Num
    without: dict[str, Num]
    change: dict[str, Num]


class SobolInput(_Doc):
    actor: str
    input: str
    first: Num
    total: Num


class SobolIssue(_Doc):
    issue: str
    variance: Num
    top: list[SobolInput]


class TornadoDocument(_Doc):
    model: str
    method: Literal["tornado"]
    issues: list[TornadoIssue]


class KnockoutDocument(_Doc):
    model: str
    method: Literal["knockout"]
    issues: list[KnockoutIssue]


class SobolDocument(_Doc):
    model: str
    method: Literal["sobol"]
    draws: int
    seed: int
    issues: list[SobolIssue]


class SensitivityDocument(
    RootModel[Annotated[TornadoDocument | KnockoutDocument | SobolDocument, Field(discriminator="method")]]
):
    """``detente sensitivity --format json``: one of three documents, told apart by ``method``."""


def tornado_rows(tor: Any, issues: Sequence[str], top: int) -> list[dict[str, Any]]:
    return [
        {
            "issue": iid,
            "forecast": float(tor.base[tor.issue_ids.index(iid)]),
            "top": [
                {
                    "actor": c.actor,
                    "input": c.input,
                    "on_issue": c.issue,
                    "low": c.low,
                    "high": c.high,
                    "forecast_low": lo,
                    "forecast_high": hi,
                    "swing": sw,
                }
                for c, lo, hi, sw in tor.top(iid, top)
            ],
        }
        for iid in issues
    ]


def knockout_rows(ko: Any, issues: Sequence[str]) -> list[dict[str, Any]]:
    return [
        {
            "issue": iid,
            "forecast": float(ko.base[ko.issue_ids.index(iid)]),
            "without": {a: float(ko.without[k, ko.issue_ids.index(iid)]) for k, a in enumerate(ko.actor_ids)},
            "change": {a: float(ko.delta[k, ko.issue_ids.index(iid)]) for k, a in enumerate(ko.actor_ids)},
        }
        for iid in issues
    ]


def sobol_rows(sob: Any, issues: Sequence[str], top: int) -> list[dict[str, Any]]:
    return [
        {
            "issue": iid,
            "variance": float(sob.variance[sob.issue_ids.index(iid)]),
            "top": [{"actor": g[0], "input": g[1], "first": f, "total": t} for g, f, t in sob.top(iid, top)],
        }
        for iid in issues
    ]


def sensitivity_document(
    model: str, method: str, rows: list[dict[str, Any]], *, draws: int | None = None, seed: int | None = None
) -> dict[str, Any]:
    """The ``detente sensitivity`` document of ``rows`` (:func:`tornado_rows`, :func:`knockout_rows`
    or :func:`sobol_rows`); the Sobol document also names its ``draws`` and ``seed``."""
    head: dict[str, Any] = {"model": model, "method": method}
    if method == "sobol":
        head |= {"draws": draws, "seed": seed}
    return _jsonable({**head, "issues": rows})  # type: ignore[no-any-return]


# ================================================================================ simulate
class MonthRow(_Doc):
    month: int
    p_ceasefire: Num
    p_settlement: Num
    p_decision: Num
    p_sanctions: Num


class Durations(_Doc):
    n: int
    median: Num
    p25: Num
    p75: Num
    p90: Num
    mean: Num


class Ceasefires(_Doc):
    count: int
    runs_with_any: Num
    mean_per_run: Num
    share_broken: Num
    duration_broken_months: Durations
    duration_all_months: Durations
    share_within_7_days: Num
    share_partial: Num
    share_imposed: Num
    guar: dict[str, Num]
    mean_monthly_hazard: Num


class Sanctions(_Doc):
    p_by_end: Num
    mean_level_end: Num


class Summit(_Doc):
    alignment_mean: Num
    alignment_p10: Num
    alignment_p90: Num
    p_strong_communique: Num


class Agreements(_Doc):
    pre_meetings_mean: Num
    humanitarian_mean: Num
    partial_ceasefires_mean: Num
    comprehensive_share: Num
    partial_per_comprehensive: Num


class Fearon(_Doc):
    offer: Num
    expected_payoff_R: Num
    bargaining_range: tuple[Num, Num]
    range_nonempty: bool
    p_war: Num
    first_offer_accepted: Num


class Outcomes(_Doc):
    shares: dict[str, Num]
    ceasefires: Ceasefires
    sanctions: Sanctions
    summit: Summit
    agreements: Agreements
    blame_end_mean: Num
    war_months_mean: Num
    fearon: Fearon | None = Field(default=None, description="--preset fearon only.")


class Terms(_Doc):
    n_settlements: int
    terr: dict[str, Num]
    buf: dict[str, Num]
    cap: dict[str, Num]
    align: dict[str, Num]
    guar: dict[str, Num]
    terr_mean: Num = Field(default=None, description="When there is a settlement.")
    ceasefire_guar: dict[str, Num]


class SimulateDocument(_Doc):
    """``detente simulate --format json`` (``sim.summary.summarize``)."""

    detente_version: str
    seed: int
    runs: int
    months: int
    monthly: list[MonthRow]
    outcomes: Outcomes
    terms: Terms
    first_mover_share: Num = Field(default=None, description="--preset rubinstein only.")
    agreement_round: int | None = Field(default=None, description="--preset rubinstein only.")


def simulate_document(result: Any) -> dict[str, Any]:
    """The ``detente simulate`` document of a ``sim.engine.SimResult``."""
    from detente.sim.summary import summarize

    return summarize(result, version=__version__)


# ================================================================================ backtest
class ModelSettings(BaseModel):
    """The class of a model and its parameters (any names)."""

    model_config = ConfigDict(extra="allow")

    class_: str = Field(alias="class")


class BacktestSettings(_Doc):
    data: str
    capability: str
    missing_salience: str
    seed: int
    bootstrap: str
    models: dict[str, ModelSettings | None] = Field(description="null for the data set's own baselines.")


class PairedDifference(_Doc):
    n: int
    diff: Num
    ci: tuple[Num, Num]


class LeaderboardRow(_Doc):
    model: str
    n: int
    mae: Num
    rmse: Num
    median_ae: Num
    hit_rate: Num
    per_proposal_mae: Num
    mae_ci: tuple[Num, Num]
    rmse_ci: tuple[Num, Num]
    hit_rate_ci: tuple[Num, Num]
    diff_vs_compromise: PairedDifference | None = None
    crps: Num = Field(default=None, description="Probabilistic models only.")
    coverage80: Num = Field(default=None, description="Probabilistic models only.")
    failures: int
    statuses: dict[str, int]


class BacktestDocument(_Doc):
    """``detente backtest --format json``."""

    settings: BacktestSettings
    n_issues: int
    n_proposals: int
    leaderboard: list[LeaderboardRow]
    runtime_s: dict[str, float]
    failures: dict[str, list[str]]
    skipped_issues: list[str]


def leaderboard_row(r: Mapping[str, Any]) -> dict[str, Any]:
    """A row of ``analysis.backtest.leaderboard`` as JSON: intervals as lists, the paired difference
    as ``{"n", "diff", "ci"}``."""
    out = dict(r)
    for k in ("mae_ci", "rmse_ci", "hit_rate_ci"):
        out[k] = list(r[k])
    d = r.get("diff_vs_compromise")
    if d is not None:
        out["diff_vs_compromise"] = {"n": d["n"], "diff": d["diff"], "ci": [d["low"], d["high"]]}
    return out


def backtest_document(
    settings: Mapping[str, Any],
    *,
    n_issues: int,
    n_proposals: int,
    rows: Iterable[Mapping[str, Any]],
    runtime_s: Mapping[str, float],
    failures: Mapping[str, list[str]],
    skipped_issues: Sequence[str],
) -> dict[str, Any]:
    """The ``detente backtest`` document (times in seconds, rounded to ms)."""
    return _jsonable(  # type: ignore[no-any-return]
        {
            "settings": settings,
            "n_issues": n_issues,
            "n_proposals": n_proposals,
            "leaderboard": [leaderboard_row(r) for r in rows],
            "runtime_s": {k: round(v, 3) for k, v in runtime_s.items()},
            "failures": failures,
            "skipped_issues": list(skipped_issues),
        }
    )


# ================================================================================ ledger
class LedgerEntryDocument(_Doc):
    """One forecast of the ledger (``detente ledger add/resolve``; an element of ``ledger list``)."""

    id: int
    created_at: str
    question: str
    kind: Literal["binary", "numeric"]
    value: float
    resolution_date: str
    scenario_ref: str
    model: str
    note: str
    resolved_at: str | None
    outcome: float | None
    score: float | None
    earlier_resolutions: int


class LedgerListDocument(RootModel[list[LedgerEntryDocument]]):
    """``detente ledger list --format json``."""


class ResolutionDocument(_Doc):
    entry_id: int
    resolved_at: str
    outcome: float
    score: float
    replaced_at: str | None


class LedgerHistoryDocument(_Doc):
    """``detente ledger history --format json``."""

    forecast: LedgerEntryDocument
    resolutions: list[ResolutionDocument]


class LedgerScoreDocument(_Doc):
    """``detente ledger score --format json``."""

    forecasts: int
    resolved: int
    open: int
    binary_resolved: int
    mean_brier: Num
    numeric_resolved: int
    mean_absolute_error: Num


def ledger_entry_document(entry: Any) -> dict[str, Any]:
    """A ``store.LedgerEntry`` (or ``Resolution``) as JSON."""
    return dict(vars(entry))


def ledger_list_document(entries: Iterable[Any]) -> list[dict[str, Any]]:
    return [ledger_entry_document(e) for e in entries]


def ledger_history_document(entry: Any, history: Iterable[Any]) -> dict[str, Any]:
    return {
        "forecast": ledger_entry_document(entry),
        "resolutions": [ledger_entry_document(r) for r in history],
    }


def ledger_score_document(score: Mapping[str, Any]) -> dict[str, Any]:
    return dict(score)


# ================================================================================ web
class WebForecastIssue(_Doc):
    issue: str
    name: str
    forecast: Num
    in_words: str = Field(description="The forecast in the scale's words, or why there is none.")
    scale: tuple[float, float]
    status: str


class WebForecast(_Doc):
    """A forecast in the API (``/api/forecast``; each side of ``/api/whatif``) and the dashboard."""

    scenario: str
    model: str
    params: dict[str, Any]
    seed: int | None
    input_sha256: str
    version: str = Field(description="detente's version (detente_version in the CLI's documents).")
    issues: list[WebForecastIssue]
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
    n_draws: int
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
    n_runs: int
    seed: int
    months: int
    headline: SimHeadline
    summary: SimulateDocument


def web_forecast(scenario: Any, fc: Any) -> dict[str, Any]:
    """A forecast for the API and the dashboard: the CLI's result (:func:`forecast_to_dict`) with
    each issue's name and the forecast in words (or why there is none)."""
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
            }
        )
    return {
        "scenario": scenario.id,
        "model": base["model"],
        "params": base["params"],
        "seed": base["seed"],
        "input_sha256": base["input_sha256"],
        "version": base["detente_version"],
        "issues": issues,
    }


def web_sweep(scenario: Any, model: str, ens: Any, *, n_draws: int, seed: int) -> dict[str, Any]:
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
        {"scenario": scenario.id, "model": model, "n_draws": n_draws, "seed": seed, "issues": issues}
    )


def web_simulate(scenario_id: str, result: Any, *, n_runs: int, seed: int, months: int) -> dict[str, Any]:
    """A simulator run for the API and the dashboard: its headline and the ``detente simulate`` document."""
    from detente.sim.summary import headline

    return _jsonable(  # type: ignore[no-any-return]
        {
            "scenario": scenario_id,
            "n_runs": n_runs,
            "seed": seed,
            "months": months,
            "headline": headline(result),
            "summary": simulate_document(result),
        }
    )


# ================================================================================ schema files
DOCUMENTS: dict[str, type[BaseModel]] = {
    "forecast": ForecastDocument,
    "sweep": SweepDocument,
    "levers": LeversDocument,
    "cohesion": CohesionDocument,
    "sensitivity": SensitivityDocument,
    "simulate": SimulateDocument,
    "backtest": BacktestDocument,
    "ledger_entry": LedgerEntryDocument,
    "ledger_list": LedgerListDocument,
    "ledger_history": LedgerHistoryDocument,
    "ledger_score": LedgerScoreDocument,
    "web_forecast": WebForecast,
    "web_whatif": WebWhatIf,
    "web_sweep": WebSweep,
    "web_simulate": WebSimulate,
}
"""Schema file name (``docs/schema/<name>.json``) -> model."""


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of document ``name`` (a key of :data:`DOCUMENTS`), with its ``$schema`` and ``title``."""
    model = DOCUMENTS[name]
    schema = model.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": model.__name__}


def schema_text(name: str) -> str:
    """The committed text of ``docs/schema/<name>.json``."""
    return json.dumps(json_schema(name), indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: str | Path) -> list[Path]:
    """Write ``<folder>/<name>.json`` for every document; returns the paths."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in DOCUMENTS:
        p = out / f"{name}.json"
        p.write_text(schema_text(name), encoding="utf-8")
        paths.append(p)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    folder = args[0] if args else "docs/schema"
    for p in write_schemas(folder):
        sys.stdout.write(f"{p}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
