"""Documents of ``simulate``, ``backtest`` and the forecast ledger (``ledger add/resolve/list/history/score``).

Re-exported by :mod:`detente.io.documents` (see its table).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from detente._version import __version__
from detente.io.documents._base import Num, ScenarioRef, _Doc, scenario_header
from detente.io.results import _jsonable


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
    scenario: ScenarioRef | None = Field(
        default=None,
        description="The scenario whose dynamics: section was read (None: the built-in defaults).",
    )
    preset: str | None = Field(default=None, description="The reference mode (--preset), if any.")
    params: dict[str, str] = Field(default_factory=dict, description="The --set overrides, as given.")
    config_sha256: str = Field(
        description="sha256 of the simulator's resolved configuration (dynamics, preset and overrides)."
    )
    seed: int
    runs: int
    months: int
    monthly: list[MonthRow]
    outcomes: Outcomes
    terms: Terms
    first_mover_share: Num = Field(default=None, description="--preset rubinstein only.")
    agreement_round: int | None = Field(default=None, description="--preset rubinstein only.")


def simulate_document(
    result: Any, *, scenario: Any = None, preset: str | None = None, params: dict[str, str] | None = None
) -> dict[str, Any]:
    """The ``detente simulate`` document of a ``sim.engine.SimResult``, with its provenance: the
    scenario read (id, title, sha256), the preset, the ``--set`` overrides and the hash of the
    configuration they resolved to (``result.config``)."""
    from detente.core.hashing import config_hash
    from detente.sim.summary import summarize

    body = summarize(result, version=__version__)
    head: dict[str, Any] = {"detente_version": body.pop("detente_version")}
    head["scenario"] = None if scenario is None else scenario_header(scenario)["scenario"]
    head["preset"] = preset
    head["params"] = dict(params or {})
    head["config_sha256"] = config_hash(result.config)
    return {**head, **body}


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
    calibration: dict[str, Any] | None = Field(
        default=None,
        description="How the predictive distributions were made (crossfit, file or none; docs/calibration.md).",
    )


class PairedDifference(_Doc):
    n: int
    diff: Num
    ci: tuple[Num, Num]


class ReliabilityPoint(_Doc):
    nominal: Num
    observed: Num = Field(description="Share of outcomes inside the content-exact interval of this level.")
    observed_equal_tailed: Num = Field(
        default=None,
        description="Share inside the equal-tailed interval (closed; ties at point masses count).",
    )


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
    crps: Num = Field(
        default=None, description="CRPS of the full predictive mixture (docs/calibration.md §3)."
    )
    coverage80: Num = Field(
        default=None,
        description="Share of outcomes inside the 80 % interval whose forecast content is 80 % "
        "(content-exact; docs/calibration.md §3).",
    )
    n_prob: int | None = Field(
        default=None, description="Issues with a predictive distribution and an outcome."
    )
    crps_ci: tuple[Num, Num] | None = None
    crps_quantile: Num = Field(
        default=None, description="Quantile CRPS over the 19 levels (2 × mean pinball loss)."
    )
    crps_quantile_ci: tuple[Num, Num] | None = None
    interval_score80: Num = Field(
        default=None,
        description="Interval score of the equal-tailed 80 % interval (Gneiting & Raftery 2007, eq. 43).",
    )
    interval_score80_ci: tuple[Num, Num] | None = None
    coverage50: Num = None
    coverage50_ci: tuple[Num, Num] | None = None
    coverage80_ci: tuple[Num, Num] | None = None
    coverage90: Num = None
    coverage90_ci: tuple[Num, Num] | None = None
    width80: Num = Field(default=None, description="Mean width of the content-exact 80 % interval.")
    width80_ci: tuple[Num, Num] | None = None
    coverage_equal_tailed50: Num = Field(
        default=None, description="Share inside the closed equal-tailed interval [Q(0.25), Q(0.75)]."
    )
    coverage_equal_tailed50_ci: tuple[Num, Num] | None = None
    coverage_equal_tailed80: Num = Field(
        default=None, description="Share inside the closed equal-tailed interval [Q(0.1), Q(0.9)]."
    )
    coverage_equal_tailed80_ci: tuple[Num, Num] | None = None
    coverage_equal_tailed90: Num = None
    coverage_equal_tailed90_ci: tuple[Num, Num] | None = None
    coverage_pit50: Num = Field(
        default=None, description="Mean share of the non-randomised PIT U(F(y−), F(y)) in [0.25, 0.75]."
    )
    coverage_pit50_ci: tuple[Num, Num] | None = None
    coverage_pit80: Num = None
    coverage_pit80_ci: tuple[Num, Num] | None = None
    coverage_pit90: Num = None
    coverage_pit90_ci: tuple[Num, Num] | None = None
    pit_ks: Num = Field(
        default=None, description="Kolmogorov–Smirnov distance of the randomised PIT to uniform."
    )
    pit_ks_ci: tuple[Num, Num] | None = None
    reliability: list[ReliabilityPoint] | None = Field(
        default=None, description="Nominal vs observed coverage of central intervals, 10–90 %."
    )
    pit_hist: list[int] | None = Field(default=None, description="Randomised PIT values in 10 equal bins.")
    crps_diff_vs_conformal_compromise: PairedDifference | None = None
    failures: int
    statuses: dict[str, int]


class SubgroupRow(_Doc):
    """One model on one subgroup of the DEU issues (Council rule, procedure, or both; issue #16)."""

    split: Literal["council_rule", "procedure", "rule_procedure"]
    level: str
    n: int
    n_proposals: int
    small: bool
    model: str
    mae: Num
    mae_ci: tuple[Num, Num]
    crps: Num
    diff_vs_compromise: PairedDifference | None = None
    crps_predictive: Num | None = None  # calibrated predictive distribution (issue #14), if the model has one
    crps_predictive_ci: tuple[Num, Num] | None = None


class BacktestDocument(_Doc):
    """``detente backtest --format json``."""

    settings: BacktestSettings
    n_issues: int
    n_proposals: int
    leaderboard: list[LeaderboardRow]
    runtime_s: dict[str, float]
    failures: dict[str, list[str]]
    skipped_issues: list[str]
    subgroups: list[SubgroupRow] = []


def subgroup_row(r: Mapping[str, Any]) -> dict[str, Any]:
    """A row of ``analysis.backtest_groups.subgroup_leaderboard`` as JSON (intervals as lists)."""
    out = dict(r) | {"mae_ci": list(r["mae_ci"])}
    if "crps_predictive_ci" in r:
        out["crps_predictive_ci"] = list(r["crps_predictive_ci"])
    d = r.get("diff_vs_compromise")
    if d is not None:
        out["diff_vs_compromise"] = {"n": d["n"], "diff": d["diff"], "ci": [d["low"], d["high"]]}
    return out


def leaderboard_row(r: Mapping[str, Any]) -> dict[str, Any]:
    """A row of ``analysis.backtest.leaderboard`` as JSON: intervals as lists, the paired difference
    as ``{"n", "diff", "ci"}``."""
    out = dict(r)
    for k in [k for k in r if k.endswith("_ci")]:
        out[k] = list(r[k])
    for key in ("diff_vs_compromise", "crps_diff_vs_conformal_compromise"):
        d = r.get(key)
        if d is not None:
            out[key] = {"n": d["n"], "diff": d["diff"], "ci": [d["low"], d["high"]]}
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
    subgroups: Iterable[Mapping[str, Any]] = (),
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
            "subgroups": [subgroup_row(r) for r in subgroups],
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
    quantiles: dict[str, float] | None = Field(
        None, description="numeric forecasts recorded with quantiles: level in percent -> value"
    )


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


class CalibrationRowDocument(_Doc):
    """One row of the ledger's calibration table: what the forecasts said beside what happened."""

    kind: Literal["binary", "quantile", "interval"]
    group: str = Field(description="'0-10 %' (binary), '10 %' (quantile level), 'central 80 %' (interval)")
    n: int
    forecast: Num = Field(description="mean forecast probability, or the nominal share")
    observed: Num = Field(description="share that happened / at or below the quantile / inside")


class LedgerScoreDocument(_Doc):
    """``detente ledger score --format json``."""

    forecasts: int
    resolved: int
    open: int
    binary_resolved: int
    mean_brier: Num
    mean_log_score: Num = Field(description="negatively oriented, natural log; ln 2 = always 50 %")
    numeric_resolved: int
    mean_absolute_error: Num
    numeric_with_quantiles: int
    mean_crps: Num = Field(description="quantile CRPS of the numeric forecasts with quantiles")
    coverage: dict[str, Num] = Field(description="central 50/80/90 % interval -> share of outcomes inside")
    calibration: list[CalibrationRowDocument]


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
