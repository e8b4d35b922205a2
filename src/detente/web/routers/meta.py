"""The API's ``/api/health`` and ``/api/models``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from detente.web import service as svc

router = APIRouter(prefix="/api")


@router.get("/health", tags=["meta"])
def api_health() -> dict[str, Any]:
    from detente import __version__

    return {"ok": True, "version": __version__}


@router.get("/models", tags=["models"])
def api_models() -> list[dict[str, Any]]:
    """Available forecasting models with their hyperparameters and defaults."""
    return svc.model_list()
