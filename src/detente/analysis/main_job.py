"""The main job of ``detente run`` as one pure function: every result computed once, rendered elsewhere.

:func:`main_job` takes a scenario and :class:`MainJobOptions` and returns one immutable
:class:`MainJobResult`: the point forecast of every model (reused by the brief, the tables, the EUM,
exchange and SMP read-outs and the intervals), the Monte Carlo sweep, knock-out and levers (two
batched calls: :mod:`detente.analysis.batched`), cohesion and coalitions, the EUM's rounds read out
(:mod:`detente.analysis.rounds`), the ceasefire simulator's runs with their summaries, and
provenance. Each model's predict runs once per purpose (tests/analysis/test_main_job_counts.py); the
runs themselves are :mod:`detente.analysis.runs`, shared with the CLI and the dashboard. The
terminal, the HTML report and the dashboard only render it (``detente.report.parts``). No I/O, no
printing, no figures, no caches. To add a result: a field of :class:`MainJobResult` (default
``None`` or ``()``), computed in :func:`main_job` when its part is asked for.

Seeds are as before the refactor: every step gets the one ``seed`` as it did when each report part
computed its own results, so the numbers are those of earlier versions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from detente._typing import FloatArray
from detente.analysis.batched import LEVER_GRID, LEVER_GRID_FULL, LeverResults, knockout_and_levers
from detente.analysis.coalitions import CoalitionMap, Cohesion, coalition_map, cohesion
from detente.analysis.intervals import ErrorModel, Intervals, intervals
from detente.analysis.montecarlo import Ensemble, prepare
from detente.analysis.panel import PanelReadout, panel_readout, with_model_error
from detente.analysis.rounds import RoundsReadout, rounds_readout
from detente.analysis.rule_effects import RuleEffect, rule_effects
from detente.analysis.runs import point_forecast
from detente.analysis.runs import sweep as run_sweep
from detente.analysis.sim_job import (
    MONTHS,
    PendingSimulation,
    RunSummaries,
    SimJob,
    collect,
    job_for,
    start_simulation,
)
from detente.analysis.summary import IssueBrief, IssueSummary, issue_brief, summarize
from detente.core.arrays import to_arrays
from detente.core.hashing import scenario_hash
from detente.core.perturb import Perturbation
from detente.core.results import Forecast
from detente.core.scale import from_unit
from detente.core.scenario import Scenario
from detente.models import available_models, get_model
from detente.models.base import statuses_not_warnings

PARTS: tuple[str, ...] = (
    "forecasts",
    "eum",
    "exchange",
    "smp",
    "uncertainty",
    "levers",
    "cohesion",
    "simulator",
    "panel",
    "rules",
)
ORDER: tuple[str, ...] = ("compromise", "median", "mean", "nbs", "status_quo", "eum", "exchange", "smp")
FITTED_ON_DEU: tuple[str, ...] = ("anchored", "calibrated", "mixture", "ensemble")
"""Models fitted on EU legislative data (docs/backtest.md): not in the overview of other scenarios."""
SWEPT: tuple[str, ...] = ("compromise", "median", "mean", "nbs", "eum")
QUICK_DRAWS, FULL_DRAWS = 300, 2000
LEAD = "compromise"  # the model of the brief (its forecast and 90 % interval lead each issue)
LEVER_MODEL = "compromise"  # smooth and instant: every actor's lever shows (the median moves in steps)
EXCHANGE_ROUNDS = 1  # exchange phases (1 = the standard model: one phase of trades, then the vote)
VARIANT_DRAWS = (20, 200)  # exchange at random rates, SMP with stochastic transitions (quick, thorough)
SMP_PREFERRED: tuple[str, ...] = ("ceasefire_sequencing", "security_guarantees", "line_of_separation")
COHESION_GROUPS: tuple[str, str] = ("us", "european_allies")
COHESION_CUT = 0.2


@dataclass(frozen=True, slots=True)
class MainJobOptions:
    """``parts``: the read-outs wanted (only what they need is computed); ``what_if``: simulator variants
    (``None`` = ``analysis.sim_job.WHAT_IF``)."""

    seed: int = 0
    quick: bool = True
    parts: tuple[str, ...] = PARTS
    what_if: tuple[tuple[str, dict[str, Any]], ...] | None = None
    error_model: ErrorModel | None = None  # the model-error part of the intervals (docs/calibration.md)


@dataclass(frozen=True, slots=True)
class Sweep:
    """Monte Carlo sweep of the :data:`SWEPT` models: ensembles and their per-issue summaries."""

    draws: int
    perturbation: Perturbation
    ensembles: Mapping[str, Ensemble]
    summaries: Mapping[str, tuple[IssueSummary, ...]]
    notes: tuple[str, ...] = ()

    def intervals(self) -> dict[str, dict[str, dict[str, float]]]:
        """``{model: {issue_id: {"5", "25", "50", "75", "95"}}}`` in issue units."""
        return {name: {s.issue: dict(s.quantiles) for s in ss} for name, ss in self.summaries.items()}


@dataclass(frozen=True, slots=True)
class ExchangeVariants:
    """The exchange model at random exchange rates (``p = 1``): 10th and 90th percentiles, issue units;
    ``before``: the outcome of sincere votes, before any trade (issue units; ``None`` if the model failed)."""

    draws: int
    low: FloatArray
    high: FloatArray
    before: FloatArray | None = None


@dataclass(frozen=True, slots=True)
class SmpRuns:
    """The spatial model on three dimensions: jointly, issue by issue, and its stochastic spread."""

    dims: tuple[str, ...]
    scenario: Scenario
    joint: Forecast
    separate: Forecast
    draws: int
    mean: FloatArray
    low: FloatArray
    high: FloatArray


@dataclass(frozen=True, slots=True)
class CohesionResult:
    cut: float
    groups: tuple[str, str] | None
    cohesion: Cohesion | None
    coalitions: CoalitionMap


@dataclass(frozen=True, slots=True)
class SimRun:
    """The summaries of one simulator run set that the read-outs use (``detente.sim.summary``). The
    runs' arrays themselves are not kept: ``analysis.sim_job.simulation_task`` may compute them in a worker
    process, and only these summaries travel back (``detente.sim.simulate`` gives the arrays)."""

    label: str
    headline: Mapping[str, Any]
    ceasefire: Mapping[str, Any]
    settled: float  # share settled by the last month
    terms: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Simulation:
    """The ceasefire track: the configured runs (``base``) and one what-if per switch (``what_if[0]`` is ``base``)."""

    runs: int
    months: int
    dynamics: str
    base: SimRun
    outcomes: Mapping[str, Any]
    survival: Mapping[str, Any]
    what_if: tuple[SimRun, ...]


@dataclass(frozen=True, slots=True)
class Provenance:
    scenario_id: str
    input_sha256: str
    seed: int
    quick: bool
    version: str
    models: Mapping[str, Mapping[str, Any]]  # name -> {"params", "seed"} of the point forecasts


@dataclass(frozen=True, slots=True)
class MainJobResult:
    """Everything ``detente run`` shows. A part not asked for (or not applicable) is ``None``;
    ``model_errors``: models that could not run on this scenario (name -> message)."""

    scenario: Scenario
    options: MainJobOptions
    provenance: Provenance
    forecasts: Mapping[str, Forecast] = field(default_factory=lambda: MappingProxyType({}))
    model_errors: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    sweep: Sweep | None = None
    sweep_error: str = ""
    exchange: ExchangeVariants | None = None
    smp: SmpRuns | None = None
    levers: LeverResults | None = None
    cohesion: CohesionResult | None = None
    simulation: Simulation | None = None
    briefs: tuple[IssueBrief, ...] = ()  # the "In brief" read-out, one per issue with a forecast
    eum_rounds: tuple[RoundsReadout, ...] = ()  # the EUM's median swing and movers per issue
    panel: PanelReadout | None = None  # expert disagreement, when the scenario was pooled from a panel
    intervals: Intervals | None = None  # predictive distributions: input uncertainty + model error (#14)
    rules: tuple[RuleEffect, ...] = ()  # what each issue's decision rule changes (#16)


def overview_models() -> list[str]:
    """The models of the overview, in report order (plugins last; DEU-fitted ones left out)."""
    avail = [n for n in available_models() if n not in FITTED_ON_DEU]
    return [n for n in ORDER if n in avail] + [n for n in avail if n not in ORDER]


def _quiet_forecast(model: Any, scenario: Scenario, seed: int, digest: str | None = None) -> Forecast:
    # read-outs record statuses; warnings are not theirs
    return point_forecast(model, scenario, seed, digest)


def _wanted_models(parts: tuple[str, ...]) -> list[str]:
    names = overview_models()
    if "forecasts" in parts:
        return names
    want = set()
    if "uncertainty" in parts:
        want |= set(SWEPT)
    want |= {p for p in ("eum", "exchange") if p in parts}
    return [n for n in names if n in want]


def _model(name: str) -> Any:
    if name == "exchange":
        return get_model(name, rounds=EXCHANGE_ROUNDS)
    return get_model(name)


def _point_forecasts(
    scenario: Scenario, names: list[str], seed: int, digest: str
) -> tuple[dict[str, Forecast], dict[str, str]]:
    out: dict[str, Forecast] = {}
    errors: dict[str, str] = {}
    for name in names:
        try:
            out[name] = _quiet_forecast(_model(name), scenario, seed, digest)
        except Exception as exc:  # a model that cannot run on this scenario must not sink the job
            errors[name] = str(exc)
    return out, errors


def _sweep(
    scenario: Scenario, points: Mapping[str, Forecast], errors: Mapping[str, str], seed: int, draws: int
) -> Sweep:
    pert = Perturbation.from_metadata(scenario.metadata)
    spec = prepare(scenario, pert)
    ens: dict[str, Ensemble] = {}
    notes: list[str] = []
    for name in SWEPT:
        if name in errors:
            notes.append(f"uncertainty: model {name} could not run: {errors[name]}")
            continue
        if name not in points:
            continue
        try:
            # statuses recorded, not warned (runs.sweep)
            ens[name] = run_sweep(get_model(name), spec, pert, draws=draws, seed=seed)
        except Exception as exc:  # one model failing must not sink the report
            notes.append(f"uncertainty: model {name} could not run: {exc}")
    summaries = {name: tuple(summarize(e)) for name, e in ens.items()}
    return Sweep(draws, pert, MappingProxyType(ens), MappingProxyType(summaries), tuple(notes))


def _exchange_variants(
    scenario: Scenario, points: Mapping[str, Forecast], seed: int, draws: int
) -> ExchangeVariants:
    from detente.models.exchange import Exchange

    scales = [i.scale for i in scenario.issues]
    arr = to_arrays(scenario).broadcast((draws,))
    with statuses_not_warnings():  # read-outs record statuses; warnings are not theirs
        pred = Exchange(rounds=EXCHANGE_ROUNDS, p=1.0).predict(arr, np.random.default_rng(seed))
    out = from_unit(pred.outcome, scales)
    before = None
    if "exchange" in points:  # round 0 of the point forecast: the capability x salience weighted mean
        sincere = points["exchange"].prediction.extras["round_stats"]["outcome"][0]
        before = from_unit(np.asarray(sincere, dtype=float), scales)
    return ExchangeVariants(draws, np.quantile(out, 0.1, axis=0), np.quantile(out, 0.9, axis=0), before)


def smp_dimensions(scenario: Scenario) -> list[str]:
    """The three preferred issue ids when all exist, else the first three issues."""
    ids = scenario.issue_ids
    return list(SMP_PREFERRED) if all(i in ids for i in SMP_PREFERRED) else list(ids[:3])


def sub_scenario(scenario: Scenario, issue_ids: list[str]) -> Scenario:
    """The scenario restricted to ``issue_ids`` (in that order)."""
    keep = set(issue_ids)
    issues = tuple(scenario.issue(i) for i in issue_ids)
    stances = tuple(s for s in scenario.stances if s.issue in keep)
    panel = scenario.panel.restricted(scenario.actor_ids, tuple(issue_ids)) if scenario.panel else None
    return replace(scenario, issues=issues, stances=stances, panel=panel)


def _smp(scenario: Scenario, points: Mapping[str, Forecast], seed: int, draws: int) -> SmpRuns:
    from detente.models.smp import SpatialModel

    dims = smp_dimensions(scenario)
    sc = sub_scenario(scenario, dims)
    same = list(scenario.issue_ids) == dims and "smp" in points  # the point forecast is the joint run
    joint = points["smp"] if same else _quiet_forecast(SpatialModel(), sc, seed)
    separate = _quiet_forecast(SpatialModel(dimensions="separate"), sc, seed)
    arr = to_arrays(sc).broadcast((draws,))
    with statuses_not_warnings():  # read-outs record statuses; warnings are not theirs
        pred = SpatialModel(state_transitions="stochastic").predict(arr, np.random.default_rng(seed))
    out = from_unit(pred.outcome, [i.scale for i in sc.issues])
    return SmpRuns(
        tuple(dims),
        sc,
        joint,
        separate,
        draws,
        out.mean(axis=0),
        np.quantile(out, 0.1, axis=0),
        np.quantile(out, 0.9, axis=0),
    )


def cohesion_groups(scenario: Scenario) -> tuple[str, str] | None:
    """The US and the European allies when the scenario has both groups, else its first two groups."""
    groups = scenario.groups()
    if all(g in groups for g in COHESION_GROUPS):
        return COHESION_GROUPS
    names = list(groups)
    return (names[0], names[1]) if len(names) >= 2 else None


def _cohesion(scenario: Scenario) -> CohesionResult:
    pair = cohesion_groups(scenario)
    coh = cohesion(scenario, *pair) if pair is not None else None
    return CohesionResult(COHESION_CUT, pair, coh, coalition_map(scenario, cut=COHESION_CUT))


def _intervals(
    scenario: Scenario, points: Mapping[str, Forecast], sweep: Sweep | None, error: ErrorModel | None
) -> Intervals:
    """Every model's predictive distributions: its sweep (if swept) plus the model-error part."""
    draws = {n: e.raw_outcomes() for n, e in sweep.ensembles.items()} if sweep is not None else {}
    return intervals(scenario, {n: np.asarray(fc.outcome) for n, fc in points.items()}, draws, error)


