"""The dashboard: its pages (index, scenario editor, compare, ledger) and the htmx fragments and
form posts under ``/ui`` (none of them in the API's schema).

The editor posts its whole table (``actor-N-field``, ...) with the mapping it was drawn from
(``base``); the work itself is the API's, in ``web.service`` and ``web.editor``.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from detente.core.scenario import Scenario
from detente.defaults import SIM_RUNS
from detente.errors import DetenteError, ScenarioError, StoreError
from detente.web import editor
from detente.web import service as svc
from detente.web.deps import (
    JobsDep,
    MaxUploadDep,
    StoreDep,
    form_bounded,
    form_float,
    form_int,
    is_htmx,
    read_upload,
    render,
    report_download,
    yaml_download,
)
from detente.web.errors import status_of, wants_page
from detente.web.schemas import MAX_DRAWS, MAX_RUNS, note_deprecated, reference

router = APIRouter(include_in_schema=False)


# ---------------------------------------------------------------------------------------------- helpers
MAX_FORM_FIELDS = 200_000
"""Fields an editor form may send: four a stance, so a scenario of 60 actors × 10 issues sends about
2,650 (Starlette's default of 1,000 refused every check, Run, what-if and save of it with "Too many
fields"); the body's size limit (security.py, 10 MB) is what bounds the memory."""


async def read_form(request: Request) -> tuple[dict[str, str], dict[str, Any]]:
    """The editor's form fields and the mapping its table was drawn from (``base``)."""
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        base = json.loads(fields.get("base", ""))
    except ValueError as exc:
        raise svc.WebError("editor: the page is out of date, reload it", 400) from exc
    if not isinstance(base, dict):
        raise svc.WebError("editor: the page is out of date, reload it", 400)
    return fields, base


def invalid_fragment(request: Request, cells: dict[str, str], general: list[str]) -> HTMLResponse:
    """The table's problems for ``#messages``; ``detente:invalid`` tells the page which cells to mark."""
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


def edited_for_download(fields: dict[str, str], base: dict[str, Any]) -> Scenario:
    """The edited scenario, or a ScenarioError listing the table's problems (downloads need a valid one)."""
    sc, _data, cells, general = editor.edited(fields, base)
    if sc is None:
        raise ScenarioError(
            "the table has problems; fix them before downloading", general + list(cells.values())
        )
    return sc


def form_field(fields: dict[str, str], name: str, old: str, default: str = "") -> str:
    """The form field ``name`` (the vocabulary's word, docs/vocabulary.md); a page still posting its
    old spelling ``old`` works for one release and the response says so (``Deprecation`` header)."""
    if name not in fields and old in fields:
        note_deprecated(old, name)
        return fields[old]
    return fields.get(name, default)


def editor_page(request: Request, ref: str, store: Any) -> HTMLResponse:
    ref = reference(ref, "scenario")  # a built-in name means the built-in, as on the command line
    sc, data, canon = svc.load_ref(ref, store)
    kind, key, _v = svc.parse_ref(ref)
    history = store.versions(str(key)) if kind == "store" else []
    return render(request, "scenario.html", **editor.editor_context(sc, data, canon, history=history))


COMPARE_LOOKUP = 20  # saved scenarios read for the Compare form's default pair (the latest ones)


def compare_default(refs: list[str], issue_ids: dict[str, set[str]], stored: list[str]) -> tuple[str, str]:
    """The Compare form's preselected pair: two scenarios that share an issue id (a saved one and
    what it shares issues with first, as a saved scenario is usually an edit of a built-in one),
    else the same scenario on both sides; never a pair that would show nothing."""
    order = [r for r in stored if r in issue_ids] + [r for r in refs if r in issue_ids and r not in stored]
    for b in order:
        for a in refs:
            if a != b and a in issue_ids and issue_ids[a] & issue_ids[b]:
                return a, b
    first = "ukraine-2025" if "ukraine-2025" in refs else (refs[0] if refs else "")
    return first, first


# ---------------------------------------------------------------------------------------------- pages
@router.get("/", response_class=HTMLResponse)
def index(request: Request, store: StoreDep, max_upload: MaxUploadDep) -> HTMLResponse:
    builtins = []
    issue_ids: dict[str, set[str]] = {}
    for n in svc.builtin_names():
        try:
            sc, _text = svc.builtin_scenario(n)
            builtins.append(
                {"name": n, "title": sc.title, "actors": len(sc.actors), "issues": len(sc.issues)}
            )
            issue_ids[n] = {i.id for i in sc.issues}
        except DetenteError as exc:
            builtins.append({"name": n, "title": f"(cannot load: {exc})", "actors": 0, "issues": 0})
    stored = store.list_scenarios()
    refs = [str(b["name"]) for b in builtins] + [str(s.ref) for s in stored]
    for s in stored[:COMPARE_LOOKUP]:
        try:
            issue_ids[s.ref] = {str(i.get("id")) for i in svc.load_ref(s.ref, store)[1].get("issues", [])}
        except DetenteError:
            continue
    pair_a, pair_b = compare_default(refs, issue_ids, [s.ref for s in stored])
    return render(
        request,
        "index.html",
        builtins=builtins,
        stored=stored,
        refs=refs,
        compare_a=pair_a,
        compare_b=pair_b,
        models=[m["name"] for m in svc.model_list()],
        max_mb=max_upload / 2**20,
        formats=sorted(svc.UPLOAD_FORMATS),
    )


@router.get("/scenario", response_class=HTMLResponse)
def scenario_page(
    request: Request, store: StoreDep, scenario: str | None = None, ref: str | None = None
) -> HTMLResponse:
    """``/scenario?scenario=NAME`` (``?ref=`` is the old spelling); ``/s/NAME`` is the same page."""
    if scenario is None and ref is not None:
        note_deprecated("ref", "scenario")
        scenario = ref
    if scenario is None:
        raise svc.WebError("scenario: expected ?scenario=NAME, KEY or KEY@VERSION", 422)
    return editor_page(request, scenario, store)


@router.get("/s/{ref}", response_class=HTMLResponse)
def shared(request: Request, ref: str, store: StoreDep) -> HTMLResponse:
    return editor_page(request, ref, store)


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request, a: str, b: str, store: StoreDep, model: str = "compromise", seed: int = 0
) -> HTMLResponse:
    a, b = reference(a, "a"), reference(b, "b")
    return render(request, "compare.html", **svc.compare(a, b, model, seed, store))


