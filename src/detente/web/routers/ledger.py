"""The API's forecast ledger: record forecasts, resolve them, score them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from detente.web.deps import StoreDep
from detente.web.schemas import LedgerAddBody, ResolveBody

router = APIRouter(prefix="/api", tags=["ledger"])


@router.get("/ledger")
def api_ledger(store: StoreDep) -> list[dict[str, Any]]:
    """Every forecast in the ledger."""
    return [e.__dict__ for e in store.ledger_list()]


@router.post("/ledger", status_code=201)
def api_ledger_add(body: LedgerAddBody, store: StoreDep) -> dict[str, Any]:
    """Record a forecast now (question, probability or number, resolution date)."""
    return store.ledger_add(
        body.question,
        body.value,
        kind=body.kind,
        resolution_date=body.resolves,
        scenario_ref=body.scenario,
        model=body.model,
        note=body.note,
        quantiles=body.quantiles,
    ).__dict__


@router.post("/ledger/{entry_id}/resolve")
def api_ledger_resolve(entry_id: int, body: ResolveBody, store: StoreDep) -> dict[str, Any]:
    """Record the outcome; the score is the Brier score (binary) or the absolute error (numeric)."""
    return store.ledger_resolve(entry_id, body.outcome, force=body.force).__dict__


@router.get("/ledger/score")
def api_ledger_score(store: StoreDep) -> dict[str, Any]:
    """Scores of the resolved forecasts (Brier, log score, absolute error, CRPS, interval coverage)
    and their calibration table."""
    return store.ledger_score()
