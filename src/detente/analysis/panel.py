"""Pool an expert panel into one scenario, and read out where the experts disagree (docs/panels.md).

Pooling, per actor × issue, over the experts who gave a number (empty cells are skipped):

- ``median``: the median (the default: one extreme expert cannot move it; Clemen & Winkler 1999,
  *Risk Analysis* 19(2), §2 on robust combination);
- ``mean``: the equal-weight linear opinion pool of the point answers (Stone 1961);
- ``trimmed``: the mean after dropping the ``k = max(1, floor(0.2·n))`` lowest and highest answers
  when ``n >= 3`` (otherwise the mean);
- ``weighted``: the mean weighted by each expert's stated confidence (0–1; an empty confidence
  counts 0.5, all-zero confidences fall back to equal weights).

The experts' spread becomes the stance's uncertainty so that a sweep draws from it: the pooled
stance's ``sd`` is the between-expert standard deviation of the positions (sample SD, ``ddof=1``;
Cooke 1991, ch. 11 reads the spread of expert point answers as a lower bound of the uncertainty).
A sweep then draws positions ``x + sd·z`` clipped to the scale (core/perturb.py). A stance only
one expert answered keeps no ``sd`` (the sweep's assumed ``position_sd`` applies). Salience and
capability spreads are read out (:func:`disagreement`) but drawn with the sweep's assumed noise.

Everything here is pure: the raw answers come in as a :class:`~detente.core.panel.Panel`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from detente.core.panel import ExpertAnswer, Panel, PoolMethod
from detente.core.scenario import Evidence, Scenario, Stance
from detente.errors import ScenarioError

TRIM_SHARE = 0.2
"""Share of answers dropped at each end by ``trimmed`` (at least one each when n >= 3)."""

MISSING_CONFIDENCE = 0.5
"""The weight of an answer without a stated confidence under ``weighted``."""


def pool_values(values: Sequence[float], method: PoolMethod, weights: Sequence[float] | None = None) -> float:
    """One pooled number from the experts' answers (see the module doc for each method).

    Examples
    --------
    >>> pool_values([10, 20, 90], "median"), pool_values([10, 20, 90], "mean")
    (20.0, 40.0)
    >>> pool_values([10, 20, 30, 90], "trimmed")
    25.0
    >>> pool_values([10, 90], "weighted", [0.9, 0.1])
    18.0
    """
    x = np.asarray(values, dtype=np.float64)
    if x.size == 0:
        raise ScenarioError("pool: expected at least one answer")
    if method == "median":
        return float(np.median(x))
    if method == "mean":
        return float(x.mean())
    if method == "trimmed":
        n = x.size
        k = max(1, math.floor(TRIM_SHARE * n)) if n >= 3 else 0
        return float(np.sort(x)[k : n - k].mean())
    if method == "weighted":
        w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=np.float64)
        if w.sum() <= 0:
            w = np.ones_like(x)
        return float((w * x).sum() / w.sum())
    raise ScenarioError(f"pool: expected one of median, mean, trimmed, weighted, received {method!r}")


def _spread(values: Sequence[float]) -> float | None:
    """Sample standard deviation (ddof=1) of two or more answers, else None."""
    return float(np.std(np.asarray(values, dtype=np.float64), ddof=1)) if len(values) >= 2 else None


def _pooled_stance(
    base: Stance | None, actor: str, issue: str, answers: Sequence[ExpertAnswer], method: PoolMethod
) -> Stance | None:
    """The stance pooled from ``answers`` (each non-empty), or ``base`` when no position and salience can be pooled."""

    def field(name: str) -> tuple[list[float], list[float]]:
        got = [(getattr(a, name), a.confidence) for a in answers if getattr(a, name) is not None]
        return [v for v, _ in got], [MISSING_CONFIDENCE if c is None else c for _, c in got]

    pos, wp = field("position")
    sal, ws = field("salience")
    cap, wc = field("capability")
    position = pool_values(pos, method, wp) if pos else (base.position if base else None)
    salience = pool_values(sal, method, ws) if sal else (base.salience if base else None)
    if position is None or salience is None:
        return base
    capability = pool_values(cap, method, wc) if cap else (base.capability if base else None)
    shown = ", ".join(f"{a.expert} {a.position:g}" for a in answers if a.position is not None)
    evidence = [
        *(base.evidence if base else ()),
        Evidence(
            assumption=True, source="expert panel", note=f"{method} of {len(pos)} expert positions ({shown})"
        ),
        *(Evidence(quote=a.notes, source=f"expert {a.expert}") for a in answers if a.notes.strip()),
    ]
    return Stance(
        actor=actor,
        issue=issue,
        position=position,
        salience=salience,
        capability=capability,
        sd=_spread(pos),
        evidence=tuple(evidence),
    )


def pool_panel(scenario: Scenario, panel: Panel) -> Scenario:
    """``scenario`` with every stance the experts answered pooled by ``panel.pool``, carrying ``panel``.

    Stances no expert answered are kept as they are; an actor × issue the scenario had no stance
    on gets one when the experts give a position and a salience.
    """
    by_pair: dict[tuple[str, str], list[ExpertAnswer]] = {}
    for a in panel.answers:
        if not a.empty:
            by_pair.setdefault((a.actor, a.issue), []).append(a)
    stances: list[Stance] = []
    for actor in scenario.actor_ids:
        for issue in scenario.issue_ids:
            base = scenario.stance(actor, issue)
            answers = by_pair.get((actor, issue), [])
            s = _pooled_stance(base, actor, issue, answers, panel.pool) if answers else base
            if s is not None:
                stances.append(s)
    return dataclasses.replace(scenario, stances=tuple(stances), panel=panel)


def expert_scenario(scenario: Scenario, expert: str) -> Scenario:
    """One expert's own scenario: their answers where they gave them, the pooled stance elsewhere.

    The between-expert ``sd`` is removed (one expert's view has no panel spread).
    """
    panel = scenario.panel
    if panel is None or expert not in panel.experts:
        known = ", ".join(panel.experts) if panel else "none: the scenario has no panel"
        raise ScenarioError(f"expert: unknown expert {expert!r} (expected one of {known})")
    own = {(a.actor, a.issue): a for a in panel.of(expert) if not a.empty}
    stances = []
    for s in scenario.stances:
        a = own.get((s.actor, s.issue))
        changes: dict[str, object] = {"sd": None}
        if a is not None:
            for name in ("position", "salience", "capability"):
                if getattr(a, name) is not None:
                    changes[name] = getattr(a, name)
        stances.append(dataclasses.replace(s, **changes))  # type: ignore[arg-type]
    return dataclasses.replace(scenario, id=f"{scenario.id}:{expert}", stances=tuple(stances), panel=None)


@dataclass(frozen=True, slots=True)
class StanceDisagreement:
    """How far the experts are apart on one actor × issue (positions in issue units)."""

    actor: str
    issue: str
    experts: int
    positions: tuple[tuple[str, float], ...]
    position_sd: float
    position_share: float
    """The position SD as a share of the issue's scale width (comparable across issues)."""
    salience_sd: float


def disagreement(scenario: Scenario) -> list[StanceDisagreement]:
    """Every stance at least two experts placed, most disputed first (by ``position_share``)."""
    panel = scenario.panel
    if panel is None:
        return []
    out = []
    for issue in scenario.issues:
        width = issue.scale.high - issue.scale.low
        for actor in scenario.actor_ids:
            ans = [a for a in panel.answers if a.actor == actor and a.issue == issue.id]
            pos = [(a.expert, a.position) for a in ans if a.position is not None]
            if len(pos) < 2:
                continue
            sd = _spread([p for _, p in pos]) or 0.0
            sal = [a.salience for a in ans if a.salience is not None]
            out.append(
                StanceDisagreement(
                    actor=actor,
                    issue=issue.id,
                    experts=len(pos),
                    positions=tuple(pos),
                    position_sd=sd,
                    position_share=sd / width if width > 0 else 0.0,
                    salience_sd=_spread(sal) or 0.0,
                )
            )
    out.sort(key=lambda d: (-d.position_share, d.issue, d.actor))
    return out


# --- the read-out of ``detente run`` (docs/panels.md "Disagreement read-out") ------------------------
READOUT_DRAWS = 300
"""Draws of each of the two decomposition sweeps (experts only, assumed noise only)."""


@dataclass(frozen=True, slots=True)
class IntervalParts:
    """Width of one issue's 90 % interval (5 %–95 %, issue units) from each source of uncertainty.

    ``experts``: only the experts' disagreement (each pooled stance drawn with its panel ``sd``);
    ``noise``: only the assumed noise of the sweep (``position_sd``, ``salience_sd``,
    ``capability_sd``, drop-out; the stances' own uncertainty ignored); ``model_error``: the part the
    calibrated error model adds (docs/calibration.md), ``sqrt(max(0, W_c² − W_i²))`` from the widths
    of the combined and the input-only 90 % intervals (0 without an error model). Shares are of the
    variances, ``w_k² / Σ w²`` (independent sources add in variance; the widths of normal-like
    spreads are proportional to their SD).
    """

    experts: float
    noise: float
    model_error: float = 0.0

    def share(self, part: str) -> float:
        """``part``'s share (experts, noise or model_error) of the summed variances."""
        tot = self.experts**2 + self.noise**2 + self.model_error**2
        return float(getattr(self, part)) ** 2 / tot if tot > 0 else 0.0

    @property
    def experts_share(self) -> float:
        return self.share("experts")


@dataclass(frozen=True, slots=True)
class PanelReadout:
    """Where the experts disagree and what it does to the forecasts of one model."""

    model: str
    pool: str
    experts: tuple[str, ...]
    disputed: tuple[StanceDisagreement, ...]
    pooled: dict[str, float]
    """issue id -> the pooled scenario's point forecast (issue units)."""
    by_expert: dict[str, dict[str, float]]
    """expert -> issue id -> the forecast of that expert's own scenario (issue units)."""
    intervals: dict[str, IntervalParts]
    draws: int
    error_n: int = 0
    """How many decided cases the model-error part was learned on (0: no model-error part)."""


def with_model_error(
    readout: PanelReadout, combined: Mapping[str, tuple[float, float]], n: int
) -> PanelReadout:
    """``readout`` with each issue's model-error width, from ``combined``: issue id -> (width of the
    combined 90 % interval, width of the input-only one) of the same model (see :class:`IntervalParts`)."""
    parts = dict(readout.intervals)
    for issue, (w_c, w_i) in combined.items():
        if issue in parts and math.isfinite(w_c) and math.isfinite(w_i):
            extra = math.sqrt(max(0.0, w_c * w_c - w_i * w_i))
            parts[issue] = dataclasses.replace(parts[issue], model_error=extra)
    return dataclasses.replace(readout, intervals=parts, error_n=n)


def _experts_only(scenario: Scenario) -> Scenario:
    """The pooled scenario with only the panel's spread as stance uncertainty (other sd/low/high removed)."""
    panel = scenario.panel
    assert panel is not None
    counted: dict[tuple[str, str], int] = {}
    for a in panel.answers:
        if a.position is not None:
            counted[(a.actor, a.issue)] = counted.get((a.actor, a.issue), 0) + 1
    stances = tuple(
        s if counted.get((s.actor, s.issue), 0) >= 2 else dataclasses.replace(s, sd=None, low=None, high=None)
        for s in scenario.stances
    )
    return dataclasses.replace(scenario, stances=stances)


def panel_readout(
    scenario: Scenario, model: object, name: str, *, seed: int = 0, draws: int = READOUT_DRAWS, top: int = 5
) -> PanelReadout | None:
    """Per-expert forecasts (one batch: the experts' scenarios stacked along the draw axis) beside the
    pooled forecast, and each issue's 90 % interval split into expert disagreement and assumed noise
    (two sweeps of ``draws``). ``None`` when the scenario has no panel."""
    from detente.analysis.batched import stack_batches
    from detente.analysis.montecarlo import prepare, run_ensemble
    from detente.analysis.sensitivity import predict_batch
    from detente.analysis.summary import summarize
    from detente.core.arrays import to_arrays
    from detente.core.perturb import Perturbation
    from detente.core.scale import from_unit

    panel = scenario.panel
    if panel is None:
        return None
    scales = [(i.scale.low, i.scale.high) for i in scenario.issues]
    views = [scenario, *(expert_scenario(scenario, e) for e in panel.experts)]
    unit = predict_batch(model, stack_batches([to_arrays(v).broadcast((1,)) for v in views]), seed)
    issues = scenario.issue_ids
    values = from_unit(unit, scales)
    pooled = {i: float(values[0, k]) for k, i in enumerate(issues)}
    by_expert = {
        e: {i: float(values[1 + n, k]) for k, i in enumerate(issues)} for n, e in enumerate(panel.experts)
    }
    quiet = Perturbation(position_sd=0.0, salience_sd=0.0, capability_sd=0.0, dropout=0.0, use_stances=True)
    noise = dataclasses.replace(Perturbation.from_metadata(scenario.metadata), use_stances=False)
    widths: dict[str, list[float]] = {i: [] for i in issues}
    for source, pert in ((_experts_only(scenario), quiet), (scenario, noise)):
        ens = run_ensemble(model, prepare(source, pert), pert, n_draws=draws, seed=seed)
        for s in summarize(ens):
            widths[s.issue].append(s.quantiles["95"] - s.quantiles["5"])
    return PanelReadout(
        model=name,
        pool=panel.pool,
        experts=panel.experts,
        disputed=tuple(disagreement(scenario)[:top]),
        pooled=pooled,
        by_expert=by_expert,
        intervals={i: IntervalParts(experts=w[0], noise=w[1]) for i, w in widths.items()},
        draws=draws,
    )
