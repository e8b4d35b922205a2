"""What ``detente run``, the report and ``forecast --format json`` say about how sure a forecast is.

Each model's forecast of each issue becomes a predictive distribution
(:class:`detente.analysis.predictive.Predictive`) with two named parts (issue #14, item 6;
docs/calibration.md):

* **input uncertainty**: the seeded sweep over positions, salience, capability and drop-out
  (:mod:`detente.analysis.montecarlo`); without a sweep, the point forecast alone;
* **model error**: how far the models have been from real outcomes, drawn from an error model
  learned on decided cases (an object with the :class:`ErrorModel` interface; ``None`` = no
  model-error part).

The two are combined by :func:`detente.analysis.predictive.combine` (``Y = clip(X + E)``). The
number shown as the forecast is the model's own point solution (the same number ``levers``,
``sweep``, ``forecast`` and the dashboard give), usually inside its interval (not always: the error
model can move the outcomes after a forecast far from it; the report then says so); the predictive
median is kept beside it and named where it differs (issue #14, item 6). An interval of zero width is only
reported with the reason why (:func:`issue_reading`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from detente._typing import FloatArray
from detente.analysis.predictive import Predictive, combine, from_samples
from detente.core.scenario import Issue, Scenario

INTERVAL = 0.9
"""The interval of the tables and the report (90 %)."""
MIDDLE = 0.5
"""The interval ``detente run``'s brief leads with (50 %): the 90 % one spans nearly the whole
scale once model error learned on EU decisions is added."""
POINT_SHOWN = 0.02
"""The predictive median is named beside the point forecast when they differ by 2 % of the scale or more."""
WHOLE_SCALE = 0.9
"""A 90 % interval at least this share of the scale wide "spans nearly the whole scale"."""
EU_MARKERS = ("proposal_id",)
"""Scenario metadata keys that mark a case of EU legislation (DEU scenarios carry ``proposal_id``);
a scenario may also say ``domain: eu-legislation``."""


class ErrorModel(Protocol):
    """A model-error model learned on decided cases (docs/calibration.md).

    ``source``: where it was learned (e.g. ``"DEU III dev split"``); ``n``: on how many decisions;
    ``domain``: what kind of decisions (``"EU legislation"``). :meth:`residuals` gives draws of
    ``outcome − forecast`` in the issues' raw units, shape (issues, m), for one model's point
    forecasts ``point`` (issues,) on ``scenario``. An error model that also has a ``predictive(arrays,
    model, forecast, scales)`` method (``analysis.calibration.ErrorModelSet``: the mixture over the
    draws of its conditional curves at each draw) is combined through it instead.
    """

    @property
    def source(self) -> str: ...

    @property
    def n(self) -> int: ...

    @property
    def domain(self) -> str: ...

    def residuals(self, scenario: Scenario, model: str, point: FloatArray) -> FloatArray: ...


@dataclass(frozen=True, slots=True)
class IssueInterval:
    """One model's forecast of one issue, read out for people (issue units).

    ``point`` is the model's point solution, shown as the forecast; ``median`` the predictive median.
    ``low``/``high`` the combined 90 % interval, ``mid_low``/``mid_high`` the combined 50 % interval;
    ``input_low``/``input_high`` the 90 % interval from input uncertainty alone (NaN without a
    sweep). ``source`` says which parts the interval has.
    """

    issue: str
    model: str
    point: float
    median: float
    low: float
    high: float
    input_low: float
    input_high: float
    p_low_end: float
    p_high_end: float
    source: str
    error_n: int
    reading: str  # one line on the end points (and, when the interval is a point, why)
    error_domain: str = "EU"
    width: float = 100.0  # the issue's scale width
    scale_low: float = 0.0  # the issue's scale's low end
    mid_low: float = math.nan  # the combined 50 % interval
    mid_high: float = math.nan

    def parts(self, short: bool = False) -> str:
        """The interval's parts in one line: "input uncertainty only: a–b; with model error on N EU
        decisions: c–d" (what there is of them); ``short`` says "input only" (one terminal line)."""
        if not math.isfinite(self.median):
            return ""
        both = f"{self.low:.1f}–{self.high:.1f}"
        with_error = f"with model error on {self.error_n:,} {self.error_domain} decisions: {both}"
        if math.isfinite(self.input_low):
            what = "input only" if short else "input uncertainty only"
            only = f"{what}: {self.input_low:.1f}–{self.input_high:.1f}"
            return f"{only}; {with_error}" if self.error_n else f"{only}; no model-error part"
        if self.error_n:
            return f"{with_error} (no input sweep)"
        return "point forecast only: no input sweep and no model-error part"

    def ends(self) -> str:
        """The end-point reading in a few words ("ends: 6 % exactly 0, 6 % exactly 100"); the
        full :attr:`reading` when it says something else (no forecast, no spread and why)."""
        if not self.reading.startswith("ends:") or not math.isfinite(self.p_low_end):
            return self.reading
        lo, hi = self.scale_low, self.scale_low + self.width
        return f"ends: {_share(self.p_low_end)} exactly {lo:g}, {_share(self.p_high_end)} exactly {hi:g}"

    def median_note(self) -> str:
        """ "predictive median 37.4" when it is :data:`POINT_SHOWN` of the scale's width or more away
        from the point forecast shown (else "")."""
        if not (math.isfinite(self.point) and math.isfinite(self.median)):
            return ""
        if abs(self.point - self.median) < POINT_SHOWN * self.width:
            return ""
        return f"predictive median {self.median:.1f}"

    def point_inside(self) -> bool:
        """The point forecast lies inside the combined 90 % interval (issue #14, item 6)."""
        return self.low - 1e-9 <= self.point <= self.high + 1e-9


