"""Documents of the analysis commands: ``forecast``, ``sweep``, ``levers``, ``cohesion``, ``sensitivity``.

Re-exported by :mod:`detente.io.documents` (see its table).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from detente.io.documents._base import (
    Num,
    _Doc,
    _ModelDoc,
    _ScenarioDoc,
    model_header,
    scenario_header,
)
from detente.io.results import _jsonable, forecast_to_dict


# ================================================================================ forecast
class TrajectoryEntry(BaseModel):
    """One round of a dynamic model: positions (issue units) of the actors present, plus the
    per-round statistics the model reports (e.g. EUM ``median``/``mean``, exchange ``outcome``,
    ``stat``), each a number."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, Num] = Field(init=False)

    round: int
    positions: dict[str, Num]


# the predictive fields of a forecast's issue (:func:`predictive_fields`), one home for their
# documentation: ``detente forecast --format json`` (ForecastIssue) and the web's forecasts (WebForecastIssue)
Quantiles = Annotated[
    dict[str, Num] | None,
    Field(
        description='The predictive distribution\'s quantiles, keys "5", "10", …, "95" (percent), issue '
        "units; null when there is none (interval_source says why)."
    ),
]
PLowEnd = Annotated[Num, Field(description="Probability that the outcome is exactly the scale's low end.")]
PHighEnd = Annotated[Num, Field(description="Probability that the outcome is exactly the scale's high end.")]
IntervalSource = Annotated[
    str | None,
    Field(
        description="What the distribution contains: input uncertainty (a seeded sweep), model error "
        "(learned on decided cases), both, or 'none' (a point forecast only)."
    ),
]
Intervals = Annotated[
    dict[str, tuple[float, float]] | None,
    Field(
        description='Prediction intervals [low, high] by level, keys "50", "80", "90" (percent), issue '
        "units, each holding that share of the predictive distribution (point masses at the ends "
        "included; docs/calibration.md §3); null when there is no distribution."
    ),
]


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
    quantiles: Quantiles = None
    p_low_end: PLowEnd = None
    p_high_end: PHighEnd = None
    interval_source: IntervalSource = None
    intervals: Intervals = None


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


class ForecastDocument(_ScenarioDoc):
    """``detente forecast --format json``."""

    results: list[ForecastResult]


def interval_source(pred: Any, draws: int) -> str:
    """What a predictive distribution (``analysis.predictive.Predictive``) is made of, in words."""
    parts = []
    if pred.input_quantiles is not None:
        parts.append(f"input uncertainty ({draws} draws)")
    if pred.error_n:
        src = str(pred.error_source)
        said = f"{pred.error_n:,} decisions" in src or f"{pred.error_n} decisions" in src
        parts.append(f"model error ({src})" if said else f"model error ({pred.error_n} decisions, {src})")
    return " and ".join(parts) if parts else "none"


def predictive_fields(pred: Any, k: int, draws: int) -> dict[str, Any]:
    """Issue ``k``'s ``quantiles``, ``p_low_end``, ``p_high_end``, ``interval_source`` and the
    content-exact ``intervals`` (``analysis.predictive.interval_table``; null numbers for a point
    forecast without any uncertainty part, or no forecast)."""
    import math

    from detente.analysis.predictive import INTERVAL_LEVELS, interval_table

    source = interval_source(pred, draws)
    q = [float(x) for x in pred.quantiles[k]]
    if source == "none" or not all(math.isfinite(x) for x in q):
        return {
            "quantiles": None,
            "p_low_end": None,
            "p_high_end": None,
            # no forecast: nothing from any source ("model error (…)" beside null quantiles read as one; QA)
            "interval_source": "none",
            "intervals": None,
        }
    ivs = interval_table(pred.take([k]))
    return {
        "quantiles": {str(5 * (j + 1)): x for j, x in enumerate(q)},
        "p_low_end": float(pred.p_low_end[k]),
        "p_high_end": float(pred.p_high_end[k]),
        "interval_source": source,
        "intervals": {
            str(round(100 * c)): (float(ivs[f"lo{round(100 * c)}"][0]), float(ivs[f"hi{round(100 * c)}"][0]))
            for c in INTERVAL_LEVELS
        },
    }


def forecast_document(
    scenario: Any, forecasts: Iterable[Any], predictive: Sequence[Any] | None = None, draws: int = 0
) -> dict[str, Any]:
    """The ``detente forecast`` document of ``forecasts`` (one per model) on ``scenario``;
    ``predictive``: each forecast's ``Predictive`` (same order), ``draws`` its sweep's size."""
    results = [forecast_to_dict(f, scenario) for f in forecasts]
    for res, pred in zip(results, predictive or (), strict=False):
        for k, issue in enumerate(res["issues"]):
            issue.update(predictive_fields(pred, k, draws))
    return {**scenario_header(scenario), "results": results}