def _briefs(
    scenario: Scenario, points: Mapping[str, Forecast], sweep: Sweep | None, ivals: Intervals | None = None
) -> tuple[IssueBrief, ...]:
    """Per issue: the lead model's (:data:`LEAD`) forecast, its 90 % interval and the models' range.

    The forecast is the lead model's point solution (as every other command gives it); with
    ``ivals`` the interval is its combined 90 % interval (which holds the point), the parts, the
    50 % interval and the predictive median kept in ``IssueBrief.detail``."""
    if LEAD not in points:
        return ()
    q = sweep.intervals().get(LEAD, {}) if sweep is not None else {}
    out = []
    for k, issue in enumerate(scenario.issues):
        lo, hi = q.get(issue.id, {}).get("5"), q.get(issue.id, {}).get("95")
        detail = ivals.of(LEAD, issue.id) if ivals is not None else None
        if detail is not None and np.isfinite(detail.median):
            lo, hi = detail.low, detail.high
        b = issue_brief(
            issue.id,
            {n: float(fc.outcome[k]) for n, fc in points.items()},
            lead=LEAD,
            interval=None if lo is None or hi is None else (lo, hi),
            reasons={n: fc.no_forecast_reason(k) or "no forecast" for n, fc in points.items()},
        )
        if detail is not None and np.isfinite(detail.median):
            b = replace(b, detail=detail)
        if b.n_models:
            out.append(b)
    return tuple(out)


