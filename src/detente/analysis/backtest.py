"""Backtest metrics, proposal bootstrap, paired differences and the model runner (validation.md §2).

Pure (numpy only). Inputs are per-issue arrays on the 0–100 scale plus a group label per issue
(the proposal id, ``prnr``); resampling is over groups, never issues.

- point metrics: MAE (primary), RMSE, median absolute error, hit rate ``|e| ≤ 10``, MAE averaged
  per proposal;
- probabilistic: CRPS with the ensemble estimator ``E|X − y| − ½E|X − X'|`` (Gneiting & Raftery
  2007, eq. 21), central-interval coverage;
- uncertainty: bootstrap by proposal (2,000 draws, ``numpy.random.default_rng(1)``, percentile
  95 % interval); model comparisons use paired per-issue differences ``|e_a| − |e_b|`` with the
  same bootstrap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from detente._typing import FloatArray, IntArray
from detente.core.arrays import ScenarioArrays
from detente.core.rng import as_generator
from detente.core.scale import from_unit, to_unit

HIT_THRESHOLD = 10.0
N_DRAWS = 2000
BOOT_SEED = 1


# --------------------------------------------------------------------------- point metrics
def _valid(pred: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    p = np.asarray(pred, dtype=np.float64)
    t = np.asarray(y, dtype=np.float64)
    ok = np.isfinite(p) & np.isfinite(t)
    return p, t, ok


def group_codes(groups: Sequence[str] | npt.ArrayLike) -> tuple[IntArray, int]:
    """Integer codes 0..G−1 for group labels (first-appearance order) and G."""
    labels = [str(g) for g in np.asarray(groups, dtype=object).tolist()]
    index: dict[str, int] = {}
    codes = np.array([index.setdefault(g, len(index)) for g in labels], dtype=np.int64)
    return codes, len(index)


def point_metrics(
    pred: npt.ArrayLike, y: npt.ArrayLike, groups: Sequence[str] | npt.ArrayLike
) -> dict[str, float]:
    """MAE, RMSE, median AE, hit rate (|e| ≤ 10) and per-proposal MAE over issues where both are finite."""
    p, t, ok = _valid(pred, y)
    g = np.asarray(groups, dtype=object)[ok]
    e = np.abs(p[ok] - t[ok])
    n = int(e.size)
    if n == 0:
        nan = float("nan")
        return {"n": 0, "mae": nan, "rmse": nan, "median_ae": nan, "hit_rate": nan, "per_proposal_mae": nan}
    codes, G = group_codes(g)
    per = np.bincount(codes, weights=e, minlength=G) / np.bincount(codes, minlength=G)
    return {
        "n": n,
        "mae": float(e.mean()),
        "rmse": float(np.sqrt((e**2).mean())),
        "median_ae": float(np.median(e)),
        "hit_rate": float((e <= HIT_THRESHOLD).mean()),
        "per_proposal_mae": float(per.mean()),
    }


def crps_ensemble(samples: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    """CRPS of an ensemble per issue: ``E|X − y| − ½ E|X − X'|`` (Gneiting & Raftery 2007, eq. 21).

    ``samples`` (n, M), ``y`` (n,). Uses the sorted-sample identity
    ``E|X − X'| = 2/M² Σ_k (2k − M − 1) x_(k)`` (k = 1..M).
    """
    x = np.sort(np.asarray(samples, dtype=np.float64), axis=-1)
    t = np.asarray(y, dtype=np.float64)
    M = x.shape[-1]
    term1 = np.abs(x - t[..., None]).mean(axis=-1)
    k = np.arange(1, M + 1)
    spread = 2.0 / M**2 * ((2 * k - M - 1) * x).sum(axis=-1)
    return np.asarray(term1 - 0.5 * spread, dtype=np.float64)


def coverage(low: npt.ArrayLike, high: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Share of finite outcomes inside ``[low, high]``."""
    lo, hi, t = (np.asarray(v, dtype=np.float64) for v in (low, high, y))
    ok = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(t)
    if not ok.any():
        return float("nan")
    return float(((t[ok] >= lo[ok]) & (t[ok] <= hi[ok])).mean())


