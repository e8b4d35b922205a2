"""The app is assembled from one router per area (issue #13 item 4): nothing lost, nothing added.

The literals below were taken from the app before it was split into routers, so they prove that
every URL and every API operation (its operationId, tag and success status) survived the move.
"""

from __future__ import annotations

import inspect

ROUTES = {
    ("GET", "/"),
    ("GET", "/api/docs"),
    ("GET", "/api/health"),
    ("GET", "/api/jobs/{job_id}"),
    ("GET", "/api/ledger"),
    ("GET", "/api/ledger/score"),
    ("GET", "/api/models"),
    ("GET", "/api/openapi.json"),
    ("GET", "/api/runs"),
    ("GET", "/api/scenarios"),
    ("GET", "/api/scenarios/{key}/versions"),
    ("GET", "/api/scenarios/{ref}"),
    ("GET", "/api/scenarios/{ref}/report"),
    ("GET", "/api/scenarios/{ref}/yaml"),
    ("GET", "/compare"),
    ("GET", "/favicon.ico"),
    ("GET", "/ledger"),
    ("GET", "/s/{ref}"),
    ("GET", "/scenario"),
    ("GET", "/static/plotly-basic.min.js"),
    ("GET", "/static/lazy-charts.js"),
    ("GET", "/static/{name}"),
    ("GET", "/ui/jobs/{job_id}"),
    ("HEAD", "/api/openapi.json"),
    ("POST", "/api/compare"),
    ("POST", "/api/forecast"),
    ("POST", "/api/ledger"),
    ("POST", "/api/ledger/{entry_id}/resolve"),
    ("POST", "/api/parse"),
    ("POST", "/api/scenarios"),
    ("POST", "/api/simulate"),
    ("POST", "/api/sweep"),
    ("POST", "/api/validate"),
    ("POST", "/api/whatif"),
    ("POST", "/ui/job/{kind}"),
    ("POST", "/ui/ledger"),
    ("POST", "/ui/ledger/{entry_id}/resolve"),
    ("POST", "/ui/report"),
    ("POST", "/ui/run"),
    ("POST", "/ui/save"),
    ("POST", "/ui/upload"),
    ("POST", "/ui/validate"),
    ("POST", "/ui/whatif"),
    ("POST", "/ui/yaml"),
    # expert panels (issue #18), added after the split
    ("GET", "/panels"),
    ("GET", "/panels/{panel_id}"),
    ("GET", "/expert"),
    ("GET", "/api/panels/{panel_id}"),
    ("GET", "/api/expert/questionnaire"),
    ("POST", "/api/panels"),
    ("POST", "/api/panels/{panel_id}/pool"),
    ("POST", "/ui/panels"),
    ("POST", "/ui/panels/{panel_id}/pool"),
    ("PUT", "/api/expert/answers"),
    # draft review (issue #17), added after the split
    ("GET", "/draft"),
    ("GET", "/draft/{ref}"),
    ("POST", "/ui/draft"),
    ("POST", "/api/drafts"),
    ("POST", "/api/drafts/{key}/decisions"),
}