def _sim_run(summaries: RunSummaries) -> SimRun:
    label, headline, ceasefire, settled, terms = summaries
    return SimRun(
        label, MappingProxyType(headline), MappingProxyType(ceasefire), settled, MappingProxyType(terms)
    )


def simulation_job(scenario: Scenario, options: MainJobOptions | None = None) -> SimJob | None:
    """The simulator's runs that ``main_job(scenario, options)`` reads (``analysis.sim_job``), or None
    (no simulator part, or no simulation for this scenario)."""
    opt = options or MainJobOptions()
    if "simulator" not in opt.parts:
        return None
    return job_for(scenario, seed=opt.seed, quick=opt.quick, what_if=opt.what_if)


def _simulation(
    scenario: Scenario,
    job: SimJob,
    pending: PendingSimulation | None = None,
    idle: Callable[[], object] | None = None,
) -> Simulation:
    """The ceasefire track's read-out of ``job`` (``pending``, ``idle``: :func:`~detente.analysis.sim_job.collect`)."""
    sets = collect(job, pending, idle)
    base, outcomes, survival = sets[0]
    variants = tuple(
        _sim_run(sets[k][0] if k is not None else (label, *base[1:]))
        for (label, _over), k in zip(job.what_if, job.tasks(), strict=True)
    )
    return Simulation(
        job.runs,
        MONTHS,
        "scenario" if scenario.dynamics else "built-in defaults",
        _sim_run(base),
        MappingProxyType(outcomes),
        MappingProxyType(survival),
        variants,
    )


