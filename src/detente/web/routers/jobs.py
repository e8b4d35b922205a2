"""The API's background jobs (Monte Carlo sweeps, the simulator; poll ``/api/jobs/{id}``) and the
stored runs they and recorded forecasts leave."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from detente.web import service as svc
from detente.web.deps import JobsDep, StoreDep
from detente.web.schemas import SimulateBody, SweepBody, note_deprecated

router = APIRouter(prefix="/api")


@router.post("/sweep", tags=["jobs"], status_code=202)
def api_sweep(body: SweepBody, store: StoreDep, jobs: JobsDep) -> dict[str, Any]:
    """Start a Monte Carlo sweep in the background; poll ``/api/jobs/{id}``."""
    sc, _data, ref = svc.source_scenario(body.scenario, store)
    job = svc.start_sweep(
        jobs,
        store,
        ref,
        sc,
        body.model,
        body.set,
        draws=body.draws,
        seed=body.seed,
        label=f"{body.model} sweep",
    )
    return job.public()


@router.post("/simulate", tags=["jobs"], status_code=202)
def api_simulate(body: SimulateBody, store: StoreDep, jobs: JobsDep) -> dict[str, Any]:
    """Start the war-bargaining simulator in the background; poll ``/api/jobs/{id}``."""
    sc, _data, _ref = svc.source_scenario(body.scenario, store)
    job = svc.start_simulate(jobs, sc, draws=body.draws, seed=body.seed, label="simulator")
    return job.public()


@router.get("/jobs/{job_id}", tags=["jobs"])
def api_job(job_id: str, jobs: JobsDep) -> dict[str, Any]:
    """Progress (0..1), status and, when done, the result of a background job."""
    job = svc.get_job(jobs, job_id)
    pub: dict[str, Any] = job.public()
    if isinstance(pub.get("result"), dict):
        pub["result"] = {k: v for k, v in pub["result"].items() if not k.startswith("_")}
    if job.kind == "sections":
        pub["result"] = None
    return pub


@router.get("/runs", tags=["runs"])
def api_runs(
    store: StoreDep, scenario: str | None = None, scenario_ref: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Stored runs, newest first, with their manifests; ``scenario`` keeps those of one scenario
    (``scenario_ref`` is its old spelling, accepted for one release)."""
    if scenario_ref is not None:
        note_deprecated("scenario_ref", "scenario")
        scenario = scenario if scenario is not None else scenario_ref
    out = []
    for r in store.list_runs(scenario, limit=max(1, min(limit, 1000))):
        d = dict(r.__dict__)
        out.append({"scenario": d.pop("scenario_ref"), **d})  # the store's column, the API's word
    return out
