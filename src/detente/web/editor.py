"""The scenario editor's table: form fields to a scenario mapping, and problems back to cells.

Pure functions (no request, no store): ``form_to_mapping`` merges the edited table
(``actor-N-field``, ``issue-N-field``, ``stance-N-field``, row deletions and a new row) into the
mapping the page was drawn from; ``validate_mapping`` parses it and maps each problem to its cell.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from detente.core.scenario import Scenario
from detente.errors import ScenarioError
from detente.web import service as svc

FIELD_PATTERNS = (
    (re.compile(r"^stance (?P<a>[^/ ]+)/(?P<i>[^: ]+): (?P<f>[a-z_/]+):"), "stance"),
    (re.compile(r"^actor (?P<a>[^: ]+): (?P<f>[a-z_]+):"), "actor"),
    (re.compile(r"^issue (?P<i>[^: ]+): (?P<f>[a-z_]+):"), "issue"),
)


INDEXED = re.compile(r"^(?:<[^>]*>: |[^:]*: )?(?P<list>actors|issues|stances)\[(?P<n>\d+)\]\.(?P<f>[a-z_]+)")


def _strip_source(prob: str) -> str:
    return re.sub(r"^<[^>]*>: ", "", prob)


def _num(text: str, what: str, errors: dict[str, str], key: str, *, optional: bool = False) -> float | None:
    t = (text or "").strip()
    if t == "":
        if optional:
            return None
        errors[key] = f"{what}: expected a number, received nothing"
        return None
    try:
        v = float(t)
    except ValueError:
        errors[key] = f"{what}: expected a number, received {t[:30]!r}"
        return None
    if not math.isfinite(v):
        errors[key] = f"{what}: expected a finite number, received {t[:30]!r}"
        return None
    return v


def form_to_mapping(
    form: Mapping[str, str], base: Mapping[str, Any], typed: dict[str, str] | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Merge the editor table (``actor-N-field``, ``issue-N-field``, ``stance-N-field``) into ``base``.

    Returns the new mapping and per-cell errors ``{"stance-3-salience": "message"}``. A cell that is
    not a number keeps its old value in the mapping; with ``typed``, what was typed into each such
    cell is put there under the cell's (renumbered) key, so the table can show it again.
    """
    errors: dict[str, str] = {}
    data = {k: v for k, v in base.items()}
    actors = [dict(a) for a in base.get("actors", [])]
    issues = [dict(i) for i in base.get("issues", [])]
    stances = [dict(s) for s in base.get("stances", [])]
    for n, a in enumerate(actors):
        p = f"actor-{n}-"
        if p + "id" in form:
            a["id"] = form[p + "id"].strip()
        if p + "name" in form:
            a["name"] = form[p + "name"].strip()
        if p + "capability" in form:
            v = _num(form[p + "capability"], f"actor {a.get('id')}: capability", errors, p + "capability")
            if v is not None:
                a["capability"] = v
    for n, i in enumerate(issues):
        p = f"issue-{n}-"
        if p + "name" in form:
            i["name"] = form[p + "name"].strip()
        if p + "reference" in form:
            errs_before = len(errors)
            v = _num(
                form[p + "reference"],
                f"issue {i.get('id')}: reference",
                errors,
                p + "reference",
                optional=True,
            )
            if len(errors) == errs_before:
                if v is None:
                    i.pop("reference", None)
                else:
                    i["reference"] = v
    for n, s in enumerate(stances):
        p = f"stance-{n}-"
        for fld, optional in (("position", False), ("salience", False), ("capability", True)):
            if p + fld not in form:
                continue
            errs_before = len(errors)
            v = _num(
                form[p + fld],
                f"stance {s.get('actor')}/{s.get('issue')}: {fld}",
                errors,
                p + fld,
                optional=optional,
            )
            if len(errors) == errs_before:
                if v is None:
                    s.pop(fld, None)
                else:
                    s[fld] = v
    raw = {k: str(form.get(k, "")) for k in errors}
    actors, issues, stances, errors = _delete_rows(form, actors, issues, stances, errors, raw)
    if typed is not None:
        typed.update(raw)
    add = form.get("add", "")
    if add in ("actor", "issue", "stance"):
        _add_row(add, form, actors, issues, stances, errors)
    data["actors"], data["issues"], data["stances"] = actors, issues, stances
    return data, errors