def main_job(
    scenario: Scenario,
    options: MainJobOptions | None = None,
    executor: Executor | None = None,
    *,
    pending: PendingSimulation | None = None,
    idle: Callable[[], object] | None = None,
) -> MainJobResult:
    """Compute every result of ``detente run`` once (module docstring); pure, deterministic for a seed.

    ``executor``: where the ceasefire simulator may run while the models are computed here
    (``detente.parallel.side_process``); ``pending``: those runs already submitted
    (:func:`start_simulation` of :func:`simulation_job` with the same scenario and options). The
    numbers are the same either way (tested); when the models are done first, this process computes
    the run sets the worker has not started (``analysis.sim_job.collect``). ``idle``: the caller's own work (no
    result of it is read here), called once when the models are done and the worker is still running
    the simulator, before anything else: ``detente run`` prepares its report renderer there.

    Examples
    --------
    >>> from detente.io.builtin import load_builtin
    >>> r = main_job(load_builtin("emission-standards-1994"), MainJobOptions(parts=("forecasts",)))
    >>> sorted(r.forecasts)[:2], r.sweep.draws
    (['compromise', 'eum'], 300)
    """
    from detente._version import __version__

    opt = options or MainJobOptions()
    parts, seed, quick = opt.parts, opt.seed, opt.quick
    sim = simulation_job(scenario, opt)
    if sim is not None:
        sim.config()  # a bad ``dynamics:`` section fails now, not after the models
    if pending is None:  # first: it runs while the models below are computed
        pending = start_simulation(sim, executor)
    digest = scenario_hash(scenario)  # once: every forecast and the provenance record it
    points, errors = _point_forecasts(scenario, _wanted_models(parts), seed, digest)
    sweep, sweep_error = None, ""
    if "forecasts" in parts or "uncertainty" in parts:
        try:
            sweep = _sweep(scenario, points, errors, seed, QUICK_DRAWS if quick else FULL_DRAWS)
        except (
            Exception
        ) as exc:  # intervals are a bonus for the forecasts; the uncertainty part fails in full
            if "uncertainty" in parts:
                raise
            sweep_error = str(exc)
    ivals = _intervals(scenario, points, sweep, opt.error_model) if "forecasts" in parts else None
    draws = VARIANT_DRAWS[0 if quick else 1]
    lever = None
    if "levers" in parts:
        grid, fine = LEVER_GRID if quick else LEVER_GRID_FULL
        pert = Perturbation.from_metadata(scenario.metadata)
        with statuses_not_warnings():  # read-outs record statuses; warnings are not theirs
            lever = knockout_and_levers(
                get_model(LEVER_MODEL), scenario, pert, seed=seed, grid=grid, fine=fine
            )
    provenance = Provenance(
        scenario.id,
        digest,
        seed,
        quick,
        __version__,
        MappingProxyType(
            {n: MappingProxyType({"params": fc.params, "seed": fc.seed}) for n, fc in points.items()}
        ),
    )
    return MainJobResult(
        scenario=scenario,
        options=opt,
        provenance=provenance,
        forecasts=MappingProxyType(points),
        model_errors=MappingProxyType(errors),
        sweep=sweep,
        sweep_error=sweep_error,
        exchange=_exchange_variants(scenario, points, seed, draws) if "exchange" in parts else None,
        smp=_smp(scenario, points, seed, draws) if "smp" in parts else None,
        levers=lever,
        eum_rounds=rounds_readout(scenario, points["eum"]) if "eum" in parts and "eum" in points else (),
        briefs=_briefs(scenario, points, sweep, ivals) if "forecasts" in parts else (),
        intervals=ivals,
        cohesion=_cohesion(scenario) if "cohesion" in parts else None,
        panel=_panel(scenario, seed, ivals) if "panel" in parts else None,
        rules=tuple(rule_effects(scenario)) if "rules" in parts else (),
        # last: it may wait for the simulator's worker
        simulation=None if sim is None else _simulation(scenario, sim, pending, idle),
    )


def _panel(scenario: Scenario, seed: int, ivals: Intervals | None) -> PanelReadout | None:
    """The expert-panel read-out of the :data:`LEAD` model (None without a panel), with the model-error
    part of its intervals when the forecasts' intervals have one."""
    if scenario.panel is None:
        return None
    with statuses_not_warnings():  # read-outs record statuses; warnings are not theirs
        out = panel_readout(scenario, get_model(LEAD), LEAD, seed=seed)
    if out is None or ivals is None or not ivals.error_n:
        return out
    widths = {}
    for issue in scenario.issue_ids:
        iv = ivals.of(LEAD, issue)
        if iv is not None:
            widths[issue] = (iv.high - iv.low, iv.input_high - iv.input_low)
    return with_model_error(out, widths, ivals.error_n)