@router.get("/ledger", response_class=HTMLResponse)
def ledger_page(request: Request, store: StoreDep) -> HTMLResponse:
    return ledger_view(request, store)


def ledger_view(request: Request, store: Any, status: int = 200, **ctx: Any) -> HTMLResponse:
    """The ledger page; after a refused form, ``ctx`` holds the message and what was typed
    (``add_error``/``add_form``, or ``resolve_error``/``resolve_id``/``resolve_value``)."""
    from detente.store.ledger_scores import CALIBRATION_WORDS

    ctx.setdefault("add_form", {})
    return render(
        request,
        "ledger.html",
        status=status,
        entries=store.ledger_list(),
        score=store.ledger_score(),
        words=CALIBRATION_WORDS,
        **ctx,
    )


# ---------------------------------------------------------------------------------------------- the editor
@router.post("/ui/validate", response_class=HTMLResponse)
async def ui_validate(request: Request) -> HTMLResponse:
    fields, base = await read_form(request)
    typed: dict[str, str] = {}
    sc, data, cells, general = editor.edited(fields, base, typed)
    ctx = editor.editor_context(
        sc,
        data,
        form_field(fields, "scenario", "ref", "inline"),
        errors=cells,
        general=general,
        with_figure=False,
        typed=typed,
    )
    # the table now stands for the edited mapping (rows may have been added or removed)
    ctx["base_json"] = json.dumps(data, ensure_ascii=False)
    if any(k.startswith("new-") for k in cells):  # keep what was typed into a rejected new row
        ctx["new"] = {k: v for k, v in fields.items() if k.startswith("new-")}
    return render(request, "_table.html", **ctx)