def _delete_rows(
    form: Mapping[str, str],
    actors: list[dict[str, Any]],
    issues: list[dict[str, Any]],
    stances: list[dict[str, Any]],
    errors: dict[str, str],
    raw: dict[str, str] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
    """Drop rows whose ``…-N-delete`` box is ticked (an actor's or issue's stances go with it);
    renumber the per-cell errors of the rows that stay (and, in place, ``raw``: what was typed)."""
    gone_a = {n for n in range(len(actors)) if form.get(f"actor-{n}-delete")}
    gone_i = {n for n in range(len(issues)) if form.get(f"issue-{n}-delete")}
    gone_s = {n for n in range(len(stances)) if form.get(f"stance-{n}-delete")}
    if not (gone_a or gone_i or gone_s):
        return actors, issues, stances, errors
    dead_actors = {str(actors[n].get("id")) for n in gone_a}
    dead_issues = {str(issues[n].get("id")) for n in gone_i}
    gone_s |= {
        n
        for n, st in enumerate(stances)
        if str(st.get("actor")) in dead_actors or str(st.get("issue")) in dead_issues
    }
    renumber: dict[str, dict[int, int]] = {}
    kept: dict[str, list[dict[str, Any]]] = {}
    for kind, rows, gone in (
        ("actor", actors, gone_a),
        ("issue", issues, gone_i),
        ("stance", stances, gone_s),
    ):
        keep = [n for n in range(len(rows)) if n not in gone]
        renumber[kind] = {old: new for new, old in enumerate(keep)}
        kept[kind] = [rows[n] for n in keep]
    new_errors: dict[str, str] = {}
    new_raw: dict[str, str] = {}
    for key, msg in errors.items():
        kind, n, fld = key.split("-", 2)
        if kind in renumber and n.isdigit() and int(n) in renumber[kind]:
            new_key = f"{kind}-{renumber[kind][int(n)]}-{fld}"
        elif not n.isdigit():
            new_key = key
        else:
            continue
        new_errors[new_key] = msg
        if raw is not None and key in raw:
            new_raw[new_key] = raw[key]
    if raw is not None:
        raw.clear()
        raw.update(new_raw)
    for v in kept["issue"]:  # veto players that were removed
        if v.get("veto_players"):
            v["veto_players"] = [x for x in v["veto_players"] if str(x) not in dead_actors]
        for key in ("decider", "agenda_setter"):  # rule details naming a removed actor (issue #16)
            if str(v.get(key)) in dead_actors:
                v.pop(key)
        if isinstance(v.get("weights"), dict):
            v["weights"] = {a: w for a, w in v["weights"].items() if str(a) not in dead_actors}
    return kept["actor"], kept["issue"], kept["stance"], new_errors


def _add_row(
    kind: str,
    form: Mapping[str, str],
    actors: list[dict[str, Any]],
    issues: list[dict[str, Any]],
    stances: list[dict[str, Any]],
    errors: dict[str, str],
) -> None:
    """Append the row typed into the ``new-<kind>-…`` inputs (errors keyed ``new-<kind>-<field>``)."""
    p = f"new-{kind}-"
    if kind in ("actor", "issue"):
        rows = actors if kind == "actor" else issues
        new_id = form.get(p + "id", "").strip()
        if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,80}", new_id):
            errors[p + "id"] = (
                f"new {kind}: id: expected 1-80 letters, digits, '_', '.', '-', received {new_id[:30]!r}"
            )
            return
        if any(str(r.get("id")) == new_id for r in rows):
            errors[p + "id"] = f"new {kind}: id: {new_id!r} already exists"
            return
        row: dict[str, Any] = {"id": new_id, "name": form.get(p + "name", "").strip() or new_id}
        if kind == "actor":
            cap = _num(
                form.get(p + "capability", "") or "1", "new actor: capability", errors, p + "capability"
            )
            if cap is None:
                return
            row["capability"] = cap
        else:
            low = _num(form.get(p + "low", "") or "0", "new issue: low", errors, p + "low")
            high = _num(form.get(p + "high", "") or "100", "new issue: high", errors, p + "high")
            if low is None or high is None:
                return
            row["scale"] = {"low": low, "high": high, "labels": [f"{low:g}", f"{high:g}"]}
        rows.append(row)
        return
    actor, issue = form.get(p + "actor", ""), form.get(p + "issue", "")
    if not any(str(a.get("id")) == actor for a in actors):
        errors[p + "actor"] = f"new stance: actor: unknown actor {actor[:30]!r}"
        return
    if not any(str(i.get("id")) == issue for i in issues):
        errors[p + "issue"] = f"new stance: issue: unknown issue {issue[:30]!r}"
        return
    if any(s.get("actor") == actor and s.get("issue") == issue for s in stances):
        errors[p + "issue"] = f"new stance: {actor}/{issue} already has a stance (edit it in its row)"
        return
    pos = _num(form.get(p + "position", ""), "new stance: position", errors, p + "position")
    sal = _num(form.get(p + "salience", ""), "new stance: salience", errors, p + "salience")
    if pos is None or sal is None:
        return
    stances.append({"actor": actor, "issue": issue, "position": pos, "salience": sal})