# --------------------------------------------------------------------------- bootstrap
def bootstrap_counts(n_groups: int, n_draws: int = N_DRAWS, seed: int = BOOT_SEED) -> IntArray:
    """(n_draws, G) multiplicities of each proposal in each bootstrap resample (with replacement)."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n_groups, size=(n_draws, n_groups))
    flat = (idx + n_groups * np.arange(n_draws)[:, None]).ravel()
    return np.bincount(flat, minlength=n_draws * n_groups).reshape(n_draws, n_groups).astype(np.int64)


def _percentile_ci(stats: FloatArray) -> tuple[float, float]:
    s = stats[np.isfinite(stats)]
    if s.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.percentile(s, [2.5, 97.5])
    return float(lo), float(hi)


def bootstrap_metrics(
    pred: npt.ArrayLike,
    y: npt.ArrayLike,
    groups: Sequence[str] | npt.ArrayLike,
    n_draws: int = N_DRAWS,
    seed: int = BOOT_SEED,
) -> dict[str, tuple[float, float]]:
    """95 % percentile intervals of MAE, RMSE and hit rate by resampling proposals (validation.md §2)."""
    p, t, ok = _valid(pred, y)
    if not ok.any():
        nan = (float("nan"), float("nan"))
        return {"mae": nan, "rmse": nan, "hit_rate": nan}
    e = np.abs(p[ok] - t[ok])
    codes, G = group_codes(np.asarray(groups, dtype=object)[ok])
    cnt = bootstrap_counts(G, n_draws, seed).astype(np.float64)
    n_g = np.bincount(codes, minlength=G).astype(np.float64)
    s1 = np.bincount(codes, weights=e, minlength=G)
    s2 = np.bincount(codes, weights=e**2, minlength=G)
    hits = np.bincount(codes, weights=(e <= HIT_THRESHOLD).astype(np.float64), minlength=G)
    n = cnt @ n_g
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "mae": _percentile_ci((cnt @ s1) / n),
            "rmse": _percentile_ci(np.sqrt((cnt @ s2) / n)),
            "hit_rate": _percentile_ci((cnt @ hits) / n),
        }


def paired_difference(
    pred: npt.ArrayLike,
    base: npt.ArrayLike,
    y: npt.ArrayLike,
    groups: Sequence[str] | npt.ArrayLike,
    n_draws: int = N_DRAWS,
    seed: int = BOOT_SEED,
) -> dict[str, float]:
    """Mean of ``|e_model| − |e_base|`` on issues both forecast, with the proposal-bootstrap 95 % interval."""
    p, t, ok = _valid(pred, y)
    b = np.asarray(base, dtype=np.float64)
    ok = ok & np.isfinite(b)
    if not ok.any():
        nan = float("nan")
        return {"n": 0, "diff": nan, "low": nan, "high": nan}
    d = np.abs(p[ok] - t[ok]) - np.abs(b[ok] - t[ok])
    codes, G = group_codes(np.asarray(groups, dtype=object)[ok])
    cnt = bootstrap_counts(G, n_draws, seed).astype(np.float64)
    n_g = np.bincount(codes, minlength=G).astype(np.float64)
    s = np.bincount(codes, weights=d, minlength=G)
    lo, hi = _percentile_ci((cnt @ s) / (cnt @ n_g))
    return {"n": int(d.size), "diff": float(d.mean()), "low": lo, "high": hi}


# --------------------------------------------------------------------------- runner
@dataclass(frozen=True, slots=True)
class Case:
    """One proposal: its arrays (all its issues), outcomes (0–100, NaN if none) and labels."""

    proposal_id: str
    arrays: ScenarioArrays
    outcome: FloatArray
    scale_low: FloatArray
    scale_high: FloatArray

    @property
    def scales(self) -> FloatArray:
        """The issues' scales as (I, 2) ``(low, high)`` rows (for :func:`detente.core.scale.from_unit`)."""
        return np.stack([self.scale_low, self.scale_high], axis=-1)


@dataclass(slots=True)
class BacktestResult:
    """Forecasts of every model on every issue (0–100), in case order."""

    issue_ids: list[str]
    proposal_ids: list[str]
    outcome: FloatArray
    forecasts: dict[str, FloatArray] = field(default_factory=dict)
    low: dict[str, FloatArray] = field(default_factory=dict)
    high: dict[str, FloatArray] = field(default_factory=dict)
    ensembles: dict[str, FloatArray] = field(default_factory=dict)
    failures: dict[str, list[str]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)
    predictive: dict[str, Any] = field(default_factory=dict)  # name -> Predictive (backtest_calibration)


