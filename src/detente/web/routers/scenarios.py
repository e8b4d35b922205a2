"""The API's scenarios: list, read, versions, YAML and report downloads, save, validate, parse."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from detente.web import editor
from detente.web import service as svc
from detente.web.deps import MaxUploadDep, StoreDep, report_download, too_big, yaml_download
from detente.web.schemas import ParseBody, SaveBody, ScenarioSource, reference

router = APIRouter(prefix="/api", tags=["scenarios"])


@router.get("/scenarios")
def api_scenarios(store: StoreDep) -> dict[str, Any]:
    """Built-in scenarios and the latest version of every stored one."""
    return {
        "builtin": list(svc.builtin_names()),
        "stored": [
            {
                "scenario": s.ref,
                "title": s.title,
                "author": s.author,
                "created_at": s.created_at,
                "summary": s.summary,
            }
            for s in store.list_scenarios()
        ],
    }


@router.get("/scenarios/{ref}")
def api_scenario(ref: str, store: StoreDep) -> dict[str, Any]:
    """One scenario (a built-in NAME, ``KEY`` = latest, ``KEY@VERSION``) as its native mapping
    (``scenario``, which a save takes back as is) and its canonical ``reference``."""
    _sc, data, canon = svc.load_ref(reference(ref, "scenario"), store)
    return {"reference": canon, "scenario": data}


@router.get("/scenarios/{key}/versions")
def api_versions(key: str, store: StoreDep) -> list[dict[str, Any]]:
    """Every version: who saved it, when and what changed."""
    return [
        {
            "scenario": v.ref,
            "version": v.version,
            "author": v.author,
            "created_at": v.created_at,
            "summary": v.summary,
            "sha256": v.content_hash,
        }
        for v in store.versions(key)
    ]


@router.get("/scenarios/{ref}/yaml")
def api_yaml(ref: str, store: StoreDep) -> Response:
    """Download the scenario as YAML."""
    sc, _data, _canon = svc.load_ref(reference(ref, "scenario"), store)
    return yaml_download(sc)


@router.get("/scenarios/{ref}/report")
def api_report(ref: str, store: StoreDep, seed: int = 0) -> Response:
    """Download the self-contained HTML report (quick parts) of a scenario."""
    sc, _data, _canon = svc.load_ref(reference(ref, "scenario"), store)
    return report_download(sc, svc.build_report(sc, seed))


@router.post("/scenarios", status_code=201)
def api_save(body: SaveBody, store: StoreDep) -> dict[str, Any]:
    """Validate and save a new version (the key defaults to the scenario id)."""
    sc = svc.mapping_to_scenario(body.scenario)
    sv = svc.save_scenario(store, sc, body.scenario, author=body.author or "api", key=body.key)
    return {"scenario": sv.ref, "version": sv.version, "summary": sv.summary, "share": f"/s/{sv.ref}"}


@router.post("/validate")
def api_validate(body: ScenarioSource) -> dict[str, Any]:
    """Check a scenario; problems name the field (``stance a/x: salience: expected ...``)."""
    if not isinstance(body.scenario, dict):
        raise svc.WebError("scenario: expected an inline 'scenario' mapping", 422)
    sc, cells, general = editor.validate_mapping(body.scenario)
    return {"ok": sc is not None, "problems": general + list(cells.values()), "cells": cells}


@router.post("/parse")
def api_parse(body: ParseBody, store: StoreDep, max_upload: MaxUploadDep) -> dict[str, Any]:
    """Parse an uploaded file (YAML, JSON, CSV, XLSX, KTAB, Decide; base64 content); optionally save it."""
    try:
        raw = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise svc.WebError("content_base64: expected base64 text", 422) from exc
    if len(raw) > max_upload:
        raise svc.WebError(too_big(len(raw), max_upload), 413)
    sc = svc.read_upload(raw, body.filename)
    data = svc.scenario_to_mapping(sc)
    out: dict[str, Any] = {"scenario": data}
    if body.save:
        out["reference"] = svc.save_scenario(store, sc, data, author="api upload").ref
    return out