@router.post("/ui/run", response_class=HTMLResponse)
async def ui_run(request: Request) -> HTMLResponse:
    fields, base = await read_form(request)
    sc, _data, cells, general = editor.edited(fields, base)
    if sc is None:
        return invalid_fragment(request, cells, general)
    model = fields.get("model", "compromise")
    seed = form_int(fields.get("seed", "0"), "seed")
    fc = svc.run_forecast(sc, model, svc.parse_params(form_field(fields, "set", "params")), seed)
    res, ivals = svc.forecast_view(sc, fc)  # the table's intervals and the chart's bars
    figs = svc.forecast_figure_html(sc, {fc.model: fc}, ivals=ivals)
    return render(request, "_run.html", result=res, sections=figs, sc=sc)


@router.post("/ui/whatif", response_class=HTMLResponse)
async def ui_whatif(request: Request) -> HTMLResponse:
    fields, base = await read_form(request)
    sc, data, cells, general = editor.edited(fields, base)
    if sc is None:
        return invalid_fragment(request, cells, general)
    actor, issue = form_field(fields, "actor", "wi_actor"), form_field(fields, "issue", "wi_issue") or None
    change = {
        "actor": actor,
        "issue": issue,
        "position": form_field(fields, "position", "wi_position") or None,
        "salience": form_field(fields, "salience", "wi_salience") or None,
        "capability": form_field(fields, "capability", "wi_capability") or None,
    }
    changes = [{"actor": actor, "capability": change["capability"]}]
    if issue and sc.stance(actor, issue) is not None:
        changes.append(
            {"actor": actor, "issue": issue, "position": change["position"], "salience": change["salience"]}
        )
    model = fields.get("model", "compromise")
    seed = form_int(fields.get("seed", "0"), "seed")
    new = svc.changed_scenario(data, changes)
    params = svc.parse_params(form_field(fields, "set", "params"))
    base_fc, new_fc = svc.run_forecast(sc, model, params, seed), svc.run_forecast(new, model, params, seed)
    # each with its own model-error intervals (the what-if's spread of positions differs): the table's
    # and the chart's, so a reader sees whether the change is larger than the forecast's uncertainty
    (base_res, base_iv), (new_res, new_iv) = svc.forecast_view(sc, base_fc), svc.forecast_view(new, new_fc)
    both = svc.intervals_under({"as entered": (base_iv, base_fc.model), "what-if": (new_iv, new_fc.model)})
    return render(
        request,
        "_whatif.html",
        base=base_res,
        new=new_res,
        sections=svc.forecast_figure_html(
            sc, {"as entered": base_fc, "what-if": new_fc}, prefix="wi-", ivals=both
        ),
        change=change,
        model=model,
    )


@router.post("/ui/save", response_class=HTMLResponse)
async def ui_save(request: Request, store: StoreDep) -> Response:
    fields, base = await read_form(request)
    sc, data, cells, general = editor.edited(fields, base)
    if sc is None:
        return invalid_fragment(request, cells, general)
    key = (form_field(fields, "key", "save_key") or sc.id).strip()
    author = fields.get("author", "").strip()[:200] or "dashboard"
    origin = form_field(fields, "scenario", "ref")
    summary = None
    try:
        store.get_scenario(key)
    except StoreError:  # a new key: say where it came from and what changed on the way
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


@router.post("/ui/upload")
async def ui_upload(
    request: Request,
    store: StoreDep,
    max_upload: MaxUploadDep,
    file: UploadFile = File(...),  # noqa: B008
    author: str = Form(""),
) -> Response:
    data = await read_upload(file, max_upload)
    sc = svc.read_upload(data, file.filename or "upload")
    sv = svc.save_scenario(store, sc, svc.scenario_to_mapping(sc), author=author.strip()[:200] or "upload")
    if is_htmx(request):
        resp = Response(status_code=204)
        resp.headers["HX-Redirect"] = f"/s/{sv.ref}"
        return resp
    return RedirectResponse(f"/s/{sv.ref}", status_code=303)