# (method, path, operationId, tag, success status), in the order of the OpenAPI document
OPERATIONS = [
    ("GET", "/api/health", "api_health_api_health_get", "meta", "200"),
    ("GET", "/api/models", "api_models_api_models_get", "models", "200"),
    ("GET", "/api/scenarios", "api_scenarios_api_scenarios_get", "scenarios", "200"),
    ("POST", "/api/scenarios", "api_save_api_scenarios_post", "scenarios", "201"),
    ("GET", "/api/scenarios/{ref}", "api_scenario_api_scenarios__ref__get", "scenarios", "200"),
    (
        "GET",
        "/api/scenarios/{key}/versions",
        "api_versions_api_scenarios__key__versions_get",
        "scenarios",
        "200",
    ),
    ("GET", "/api/scenarios/{ref}/yaml", "api_yaml_api_scenarios__ref__yaml_get", "scenarios", "200"),
    ("GET", "/api/scenarios/{ref}/report", "api_report_api_scenarios__ref__report_get", "scenarios", "200"),
    ("POST", "/api/validate", "api_validate_api_validate_post", "scenarios", "200"),
    ("POST", "/api/parse", "api_parse_api_parse_post", "scenarios", "200"),
    ("POST", "/api/forecast", "api_forecast_api_forecast_post", "forecasts", "200"),
    ("POST", "/api/whatif", "api_whatif_api_whatif_post", "forecasts", "200"),
    ("POST", "/api/compare", "api_compare_api_compare_post", "forecasts", "200"),
    ("POST", "/api/sweep", "api_sweep_api_sweep_post", "jobs", "202"),
    ("POST", "/api/simulate", "api_simulate_api_simulate_post", "jobs", "202"),
    ("GET", "/api/jobs/{job_id}", "api_job_api_jobs__job_id__get", "jobs", "200"),
    ("GET", "/api/runs", "api_runs_api_runs_get", "runs", "200"),
    ("GET", "/api/ledger", "api_ledger_api_ledger_get", "ledger", "200"),
    ("POST", "/api/ledger", "api_ledger_add_api_ledger_post", "ledger", "201"),
    (
        "POST",
        "/api/ledger/{entry_id}/resolve",
        "api_ledger_resolve_api_ledger__entry_id__resolve_post",
        "ledger",
        "200",
    ),
    ("GET", "/api/ledger/score", "api_ledger_score_api_ledger_score_get", "ledger", "200"),
    # expert panels (issue #18), added after the split
    ("POST", "/api/panels", "api_create_api_panels_post", "panels", "201"),
    ("GET", "/api/panels/{panel_id}", "api_progress_api_panels__panel_id__get", "panels", "200"),
    ("POST", "/api/panels/{panel_id}/pool", "api_pool_api_panels__panel_id__pool_post", "panels", "200"),
    ("GET", "/api/expert/questionnaire", "api_questionnaire_api_expert_questionnaire_get", "panels", "200"),
    ("PUT", "/api/expert/answers", "api_answers_api_expert_answers_put", "panels", "200"),
    # draft review (issue #17), added after the split
    ("POST", "/api/drafts", "api_draft_api_drafts_post", "drafts", "201"),
    ("POST", "/api/drafts/{key}/decisions", "api_decide_api_drafts__key__decisions_post", "drafts", "200"),
]

SCHEMAS = {
    "Change",
    "CompareBody",
    "ForecastBody",
    "HTTPValidationError",
    "LedgerAddBody",
    "ParseBody",
    "ResolveBody",
    "SaveBody",
    "ScenarioSource",
    "SimulateBody",
    "SweepBody",
    "ValidationError",
    "WhatIfBody",
    "PanelBody",
    "PoolBody",
    "AnswersBody",
    "DraftBody",
    "DecisionBody",
}


def _routes(app):
    """Every route with its full path (FastAPI >= 0.16x keeps included routers as groups)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # an older FastAPI: include_router copies the routes into app.routes
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def test_every_route_is_registered_once(client):
    pairs = [(m, r.path) for r in _routes(client.app) for m in sorted(getattr(r, "methods", None) or ())]
    assert set(pairs) == ROUTES
    assert len(pairs) == len(ROUTES), "a (method, path) is registered twice"


def test_the_openapi_operations_are_unchanged(client):
    doc = client.get("/api/openapi.json").json()
    ops = [
        (m.upper(), p, op["operationId"], op["tags"][0], min(op["responses"]))
        for p, by_method in doc["paths"].items()
        for m, op in by_method.items()
    ]
    assert ops == OPERATIONS
    assert set(doc["components"]["schemas"]) == SCHEMAS


def test_create_app_is_a_short_assembly():
    from detente.web.app import create_app

    lines = inspect.getsource(create_app).splitlines()
    assert len(lines) < 60, f"create_app has {len(lines)} lines"
