"""Sensitivity of a forecast: knock-out of each actor and a one-at-a-time tornado.

- **Knock-out**: the forecast with actor ``a`` absent on every issue, and the change it makes
  (issue units). An issue left with nobody present gets NaN.
- **Tornado** (one-at-a-time; Saltelli et al. 2008, *Global Sensitivity Analysis*, ch. 1): each
  stance's position, salience and capability is set to the 5th and 95th percentile of its own
  uncertainty (the distribution a sweep draws from, :mod:`detente.core.perturb`), all else at
  the base values: position ``x ± 1.645·sd`` clipped to its range, salience ``s ± 1.645·sd_s``
  clipped to [0, 1], capability ``c·exp(±1.645·sd_c)``. The swing ``|f(high) − f(low)|`` of each
  issue's forecast ranks the inputs.

All variants run as one batched ``predict`` call for deterministic batched models; stochastic
models get the same seed for every variant (common random numbers).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from detente._typing import FloatArray
from detente.analysis.montecarlo import DrawSpec, prepare
from detente.core.arrays import ScenarioArrays
from detente.core.perturb import Perturbation
from detente.core.rng import as_generator, check_seed
from detente.core.scale import from_unit
from detente.core.scenario import Scenario
from detente.errors import ConvergenceWarning, ScenarioError
from detente.models.base import require_model

Z90 = 1.6448536269514722  # standard normal 95th percentile
INPUTS: tuple[str, ...] = ("position", "salience", "capability")


def predict_batch(model: Any, arrays: ScenarioArrays, seed: int | None = 0) -> FloatArray:
    """Unit-scale outcomes (B, I) of a (B, A, I) batch: one call if the model is deterministic and batched,
    else one call per element, each with a fresh generator from ``seed`` (common random numbers)."""
    info = type(model).info
    B = arrays.batch_shape[0]
    with warnings.catch_warnings():
        # every variant is a what-if; convergence of each is not part of these read-outs
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        if info.stochastic or not info.batched:
            outs = [model.predict(arrays.take(b), as_generator(seed)).outcome for b in range(B)]
            return np.asarray(np.stack(outs), dtype=np.float64)
        out = model.predict(arrays, as_generator(seed)).outcome
    return np.asarray(out, dtype=np.float64).reshape(B, arrays.n_issues)


def stack_arrays(
    base: ScenarioArrays,
    position: FloatArray,
    salience: FloatArray,
    capability: FloatArray,
    present: np.ndarray,
) -> ScenarioArrays:
    """Batch (B, A, I) arrays from per-variant inputs, with the base reference repeated."""
    B = position.shape[0]
    return replace(
        base,
        position=np.ascontiguousarray(position),
        salience=np.ascontiguousarray(np.where(present, salience, 0.0)),
        capability=np.ascontiguousarray(np.where(present, capability, 0.0)),
        present=np.ascontiguousarray(present),
        reference=np.broadcast_to(base.reference, (B, base.n_issues)).copy(),
    ).readonly()


@dataclass(frozen=True, slots=True)
class Knockout:
    """``base`` (I,), ``without`` (A, I) forecasts without each actor, ``delta = without − base``; issue units."""

    actor_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    base: FloatArray
    without: FloatArray
    delta: FloatArray

    def ranked(self, issue: str) -> list[tuple[str, float]]:
        """(actor, change) by decreasing absolute change on ``issue`` (NaN last)."""
        i = self.issue_ids.index(issue)
        d = self.delta[:, i]
        order = sorted(
            range(len(d)), key=lambda a: (not np.isfinite(d[a]), -abs(d[a]) if np.isfinite(d[a]) else 0, a)
        )
        return [(self.actor_ids[a], float(d[a])) for a in order]


def knockout(model: Any, scenario: Scenario, *, seed: int = 0) -> Knockout:
    """Forecast without each actor in turn (``seed``: an integer >= 0, as in :func:`detente.forecast`).

    Examples
    --------
    >>> from detente.core import Actor, Issue, Scenario, Stance
    >>> sc = Scenario(id="t", actors=(Actor(id="a"), Actor(id="b"), Actor(id="c")), issues=(Issue(id="x"),),
    ...     stances=tuple(Stance(actor=k, issue="x", position=p, salience=1) for k, p in zip("abc", (0, 30, 90))))
    >>> from detente.models import get_model
    >>> ko = knockout(get_model("compromise"), sc)
    >>> [round(float(v), 6) for v in ko.delta[:, 0]]
    [20.0, 5.0, -25.0]
    """
    model = require_model(model)
    seed = check_seed(seed)
    return knockout_batch(model, prepare(scenario, Perturbation.none()), seed)[0]


def knockout_batch(model: Any, spec: DrawSpec, seed: int | None) -> tuple[Knockout, FloatArray]:
    """:func:`knockout` in one batched model call on a prepared ``spec``, plus the base forecast on
    the unit scale (the batch's first row)."""
    arr = knockout_rows(spec)
    return knockout_result(spec, predict_batch(model, arr, seed))


def _knockout_present(b: ScenarioArrays) -> np.ndarray:
    """``(A + 1, A, I)`` presence: row 0 as given, row ``a + 1`` with actor ``a`` absent."""
    A = b.n_actors
    present = np.broadcast_to(b.present, (A + 1, A, b.n_issues)).copy()
    for a in range(A):
        present[a + 1, a, :] = False
    return present


def knockout_rows(spec: DrawSpec) -> ScenarioArrays:
    """The knock-out batch ``(A + 1, A, I)``: row 0 the base, row ``a + 1`` without actor ``a``."""
    b = spec.base
    A, I = b.n_actors, b.n_issues
    return stack_arrays(
        b,
        np.broadcast_to(b.position, (A + 1, A, I)),
        np.broadcast_to(b.salience, (A + 1, A, I)),
        np.broadcast_to(b.capability, (A + 1, A, I)),
        _knockout_present(b),
    )


def knockout_result(spec: DrawSpec, out: FloatArray) -> tuple[Knockout, FloatArray]:
    """The :class:`Knockout` from the forecasts ``(A + 1, I)`` (unit scale) of :func:`knockout_rows`,
    plus the base forecast (its first row)."""
    b = spec.base
    base_u = np.asarray(out[0], dtype=np.float64).copy()
    empty = ~_knockout_present(b).any(axis=-2)  # (A+1, I)
    out = np.where(empty, np.nan, out)
    raw = from_unit(out, spec.scales)
    return Knockout(b.actor_ids, b.issue_ids, raw[0], raw[1:], raw[1:] - raw[0]), base_u


@dataclass(frozen=True, slots=True)
class TornadoCase:
    actor: str
    input: str
    issue: str  # the issue whose stance is varied
    low: float  # input values (issue units for position)
    high: float


@dataclass(frozen=True, slots=True)
class Tornado:
    """One-at-a-time results: ``out_low``/``out_high`` (C, I) forecasts (issue units) per case."""

    issue_ids: tuple[str, ...]
    base: FloatArray
    cases: tuple[TornadoCase, ...]
    out_low: FloatArray
    out_high: FloatArray

    def __repr__(self) -> str:
        return (
            f"Tornado({len(self.cases)} cases × {len(self.issue_ids)} issues {self.issue_ids!r}; "
            ".top(issue, n) lists the largest swings)"
        )

    @property
    def swing(self) -> FloatArray:
        """(C, I) absolute change of each forecast between the low and the high setting."""
        return np.asarray(np.abs(self.out_high - self.out_low), dtype=np.float64)

    def top(self, issue: str, n: int = 5) -> list[tuple[TornadoCase, float, float, float]]:
        """The ``n`` cases that move ``issue`` most: (case, forecast at low, at high, swing); zero swings dropped."""
        if issue not in self.issue_ids:
            raise ScenarioError(
                f"issue: unknown issue {issue!r} (expected one of {', '.join(self.issue_ids)})"
            )
        i = self.issue_ids.index(issue)
        sw = self.swing[:, i]
        order = sorted((c for c in range(len(self.cases)) if sw[c] > 0), key=lambda c: (-sw[c], c))[:n]
        return [
            (self.cases[c], float(self.out_low[c, i]), float(self.out_high[c, i]), float(sw[c]))
            for c in order
        ]


def _ranges(spec: DrawSpec, a: int, i: int) -> dict[str, tuple[float, float]]:
    b = spec.base
    x, s, c = float(b.position[a, i]), float(b.salience[a, i]), float(b.capability[a, i])
    dx = Z90 * float(spec.pos_sd[a, i])
    ds = Z90 * spec.salience_sd
    fc = float(np.exp(Z90 * spec.capability_sd))
    return {
        "position": (max(float(spec.pos_low[a, i]), x - dx), min(float(spec.pos_high[a, i]), x + dx)),
        "salience": (max(0.0, s - ds), min(1.0, s + ds)),
        "capability": (c / fc, c * fc),
    }


@dataclass
class TornadoPlan:
    """The tornado's cases and the batches that run them: per batch, its case indices, the issue
    column it runs on (-1: all issues, for joint models) and its ``(2·cases, A, ·)`` arrays (each
    case's low and high setting in consecutive rows)."""

    cases: list[TornadoCase]
    batches: list[tuple[list[int], int, ScenarioArrays]]

    def record(self, out_low: FloatArray, out_high: FloatArray, k: int, res: FloatArray) -> None:
        """Write batch ``k``'s unit-scale forecasts ``res`` into the (C, I) ``out_low``/``out_high``."""
        idx, gi, _arr = self.batches[k]
        if gi < 0:
            out_low[idx] = res[0::2]
            out_high[idx] = res[1::2]
        else:
            out_low[idx, gi] = res[0::2, 0]
            out_high[idx, gi] = res[1::2, 0]


def tornado_plan(spec: DrawSpec, joint: bool) -> TornadoPlan:
    """The tornado's cases and batches (:class:`TornadoPlan`) for a prepared ``spec``; per-issue
    models (``joint`` false) get one batch per issue, on that issue's column alone."""
    b = spec.base
    A, I = b.n_actors, b.n_issues
    cells = [(a, i) for a in range(A) for i in range(I) if b.present[a, i]]
    cases: list[TornadoCase] = []
    values: list[tuple[int, int, str, float, float]] = []  # (a, i, input, low, high) on the unit scale
    for a, i in cells:
        lo_hi = _ranges(spec, a, i)
        for name in INPUTS:
            lo, hi = lo_hi[name]
            values.append((a, i, name, lo, hi))
            if name == "position":
                lo, hi = from_unit([lo, hi], spec.scales[i]).tolist()
            cases.append(TornadoCase(b.actor_ids[a], name, b.issue_ids[i], lo, hi))
    C = len(cases)
    # per-issue models: a change on issue i only moves issue i, so run each issue's cases on that column alone
    groups = [list(range(C))] if joint else [[c for c in range(C) if values[c][1] == i] for i in range(I)]
    batches = []
    for gi, idx in enumerate(groups):
        if not idx:
            continue
        arr = b if joint else b.subset_issues([gi])
        n = 2 * len(idx)
        pos = np.broadcast_to(arr.position, (n, A, arr.n_issues)).copy()
        sal = np.broadcast_to(arr.salience, (n, A, arr.n_issues)).copy()
        cap = np.broadcast_to(arr.capability, (n, A, arr.n_issues)).copy()
        for k, c in enumerate(idx):
            a, i, name, lo, hi = values[c]
            target = {"position": pos, "salience": sal, "capability": cap}[name]
            target[2 * k, a, i if joint else 0] = lo
            target[2 * k + 1, a, i if joint else 0] = hi
        present = np.broadcast_to(arr.present, (n, A, arr.n_issues))
        batches.append((idx, -1 if joint else gi, stack_arrays(arr, pos, sal, cap, present)))
    return TornadoPlan(cases, batches)


def tornado(
    model: Any, scenario: Scenario, perturbation: Perturbation | None = None, *, seed: int = 0
) -> Tornado:
    """One-at-a-time swings of every stance's position, salience and capability (module docstring);
    ``seed``: an integer >= 0, as in :func:`detente.forecast`.

    Examples
    --------
    >>> from detente.io.builtin import load_builtin
    >>> from detente.models import get_model
    >>> t = tornado(get_model("compromise"), load_builtin("emission-standards-1994"))
    >>> t.top("emission", 1)[0][0].input in ("position", "salience", "capability")
    True
    """
    model = require_model(model)
    seed = check_seed(seed)
    spec = prepare(scenario, perturbation)
    b = spec.base
    base_out = predict_batch(
        model, stack_arrays(b, b.position[None], b.salience[None], b.capability[None], b.present[None]), seed
    )[0]
    plan = tornado_plan(spec, bool(type(model).info.joint_issues))
    C, I = len(plan.cases), b.n_issues
    out_low = np.broadcast_to(base_out, (C, I)).copy()
    out_high = np.broadcast_to(base_out, (C, I)).copy()
    for k, (_idx, _gi, arr) in enumerate(plan.batches):
        plan.record(out_low, out_high, k, predict_batch(model, arr, seed))
    return Tornado(
        b.issue_ids,
        from_unit(base_out, spec.scales),
        tuple(plan.cases),
        from_unit(out_low, spec.scales),
        from_unit(out_high, spec.scales),
    )


@dataclass(frozen=True, slots=True)
class Sobol:
    """Variance-based indices per input group: ``first`` (S_j) and ``total`` (ST_j), arrays (G, I).

    ``groups`` are ``(actor, input)`` pairs (input in position, salience, capability; across all
    the actor's issues). ``variance`` (I,) is the forecast variance in issue units squared.
    """

    issue_ids: tuple[str, ...]
    groups: tuple[tuple[str, str], ...]
    first: FloatArray
    total: FloatArray
    variance: FloatArray
    n: int

    def top(self, issue: str, n: int = 5) -> list[tuple[tuple[str, str], float, float]]:
        """The ``n`` groups with the largest total index on ``issue``: (group, first, total)."""
        i = self.issue_ids.index(issue)
        order = sorted(range(len(self.groups)), key=lambda g: (-self.total[g, i], g))[:n]
        return [(self.groups[g], float(self.first[g, i]), float(self.total[g, i])) for g in order]


def sobol(
    model: Any,
    scenario: Scenario,
    perturbation: Perturbation | None = None,
    *,
    n: int = 512,
    seed: int | None = 0,
    chunk_size: int = 2048,
) -> Sobol:
    """First-order and total Sobol indices of each actor's position, salience and capability.

    Estimators of Saltelli et al. (2010), *Comput. Phys. Commun.* 181:259–270, Table 2 (b) and (f):
    ``S_j = mean(f(B)·(f(A_B^j) − f(A))) / V`` and ``ST_j = mean((f(A) − f(A_B^j))²) / (2V)``
    (Jansen 1999), with ``A``, ``B`` two independent sets of ``n`` sweep draws (drop-out off),
    ``A_B^j`` = ``A`` with group ``j`` taken from ``B``, ``V`` the variance of ``f`` over ``A``
    and ``B``, and ``f`` centred on its mean over ``A`` and ``B``. Cost: ``n·(G + 2)`` model evaluations for ``G`` groups. Estimates carry
    Monte Carlo error of order ``1/√n``; an issue with no variance gets NaN.

    Examples
    --------
    >>> from detente.io.builtin import load_builtin
    >>> from detente.models import get_model
    >>> s = sobol(get_model("compromise"), load_builtin("emission-standards-1994"), n=256)
    >>> s.top("emission", 1)[0][0][1] in ("position", "salience", "capability")
    True
    """
    from detente.analysis.montecarlo import draw_arrays

    pert = Perturbation() if perturbation is None else perturbation
    pert = replace(pert, dropout=0.0)
    spec = prepare(scenario, pert)
    b = spec.base
    A, I = b.n_actors, b.n_issues
    root = np.random.SeedSequence(seed)
    sa, sb = root.spawn(2)
    xa = draw_arrays(spec, sa, 0, n)
    xb = draw_arrays(spec, sb, 0, n)
    actors = [a for a in range(A) if b.present[a].any()]
    groups = [(a, name) for a in actors for name in INPUTS]
    G = len(groups)
    fields = {"position": "position", "salience": "salience", "capability": "capability"}

    def run(pos: FloatArray, sal: FloatArray, cap: FloatArray) -> FloatArray:
        outs = []
        present = np.broadcast_to(b.present, (chunk_size, A, I))
        for s in range(0, pos.shape[0], chunk_size):
            e = min(s + chunk_size, pos.shape[0])
            arr = stack_arrays(b, pos[s:e], sal[s:e], cap[s:e], present[: e - s])
            outs.append(predict_batch(model, arr, seed))
        return np.concatenate(outs) if outs else np.empty((0, I))  # no actor with a stance: no groups

    fa = run(xa.position, xa.salience, xa.capability)
    fb = run(xb.position, xb.salience, xb.capability)
    stacks = {k: np.broadcast_to(getattr(xa, k), (G, n, A, I)).copy() for k in fields}
    for g, (a, name) in enumerate(groups):
        stacks[name][g, :, a, :] = getattr(xb, name)[:, a, :]
    fab = run(*(stacks[k].reshape(G * n, A, I) for k in ("position", "salience", "capability"))).reshape(
        G, n, I
    )
    both = np.concatenate([fa, fb])
    var = both.var(axis=0)
    mu = both.mean(axis=0)  # centring leaves the estimators unbiased and cuts their variance
    fa, fb, fab = fa - mu, fb - mu, fab - mu
    with np.errstate(invalid="ignore", divide="ignore"):
        first = np.where(var > 0, (fb[None] * (fab - fa[None])).mean(axis=1) / var, np.nan)
        total = np.where(var > 0, ((fa[None] - fab) ** 2).mean(axis=1) / (2 * var), np.nan)
    width = np.array([hi - lo for lo, hi in spec.scales])
    return Sobol(
        b.issue_ids,
        tuple((b.actor_ids[a], name) for a, name in groups),
        np.asarray(first, dtype=np.float64),
        np.asarray(total, dtype=np.float64),
        np.asarray(var * width**2, dtype=np.float64),
        n,
    )