@dataclass(frozen=True, slots=True)
class Intervals:
    """The predictive distributions of ``detente run`` (``MainJobResult.intervals``).

    ``by_model``: model -> :class:`Predictive` over the scenario's issues; ``readouts``: model ->
    one :class:`IssueInterval` per issue; ``caveat``: what applying the error model here implies
    (empty when the scenario is of the kind it was learned on, or without one).
    """

    by_model: Mapping[str, Predictive]
    readouts: Mapping[str, tuple[IssueInterval, ...]]
    error_source: str
    error_n: int
    error_domain: str
    caveat: str
    caveat_short: str = ""

    def of(self, model: str, issue: str) -> IssueInterval | None:
        for r in self.readouts.get(model, ()):
            if r.issue == issue:
                return r
        return None


def is_eu_legislation(scenario: Scenario) -> bool:
    """A case of EU legislation: a DEU scenario, or one whose metadata says ``domain: eu-legislation``."""
    domain = scenario.meta("domain", "").strip().lower().replace("_", "-").replace(" ", "-")
    return domain == "eu-legislation" or any(scenario.meta(k, "") for k in EU_MARKERS)


def domain_caveat(scenario: Scenario, error: ErrorModel | None, short: bool = False) -> str:
    """What it implies to use an error model learned on EU legislation on this scenario ("" when it
    fits); ``short``: one terminal line."""
    if error is None or is_eu_legislation(scenario):
        return ""
    if short:
        return "Not EU legislation here: the models may miss more often."
    return (
        f"The model-error part of the intervals was learned on {error.n:,} {error.domain or 'EU'} "
        f"decisions ({error.source}); this scenario is not EU legislation, so the intervals assume the "
        "models miss here as often and as far as they missed there. Read them as a lower bound on "
        "the uncertainty: a different kind of negotiation can surprise the models more."
    )


def _shares(ps: Sequence[float]) -> str:
    """``6 %`` or ``6–7 %`` (rounded to whole percent)."""
    lo, hi = _share(min(ps)), _share(max(ps))
    return lo if lo == hi or "<" in lo else f"{lo.removesuffix(' %')}–{hi}"