# ================================================================================ sweep
class SweepIssue(_Doc):
    issue: str
    mean: Num
    sd: Num
    input_quantiles: dict[str, Num] = Field(
        description='Quantiles over the sweep\'s draws, keys "5", "25", "50", "75", "95" (percent): input '
        "uncertainty only, no model error (detente forecast --format json gives the predictive 'quantiles')."
    )
    p_at_least: dict[str, Num] = Field(description='Threshold (as text, e.g. "60") -> share of draws >= it.')
    p_win: dict[str, Num] = Field(
        description="Actor -> share of draws within 10 % of the scale of its position."
    )
    status: dict[str, Num] | None = Field(
        default=None, description="Dynamic models: share of draws per status."
    )


class SweepPerturbation(_Doc):
    """The sweep's noise (``core.perturb.Perturbation``): what was drawn."""

    position_sd: float
    salience_sd: float
    capability_sd: float
    dropout: float
    use_stances: bool


class SweepResult(_Doc):
    model: str
    params: dict[str, Any] = Field(description="The model's resolved parameters (variant included).")
    perturbation: SweepPerturbation
    issues: list[SweepIssue]


class SweepDocument(_ScenarioDoc):
    """``detente sweep --format json``."""

    seed: int
    draws: int
    results: list[SweepResult]


def sweep_document(
    scenario: Any,
    ensembles: Iterable[Any],
    thresholds: dict[str, list[float]] | None,
    *,
    seed: int,
    draws: int,
) -> dict[str, Any]:
    """The ``detente sweep`` document: the scenario (id, title, input hash), and per model its
    parameters, the perturbation and the summaries of ``analysis.summary.summarize``."""
    import dataclasses

    from detente.analysis.summary import sweep_result

    results = [
        {
            "model": e.model,
            "params": e.params,
            "perturbation": dataclasses.asdict(e.perturbation),
            "issues": sweep_result(e, thresholds)["issues"],
        }
        for e in ensembles
    ]
    doc = {
        **scenario_header(scenario),
        "seed": seed,
        "draws": draws,
        "results": results,
    }
    return _jsonable(doc)  # type: ignore[no-any-return]


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


class PivotMoveDoc(_Doc):
    """A veto player or pivot who would have to move for the target to be acceptable under the rule."""

    actor: str
    position: Num
    to: Num
    move: Num


class LeversDocument(_ModelDoc):
    """``detente levers --format json``."""

    issue: str
    target: Target
    forecast: Num
    already: bool
    levers: list[Lever]
    pivot_moves: list[PivotMoveDoc] = []


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
    scenario: Any, model: Any, issue: str, op: str, value: float, res: Any, issue_name: str, *, seed: int
) -> dict[str, Any]:
    """The ``detente levers`` document of ``res`` (``analysis.inverse.what_it_takes`` of ``model``,
    run with ``seed``, on ``scenario``), headed by :func:`model_header`."""
    return _jsonable(  # type: ignore[no-any-return]
        {
            **model_header(scenario, model, seed),
            "issue": issue,
            "target": {"op": op, "value": value},
            "forecast": res.base_outcome,
            "already": res.already,
            "levers": lever_rows(res, issue_name, f"{op} {value:g}"),
            "pivot_moves": [
                {"actor": m.actor, "position": m.position, "to": m.to, "move": m.move}
                for m in getattr(res, "pivot_moves", ())
            ],
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


class CohesionDocument(_ScenarioDoc):
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


def cohesion_document(scenario: Any, a: str, b: str, c: Any, cm: Any) -> dict[str, Any]:
    """The ``detente cohesion`` document: cohesion ``c`` of groups ``a``/``b`` and coalition map ``cm``
    of ``scenario`` (no model, no seed), headed by :func:`scenario_header`."""
    return _jsonable(  # type: ignore[no-any-return]
        {
            **scenario_header(scenario),
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


class TornadoDocument(_ModelDoc):
    method: Literal["tornado"]
    issues: list[TornadoIssue]


class KnockoutDocument(_ModelDoc):
    method: Literal["knockout"]
    issues: list[KnockoutIssue]


class SobolDocument(_ModelDoc):
    method: Literal["sobol"]
    draws: int
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
    scenario: Any, model: Any, method: str, rows: list[dict[str, Any]], *, seed: int, draws: int | None = None
) -> dict[str, Any]:
    """The ``detente sensitivity`` document of ``rows`` (:func:`tornado_rows`, :func:`knockout_rows`
    or :func:`sobol_rows`) of ``model`` on ``scenario``, headed by :func:`model_header`; the Sobol
    document also names its ``draws``."""
    head: dict[str, Any] = {**model_header(scenario, model, seed), "method": method}
    if method == "sobol":
        head["draws"] = draws
    return _jsonable({**head, "issues": rows})  # type: ignore[no-any-return]