BASELINES: tuple[str, ...] = ("compromise", "salience_mean", "mean", "median", "commission", "reference")


def _baseline(name: str, arrays: ScenarioArrays) -> FloatArray:
    """Data baselines that are not models: Commission position and reference point (unit scale)."""
    if name == "commission":
        if "com" not in arrays.actor_ids:
            return np.full(arrays.n_issues, np.nan)
        k = arrays.actor_ids.index("com")
        return np.where(arrays.present[k], arrays.position[k], np.nan)
    if name == "reference":
        return np.asarray(arrays.reference, dtype=np.float64)
    raise KeyError(name)


def _count_statuses(count: dict[str, int], statuses: Any, outcome: FloatArray) -> None:
    """Add a proposal's per-issue run statuses to ``count``, only for the issues with an outcome
    (the ones scored), so the counts add up to the number of issues in the leaderboard."""
    st = np.asarray(statuses).ravel().tolist()
    scored = np.isfinite(np.asarray(outcome, dtype=np.float64)).ravel().tolist()
    for one, ok in zip(st, scored, strict=False):
        if ok:
            count[str(one)] = count.get(str(one), 0) + 1


def run_backtest(
    cases: Sequence[Case],
    models: Mapping[str, Any],
    *,
    seed: int = 0,
    n_seeds: int = 20,
    interval: float = 0.8,
    progress: Callable[[str, int], None] | None = None,
    clock: Callable[[], float] | None = None,
) -> BacktestResult:
    """Run every model on every proposal (``models``: name → model object, or None for the data
    baselines ``commission``/``reference``). Stochastic models run seeds ``seed .. seed+n_seeds−1``
    (validation.md §2): forecast = ensemble mean, interval = central ``interval`` quantiles.

    A model that raises on a proposal gets NaN there; the proposal id and error are recorded in
    ``failures`` (the backtest goes on). ``progress(model, k)`` is called after each proposal.
    """
    issue_ids = [i for c in cases for i in c.arrays.issue_ids]
    res = BacktestResult(
        issue_ids=issue_ids,
        proposal_ids=[c.proposal_id for c in cases for _ in c.arrays.issue_ids],
        outcome=np.concatenate([c.outcome for c in cases]) if cases else np.zeros(0),
    )
    q = (0.5 - interval / 2, 0.5 + interval / 2)
    for name, model in models.items():
        t0 = clock() if clock else 0.0
        chunks: list[FloatArray] = []
        lows: list[FloatArray] = []
        highs: list[FloatArray] = []
        ens: list[FloatArray] = []
        stoch = model is not None and bool(type(model).info.stochastic)
        status_count: dict[str, int] = {}
        for k, c in enumerate(cases):
            try:
                if model is None:
                    unit = _baseline(name, c.arrays)
                elif stoch:
                    preds = [model.predict(c.arrays, as_generator(seed + s)) for s in range(n_seeds)]
                    draws = np.stack([np.asarray(p.outcome, dtype=np.float64) for p in preds])
                    _count_statuses(status_count, preds[0].diagnostics.status, c.outcome)
                    ens.append(from_unit(draws, c.scales).T)
                    unit = draws.mean(axis=0)
                    lo, hi = np.quantile(draws, q, axis=0)
                    lows.append(from_unit(lo, c.scales))
                    highs.append(from_unit(hi, c.scales))
                else:
                    pred = model.predict(c.arrays, as_generator(seed))
                    unit = np.asarray(pred.outcome, dtype=np.float64)
                    _count_statuses(status_count, pred.diagnostics.status, c.outcome)
                unit = np.asarray(unit, dtype=np.float64).reshape(c.arrays.n_issues)
            except Exception as exc:  # noqa: BLE001 - one model's bug must not stop the backtest
                res.failures.setdefault(name, []).append(f"{c.proposal_id}: {type(exc).__name__}: {exc}")
                unit = np.full(c.arrays.n_issues, np.nan)
                if stoch:
                    ens.append(np.full((c.arrays.n_issues, n_seeds), np.nan))
                    lows.append(np.full(c.arrays.n_issues, np.nan))
                    highs.append(np.full(c.arrays.n_issues, np.nan))
            chunks.append(from_unit(unit, c.scales))
            if progress:
                progress(name, k)
        res.forecasts[name] = np.concatenate(chunks) if chunks else np.zeros(0)
        if stoch:
            res.low[name] = np.concatenate(lows)
            res.high[name] = np.concatenate(highs)
            res.ensembles[name] = np.concatenate(ens, axis=0)
        res.statuses[name] = status_count
        if clock:
            res.seconds[name] = clock() - t0
    return res


