"""Static files from the package (a fixed list: a request never names a path), Swagger UI, favicon."""

from __future__ import annotations

import functools
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from detente.web import service as svc

router = APIRouter(include_in_schema=False)

STATIC_FILES = {
    "htmx.min.js": ("vendor/htmx.min.js", "text/javascript; charset=utf-8"),
    "alpine.min.js": ("vendor/alpine.min.js", "text/javascript; charset=utf-8"),
    "app.css": ("app.css", "text/css; charset=utf-8"),
    "app.js": ("app.js", "text/javascript; charset=utf-8"),
    "expert.js": ("expert.js", "text/javascript; charset=utf-8"),
    "draft.js": ("draft.js", "text/javascript; charset=utf-8"),
    # Swagger UI for /api/docs (npm swagger-ui-dist, Apache-2.0; see vendor/swagger-ui/PROVENANCE.md)
    "swagger-ui-bundle.js": ("vendor/swagger-ui/swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    "swagger-ui.css": ("vendor/swagger-ui/swagger-ui.css", "text/css; charset=utf-8"),
}


@functools.cache
def _plotly_bytes() -> bytes:
    from detente.report.html import plotly_js as basic_bundle

    return basic_bundle().encode("utf-8")


@functools.cache
def _static_bytes(name: str) -> bytes:
    node = resources.files("detente.web") / "static"
    for piece in STATIC_FILES[name][0].split("/"):
        node = node / piece
    return node.read_bytes()


@router.get("/static/plotly-basic.min.js")
def plotly_js() -> Response:
    # the report's vendored basic bundle (scatter, bar, pie; 1.2 MB, not the full 4.8 MB): one home
    # for it, and every dashboard chart is a report chart, drawn with those trace types only
    return Response(
        _plotly_bytes(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@functools.cache
def _lazy_charts_bytes() -> bytes:
    from detente.report.html import lazy_charts_js

    return lazy_charts_js().encode("utf-8")


@router.get("/static/lazy-charts.js")
def lazy_charts() -> Response:
    # the report's script that draws each chart once it comes near the window (report/static/): the
    # "Report charts" view and every other page draw their charts as the report does
    return Response(
        _lazy_charts_bytes(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in STATIC_FILES:  # a fixed list: the request never names a path
        raise svc.WebError(f"no such static file: {name[:60]}", 404)
    return Response(
        _static_bytes(name),
        media_type=STATIC_FILES[name][1],
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get("/api/docs")
def api_docs() -> HTMLResponse:
    from fastapi.openapi.docs import get_swagger_ui_html

    return get_swagger_ui_html(
        openapi_url="/api/openapi.json",
        title="detente API",
        swagger_js_url="/static/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger-ui.css",
        swagger_favicon_url="/favicon.ico",
        swagger_ui_parameters={"validatorUrl": None},  # never contact validator.swagger.io
    )


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)
