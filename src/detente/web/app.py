"""The dashboard and JSON API: ``create_app()`` (FastAPI), server-rendered pages + HTMX fragments.

Pages use Jinja2 templates, htmx 2.0 and Alpine.js (vendored under ``static/vendor``) and the
plotly.js basic bundle the HTML report inlines (``detente.report.html.plotly_js``): no CDN, no
request leaves the app.
The JSON API under ``/api`` calls the same handlers (``detente.web.service``); its OpenAPI
schema is at ``/api/openapi.json`` and browsable at ``/api/docs`` (Swagger UI, vendored too).
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from detente.defaults import SIM_RUNS
from detente.errors import DetenteError, ScenarioError, StoreError
from detente.web import editor
from detente.web import service as svc
from detente.web.jobs import JobManager
from detente.web.schemas import (
    MAX_DRAWS,
    MAX_RUNS,
    CompareBody,
    DeprecationHeaders,
    ForecastBody,
    LedgerAddBody,
    ParseBody,
    ResolveBody,
    SaveBody,
    ScenarioSource,
    SimulateBody,
    SweepBody,
    WhatIfBody,
)
from detente.web.security import SecurityMiddleware

log = logging.getLogger("detente.web")

DEFAULT_MAX_UPLOAD = 10 * 2**20
STATIC_FILES = {
    "htmx.min.js": ("vendor/htmx.min.js", "text/javascript; charset=utf-8"),
    "alpine.min.js": ("vendor/alpine.min.js", "text/javascript; charset=utf-8"),
    "app.css": ("app.css", "text/css; charset=utf-8"),
    "app.js": ("app.js", "text/javascript; charset=utf-8"),
    # Swagger UI for /api/docs (npm swagger-ui-dist, Apache-2.0; see vendor/swagger-ui/PROVENANCE.md)
    "swagger-ui-bundle.js": ("vendor/swagger-ui/swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    "swagger-ui.css": ("vendor/swagger-ui/swagger-ui.css", "text/css; charset=utf-8"),
}


def _status_glossary(statuses: Any) -> Markup:
    """The report's definitions of the run statuses among ``statuses`` ("" when there are none);
    ``report.glossary`` builds the markup from escaped text."""
    from detente.report.glossary import status_glossary_html, statuses_in

    return Markup(status_glossary_html(statuses_in(str(s) for s in statuses)))


# ---------------------------------------------------------------------------------------------- app
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

    store = Store(db_url)
    jobs = JobManager(workers=workers)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()
        store.close()

    app = FastAPI(
        lifespan=lifespan,
        title="detente",
        version=__version__,
        description="Negotiation forecasts: scenarios, models, sweeps, the simulator, the store and the ledger.",
        docs_url=None,  # /api/docs below serves Swagger UI from the package, not from a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    env = Environment(
        loader=PackageLoader("detente.web", "templates"), autoescape=select_autoescape(["html"])
    )
    env.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False)
    env.globals["sim_runs"] = SIM_RUNS  # the simulator form's default, as in detente simulate
    env.filters["status_glossary"] = _status_glossary  # definitions of the run statuses in a table
    app.state.store = store
    app.state.jobs = jobs
    app.state.max_upload = max_upload
    app.add_middleware(DeprecationHeaders)
    app.add_middleware(
        SecurityMiddleware,
        token=token,
        max_body=max_upload + 64 * 1024,  # multipart framing on top of the file itself
        allowed_hosts=allowed_hosts,
        secure_cookies=secure_cookies,
    )

    # -- helpers -------------------------------------------------------------------------------
    def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        ctx.setdefault("csrf_token", request.state.csrf_token if hasattr(request.state, "csrf_token") else "")
        ctx.setdefault("version", __version__)
        return HTMLResponse(env.get_template(name).render(**ctx), status_code=status)

    def is_htmx(request: Request) -> bool:
        return request.headers.get("hx-request") == "true"

    def source_scenario(src: ScenarioSource) -> tuple[Any, dict[str, Any], str]:
        if isinstance(src.scenario, dict):
            return svc.mapping_to_scenario(src.scenario), src.scenario, "inline"
        if src.scenario:
            return svc.load_ref(src.scenario, store)
        raise svc.WebError("scenario: expected a reference (e.g. ukraine-2025) or an inline scenario mapping", 422)

    def recorder(ref: str, sc: Any, model: str, params: dict[str, Any], seed: int, n_draws: int) -> Any:
        """on_done callback of a sweep job: store the run (manifest, quantiles; draws as .npz)."""

        def done(job: Any) -> None:
            arrays = job.result.pop("_arrays", None)
            run = store.save_run(
                scenario_ref=ref,
                model=model,
                variant="sweep",
                params=params,
                seed=seed,
                input_hash=_hash(sc),
                version=__version__,
                results={"issues": job.result["issues"], "n_draws": n_draws},
                arrays=arrays,
            )
            job.result["run_id"] = run.id

        return done

    # -- errors: a message, never a traceback ------------------------------------------------------
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

    @app.exception_handler(svc.WebError)
    async def _web_error(request: Request, exc: svc.WebError) -> Response:
        return error_response(request, exc.status, str(exc), exc.problems)

    @app.exception_handler(ScenarioError)
    async def _scenario_error(request: Request, exc: ScenarioError) -> Response:
        return error_response(request, 422, str(exc), exc.problems)

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, exc: StoreError) -> Response:
        status = 404 if "not in the store" in str(exc) or "not found" in str(exc) else 400
        return error_response(request, status, str(exc))

    @app.exception_handler(DetenteError)
    async def _detente_error(request: Request, exc: DetenteError) -> Response:
        return error_response(request, 422, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for e in exc.errors():
            parts = [x for x in e.get("loc", ()) if x != "body"]
            loc = ".".join(str(x) for x in parts)
            if e.get("type") == "extra_forbidden" and parts:
                problems.append(_unknown_field(loc, _body_fields(request, parts[:-1]), str(parts[-1])))
                continue
            problems.append(f"{loc or 'request'}: {e.get('msg', 'invalid')}")
        return error_response(request, 422, problems[0] if problems else "invalid request", problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        msg = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and msg == "Not Found":
            msg = f"no such page: {request.url.path[:100]}"
        return error_response(request, exc.status_code, msg)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        ident = secrets.token_hex(4)
        log.error(
            "internal error %s on %s %s\n%s", ident, request.method, request.url.path, traceback.format_exc()
        )
        return error_response(
            request, 500, f"internal error (reference {ident}); details are in the server log"
        )

    # -- static --------------------------------------------------------------------------------
    plotly_cache: dict[str, bytes] = {}

    @app.get("/static/plotly-basic.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        # the report's vendored basic bundle (scatter, bar, pie; 1.2 MB, not the full 4.8 MB): one home
        # for it, and every dashboard chart is a report chart, drawn with those trace types only
        if "js" not in plotly_cache:
            from detente.report.html import plotly_js as basic_bundle

            plotly_cache["js"] = basic_bundle().encode("utf-8")
        return Response(
            plotly_cache["js"],
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    static_cache: dict[str, bytes] = {}

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in STATIC_FILES:  # a fixed list: the request never names a path
            raise svc.WebError(f"no such static file: {name[:60]}", 404)
        rel, ctype = STATIC_FILES[name]
        if name not in static_cache:
            node = resources.files("detente.web") / "static"
            for piece in rel.split("/"):
                node = node / piece
            static_cache[name] = node.read_bytes()
        return Response(
            static_cache[name], media_type=ctype, headers={"Cache-Control": "public, max-age=3600"}
        )

    @app.get("/api/docs", include_in_schema=False)
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

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    # -- pages ---------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> HTMLResponse:
        builtins = []
        for n in svc.builtin_names():
            try:
                sc, _text = svc.builtin_scenario(n)
                builtins.append(
                    {"name": n, "title": sc.title, "actors": len(sc.actors), "issues": len(sc.issues)}
                )
            except DetenteError as exc:
                builtins.append({"name": n, "title": f"(cannot load: {exc})", "actors": 0, "issues": 0})
        stored = store.list_scenarios()
        refs = [f"builtin:{b['name']}" for b in builtins] + [s.ref for s in stored]
        return render(
            request,
            "index.html",
            builtins=builtins,
            stored=stored,
            refs=refs,
            models=[m["name"] for m in svc.model_list()],
            max_mb=max_upload / 2**20,
            formats=sorted(svc.UPLOAD_FORMATS),
        )

    def editor_page(request: Request, ref: str) -> HTMLResponse:
        sc, data, canon = svc.load_ref(ref, store)
        kind, key, _v = svc.parse_ref(canon)
        history = store.versions(str(key)) if kind == "store" else []
        return render(request, "scenario.html", **editor_context(sc, data, canon, history=history))

    def editor_context(
        sc: Any,
        data: dict[str, Any],
        ref: str,
        *,
        history: list[Any] | None = None,
        errors: dict[str, str] | None = None,
        general: list[str] | None = None,
        with_figure: bool = True,
    ) -> dict[str, Any]:
        kind, key, version = svc.parse_ref(ref) if ref != "inline" else ("inline", None, None)
        whatif = {
            "actors": [
                {
                    "id": a.get("id"),
                    "name": a.get("name") or a.get("id"),
                    "capability": a.get("capability", 1.0),
                }
                for a in data.get("actors", [])
            ],
            "issues": [
                {
                    "id": i.get("id"),
                    "name": i.get("name") or i.get("id"),
                    "low": (i.get("scale") or {}).get("low", 0),
                    "high": (i.get("scale") or {}).get("high", 100),
                }
                for i in data.get("issues", [])
            ],
            "stances": [
                {
                    "actor": s.get("actor"),
                    "issue": s.get("issue"),
                    "position": s.get("position"),
                    "salience": s.get("salience"),
                }
                for s in data.get("stances", [])
            ],
        }
        return {
            "sc": sc,
            "data": data,
            "ref": ref,
            "kind": kind,
            "key": key,
            "version_no": version,
            "base_json": json.dumps(data, ensure_ascii=False),
            "history": history or [],
            "errors": errors or {},
            "new": {},
            "general": general or [],
            "models": [m["name"] for m in svc.model_list()],
            "whatif_json": json.dumps(whatif, ensure_ascii=False),
            "share": f"/s/{ref}"
            if kind == "store"
            else (f"/scenario?ref={ref}" if kind == "builtin" else ""),
            "save_key": key if kind == "store" else (sc.id if sc is not None else data.get("id", "")),
            "scenario_sections": svc.scenario_figure_html(sc) if sc is not None and with_figure else [],
        }

    @app.get("/scenario", response_class=HTMLResponse, include_in_schema=False)
    def scenario_page(request: Request, ref: str) -> HTMLResponse:
        return editor_page(request, ref)

    @app.get("/s/{ref}", response_class=HTMLResponse, include_in_schema=False)
    def shared(request: Request, ref: str) -> HTMLResponse:
        return editor_page(request, ref)

    async def read_form(request: Request) -> tuple[dict[str, str], dict[str, Any]]:
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            base = json.loads(fields.get("base", ""))
        except ValueError as exc:
            raise svc.WebError("editor: the page is out of date, reload it", 400) from exc
        if not isinstance(base, dict):
            raise svc.WebError("editor: the page is out of date, reload it", 400)
        return fields, base

    def edited(
        fields: dict[str, str], base: dict[str, Any]
    ) -> tuple[Any, dict[str, Any], dict[str, str], list[str]]:
        data, cell_errors = editor.form_to_mapping(fields, base)
        sc, cells, general = editor.validate_mapping(data)
        cells.update(cell_errors)
        return sc, data, cells, general

    def invalid_fragment(
        request: Request, data: dict[str, Any], cells: dict[str, str], general: list[str], ref: str
    ) -> HTMLResponse:
        resp = render(
            request,
            "_error.html",
            status=422,
            message=f"{len(cells) + len(general)} problem(s) in the table: fix the cells marked in red",
            problems=general + [f"{v}" for v in cells.values()],
        )
        resp.headers["HX-Retarget"] = "#messages"
        resp.headers["HX-Reswap"] = "innerHTML"
        resp.headers["HX-Trigger"] = json.dumps({"detente:invalid": {"cells": cells}})
        return resp


    def edited_for_download(fields: dict[str, str], base: dict[str, Any]) -> Any:
        """The edited scenario, or a ScenarioError listing the table's problems (downloads need a valid one)."""
        sc, _data, cells, general = edited(fields, base)
        if sc is None:
            raise ScenarioError(
                "the table has problems; fix them before downloading", general + list(cells.values())
            )
        return sc

    @app.post("/ui/validate", response_class=HTMLResponse, include_in_schema=False)
    async def ui_validate(request: Request) -> HTMLResponse:
        fields, base = await read_form(request)
        sc, data, cells, general = edited(fields, base)
        ctx = editor_context(
            sc, data, fields.get("ref", "inline"), errors=cells, general=general, with_figure=False
        )
        # the table now stands for the edited mapping (rows may have been added or removed)
        ctx["base_json"] = json.dumps(data, ensure_ascii=False)
        if any(k.startswith("new-") for k in cells):  # keep what was typed into a rejected new row
            ctx["new"] = {k: v for k, v in fields.items() if k.startswith("new-")}
        return render(request, "_table.html", **ctx)

    @app.post("/ui/run", response_class=HTMLResponse, include_in_schema=False)
    async def ui_run(request: Request) -> HTMLResponse:
        fields, base = await read_form(request)
        sc, data, cells, general = edited(fields, base)
        if sc is None:
            return invalid_fragment(request, data, cells, general, fields.get("ref", ""))
        model = fields.get("model", "compromise")
        seed = _int(fields.get("seed", "0"), "seed")
        fc = svc.run_forecast(sc, model, svc.parse_params(fields.get("params", "")), seed)
        res = svc.forecast_json(sc, fc)
        figs = svc.forecast_figure_html(sc, {model: fc})
        return render(request, "_run.html", result=res, sections=figs, sc=sc)

    @app.post("/ui/whatif", response_class=HTMLResponse, include_in_schema=False)
    async def ui_whatif(request: Request) -> HTMLResponse:
        fields, base = await read_form(request)
        sc, data, cells, general = edited(fields, base)
        if sc is None:
            return invalid_fragment(request, data, cells, general, fields.get("ref", ""))
        actor, issue = fields.get("wi_actor", ""), fields.get("wi_issue") or None
        change = {
            "actor": actor,
            "issue": issue,
            "position": fields.get("wi_position"),
            "salience": fields.get("wi_salience"),
            "capability": fields.get("wi_capability"),
        }
        changes = [{"actor": actor, "capability": change["capability"]}]
        if issue and sc.stance(actor, issue) is not None:
            changes.append(
                {
                    "actor": actor,
                    "issue": issue,
                    "position": change["position"],
                    "salience": change["salience"],
                }
            )
        model = fields.get("model", "compromise")
        seed = _int(fields.get("seed", "0"), "seed")
        new = svc.mapping_to_scenario(svc.apply_whatif(data, changes))
        params = svc.parse_params(fields.get("params", ""))
        base_fc, new_fc = (
            svc.run_forecast(sc, model, params, seed),
            svc.run_forecast(new, model, params, seed),
        )
        return render(
            request,
            "_whatif.html",
            base=svc.forecast_json(sc, base_fc),
            new=svc.forecast_json(new, new_fc),
            sections=svc.forecast_figure_html(sc, {"as entered": base_fc, "what-if": new_fc}, prefix="wi-"),
            change=change,
            model=model,
        )

    @app.post("/ui/save", response_class=HTMLResponse, include_in_schema=False)
    async def ui_save(request: Request) -> Response:
        fields, base = await read_form(request)
        sc, data, cells, general = edited(fields, base)
        if sc is None:
            return invalid_fragment(request, data, cells, general, fields.get("ref", ""))
        key = (fields.get("save_key") or sc.id).strip()
        author = fields.get("author", "").strip()[:200] or "dashboard"
        origin = fields.get("ref", "")
        summary = None
        try:
            store.get_scenario(key)
        except StoreError:
            from detente.store import diff_summary

            try:
                origin_data = json.loads(fields.get("origin", "")) or base
            except ValueError:
                origin_data = base
            change = diff_summary(origin_data, data)
            summary = f"created from {origin}" + ("" if change == "no change" else f": {change}")
        sv = store.save_scenario(data, author=author, key=key, summary=summary)
        resp = render(request, "_saved.html", sv=sv)
        resp.headers["HX-Redirect"] = f"/s/{sv.ref}"
        return resp

    @app.post("/ui/upload", include_in_schema=False)
    async def ui_upload(request: Request, file: UploadFile = File(...), author: str = Form("")) -> Response:  # noqa: B008
        data = await _read_upload(file, max_upload)
        sc = svc.read_upload(data, file.filename or "upload")
        sv = store.save_scenario(
            svc.scenario_to_mapping(sc),
            author=author.strip()[:200] or "upload",
            key=_safe_key(sc.id),
            summary=None,
        )
        if is_htmx(request):
            resp = Response(status_code=204)
            resp.headers["HX-Redirect"] = f"/s/{sv.ref}"
            return resp
        return RedirectResponse(f"/s/{sv.ref}", status_code=303)

    @app.post("/ui/yaml", include_in_schema=False)
    async def ui_yaml(request: Request) -> Response:
        fields, base = await read_form(request)
        sc = edited_for_download(fields, base)
        return _download(
            svc.scenario_yaml(sc), f"{_safe_key(sc.id)}.yaml", "application/x-yaml; charset=utf-8"
        )

    @app.post("/ui/report", include_in_schema=False)
    async def ui_report(request: Request) -> Response:
        fields, base = await read_form(request)
        sc = edited_for_download(fields, base)
        seed = _int(fields.get("seed", "0"), "seed")
        from starlette.concurrency import run_in_threadpool

        html = await run_in_threadpool(svc.build_report, sc, seed)
        return _download(html, f"{_safe_key(sc.id)}-report.html", "text/html; charset=utf-8")

    @app.post("/ui/job/{kind}", response_class=HTMLResponse, include_in_schema=False)
    async def ui_job(request: Request, kind: str) -> HTMLResponse:
        fields, base = await read_form(request)
        sc, data, cells, general = edited(fields, base)
        if sc is None:
            return invalid_fragment(request, data, cells, general, fields.get("ref", ""))
        seed = _int(fields.get("seed", "0"), "seed")
        model = fields.get("model", "compromise")
        if kind == "sections":
            job = jobs.submit(
                "sections", f"report charts for {sc.id}", lambda p: svc.part_sections(sc, seed, p)
            )
        elif kind == "sweep":
            params = svc.parse_params(fields.get("params", ""))
            svc.build_model(model, params)  # fail now on bad parameters
            n = _bounded(fields.get("n_draws", "500"), "draws", 1, MAX_DRAWS)
            job = jobs.submit(
                "sweep",
                f"{model} sweep of {n} draws",
                lambda p: svc.sweep(sc, model, n_draws=n, seed=seed, progress=p, params=params),
                on_done=recorder(fields.get("ref", "inline"), sc, model, params, seed, n),
            )
        elif kind == "simulate":
            n = _bounded(fields.get("n_runs", str(SIM_RUNS)), "runs", 1, MAX_RUNS)
            job = jobs.submit(
                "simulate",
                f"simulator, {n} runs",
                lambda p: svc.simulate(sc, n_runs=n, seed=seed, progress=p),
            )
        else:
            raise svc.WebError(f"job kind: expected sections, sweep or simulate, received {kind[:30]!r}", 404)
        return render(request, "_job.html", job=job)

    @app.get("/ui/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def ui_job_status(request: Request, job_id: str) -> HTMLResponse:
        job = jobs.get(job_id)
        if job is None:
            raise svc.WebError("job: unknown or expired", 404)
        return render(request, "_job.html", job=job)

    @app.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare_page(
        request: Request, a: str, b: str, model: str = "compromise", seed: int = 0
    ) -> HTMLResponse:
        res = _compare(a, b, model, seed)
        return render(request, "compare.html", **res)

    @app.get("/ledger", response_class=HTMLResponse, include_in_schema=False)
    def ledger_page(request: Request) -> HTMLResponse:
        return render(request, "ledger.html", entries=store.ledger_list(), score=store.ledger_score())

    @app.post("/ui/ledger", include_in_schema=False)
    async def ui_ledger_add(request: Request) -> Response:
        form = await request.form()
        f = {k: v for k, v in form.items() if isinstance(v, str)}
        kind = f.get("kind") or None
        store.ledger_add(
            f.get("question", ""),
            _float(f.get("value", ""), "value"),
            kind=kind,
            resolution_date=f.get("resolution_date", "").strip(),
            scenario_ref=f.get("scenario_ref", ""),
            model=f.get("model", ""),
            note=f.get("note", ""),
        )
        return RedirectResponse("/ledger", status_code=303)

    @app.post("/ui/ledger/{entry_id}/resolve", include_in_schema=False)
    async def ui_ledger_resolve(request: Request, entry_id: int) -> Response:
        form = await request.form()
        store.ledger_resolve(entry_id, _float(str(form.get("outcome", "")), "outcome"))
        return RedirectResponse("/ledger", status_code=303)

    # -- JSON API ------------------------------------------------------------------------------
    def _compare(a: str, b: str, model: str, seed: int) -> dict[str, Any]:
        out: dict[str, Any] = {"model": model, "seed": seed, "sides": []}
        for ref in (a, b):
            sc, _data, canon = svc.load_ref(ref, store)
            fc = svc.run_forecast(sc, model, None, seed)
            out["sides"].append(
                {
                    "ref": canon,
                    "title": sc.title or sc.id,
                    "forecast": svc.forecast_json(sc, fc),
                    "sections": svc.forecast_figure_html(sc, {model: fc}, prefix=f"cmp{len(out['sides'])}-"),
                }
            )
        ia = {i["issue"]: i for i in out["sides"][0]["forecast"]["issues"]}
        out["differences"] = [
            {
                "issue": i["issue"],
                "a": ia[i["issue"]]["forecast"],
                "b": i["forecast"],
                "difference": None
                if ia[i["issue"]]["forecast"] is None or i["forecast"] is None
                else i["forecast"] - ia[i["issue"]]["forecast"],
            }
            for i in out["sides"][1]["forecast"]["issues"]
            if i["issue"] in ia
        ]
        return out

    @app.get("/api/health", tags=["meta"])
    def api_health() -> dict[str, Any]:
        return {"ok": True, "version": __version__}

    @app.get("/api/models", tags=["models"])
    def api_models() -> list[dict[str, Any]]:
        """Available forecasting models with their hyperparameters and defaults."""
        return svc.model_list()

    @app.get("/api/scenarios", tags=["scenarios"])
    def api_scenarios() -> dict[str, Any]:
        """Built-in scenarios and the latest version of every stored one."""
        return {
            "builtin": [f"builtin:{n}" for n in svc.builtin_names()],
            "stored": [
                {
                    "ref": s.ref,
                    "title": s.title,
                    "author": s.author,
                    "created_at": s.created_at,
                    "summary": s.summary,
                }
                for s in store.list_scenarios()
            ],
        }

    @app.get("/api/scenarios/{ref}", tags=["scenarios"])
    def api_scenario(ref: str) -> dict[str, Any]:
        """One scenario (``builtin:NAME``, ``KEY`` = latest, ``KEY@VERSION``) as its native mapping."""
        _sc, data, canon = svc.load_ref(ref, store)
        return {"ref": canon, "scenario": data}

    @app.get("/api/scenarios/{key}/versions", tags=["scenarios"])
    def api_versions(key: str) -> list[dict[str, Any]]:
        """Every version: who saved it, when and what changed."""
        return [
            {
                "ref": v.ref,
                "version": v.version,
                "author": v.author,
                "created_at": v.created_at,
                "summary": v.summary,
                "sha256": v.content_hash,
            }
            for v in store.versions(key)
        ]

    @app.get("/api/scenarios/{ref}/yaml", tags=["scenarios"])
    def api_yaml(ref: str) -> Response:
        """Download the scenario as YAML."""
        sc, _data, _canon = svc.load_ref(ref, store)
        return _download(
            svc.scenario_yaml(sc), f"{_safe_key(sc.id)}.yaml", "application/x-yaml; charset=utf-8"
        )

    @app.get("/api/scenarios/{ref}/report", tags=["scenarios"])
    def api_report(ref: str, seed: int = 0) -> Response:
        """Download the self-contained HTML report (quick parts) of a scenario."""
        sc, _data, _canon = svc.load_ref(ref, store)
        return _download(
            svc.build_report(sc, seed), f"{_safe_key(sc.id)}-report.html", "text/html; charset=utf-8"
        )

    @app.post("/api/scenarios", tags=["scenarios"], status_code=201)
    def api_save(body: SaveBody) -> dict[str, Any]:
        """Validate and save a new version (the key defaults to the scenario id)."""
        sc = svc.mapping_to_scenario(body.scenario)
        sv = store.save_scenario(body.scenario, author=body.author or "api", key=body.key or _safe_key(sc.id))
        return {"ref": sv.ref, "version": sv.version, "summary": sv.summary, "share": f"/s/{sv.ref}"}

    @app.post("/api/validate", tags=["scenarios"])
    def api_validate(body: ScenarioSource) -> dict[str, Any]:
        """Check a scenario; problems name the field (``stance a/x: salience: expected ...``)."""
        if not isinstance(body.scenario, dict):
            raise svc.WebError("scenario: expected an inline 'scenario' mapping", 422)
        sc, cells, general = editor.validate_mapping(body.scenario)
        return {"ok": sc is not None, "problems": general + list(cells.values()), "cells": cells}

    @app.post("/api/parse", tags=["scenarios"])
    def api_parse(body: ParseBody) -> dict[str, Any]:
        """Parse an uploaded file (YAML, JSON, CSV, XLSX, KTAB, Decide; base64 content); optionally save it."""
        import base64
        import binascii

        try:
            raw = base64.b64decode(body.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise svc.WebError("content_base64: expected base64 text", 422) from exc
        if len(raw) > max_upload:
            raise svc.WebError(_too_big(len(raw), max_upload), 413)
        sc = svc.read_upload(raw, body.filename)
        data = svc.scenario_to_mapping(sc)
        out: dict[str, Any] = {"scenario": data}
        if body.save:
            sv = store.save_scenario(data, author="api upload", key=_safe_key(sc.id))
            out["ref"] = sv.ref
        return out

    @app.post("/api/forecast", tags=["forecasts"])
    def api_forecast(body: ForecastBody) -> dict[str, Any]:
        """Run one model on a scenario; ``record`` stores the run with its manifest."""
        sc, _data, ref = source_scenario(body)
        fc = svc.run_forecast(sc, body.model, body.set, body.seed)
        res = svc.forecast_json(sc, fc)
        if body.record:
            run = store.save_run(
                scenario_ref=ref,
                model=fc.model,
                variant=str(res["params"].get("variant") or ""),
                params=res["params"],
                seed=fc.seed,
                input_hash=fc.scenario_hash,
                version=fc.version,
                results={"issues": res["issues"]},
            )
            res["run_id"] = run.id
        return res

    @app.post("/api/whatif", tags=["forecasts"])
    def api_whatif(body: WhatIfBody) -> dict[str, Any]:
        """Forecast with changed positions, saliences or capabilities, beside the unchanged forecast."""
        sc, data, _ref = source_scenario(body)
        new = svc.mapping_to_scenario(svc.apply_whatif(data, [c.model_dump() for c in body.changes]))
        return {
            "baseline": svc.forecast_json(sc, svc.run_forecast(sc, body.model, body.set, body.seed)),
            "whatif": svc.forecast_json(new, svc.run_forecast(new, body.model, body.set, body.seed)),
        }

    @app.post("/api/compare", tags=["forecasts"])
    def api_compare(body: CompareBody) -> dict[str, Any]:
        """Two scenarios side by side under one model."""
        res = _compare(body.a, body.b, body.model, body.seed)
        for side in res["sides"]:
            side.pop("sections", None)
        return res

    @app.post("/api/sweep", tags=["jobs"], status_code=202)
    def api_sweep(body: SweepBody) -> dict[str, Any]:
        """Start a Monte Carlo sweep in the background; poll ``/api/jobs/{id}``."""
        sc, _data, ref = source_scenario(body)
        svc.build_model(body.model, body.set)  # fail now on bad parameters

        done = recorder(ref, sc, body.model, body.set, body.seed, body.draws)

        job = jobs.submit(
            "sweep",
            f"{body.model} sweep",
            lambda p: svc.sweep(
                sc, body.model, n_draws=body.draws, seed=body.seed, progress=p, params=body.set
            ),
            on_done=done,
        )
        return job.public()

    @app.post("/api/simulate", tags=["jobs"], status_code=202)
    def api_simulate(body: SimulateBody) -> dict[str, Any]:
        """Start the war-bargaining simulator in the background; poll ``/api/jobs/{id}``."""
        sc, _data, _ref = source_scenario(body)
        job = jobs.submit(
            "simulate",
            "simulator",
            lambda p: svc.simulate(sc, n_runs=body.draws, seed=body.seed, progress=p),
        )
        return job.public()

    @app.get("/api/jobs/{job_id}", tags=["jobs"])
    def api_job(job_id: str) -> dict[str, Any]:
        """Progress (0..1), status and, when done, the result of a background job."""
        job = jobs.get(job_id)
        if job is None:
            raise svc.WebError("job: unknown or expired", 404)
        pub = job.public()
        if isinstance(pub.get("result"), dict):
            pub["result"] = {k: v for k, v in pub["result"].items() if not k.startswith("_")}
        if job.kind == "sections":
            pub["result"] = None
        return pub

    @app.get("/api/runs", tags=["runs"])
    def api_runs(scenario_ref: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Stored runs, newest first, with their manifests."""
        return [r.__dict__ for r in store.list_runs(scenario_ref, limit=max(1, min(limit, 1000)))]

    @app.get("/api/ledger", tags=["ledger"])
    def api_ledger() -> list[dict[str, Any]]:
        """Every forecast in the ledger."""
        return [e.__dict__ for e in store.ledger_list()]

    @app.post("/api/ledger", tags=["ledger"], status_code=201)
    def api_ledger_add(body: LedgerAddBody) -> dict[str, Any]:
        """Record a forecast now (question, probability or number, resolution date)."""
        return store.ledger_add(
            body.question,
            body.value,
            kind=body.kind,
            resolution_date=body.resolves,
            scenario_ref=body.scenario,
            model=body.model,
            note=body.note,
        ).__dict__

    @app.post("/api/ledger/{entry_id}/resolve", tags=["ledger"])
    def api_ledger_resolve(entry_id: int, body: ResolveBody) -> dict[str, Any]:
        """Record the outcome; the score is the Brier score (binary) or the absolute error (numeric)."""
        return store.ledger_resolve(entry_id, body.outcome, force=body.force).__dict__

    @app.get("/api/ledger/score", tags=["ledger"])
    def api_ledger_score() -> dict[str, Any]:
        """Mean Brier score and mean absolute error of the resolved forecasts."""
        return store.ledger_score()

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


# ---------------------------------------------------------------------------------------------- helpers
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
    import typing

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


def _hash(sc: Any) -> str:
    from detente.core.hashing import scenario_hash

    return scenario_hash(sc)


def _too_big(n: int, limit: int) -> str:
    return f"file too large: {n:,} bytes (the limit is {limit:,} bytes, {limit / 2**20:g} MB)"


async def _read_upload(file: UploadFile, limit: int) -> bytes:
    chunks, total = [], 0
    while True:
        chunk = await file.read(256 * 1024)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise svc.WebError(_too_big(total, limit) + " or more", 413)
        chunks.append(chunk)
    if total == 0:
        raise svc.WebError(f"{os.path.basename(file.filename or 'upload')[:80]}: the file is empty", 422)
    return b"".join(chunks)


def _safe_key(text: str) -> str:
    key = re.sub(r"[^A-Za-z0-9_.\-]+", "-", text or "").strip("-.")[:80]
    return key or "scenario"


def _download(text: str, filename: str, ctype: str) -> Response:
    return Response(
        text.encode("utf-8"),
        media_type=ctype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _int(text: str, name: str) -> int:
    try:
        return int(str(text).strip() or "0")
    except ValueError as exc:
        raise svc.WebError(f"{name}: expected a whole number, received {str(text)[:30]!r}", 422) from exc


def _bounded(text: str, name: str, low: int, high: int) -> int:
    v = _int(text, name)
    if not low <= v <= high:
        raise svc.WebError(f"{name}: expected a whole number from {low} to {high}, received {v}", 422)
    return v


def _float(text: str, name: str) -> float:
    try:
        return float(str(text).strip())
    except ValueError as exc:
        raise svc.WebError(f"{name}: expected a number, received {str(text)[:30]!r}", 422) from exc