def leaderboard(
    res: BacktestResult, baseline: str = "compromise", n_draws: int = N_DRAWS
) -> list[dict[str, Any]]:
    """One row per model: point metrics with bootstrap intervals, paired difference to ``baseline``,
    CRPS and 80 % coverage for probabilistic forecasts; sorted as given (caller sorts)."""
    rows: list[dict[str, Any]] = []
    y, g = res.outcome, np.asarray(res.proposal_ids, dtype=object)
    base = res.forecasts.get(baseline)
    for name, f in res.forecasts.items():
        row: dict[str, Any] = {"model": name}
        row.update(point_metrics(f, y, g))
        ci = bootstrap_metrics(f, y, g, n_draws)
        row["mae_ci"], row["rmse_ci"], row["hit_rate_ci"] = ci["mae"], ci["rmse"], ci["hit_rate"]
        if base is not None and name != baseline:
            pdiff = paired_difference(f, base, y, g, n_draws)
            row["diff_vs_" + baseline] = pdiff
        if name in res.ensembles:
            ok = np.isfinite(y) & np.all(np.isfinite(res.ensembles[name]), axis=1)
            row["crps"] = (
                float(crps_ensemble(res.ensembles[name][ok], y[ok]).mean()) if ok.any() else float("nan")
            )
            row["coverage80"] = coverage(res.low[name], res.high[name], y)
        row["failures"] = len(res.failures.get(name, []))
        row["statuses"] = res.statuses.get(name, {})
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- cross-validation
Candidate = tuple[Callable[[npt.NDArray[np.bool_]], Any], Callable[[Any, npt.NDArray[np.bool_]], FloatArray]]


def grouped_folds(groups: Sequence[str] | npt.ArrayLike, k: int | None = None) -> list[npt.NDArray[np.bool_]]:
    """Test masks of grouped CV: one fold per group (LOPO, ``k=None``), or ``k`` folds with the
    groups sorted by label and dealt round-robin (docs/backtest.md §5)."""
    labels = np.asarray([str(x) for x in np.asarray(groups, dtype=object).tolist()])
    uniq = sorted(set(labels.tolist()))
    if k is None:
        return [labels == u for u in uniq]
    fold_of = {u: j % k for j, u in enumerate(uniq)}
    f = np.array([fold_of[s] for s in labels.tolist()])
    return [f == j for j in range(k)]


def cross_validate(
    fit: Callable[[npt.NDArray[np.bool_]], Any],
    predict: Callable[[Any, npt.NDArray[np.bool_]], FloatArray],
    n: int,
    folds: Sequence[npt.NDArray[np.bool_]],
) -> FloatArray:
    """Out-of-fold predictions: for each test mask, ``predict(fit(~mask), mask)``."""
    out = np.full(n, np.nan)
    for test in folds:
        params = fit(~test)
        out[test] = predict(params, test)
    return out


def anchored_candidates(features: Mapping[str, FloatArray], y_unit: FloatArray) -> dict[str, Candidate]:
    """The four pre-registered candidates C1–C4 of the anchored model (docs/backtest.md §5)."""
    from detente.models.anchored import CANDIDATES, combine, fit_anchored

    f = {k: np.asarray(v, dtype=np.float64) for k, v in features.items()}
    y = np.asarray(y_unit, dtype=np.float64)

    def make(free: tuple[str, ...]) -> Candidate:
        def fit(train: npt.NDArray[np.bool_]) -> Any:
            return fit_anchored({k: v[train] for k, v in f.items()}, y[train], free)

        def predict(c: Any, mask: npt.NDArray[np.bool_]) -> FloatArray:
            return combine({k: v[mask] for k, v in f.items()}, c["a"], c["b"], c["e"])

        return fit, predict

    return {name: make(free) for name, free in CANDIDATES.items()}


