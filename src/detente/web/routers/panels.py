"""Expert panels: the analyst's pages and API (create, progress, pool) and each expert's questionnaire
(the page ``/expert`` and ``/api/expert/*``, opened by the seat's own token, not the app's)."""

from __future__ import annotations

import secrets
import time
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from detente.errors import DetenteError
from detente.web import panels as svc
from detente.web.deps import StoreDep, render
from detente.web.errors import status_of, wants_page

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
LINKS_COOKIE = "detente_panel_links"
LINKS_SECONDS = 15 * 60  # how long the creating browser can see the links again (kept in memory only)


def _keep_links(request: Request, panel_id: int, links: dict[str, str]) -> str:
    """Keep the new panel's links in this process's memory for :data:`LINKS_SECONDS` under a random
    key (the store keeps digests only); the key goes to the creating browser in a cookie."""
    kept: dict[str, tuple[int, dict[str, str], float]] = getattr(request.app.state, "panel_links", {})
    now = time.monotonic()
    for k in [k for k, v in kept.items() if v[2] < now]:
        del kept[k]
    key = secrets.token_urlsafe(24)
    kept[key] = (panel_id, links, now + LINKS_SECONDS)
    request.app.state.panel_links = kept
    return key


def _kept_links(request: Request, panel_id: int) -> dict[str, str] | None:
    kept: dict[str, tuple[int, dict[str, str], float]] = getattr(request.app.state, "panel_links", {})
    hit = kept.get(request.cookies.get(LINKS_COOKIE, ""))
    if hit is None or hit[0] != panel_id or hit[2] < time.monotonic():
        return None
    return hit[1]


@router.get("/panels", response_class=HTMLResponse, include_in_schema=False)
def panels_page(request: Request, store: StoreDep) -> HTMLResponse:
    return _panels_view(request, store)


def _panels_view(request: Request, store: Any, status: int = 200, **ctx: Any) -> HTMLResponse:
    ctx.setdefault("form", {})
    return render(
        request,
        "panels.html",
        status=status,
        panels=[svc.progress(store, p.id) for p in store.panel_list()],
        **ctx,
    )


@router.post("/ui/panels", include_in_schema=False)
def panels_create(
    request: Request, store: StoreDep, scenario: str = Form(...), experts: str = Form(...)
) -> Response:
    try:
        panel, tokens = svc.create(store, scenario.strip(), experts)
    except DetenteError as exc:
        if not wants_page(request):
            raise
        status, message, _p = status_of(exc)  # the form again, with the message and what was typed
        return _panels_view(
            request, store, status, error=message, form={"scenario": scenario, "experts": experts}
        )
    # post-redirect-get: the panel's own page, which reloads and bookmarks fine; the links stay
    # visible there for a while to the browser that created the panel
    key = _keep_links(request, panel.id, _links(request, tokens))
    resp = RedirectResponse(f"/panels/{panel.id}", status_code=303)
    resp.set_cookie(
        LINKS_COOKIE,
        key,
        max_age=LINKS_SECONDS,
        path=f"/panels/{panel.id}",
        httponly=True,
        samesite="strict",
    )
    return resp


@router.get("/panels/{panel_id}", response_class=HTMLResponse, include_in_schema=False)
def panel_page(panel_id: int, request: Request, store: StoreDep) -> HTMLResponse:
    return _panel_view(request, store, panel_id)


def _panel_view(request: Request, store: Any, panel_id: int, status: int = 200, **ctx: Any) -> HTMLResponse:
    return render(
        request,
        "panel.html",
        status=status,
        panel=svc.progress(store, panel_id),
        links=_kept_links(request, panel_id),
        links_minutes=LINKS_SECONDS // 60,
        **ctx,
    )


@router.post("/ui/panels/{panel_id}/pool", include_in_schema=False)
def panel_pool(panel_id: int, request: Request, store: StoreDep, pool: str = Form("median")) -> Response:
    try:
        out = svc.pool(store, panel_id, pool)
    except DetenteError as exc:
        if not wants_page(request):
            raise
        status, message, _p = status_of(exc)  # (no such panel: its page's own 404 answers)
        return _panel_view(request, store, panel_id, status, pool_error=message, pool_choice=pool)
    return RedirectResponse(f"/s/{out['scenario']}", status_code=303)


@router.get("/expert", response_class=HTMLResponse, include_in_schema=False)
def expert_page(request: Request) -> HTMLResponse:
    """The questionnaire page; its script reads the seat token from the URL fragment."""
    return render(request, "expert.html")