def brief_reading(details: Sequence[IssueInterval]) -> str:
    """One paragraph under ``detente run``'s brief, for all issues at once: what the combined 90 %
    intervals and the end points say (instead of repeating them under every issue)."""
    ds = [d for d in details if math.isfinite(d.median) and math.isfinite(d.low)]
    if not ds:
        return ""
    if not ds[0].error_n:
        return (
            "Intervals over perturbed inputs only (no model-error part): they leave out how far "
            "the models have missed real outcomes (docs/calibration.md)."
        )
    wide = sum((d.high - d.low) >= WHOLE_SCALE * d.width for d in ds)
    widths = [100 * (d.high - d.low) / d.width for d in ds]
    span = (
        "span nearly the whole scale on every issue"
        if wide == len(ds)
        else f"span nearly the whole scale on {wide} of {len(ds)} issues"
        if wide
        else f"are {min(widths):.0f}–{max(widths):.0f} % of the scale wide"
    )
    s = f"With model error learned on {ds[0].error_n:,} {ds[0].error_domain} decisions the 90 % intervals {span}"
    ends = [p for d in ds for p in (d.p_low_end, d.p_high_end) if math.isfinite(p)]
    if ends and max(ends) >= 0.005:
        s += f"; either end of the scale is the exact outcome with {_shares(ends)} chance"
    return s + "."


def predictive_of(
    scenario: Scenario,
    model: str,
    point: FloatArray,
    draws: FloatArray | None,
    error: ErrorModel | None,
) -> Predictive:
    """One model's predictive distributions over the scenario's issues.

    ``point`` (I,) the point forecast and ``draws`` (n_draws, I) the sweep's outcomes, both in issue
    units (``draws`` None: no input uncertainty, the point alone). Issues without a forecast (NaN
    point) stay NaN.
    """
    lo = np.array([i.scale.low for i in scenario.issues], dtype=np.float64)
    hi = np.array([i.scale.high for i in scenario.issues], dtype=np.float64)
    x = (
        np.asarray(point, dtype=np.float64)[:, None]
        if draws is None
        else np.asarray(draws, dtype=np.float64).T
    )
    if error is None:
        iq = None if draws is None else from_samples(x, lo, hi).quantiles
        return from_samples(x, lo, hi, input_quantiles=iq)
    own = getattr(error, "predictive", None)
    if callable(own):  # the error model's own combination of input draws and model error
        from detente.core.arrays import to_arrays

        pt = np.asarray(point, dtype=np.float64)
        fill = np.where(np.isfinite(pt), pt, 0.5 * (lo + hi))[:, None]  # a draw without outcome: the point
        got = own(to_arrays(scenario), model, np.where(np.isfinite(x), x, fill), np.stack([lo, hi], axis=1))
        if not isinstance(got, Predictive):
            raise TypeError(f"error model {error.source!r}: predictive() must return a Predictive")
        pred = got
    else:
        e = np.asarray(
            error.residuals(scenario, model, np.asarray(point, dtype=np.float64)), dtype=np.float64
        )
        pred = combine(x, e, lo, hi, error_source=error.source, error_n=error.n)
    if draws is None:  # no sweep: the input part is the point alone, not a spread
        pred = Predictive(
            pred.quantiles, pred.p_low_end, pred.p_high_end, pred.scale_low, pred.scale_high,
            None, pred.error_source, pred.error_n,
        )  # fmt: skip
    missing = ~np.isfinite(np.asarray(point, dtype=np.float64))
    if missing.any():
        q = pred.quantiles.copy()
        q[missing] = np.nan
        pred = Predictive(
            q, np.where(missing, np.nan, pred.p_low_end), np.where(missing, np.nan, pred.p_high_end),
            pred.scale_low, pred.scale_high, pred.input_quantiles, pred.error_source, pred.error_n,
        )  # fmt: skip
    return pred


def _share(p: float) -> str:
    if p < 0.005:
        return "<1 %"
    return f"{100 * p:.0f} %"


def _end(issue: Issue, k: int) -> str:
    value = issue.scale.low if k == 0 else issue.scale.high
    label = issue.scale.labels[k]
    return f"{value:g}" + (f" ({label})" if label else "")