def calibrated_candidates(data: Mapping[str, np.ndarray], y_unit: FloatArray) -> dict[str, Candidate]:
    """The three pre-registered candidates D1–D3 of the calibrated model (docs/backtest.md §7)."""
    from detente.models.calibrated import CANDIDATES, calibrated_mean, fit_calibrated

    y = np.asarray(y_unit, dtype=np.float64)
    keys = ("x", "c", "s", "present", "inst")

    def make(free: tuple[str, ...]) -> Candidate:
        def fit(train: npt.NDArray[np.bool_]) -> Any:
            return fit_calibrated({k: data[k][:, train] for k in keys}, y[train], free)

        def predict(p: Any, mask: npt.NDArray[np.bool_]) -> FloatArray:
            d = {k: data[k][:, mask] for k in keys}
            return calibrated_mean(
                d["x"], d["c"], d["s"], d["present"], d["inst"], p["alpha"], p["beta"], p["kappa"]
            )

        return fit, predict

    return {name: make(free) for name, free in CANDIDATES.items()}


def anchored_cv(
    features: Mapping[str, FloatArray],
    y_unit: FloatArray,
    groups: Sequence[str] | npt.ArrayLike,
    *,
    inner_k: int = 5,
) -> dict[str, Any]:
    """The pre-registered protocol of docs/backtest.md §5 for the ``anchored`` model (see
    :func:`protocol_cv`), plus ``full_fit``: the selected candidate fitted on all issues."""
    from detente.models.anchored import CANDIDATES, fit_anchored

    cands = anchored_candidates(features, y_unit)
    res = protocol_cv(cands, y_unit, groups, inner_k=inner_k)
    f = {k: np.asarray(v, dtype=np.float64) for k, v in features.items()}
    res["full_fit"] = fit_anchored(f, np.asarray(y_unit, dtype=np.float64), CANDIDATES[res["chosen"]])
    return res


