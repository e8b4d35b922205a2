"""What the routers share: the app's state as FastAPI dependencies, page rendering, small responses.

``create_app`` puts the store, the job manager, the upload limit and the templates on
``app.state``; a route asks for them with ``store: StoreDep``, ``jobs: JobsDep``, ... rather than
reaching into a closure.
"""

from __future__ import annotations

import json
import os
from typing import Annotated, Any

from fastapi import Depends, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from detente.core.scenario import Scenario
from detente.defaults import SIM_RUNS
from detente.sim.words import ending_word, headline_words
from detente.store import Store
from detente.store.ledger import quantiles_text
from detente.web import service as svc
from detente.web.jobs import JobManager

YAML_TYPE = "application/x-yaml; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


# ---------------------------------------------------------------------------------------------- state
async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_jobs(request: Request) -> JobManager:
    jobs: JobManager = request.app.state.jobs
    return jobs


async def get_max_upload(request: Request) -> int:
    return int(request.app.state.max_upload)


StoreDep = Annotated[Store, Depends(get_store)]
JobsDep = Annotated[JobManager, Depends(get_jobs)]
MaxUploadDep = Annotated[int, Depends(get_max_upload)]


# ---------------------------------------------------------------------------------------------- pages
def templates() -> Environment:
    """The pages' Jinja2 environment (autoescaped), with the filters and globals they use."""
    env = Environment(
        loader=PackageLoader("detente.web", "templates"), autoescape=select_autoescape(["html"])
    )
    env.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False)
    env.globals["sim_runs"] = SIM_RUNS  # the simulator form's default, as in detente simulate
    env.filters["status_glossary"] = _status_glossary  # definitions of the run statuses in a table
    env.filters["quantiles_text"] = quantiles_text  # a ledger forecast's quantiles, as the CLI says them
    env.filters["ending_word"] = ending_word  # the simulator's codes in words (sim.words), as the report
    env.filters["headline_words"] = headline_words
    env.filters["when"] = when  # a stored timestamp, readable, the full value in datetime/title
    env.filters["interval_holds"] = _interval_holds  # what a table's intervals hold, as the report says
    return env


def _interval_holds(sources: Any) -> str:
    """The words after "50 % interval" in a table's header (``report.parts.forecasts.interval_holds``)
    from its rows' ``interval_source``: " (inputs + model error)", …; when the rows differ the line
    under the table ("Intervals: …", ``_intervals.html``) says each."""
    from detente.report.parts.forecasts import interval_holds

    return interval_holds(sources, mixed="mixed: see 'Intervals' below")


def when(value: Any) -> Markup:
    """``2026-12-07T20:06:21+00:00`` as ``<time datetime="…" title="…">2026-12-07 20:06 UTC</time>``
    (a value that is not an ISO timestamp is shown as it is; nothing for none)."""
    from datetime import UTC, datetime

    if value is None or value == "":
        return Markup("")
    full = value.isoformat() if isinstance(value, datetime) else str(value)
    try:
        t = value if isinstance(value, datetime) else datetime.fromisoformat(full)
    except ValueError:
        return Markup("{}").format(full)
    short = (
        t.strftime("%Y-%m-%d %H:%M") + " UTC"
        if t.tzinfo is None
        else t.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    )
    return Markup('<time datetime="{0}" title="{0}">{1}</time>').format(full, short)


def _status_glossary(statuses: Any) -> Markup:
    """The report's definitions of the run statuses among ``statuses`` ("" when there are none);
    ``report.glossary`` builds the markup from escaped text."""
    from detente.report.glossary import status_glossary_html, statuses_in

    return Markup(status_glossary_html(statuses_in(str(s) for s in statuses)))


def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    """Template ``name`` with ``ctx``, the page's CSRF token and the version."""
    from detente import __version__

    ctx.setdefault("csrf_token", request.state.csrf_token if hasattr(request.state, "csrf_token") else "")
    ctx.setdefault("version", __version__)
    env: Environment = request.app.state.templates
    return HTMLResponse(env.get_template(name).render(**ctx), status_code=status)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


# ---------------------------------------------------------------------------------------------- responses
def download(text: str, filename: str, ctype: str) -> Response:
    return Response(
        text.encode("utf-8"),
        media_type=ctype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def yaml_download(sc: Scenario) -> Response:
    """The scenario as a YAML file (``KEY.yaml``)."""
    return download(svc.scenario_yaml(sc), f"{svc.safe_key(sc.id)}.yaml", YAML_TYPE)


def report_download(sc: Scenario, html: str) -> Response:
    """The scenario's HTML report as a file (``KEY-report.html``)."""
    return download(html, f"{svc.safe_key(sc.id)}-report.html", HTML_TYPE)


# ---------------------------------------------------------------------------------------------- uploads
def too_big(n: int, limit: int) -> str:
    return f"file too large: {n:,} bytes (the limit is {limit:,} bytes, {limit / 2**20:g} MB)"


async def read_upload(file: UploadFile, limit: int) -> bytes:
    """The uploaded file's bytes (413 above ``limit``, 422 if empty), read in chunks."""
    chunks, total = [], 0
    while True:
        chunk = await file.read(256 * 1024)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise svc.WebError(too_big(total, limit) + " or more", 413)
        chunks.append(chunk)
    if total == 0:
        raise svc.WebError(f"{os.path.basename(file.filename or 'upload')[:80]}: the file is empty", 422)
    return b"".join(chunks)


# ---------------------------------------------------------------------------------------------- form fields
def form_int(text: str, name: str) -> int:
    try:
        return int(str(text).strip() or "0")
    except ValueError as exc:
        raise svc.WebError(f"{name}: expected a whole number, received {str(text)[:30]!r}", 422) from exc


def form_bounded(text: str, name: str, low: int, high: int) -> int:
    if not str(text).strip():  # an empty box is not "0": say what is wrong with what was there
        raise svc.WebError(f"{name}: the box is empty (expected a whole number from {low} to {high})", 422)
    v = form_int(text, name)
    if not low <= v <= high:
        raise svc.WebError(f"{name}: expected a whole number from {low} to {high}, received {v}", 422)
    return v


def form_float(text: str, name: str) -> float:
    try:
        return float(str(text).strip())
    except ValueError as exc:
        raise svc.WebError(f"{name}: expected a number, received {str(text)[:30]!r}", 422) from exc
