"""Forecasts -> JSON-ready dicts (the CLI contract) and pandas DataFrames.

JSON contract of one result (``detente forecast --format json`` puts a list of these under ``results``)::

    {"model", "params", "seed",
     "issues": [{"issue", "forecast", "scale": [min, max], "trajectory": null or [...]}]}

A model that gives no forecast on an issue has ``"forecast": null`` and a short ``"reason"``
(e.g. ``"no status quo given"`` for the status-quo baseline on an issue without a reference point).

Forecasts are in the issue's own units. For dynamic models ``trajectory`` lists one entry per round,
``{"round": t, "positions": {actor: position}}`` (actors absent on the issue are left out), plus the
per-round statistics a model puts in ``prediction.extras["round_stats"]`` (a mapping name -> array
``(T+1, I)`` on the unit scale, e.g. EUM's ``median``/``mean``, exchange's ``outcome``), converted to
issue units, and ``stat`` from ``prediction.stat_path`` when the model reports one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from detente.core.results import Forecast
from detente.core.scale import from_unit
from detente.core.scenario import Scenario


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.generic):
        return _jsonable(v.item())
    if isinstance(v, np.ndarray):
        return [_jsonable(x) for x in v.tolist()]
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if v is None or isinstance(v, str | int | bool):
        return v
    return str(v)


def _num(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _present(forecast: Forecast, scenario: Scenario | None) -> np.ndarray:
    """(A, I) bool: actor has a stance on the issue (all True without a scenario)."""
    a, i = len(forecast.actor_ids), len(forecast.issue_ids)
    if scenario is None:
        return np.ones((a, i), dtype=bool)
    pairs = {(s.actor, s.issue) for s in scenario.stances}
    return np.array(
        [[(aid, iid) in pairs for iid in forecast.issue_ids] for aid in forecast.actor_ids], dtype=bool
    )


def _last3(arr: Any) -> np.ndarray | None:
    if arr is None:
        return None
    x = np.asarray(arr, dtype=np.float64)
    if x.ndim < 3:
        return None
    return x.reshape((-1, *x.shape[-3:]))[0] if x.ndim > 3 else x


def _last2(arr: Any) -> np.ndarray | None:
    if arr is None:
        return None
    x = np.asarray(arr, dtype=np.float64)
    if x.ndim < 2:
        return None
    return x.reshape((-1, *x.shape[-2:]))[0] if x.ndim > 2 else x


def trajectory_entries(
    forecast: Forecast, scenario: Scenario | None = None
) -> list[list[dict[str, Any]] | None]:
    """Per issue: the list of per-round entries (see module docstring), or None for static models."""
    pred = forecast.prediction
    traj = _last3(pred.trajectory)
    n_issues = len(forecast.issue_ids)
    if traj is None:
        return [None] * n_issues
    raw = from_unit(traj, forecast.scales)  # (T+1, A, I) issue units
    present = _present(forecast, scenario)
    stats: dict[str, np.ndarray] = {}
    rs = pred.extras.get("round_stats") if isinstance(pred.extras, Mapping) else None
    if isinstance(rs, Mapping):
        for name, arr in rs.items():
            a2 = _last2(arr)
            if a2 is not None and a2.shape[-1] == n_issues:
                stats[str(name)] = from_unit(a2, forecast.scales)
    sp = _last2(pred.stat_path)
    if sp is not None and sp.shape[-1] == n_issues and "stat" not in stats:
        stats["stat"] = from_unit(sp, forecast.scales)
    out: list[list[dict[str, Any]] | None] = []
    for k in range(n_issues):
        rows: list[dict[str, Any]] = []
        for t in range(raw.shape[0]):
            entry: dict[str, Any] = {
                "round": t,
                "positions": {
                    aid: _num(raw[t, a, k]) for a, aid in enumerate(forecast.actor_ids) if present[a, k]
                },
            }
            for name, arr in stats.items():
                if t < arr.shape[0]:
                    entry[name] = _num(arr[t, k])
            rows.append(entry)
        out.append(rows)
    return out


def forecast_to_dict(forecast: Forecast, scenario: Scenario | None = None) -> dict[str, Any]:
    """One forecast as the CLI JSON contract (issue units). ``scenario`` tells which actors are absent.

    Examples
    --------
    >>> from detente.io.builtin import load_builtin
    >>> from detente.models import forecast, get_model
    >>> sc = load_builtin("emission-standards-1994")
    >>> d = forecast_to_dict(forecast(get_model("median"), sc, seed=0), sc)
    >>> d["issues"][0]["issue"], d["issues"][0]["forecast"], d["issues"][0]["scale"]
    ('emission', 7.0, [4.0, 10.0])
    """
    trajs = trajectory_entries(forecast, scenario)
    diag = forecast.diagnostics
    status = np.broadcast_to(np.asarray(diag.status), (len(forecast.issue_ids),))
    rounds = np.broadcast_to(np.asarray(diag.rounds), (len(forecast.issue_ids),))
    period = np.broadcast_to(np.asarray(diag.period), (len(forecast.issue_ids),))
    issues = []
    for k, iid in enumerate(forecast.issue_ids):
        entry: dict[str, Any] = {
            "issue": iid,
            "forecast": _num(forecast.outcome[k]),
            "scale": [float(forecast.scales[k][0]), float(forecast.scales[k][1])],
            "trajectory": trajs[k],
            "status": str(status[k]),
        }
        reason = forecast.no_forecast_reason(k)
        if reason is not None:
            entry["reason"] = reason  # "forecast" is null: say why (e.g. no status quo given)
        if str(status[k]) != "closed_form":
            entry["rounds"] = int(rounds[k])
            if int(period[k]):
                entry["period"] = int(period[k])
        flags = {
            name: bool(np.broadcast_to(np.asarray(v), status.shape)[k]) for name, v in diag.flags.items()
        }
        if any(flags.values()):
            entry["flags"] = sorted(n for n, v in flags.items() if v)
        issues.append(entry)
    out: dict[str, Any] = {
        "model": forecast.model,
        "params": _jsonable(dict(forecast.params)),
        "seed": forecast.seed,
        "input_sha256": forecast.scenario_hash,
        "detente_version": forecast.version,
        "issues": issues,
    }
    exchanges = forecast.prediction.extras.get("exchanges")
    if exchanges is not None:
        out["exchanges"] = _jsonable(exchanges)
    return out


def forecast_to_frame(forecasts: Forecast | Iterable[Forecast], scenario: Scenario | None = None) -> Any:
    """A pandas DataFrame with columns model, issue, forecast, low_label, high_label (one row per model x issue)."""
    import pandas as pd

    items = [forecasts] if isinstance(forecasts, Forecast) else list(forecasts)
    labels: dict[str, tuple[str, str]] = {}
    if scenario is not None:
        labels = {i.id: i.scale.labels for i in scenario.issues}
    rows = []
    for f in items:
        for k, iid in enumerate(f.issue_ids):
            lab = labels.get(iid, ("", ""))
            rows.append(
                {
                    "model": f.model,
                    "issue": iid,
                    "forecast": float(f.outcome[k]),
                    "low_label": lab[0],
                    "high_label": lab[1],
                }
            )
    return pd.DataFrame(rows, columns=["model", "issue", "forecast", "low_label", "high_label"])