def problems_to_cells(problems: list[str], data: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Map ``ScenarioError.problems`` lines to editor cells; the rest are general messages."""
    actor_row = {str(a.get("id")): n for n, a in enumerate(data.get("actors", []))}
    issue_row = {str(i.get("id")): n for n, i in enumerate(data.get("issues", []))}
    stance_row = {
        (str(s.get("actor")), str(s.get("issue"))): n for n, s in enumerate(data.get("stances", []))
    }
    cells: dict[str, str] = {}
    general: list[str] = []
    single = {"actors": "actor", "issues": "issue", "stances": "stance"}
    for prob in problems:
        key = None
        m = INDEXED.match(prob)
        if m:  # io.mapping style: "<source>: stances[2].salience: ..."
            n_rows = len(data.get(m.group("list")) or [])
            if int(m.group("n")) < n_rows:
                key = f"{single[m.group('list')]}-{int(m.group('n'))}-{m.group('f')}"
                cells.setdefault(key, _strip_source(prob))
                continue
        for rx, kind in FIELD_PATTERNS:
            m = rx.match(prob)
            if not m:
                continue
            f = m.group("f").split("/")[0]
            if kind == "stance" and (m.group("a"), m.group("i")) in stance_row:
                key = f"stance-{stance_row[(m.group('a'), m.group('i'))]}-{f}"
            elif kind == "actor" and m.group("a") in actor_row:
                key = f"actor-{actor_row[m.group('a')]}-{f}"
            elif kind == "issue" and m.group("i") in issue_row:
                key = f"issue-{issue_row[m.group('i')]}-{f}"
            break
        if key:
            cells.setdefault(key, prob)
        else:
            general.append(_strip_source(prob))
    return cells, general


def validate_mapping(data: Mapping[str, Any]) -> tuple[Scenario | None, dict[str, str], list[str]]:
    try:
        return svc.mapping_to_scenario(data), {}, []
    except ScenarioError as exc:
        cells, general = problems_to_cells(exc.problems, data)
        return None, cells, general


def edited(
    fields: Mapping[str, str], base: Mapping[str, Any], typed: dict[str, str] | None = None
) -> tuple[Scenario | None, dict[str, Any], dict[str, str], list[str]]:
    """(scenario or None, mapping, cell errors, general problems) of the edited table.

    The scenario is None while any cell is bad, whatever its kind (not a number, out of range, ...):
    a cell that is not a number keeps its old value in the mapping, and running on that would
    forecast with a value the table no longer shows. ``typed`` as in :func:`form_to_mapping`.
    """
    data, cell_errors = form_to_mapping(fields, base, typed)
    sc, cells, general = validate_mapping(data)
    cells.update(cell_errors)
    if cell_errors:
        sc = None
    return sc, data, cells, general


def editor_context(
    sc: Scenario | None,
    data: Mapping[str, Any],
    ref: str,
    *,
    history: list[Any] | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    with_figure: bool = True,
    typed: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the editor page (``scenario.html``) and its table fragment (``_table.html``) show."""
    from detente.web.schemas import reference

    kind, key, version = (
        svc.parse_ref(reference(ref, "scenario")) if ref != "inline" else ("inline", None, None)
    )
    ref = str(key) if kind == "builtin" else ref  # the vocabulary's reference: a built-in's plain name
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
        "typed": typed or {},  # what was typed into a cell that is not a number (shown again, marked)
        "new": {},
        "general": general or [],
        "models": [m["name"] for m in svc.model_list()],
        "whatif_json": json.dumps(_whatif_choices(data), ensure_ascii=False),
        "labels": cell_labels(data),
        "share": f"/s/{ref}" if kind in ("store", "builtin") else "",
        "save_key": key if kind == "store" else (sc.id if sc is not None else data.get("id", "")),
        "scenario_sections": svc.scenario_figure_html(sc) if sc is not None and with_figure else [],
        # the simulator runs on a 'dynamics:' section (or the ukraine-2025 defaults): else Simulate is off
        "can_simulate": _can_simulate(sc, data),
    }


