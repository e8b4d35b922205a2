"""The API's forecasts: one model on a scenario, a what-if beside it, two scenarios compared."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from detente.web import service as svc
from detente.web.deps import StoreDep
from detente.web.schemas import CompareBody, ForecastBody, WhatIfBody

router = APIRouter(prefix="/api", tags=["forecasts"])


@router.post("/forecast")
def api_forecast(body: ForecastBody, store: StoreDep) -> dict[str, Any]:
    """Run one model on a scenario; ``record`` stores the run with its manifest."""
    sc, _data, ref = svc.source_scenario(body.scenario, store)
    fc = svc.run_forecast(sc, body.model, body.set, body.seed)
    res = svc.forecast_json(sc, fc)
    if body.record:
        run = store.save_run(
            scenario_ref=ref,
            model=fc.model,
            variant=str(res["params"].get("variant") or ""),
            params=res["params"],
            seed=fc.seed,
            input_hash=fc.scenario_hash,
            version=fc.version,
            results={"issues": res["issues"]},
        )
        res["run_id"] = run.id
    return res


@router.post("/whatif")
def api_whatif(body: WhatIfBody, store: StoreDep) -> dict[str, Any]:
    """Forecast with changed positions, saliences or capabilities, beside the unchanged forecast."""
    sc, data, _ref = svc.source_scenario(body.scenario, store)
    new = svc.changed_scenario(data, [c.model_dump() for c in body.changes])
    return {
        "baseline": svc.forecast_json(sc, svc.run_forecast(sc, body.model, body.set, body.seed)),
        "whatif": svc.forecast_json(new, svc.run_forecast(new, body.model, body.set, body.seed)),
    }


@router.post("/compare")
def api_compare(body: CompareBody, store: StoreDep) -> dict[str, Any]:
    """Two scenarios side by side under one model."""
    res = svc.compare(body.a, body.b, body.model, body.seed, store)
    for side in res["sides"]:
        side.pop("sections", None)
    return res
