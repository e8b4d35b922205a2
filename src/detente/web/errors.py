"""Errors as one clear message, never a traceback: the app's exception handlers.

The answer takes the shape the client asked for: an htmx fragment retargeted to ``#messages``,
an HTML page, or JSON ``{"error": ..., "status": ..., "problems": [...]}`` under ``/api``.
"""

from __future__ import annotations

import logging
import secrets
import traceback
import typing
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from detente.errors import DetenteError, ScenarioError, StoreError
from detente.web import service as svc
from detente.web.deps import is_htmx, render

log = logging.getLogger("detente.web")


def install(app: FastAPI) -> None:
    """Register the handlers below on ``app``."""
    app.add_exception_handler(svc.WebError, _web_error)  # type: ignore[arg-type]
    app.add_exception_handler(ScenarioError, _scenario_error)  # type: ignore[arg-type]
    app.add_exception_handler(StoreError, _store_error)  # type: ignore[arg-type]
    app.add_exception_handler(DetenteError, _detente_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _internal)


def error_response(
    request: Request, status: int, message: str, problems: list[str] | None = None
) -> Response:
    message = " ".join(str(message).split())
    if is_htmx(request):
        # the real status; app.js tells htmx to swap 4xx/5xx bodies, HX-Retarget puts them in #messages
        resp = render(request, "_error.html", status=status, message=message, problems=problems or [])
        resp.headers["HX-Retarget"] = "#messages"
        resp.headers["HX-Reswap"] = "innerHTML"
        return resp
    if "text/html" in request.headers.get("accept", "") and not request.url.path.startswith("/api"):
        return render(request, "error.html", status=status, message=message, problems=problems or [])
    body: dict[str, Any] = {"error": message, "status": status}
    if problems and problems != [message]:
        body["problems"] = problems
    return JSONResponse(body, status_code=status)


def status_of(exc: DetenteError) -> tuple[int, str, list[str]]:
    """(HTTP status, one-line message, problems) of a refused request, as the handlers below answer
    it; a page that shows the message next to its form keeps the same status."""
    message = " ".join(str(exc).split())
    if isinstance(exc, svc.WebError):
        return exc.status, message, exc.problems
    if isinstance(exc, ScenarioError):
        return 422, message, exc.problems
    if isinstance(exc, StoreError):
        return (404 if "not in the store" in message or "not found" in message else 400), message, [message]
    return 422, message, [message]


def wants_page(request: Request) -> bool:
    """A browser's form post (it accepts HTML and is not htmx): answer with the page and the message."""
    return "text/html" in request.headers.get("accept", "") and not is_htmx(request)


async def _web_error(request: Request, exc: svc.WebError) -> Response:
    return error_response(request, exc.status, str(exc), exc.problems)


async def _scenario_error(request: Request, exc: ScenarioError) -> Response:
    return error_response(request, 422, str(exc), exc.problems)


async def _store_error(request: Request, exc: StoreError) -> Response:
    status, message, _problems = status_of(exc)
    return error_response(request, status, message)


async def _detente_error(request: Request, exc: DetenteError) -> Response:
    return error_response(request, 422, str(exc))


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    problems = []
    for e in exc.errors():
        parts = [x for x in e.get("loc", ()) if x != "body"]
        loc = ".".join(str(x) for x in parts)
        if e.get("type") == "json_invalid":  # loc is the character offset: say so, and what is wrong there
            where = f" at character {parts[0]}" if parts else ""
            why = str((e.get("ctx") or {}).get("error") or "").strip()
            problems.append(f"the request body is not valid JSON{where}" + (f": {why}" if why else ""))
            continue
        if e.get("type") == "extra_forbidden" and parts:
            problems.append(_unknown_field(loc, _body_fields(request, parts[:-1]), str(parts[-1])))
            continue
        problems.append(f"{loc or 'request'}: {e.get('msg', 'invalid')}")
    return error_response(request, 422, problems[0] if problems else "invalid request", problems)


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    msg = exc.detail if isinstance(exc.detail, str) else "request failed"
    if exc.status_code == 404 and msg == "Not Found":
        msg = f"no such page: {request.url.path[:100]}"
    return error_response(request, exc.status_code, msg)


async def _internal(request: Request, exc: Exception) -> Response:
    ident = secrets.token_hex(4)
    log.error(
        "internal error %s on %s %s\n%s", ident, request.method, request.url.path, traceback.format_exc()
    )
    return error_response(request, 500, f"internal error (reference {ident}); details are in the server log")


def _unknown_field(loc: str, expected: list[str], name: str) -> str:
    """``models: unknown field (did you mean 'model'?); expected one of: ref, scenario, model, ...``"""
    import difflib

    msg = f"{loc}: unknown field"
    close = difflib.get_close_matches(name, expected, n=1, cutoff=0.6)
    if close:
        msg += f" (did you mean {close[0]!r}?)"
    return msg + (f"; expected one of: {', '.join(expected)}" if expected else "")


def _body_fields(request: Request, path: list[Any]) -> list[str]:
    """The field names the request body model (or the nested model at ``path``) accepts."""
    endpoint = getattr(request.scope.get("route"), "endpoint", None)
    try:
        hints = typing.get_type_hints(endpoint) if endpoint is not None else {}
    except Exception:  # an unresolvable annotation: the message just lists nothing
        return []
    model = next((h for h in hints.values() if isinstance(h, type) and issubclass(h, BaseModel)), None)
    for part in path:
        if model is None:
            return []
        if isinstance(part, int):  # an item of a list field
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        inner = [field.annotation, *typing.get_args(field.annotation)]
        inner += [a for t in inner for a in typing.get_args(t)]
        model = next((t for t in inner if isinstance(t, type) and issubclass(t, BaseModel)), None)
    return list(model.model_fields) if model is not None else []
