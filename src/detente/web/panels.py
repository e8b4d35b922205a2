"""Expert panels in the dashboard (docs/panels.md §Dashboard): the operations the pages and the API call.

The analyst creates a panel (a scenario and the experts' ids) and gets one link per expert; each link
carries the seat's own token after ``#`` (a URL fragment never reaches the server, so tokens appear
in no access log; the page sends it in the ``X-Expert-Token`` header). An expert sees and saves only
their own seat; answers are checked against the scenario like a returned questionnaire
(:func:`detente.io.questionnaire.answers_from_mappings`) before they are stored. Pooling uses the
submitted seats only (:func:`detente.analysis.panel.pool_panel`) and saves the pooled scenario as
a new scenario in the store.
"""

from __future__ import annotations

from typing import Any

from detente.errors import DetenteError, StoreError
from detente.vocabulary import BUILTIN_PREFIX
from detente.web.service import WebError, builtin_names, load_ref, mapping_to_scenario

EXPERT_HEADER = "x-expert-token"


def create(store: Any, ref: str, experts: str) -> tuple[Any, dict[str, str]]:
    """A new panel on scenario ``ref`` for the comma-separated ``experts``; (panel, expert -> token)."""
    from detente.core.panel import expert_ids

    try:
        names = expert_ids(experts)
    except DetenteError as exc:
        raise WebError(str(exc), 422) from exc
    # a built-in name means the built-in, as on the command line (a stored copy: KEY@VERSION)
    _sc, data, canon = load_ref(BUILTIN_PREFIX + ref if ref in builtin_names() else ref, store)
    panel, tokens = store.panel_create(canon, data, names)
    return panel, tokens


def _seat(store: Any, token: str | None) -> tuple[Any, Any]:
    if not token:
        raise WebError("this page needs the questionnaire link the analyst sent (it ends in #…)", 401)
    try:
        seat, panel = store.panel_seat(token)
    except StoreError as exc:
        raise WebError(str(exc), 403) from exc
    return seat, panel


def questionnaire(store: Any, token: str | None) -> dict[str, Any]:
    """What an expert's page shows: their rows (saved answers filled in), the scales, the status."""
    from detente.io.questionnaire import questionnaire_rows

    seat, panel = _seat(store, token)
    sc = mapping_to_scenario(panel.scenario)
    saved = {(a["actor"], a["issue"]): a for a in seat.answers}
    rows = []
    for row in questionnaire_rows(sc, seat.expert):
        got = saved.get((row["actor"], row["issue"]), {})
        rows.append(
            {
                k: row[k]
                for k in (
                    "actor",
                    "issue",
                    "actor_name",
                    "issue_name",
                    "scale_low",
                    "scale_high",
                    "low_label",
                    "high_label",
                )
            }
            | {k: got.get(k) for k in ("position", "salience", "capability", "confidence")}
            | {"notes": got.get("notes", "")}
        )
    return {
        "panel": panel.id,
        "expert": seat.expert,
        "scenario": sc.title or sc.id,
        "submitted_at": seat.submitted_at,
        "updated_at": seat.updated_at,
        "rows": rows,
    }


def save(store: Any, token: str | None, answers: list[Any], *, submit: bool) -> dict[str, Any]:
    """Check and store an expert's answers (autosave), or submit them (then read-only)."""
    from detente.io.panel import answer_mapping
    from detente.io.questionnaire import answers_from_mappings

    seat, panel = _seat(store, token)
    sc = mapping_to_scenario(panel.scenario)
    try:
        checked = answers_from_mappings(sc, seat.expert, answers)
        saved = store.panel_save(token, [answer_mapping(a) for a in checked], submit=submit)
    except StoreError as exc:
        raise WebError(str(exc), 409) from exc
    except DetenteError as exc:
        raise WebError(str(exc), 422) from exc
    return {
        "expert": saved.expert,
        "answered": saved.answered,
        "updated_at": saved.updated_at,
        "submitted_at": saved.submitted_at,
    }


def progress(store: Any, panel_id: int) -> dict[str, Any]:
    """The analyst's view of a panel: each seat's progress (never a token)."""
    try:
        p = store.panel_get(panel_id)
    except StoreError as exc:
        raise WebError(str(exc), 404) from exc
    rows = len(p.scenario.get("actors", [])) * len(p.scenario.get("issues", []))
    return {
        "id": p.id,
        "created_at": p.created_at,
        "scenario": p.scenario_ref,
        "pooled": p.pooled_ref,
        "rows": rows,
        "experts": [
            {
                "expert": s.expert,
                "answered": s.answered,
                "updated_at": s.updated_at,
                "submitted_at": s.submitted_at,
            }
            for s in p.seats
        ],
    }


def pool(store: Any, panel_id: int, method: str) -> dict[str, Any]:
    """Pool the submitted seats into a new stored scenario ``<id>-panel-<N>``; its reference and summary."""
    from detente.analysis.panel import disagreement, pool_panel
    from detente.core.hashing import scenario_hash
    from detente.core.panel import POOL_METHODS, ExpertAnswer, Panel
    from detente.io.mapping import dump_scenario

    if method not in POOL_METHODS:
        raise WebError(f"pool: expected one of {', '.join(POOL_METHODS)}, received {method!r}", 422)
    try:
        p = store.panel_get(panel_id)
    except StoreError as exc:
        raise WebError(str(exc), 404) from exc
    done = [s for s in p.seats if s.submitted_at]
    if not done:
        raise WebError(f"panel {panel_id}: no expert has submitted yet (expected at least one)", 409)
    sc = mapping_to_scenario(p.scenario)
    answers = tuple(ExpertAnswer(**(a | {"expert": s.expert})) for s in done for a in s.answers)
    panel = Panel(
        experts=tuple(s.expert for s in done),
        answers=answers,
        pool=method,  # type: ignore[arg-type]  # checked against POOL_METHODS above
        scenario_hash=scenario_hash(sc),
    )
    pooled = pool_panel(sc, panel)
    sv = store.save_scenario(
        dump_scenario(pooled),
        author=f"panel {panel_id}",
        key=f"{sc.id}-panel-{panel_id}",
        summary=f"pooled ({method}) from {len(done)} experts",
    )
    store.panel_pooled(panel_id, sv.ref)
    top = disagreement(pooled)[:3]
    return {
        "scenario": sv.ref,
        "experts": [s.expert for s in done],
        "waiting": [s.expert for s in p.seats if not s.submitted_at],
        "disputed": [{"actor": d.actor, "issue": d.issue, "positions": dict(d.positions)} for d in top],
    }
