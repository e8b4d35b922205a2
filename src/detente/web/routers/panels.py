"""Expert panels: the analyst's pages and API (create, progress, pool) and each expert's questionnaire
(the page ``/expert`` and ``/api/expert/*``, opened by the seat's own token, not the app's)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from detente.web import panels as svc
from detente.web.deps import StoreDep, render

router = APIRouter(tags=["panels"])


class PanelBody(BaseModel):
    """Create a panel: the scenario and the experts' ids."""

    model_config = ConfigDict(extra="forbid")
    scenario: str = Field(
        description="the scenario, as on the command line (a built-in name or KEY[@VERSION])"
    )
    experts: str = Field(description="the experts' ids, separated by commas")


class PoolBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pool: str = Field("median", description="median, mean, trimmed or weighted")


class AnswersBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: list[dict[str, Any]] = Field(
        description="one mapping per actor × issue, as the questionnaire's rows"
    )
    submit: bool = Field(False, description="submit: the answers can no longer be changed")


def _links(request: Request, tokens: dict[str, str]) -> dict[str, str]:
    base = str(request.base_url).rstrip("/")
    return {e: f"{base}/expert#{t}" for e, t in tokens.items()}


# ---------------------------------------------------------------------------------------------- API
@router.post("/api/panels", status_code=201)
def api_create(body: PanelBody, request: Request, store: StoreDep) -> dict[str, Any]:
    """A new panel; the response holds each expert's link (shown once: only a digest is stored)."""
    panel, tokens = svc.create(store, body.scenario, body.experts)
    return svc.progress(store, panel.id) | {"links": _links(request, tokens)}


@router.get("/api/panels/{panel_id}")
def api_progress(panel_id: int, store: StoreDep) -> dict[str, Any]:
    """Each expert's progress (answered rows, last save, submitted)."""
    return svc.progress(store, panel_id)


@router.post("/api/panels/{panel_id}/pool")
def api_pool(panel_id: int, body: PoolBody, store: StoreDep) -> dict[str, Any]:
    """Pool the submitted questionnaires into a new stored scenario."""
    return svc.pool(store, panel_id, body.pool)


@router.get("/api/expert/questionnaire")
def api_questionnaire(request: Request, store: StoreDep) -> dict[str, Any]:
    """The questionnaire of the seat whose token is in the ``X-Expert-Token`` header."""
    return svc.questionnaire(store, request.headers.get(svc.EXPERT_HEADER))


@router.put("/api/expert/answers")
def api_answers(body: AnswersBody, request: Request, store: StoreDep) -> dict[str, Any]:
    """Save (autosave) or submit the seat's answers."""
    return svc.save(store, request.headers.get(svc.EXPERT_HEADER), body.answers, submit=body.submit)


# ---------------------------------------------------------------------------------------------- pages
@router.get("/panels", response_class=HTMLResponse, include_in_schema=False)
def panels_page(request: Request, store: StoreDep) -> HTMLResponse:
    return render(request, "panels.html", panels=[svc.progress(store, p.id) for p in store.panel_list()])


@router.post("/ui/panels", include_in_schema=False)
def panels_create(
    request: Request, store: StoreDep, scenario: str = Form(...), experts: str = Form(...)
) -> HTMLResponse:
    panel, tokens = svc.create(store, scenario.strip(), experts)
    return render(request, "panel.html", panel=svc.progress(store, panel.id), links=_links(request, tokens))


@router.get("/panels/{panel_id}", response_class=HTMLResponse, include_in_schema=False)
def panel_page(panel_id: int, request: Request, store: StoreDep) -> HTMLResponse:
    return render(request, "panel.html", panel=svc.progress(store, panel_id), links=None)


@router.post("/ui/panels/{panel_id}/pool", include_in_schema=False)
def panel_pool(panel_id: int, store: StoreDep, pool: str = Form("median")) -> RedirectResponse:
    out = svc.pool(store, panel_id, pool)
    return RedirectResponse(f"/s/{out['scenario']}", status_code=303)


@router.get("/expert", response_class=HTMLResponse, include_in_schema=False)
def expert_page(request: Request) -> HTMLResponse:
    """The questionnaire page; its script reads the seat token from the URL fragment."""
    return render(request, "expert.html")