@router.post("/ui/yaml")
async def ui_yaml(request: Request) -> Response:
    fields, base = await read_form(request)
    return yaml_download(edited_for_download(fields, base))


@router.post("/ui/report")
async def ui_report(request: Request) -> Response:
    fields, base = await read_form(request)
    sc = edited_for_download(fields, base)
    seed = form_int(fields.get("seed", "0"), "seed")
    return report_download(sc, await run_in_threadpool(svc.build_report, sc, seed))


# ---------------------------------------------------------------------------------------------- background jobs
@router.post("/ui/job/{kind}", response_class=HTMLResponse)
async def ui_job(request: Request, kind: str, store: StoreDep, jobs: JobsDep) -> HTMLResponse:
    fields, base = await read_form(request)
    sc, _data, cells, general = editor.edited(fields, base)
    if sc is None:
        return invalid_fragment(request, cells, general)
    seed = form_int(fields.get("seed", "0"), "seed")
    model = fields.get("model", "compromise")
    if kind == "sections":
        job = jobs.submit("sections", f"report charts for {sc.id}", lambda p: svc.part_sections(sc, seed, p))
    elif kind == "sweep":
        params = svc.parse_params(form_field(fields, "set", "params"))
        n = form_bounded(form_field(fields, "draws", "n_draws", "500"), "draws", 1, MAX_DRAWS)
        ref = form_field(fields, "scenario", "ref", "inline")
        job = svc.start_sweep(
            jobs, store, ref, sc, model, params, draws=n, seed=seed, label=f"{model} sweep of {n} draws"
        )
    elif kind == "simulate":
        n = form_bounded(form_field(fields, "draws", "n_runs", str(SIM_RUNS)), "draws", 1, MAX_RUNS)
        job = svc.start_simulate(jobs, sc, draws=n, seed=seed, label=f"simulator, {n} draws")
    else:
        raise svc.WebError(f"job kind: expected sections, sweep or simulate, received {kind[:30]!r}", 404)
    return render(request, "_job.html", job=job)


@router.get("/ui/jobs/{job_id}", response_class=HTMLResponse)
def ui_job_status(request: Request, job_id: str, jobs: JobsDep) -> HTMLResponse:
    return render(request, "_job.html", job=svc.get_job(jobs, job_id))


# ---------------------------------------------------------------------------------------------- the ledger
@router.post("/ui/ledger")
async def ui_ledger_add(request: Request, store: StoreDep) -> Response:
    from detente.store.ledger import parse_quantiles

    form = await request.form()
    f = {k: v for k, v in form.items() if isinstance(v, str)}
    qs = f.get("quantiles", "").strip()
    try:
        store.ledger_add(
            f.get("question", ""),
            form_float(f.get("value", ""), "value"),
            kind=f.get("kind") or None,
            resolution_date=form_field(f, "resolves", "resolution_date").strip(),
            scenario_ref=form_field(f, "scenario", "scenario_ref"),
            model=f.get("model", ""),
            note=f.get("note", ""),
            quantiles=parse_quantiles(qs) if qs else None,  # as detente ledger add --quantiles reads them
        )
    except DetenteError as exc:
        if not wants_page(request):
            raise
        status, message, _p = status_of(exc)  # the page again, the message by the form, the typing kept
        return ledger_view(request, store, status, add_error=message, add_form=f)
    return RedirectResponse("/ledger", status_code=303)


@router.post("/ui/ledger/{entry_id}/resolve")
async def ui_ledger_resolve(request: Request, entry_id: int, store: StoreDep) -> Response:
    form = await request.form()
    outcome = str(form.get("outcome", ""))
    try:
        store.ledger_resolve(entry_id, form_float(outcome, "outcome"))
    except DetenteError as exc:
        if not wants_page(request):
            raise
        status, message, _p = status_of(exc)
        return ledger_view(
            request, store, status, resolve_error=message, resolve_id=entry_id, resolve_value=outcome
        )
    return RedirectResponse("/ledger", status_code=303)