def protocol_cv(
    candidates: Mapping[str, Candidate],
    y_unit: FloatArray,
    groups: Sequence[str] | npt.ArrayLike,
    *,
    inner_k: int = 5,
    nested_over: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Pre-registered selection protocol (docs/backtest.md §5, §7) for any set of candidates.

    ``candidates``: name → (fit(train_mask) → params, predict(params, mask) → unit forecasts).
    Returns LOPO out-of-fold forecasts and MAE (0–100) per candidate, the LOPO-selected
    candidate, and nested forecasts (outer LOPO; inner grouped ``inner_k``-fold selection among
    ``nested_over``, default all candidates) with how often each candidate was picked.
    """
    y = np.asarray(y_unit, dtype=np.float64)
    labels = np.asarray([str(x) for x in np.asarray(groups, dtype=object).tolist()])
    n = y.size
    names = list(candidates)
    lopo = grouped_folds(labels)
    oof = {c: cross_validate(candidates[c][0], candidates[c][1], n, lopo) for c in names}
    mae = {c: float(np.abs(p - y).mean() * 100) for c, p in oof.items()}
    chosen = min(names, key=lambda c: (mae[c], names.index(c)))
    pool = list(nested_over) if nested_over is not None else names
    nested = np.full(n, np.nan)
    picks: dict[str, int] = {}
    for test in lopo:
        train_idx = np.flatnonzero(~test)
        inner_folds = grouped_folds(labels[train_idx], inner_k)
        inner_mae: dict[str, float] = {}
        for c in pool:
            fit, pred = candidates[c]
            p = np.full(train_idx.size, np.nan)
            for itest in inner_folds:
                tr = np.zeros(n, dtype=bool)
                tr[train_idx[~itest]] = True
                te = np.zeros(n, dtype=bool)
                te[train_idx[itest]] = True
                p[itest] = pred(fit(tr), te)
            inner_mae[c] = float(np.abs(p - y[train_idx]).mean())
        best = min(pool, key=lambda c: (inner_mae[c], names.index(c)))
        picks[best] = picks.get(best, 0) + 1
        nested[test] = candidates[best][1](candidates[best][0](~test), test)
    return {"lopo": oof, "lopo_mae": mae, "chosen": chosen, "nested": nested, "nested_picks": picks}


def issue_matrices(
    cases: Sequence[Case], institutions: tuple[str, ...] = ("com", "ep")
) -> dict[str, np.ndarray]:
    """Per-issue padded matrices (A_max, n) of issues with an outcome: x, c, s, present, inst; plus
    ``y`` (unit scale), ``proposal`` labels and ``reference`` (unit, NaN if none)."""
    keep = [(c, i) for c in cases for i in range(c.arrays.n_issues) if np.isfinite(c.outcome[i])]
    amax = max((c.arrays.n_actors for c, _ in keep), default=0)
    n = len(keep)
    out: dict[str, np.ndarray] = {k: np.zeros((amax, n)) for k in ("x", "c", "s")}
    out["present"] = np.zeros((amax, n), dtype=bool)
    out["inst"] = np.zeros((amax, n), dtype=bool)
    y, ref, prop = np.zeros(n), np.zeros(n), []
    for j, (c, i) in enumerate(keep):
        a = c.arrays
        A = a.n_actors
        out["x"][:A, j] = a.position[:, i]
        out["c"][:A, j] = a.capability[:, i]
        out["s"][:A, j] = a.salience[:, i]
        out["present"][:A, j] = a.present[:, i]
        out["inst"][:A, j] = [aid in institutions for aid in a.actor_ids]
        y[j] = float(to_unit(c.outcome[i], c.scales[i]))
        ref[j] = a.reference[i]
        prop.append(c.proposal_id)
    out["y"], out["reference"], out["proposal"] = y, ref, np.asarray(prop, dtype=object)
    return out


def model_protocol_report(cases: Sequence[Case]) -> dict[str, Any]:
    """Every number of docs/backtest.md §6 and §8 from backtest cases (the dev file): LOPO and
    nested results of both pre-registered families, each against compromise with the proposal bootstrap."""
    from detente.models.anchored import anchored_features

    data = issue_matrices(cases)
    y, g = data["y"], data["proposal"]
    feats: dict[str, list[FloatArray]] = {}
    for c in cases:
        ok = np.isfinite(c.outcome)
        for k, v in anchored_features(c.arrays).items():
            feats.setdefault(k, []).append(v[ok])
    f = {k: np.concatenate(v) for k, v in feats.items()}
    comp = f["m"]
    cands = {**anchored_candidates(f, y), **calibrated_candidates(data, y)}
    out: dict[str, Any] = {"n": int(y.size), "compromise_mae": float(np.abs(comp - y).mean() * 100)}
    for label, pool in (
        ("anchored", ["C1", "C2", "C3", "C4"]),
        ("calibrated", ["D1", "D2", "D3"]),
        ("all", list(cands)),
    ):
        res = protocol_cv({k: cands[k] for k in pool}, y, g)
        chosen = res["chosen"]
        entry: dict[str, Any] = {
            "lopo_mae": res["lopo_mae"],
            "chosen": chosen,
            "nested_picks": res["nested_picks"],
        }
        for kind, pred in (("lopo_chosen", res["lopo"][chosen]), ("nested", res["nested"])):
            pm: dict[str, Any] = dict(point_metrics(pred * 100, y * 100, g))
            pm["mae_ci"] = bootstrap_metrics(pred * 100, y * 100, g)["mae"]
            pm["diff_vs_compromise"] = paired_difference(pred * 100, comp * 100, y * 100, g)
            entry[kind] = pm
        entry["full_fit"] = cands[chosen][0](np.ones(y.size, dtype=bool))
        out[label] = entry
    return out


def in_sample_models(names: Sequence[str] | Mapping[str, Any]) -> list[str]:
    """The models among ``names`` whose parameters were fitted on the DEU dev file
    (``analysis.main_job.FITTED_ON_DEU``: anchored, calibrated, mixture, the ensemble's weights), so
    their backtest on that file is in-sample (docs/backtest.md §6, §8; docs/ensemble.md)."""
    from detente.analysis.main_job import FITTED_ON_DEU

    return [n for n in FITTED_ON_DEU if n in names]


def in_sample_note(names: Sequence[str] | Mapping[str, Any]) -> str:
    """The sentence the terminal and the report print under the leaderboard ('' if no such model)."""
    fitted = in_sample_models(names)
    if not fitted:
        return ""
    return (
        f"{', '.join(fitted)}: parameters were fitted on the DEU dev file (data/deu/deu3_dev.tsv), so on that "
        "file their numbers are in-sample; their honest numbers are the cross-validated ones in "
        "docs/backtest.md §6 and §8 and docs/ensemble.md."
    )
