"""Draft review: upload a text, review the suggested stances beside the highlighted quotes, accept or reject.

Pages: ``GET /draft`` (upload form), ``GET /draft/{ref}`` (review). API: ``POST /api/drafts`` (draft a
text given inline), ``POST /api/drafts/{key}/decisions`` (one accept/reject; a new version each).
The work is in ``detente.web.drafts`` (which calls ``detente.io.draft`` and ``detente.analysis.draft``).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field

from detente.web import drafts as svc
from detente.web.deps import MaxUploadDep, StoreDep, is_htmx, read_upload, render
from detente.web.schemas import Body, note_deprecated

router = APIRouter(tags=["drafts"])


class DraftBody(Body):
    """Draft a text: its content and where it comes from (``title``, ``date``, ``url`` are the old
    spellings of the ``source_*`` fields, accepted for one release)."""

    _renamed = {"title": "source_title", "date": "source_date", "url": "source_url"}
    text: str = Field(description="the text (plain text, Markdown or HTML)", max_length=svc.MAX_DRAFT_BYTES)
    filename: str = Field("text.txt", description="its file name (.html/.htm is parsed as HTML)")
    source_title: str = Field("", description="title of the text (shown with every quote), as --source-title")
    source_date: str = Field("", description="date of the text, as --source-date")
    source_url: str = Field("", description="where it was published, as --source-url")
    into: str = Field("", description="merge into this scenario (built-in name or KEY[@VERSION])")
    author: str = Field("", description="who saves the draft")


class DecisionBody(Body):
    """One review decision on a drafted stance."""

    actor: str
    issue: str
    action: Literal["accept", "reject"]
    position: float | None = Field(None, description="required to accept: on the issue's scale")
    salience: float | None = Field(None, description="required to accept: 0 to 1")
    author: str = Field("", description="who decided")


@router.post("/api/drafts", status_code=201)
def api_draft(body: DraftBody, store: StoreDep) -> dict[str, Any]:
    """Draft the text and save it as a new stored scenario (its review page is ``/draft/KEY``)."""
    return svc.create(
        store,
        body.filename,
        body.text.encode("utf-8"),
        title=body.source_title,
        date=body.source_date,
        url=body.source_url,
        into=body.into,
        author=body.author,
    )


@router.post("/api/drafts/{key}/decisions")
def api_decide(key: str, body: DecisionBody, store: StoreDep) -> dict[str, Any]:
    """Accept (with position and salience) or reject one drafted stance; saves a new version."""
    return svc.decide(store, key, body.model_dump(exclude={"author"}), author=body.author)


@router.get("/draft", response_class=HTMLResponse, include_in_schema=False)
def draft_upload_page(request: Request) -> HTMLResponse:
    return render(request, "draft.html")


@router.post("/ui/draft", include_in_schema=False)
async def draft_upload(
    request: Request,
    store: StoreDep,
    limit: MaxUploadDep,
    file: UploadFile = File(...),
    source_title: str = Form(""),
    source_date: str = Form(""),
    source_url: str = Form(""),
    into: str = Form(""),
    title: str | None = Form(None),  # the old spellings, accepted for one release
    date: str | None = Form(None),
    url: str | None = Form(None),
) -> Response:
    from starlette.concurrency import run_in_threadpool

    for old, new in ((title, "title"), (date, "date"), (url, "url")):
        if old is not None:
            note_deprecated(new, f"source_{new}")
    title = source_title or title or ""
    date = source_date or date or ""
    url = source_url or url or ""

    data = await read_upload(file, min(limit, svc.MAX_DRAFT_BYTES))
    out = await run_in_threadpool(
        svc.create, store, file.filename or "text.txt", data, title=title, date=date, url=url, into=into
    )
    if is_htmx(request):  # the page's form (htmx sends the CSRF header): go to the review page
        return Response(status_code=204, headers={"HX-Redirect": f"/draft/{out['key']}"})
    return RedirectResponse(f"/draft/{out['key']}", status_code=303)


@router.get("/draft/{ref}", response_class=HTMLResponse, include_in_schema=False)
def draft_review_page(ref: str, request: Request, store: StoreDep) -> HTMLResponse:
    return render(request, "draft_review.html", d=svc.page(store, ref))