def issue_reading(
    issue: Issue,
    pred: Predictive,
    k: int,
    *,
    dynamic_point: bool = False,
    bounds: tuple[FloatArray, FloatArray] | None = None,
) -> str:
    """One line on the end points of issue ``k`` and, when the 90 % interval has no width, why.

    ``bounds``: ``pred.interval(INTERVAL)`` when the caller has it (every issue's, computed once)."""
    pl, ph = float(pred.p_low_end[k]), float(pred.p_high_end[k])
    if not (math.isfinite(pl) and math.isfinite(ph)):
        return "no forecast"
    lo, hi = pred.interval(INTERVAL) if bounds is None else bounds
    width = float(hi[k] - lo[k])
    if width <= 1e-9 * (issue.scale.high - issue.scale.low):
        if max(pl, ph) > INTERVAL and pred.error_n > 0:
            # the interval holding 90 % is the end alone (analysis.predictive.prediction_interval)
            end = 0 if pl >= ph else 1
            return f"{_share(max(pl, ph))} chance of exactly {_end(issue, end)}: the 90% interval is that end alone"
        why = (
            "every perturbed input gives the same outcome and there is no model-error part"
            if pred.input_quantiles is not None
            else "a point forecast without a sweep or a model-error part"
        )
        if pl >= 0.95 or ph >= 0.95:
            return f"certain to end at {_end(issue, 0 if pl >= ph else 1)}: {why}"
        return f"no spread: {why}"
    if pl < 0.005 and ph < 0.005:
        return "ends: under 1 % chance of ending exactly at either end"
    return f"ends: {_share(pl)} chance of exactly {_end(issue, 0)}, {_share(ph)} of exactly {_end(issue, 1)}"


def _source(pred: Predictive) -> str:
    has_input = pred.input_quantiles is not None
    has_error = pred.error_n > 0
    if has_input and has_error:
        return "input uncertainty and model error"
    if has_error:
        return "model error"
    if has_input:
        return "input uncertainty only"
    return "none"


def _domain_word(domain: str) -> str:
    return "EU" if domain.strip().lower() in ("", "eu legislation", "eu-legislation") else domain


def readouts(
    scenario: Scenario, model: str, point: FloatArray, pred: Predictive, domain: str = ""
) -> tuple[IssueInterval, ...]:
    """One :class:`IssueInterval` per issue of one model's predictive distributions."""
    lo, hi = pred.interval(INTERVAL)
    mlo, mhi = pred.interval(MIDDLE)
    if pred.input_quantiles is not None:
        iq = pred.input_quantiles
        in_lo, in_hi = iq[:, 0], iq[:, -1]  # levels 5 % and 95 %: the input-only 90 % interval
    else:
        in_lo = in_hi = np.full(pred.n, np.nan)
    src = _source(pred)
    return tuple(
        IssueInterval(
            issue.id,
            model,
            float(point[k]),
            float(pred.median[k]),
            float(lo[k]),
            float(hi[k]),
            float(in_lo[k]),
            float(in_hi[k]),
            float(pred.p_low_end[k]),
            float(pred.p_high_end[k]),
            src,
            pred.error_n,
            issue_reading(issue, pred, k, bounds=(lo, hi)),
            _domain_word(domain),
            float(issue.scale.high - issue.scale.low),
            float(issue.scale.low),
            float(mlo[k]),
            float(mhi[k]),
        )
        for k, issue in enumerate(scenario.issues)
    )


def intervals(
    scenario: Scenario,
    points: Mapping[str, FloatArray],
    draws: Mapping[str, FloatArray],
    error: ErrorModel | None = None,
) -> Intervals:
    """The predictive distributions and read-outs of every model in ``points`` (issue units):
    ``draws`` holds the sweep's outcomes (n_draws, I) of the swept models."""
    by_model: dict[str, Predictive] = {}
    reads: dict[str, tuple[IssueInterval, ...]] = {}
    for name, point in points.items():
        p = np.asarray(point, dtype=np.float64)
        by_model[name] = predictive_of(scenario, name, p, draws.get(name), error)
        reads[name] = readouts(scenario, name, p, by_model[name], "" if error is None else error.domain)
    return Intervals(
        by_model,
        reads,
        "" if error is None else error.source,
        0 if error is None else error.n,
        "" if error is None else error.domain,
        domain_caveat(scenario, error),
        domain_caveat(scenario, error, short=True),
    )
