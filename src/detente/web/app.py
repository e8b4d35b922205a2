"""The dashboard and JSON API: ``create_app()`` assembles the FastAPI app from its routers.

Pages use Jinja2 templates, htmx 2.0 and Alpine.js (vendored under ``static/vendor``) and the
plotly.js basic bundle the HTML report inlines (``detente.report.html.plotly_js``): no CDN, no
request leaves the app.
The routes live in ``detente.web.routers`` (one ``APIRouter`` per area); the pages and the JSON API
under ``/api`` call the same operations (``detente.web.service``). The API's OpenAPI schema is at
``/api/openapi.json`` and browsable at ``/api/docs`` (Swagger UI, vendored too).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from detente.web import errors
from detente.web.deps import templates
from detente.web.jobs import JobManager
from detente.web.routers import drafts, forecasts, jobs, ledger, meta, pages, panels, scenarios, static
from detente.web.schemas import DeprecationHeaders
from detente.web.security import SecurityMiddleware

DEFAULT_MAX_UPLOAD = 10 * 2**20


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.jobs.shutdown()
    app.state.store.close()


def create_app(
    db_url: str | None = None,
    token: str | None = None,
    *,
    max_upload: int = DEFAULT_MAX_UPLOAD,
    allowed_hosts: tuple[str, ...] | None = None,
    workers: int = 2,
    secure_cookies: bool = False,
) -> FastAPI:
    """The dashboard + API. ``db_url``: store URL or file (default ``DETENTE_DB`` / user data dir);
    ``token``: require this access token on every request (needed to bind beyond loopback)."""
    from detente import __version__
    from detente.store import Store

    app = FastAPI(
        lifespan=_lifespan,
        title="detente",
        version=__version__,
        description="Negotiation forecasts: scenarios, models, sweeps, the simulator, the store and the ledger.",
        docs_url=None,  # /api/docs (routers.static) serves Swagger UI from the package, not from a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.store = Store(db_url)
    app.state.jobs = JobManager(workers=workers)
    app.state.max_upload = max_upload
    app.state.templates = templates()
    app.add_middleware(DeprecationHeaders)
    app.add_middleware(
        SecurityMiddleware,
        token=token,
        max_body=max_upload + 64 * 1024,  # multipart framing on top of the file itself
        allowed_hosts=allowed_hosts,
        secure_cookies=secure_cookies,
    )
    errors.install(app)
    for area in (static, pages, meta, scenarios, forecasts, jobs, ledger, panels, drafts):
        app.include_router(area.router)
    return app


def create_app_from_env() -> FastAPI:
    """The app configured by the environment (what ``detente serve`` runs through uvicorn):
    ``DETENTE_DB`` (store URL/file), ``DETENTE_TOKEN`` (access token), ``DETENTE_MAX_UPLOAD_MB``."""
    import warnings

    from detente.errors import DetenteWarning

    # a server process: convergence notes are in every result's status column; keep the log quiet
    # (per-request catch_warnings is not thread-safe on Python < 3.14)
    warnings.filterwarnings("ignore", category=DetenteWarning)
    try:
        mb = float(os.environ.get("DETENTE_MAX_UPLOAD_MB", "") or DEFAULT_MAX_UPLOAD / 2**20)
    except ValueError:
        mb = DEFAULT_MAX_UPLOAD / 2**20
    return create_app(
        db_url=os.environ.get("DETENTE_DB") or None,
        token=os.environ.get("DETENTE_TOKEN") or None,
        max_upload=int(mb * 2**20),
    )