def cell_labels(data: Mapping[str, Any]) -> dict[str, str]:
    """Each editor cell's accessible name by its input's id ("Russia – Ceasefire sequencing –
    salience"): a screen reader names the cell, not just "edit text" (the row's names are cells
    of their own, which a form control does not read)."""

    def name(row: Mapping[str, Any]) -> str:
        return str(row.get("name") or row.get("id") or "")

    actors = {str(a.get("id")): name(a) for a in data.get("actors", [])}
    issues = {str(i.get("id")): name(i) for i in data.get("issues", [])}
    out: dict[str, str] = {}
    for n, a in enumerate(data.get("actors", [])):
        who = name(a) or f"actor {n + 1}"
        out |= {
            f"actor-{n}-name": f"{who} – name",
            f"actor-{n}-capability": f"{who} – capability",
            f"actor-{n}-delete": f"remove {who} and its stances",
        }
    for n, i in enumerate(data.get("issues", [])):
        what = name(i) or f"issue {n + 1}"
        out |= {
            f"issue-{n}-name": f"{what} – name",
            f"issue-{n}-reference": f"{what} – status quo",
            f"issue-{n}-delete": f"remove {what} and its stances",
        }
    for n, st in enumerate(data.get("stances", [])):
        a, i = str(st.get("actor")), str(st.get("issue"))
        row = f"{actors.get(a, a)} – {issues.get(i, i)}"
        out |= {
            f"stance-{n}-position": f"{row} – position",
            f"stance-{n}-salience": f"{row} – salience (0–1)",
            f"stance-{n}-capability": f"{row} – capability (blank = the actor's)",
            f"stance-{n}-delete": f"remove the stance {row}",
        }
    return out | {
        "new-actor-id": "new actor – id",
        "new-actor-name": "new actor – name",
        "new-actor-capability": "new actor – capability",
        "new-issue-id": "new issue – id",
        "new-issue-name": "new issue – name",
        "new-issue-low": "new issue – low end of the scale",
        "new-issue-high": "new issue – high end of the scale",
        "new-stance-actor": "new stance – actor",
        "new-stance-issue": "new stance – issue",
        "new-stance-position": "new stance – position",
        "new-stance-salience": "new stance – salience (0–1)",
    }


def _can_simulate(sc: Scenario | None, data: Mapping[str, Any]) -> bool:
    from detente.analysis.sim_job import has_simulation

    if sc is not None:
        return bool(has_simulation(sc))
    return bool(data.get("dynamics"))


def _whatif_choices(data: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The actors, issues and stances the what-if form offers (its Alpine.js data)."""
    return {
        "actors": [
            {"id": a.get("id"), "name": a.get("name") or a.get("id"), "capability": a.get("capability", 1.0)}
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
