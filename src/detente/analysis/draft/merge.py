"""``--into``: merge a draft into an existing scenario mapping without overwriting the analyst's work.

Rules (docs/draft.md §5):

* a drafted actor is the scenario's actor whose id or name (parenthesised remarks dropped) equals
  one of the drafted entity's names or aliases in normal form; failing that, when one of the words
  the text used for it is a scenario *group* name word or its stem (``Europe`` for
  ``european_allies``), the suggestion goes to every member of the group; failing that, it is
  added as a new actor;
* a template is the scenario's issue with the same id, one of the template's aliases, an id whose
  words contain all the template id's words (``sanctions`` → ``us_sanctions``) or the same name;
  else it is added;
* an existing stance keeps its numbers and status; quotes it does not already cite are appended to
  its evidence; a suggested position on the other half of the scale from the analyst's (more than
  half the scale apart) is recorded in ``draft.contradictions``, never applied;
* a pair without a stance gets a new ``status: draft`` stance (position rescaled to the issue).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from detente.analysis.draft.tokens import normalize

CONTRADICTION_SHARE = 0.5


def _norm_name(text: str) -> str:
    base = str(text).split("(")[0]
    return " ".join(normalize(w) for w in base.replace("_", " ").split())


def _words(text: str) -> list[str]:
    return [normalize(w) for w in str(text).replace("_", " ").replace("-", " ").split() if w]


def resolve_actor(
    draft_id: str, info: Mapping[str, Any], base_actors: list[dict[str, Any]]
) -> tuple[list[str], str]:
    """Scenario actor ids for a drafted actor and how they were found (``actor``, ``group``, ``new``)."""
    names = {_norm_name(draft_id)} | {_norm_name(a) for a in info.get("aliases", ())}
    for a in base_actors:
        if _norm_name(a.get("id", "")) in names or _norm_name(a.get("name", "")) in names:
            return [str(a["id"])], "actor"
    surfaces = {normalize(m[0]) for m in info.get("mentions", ()) if m} | {
        normalize(x) for x in info.get("aliases", ())
    }
    groups: dict[str, list[str]] = {}
    for a in base_actors:
        for g in a.get("groups", ()) or ():
            groups.setdefault(str(g), []).append(str(a["id"]))
    for g, members in groups.items():
        gw = _words(g)
        if any(len(s) >= 4 and any(w == s or w.startswith(s) for w in gw) for s in surfaces):
            return members, "group"
    return [], "new"


def resolve_issue(
    template: Mapping[str, Any], aliases: list[str], base_issues: list[dict[str, Any]]
) -> str | None:
    tid = str(template["id"])
    ids = [str(i.get("id")) for i in base_issues]
    if tid in ids:
        return tid
    for al in aliases:
        if al in ids:
            return al
    tw = set(_words(tid))
    for iid in ids:
        if tw and tw <= set(_words(iid)):
            return iid
    tname = _norm_name(template.get("name", ""))
    for issue in base_issues:
        if tname and _norm_name(issue.get("name", "")) == tname:
            return str(issue.get("id"))
    return None


def _rescale(pos: float | None, frm: Mapping[str, Any], to: Mapping[str, Any]) -> float | None:
    if pos is None:
        return None
    f_lo, f_hi = float(frm.get("low", 0)), float(frm.get("high", 100))
    t_lo, t_hi = float(to.get("low", 0)), float(to.get("high", 100))
    u = (pos - f_lo) / (f_hi - f_lo) if f_hi != f_lo else 0.5
    return round(t_lo + u * (t_hi - t_lo), 6)


def _cites(evidence: list[Any], quote: str) -> bool:
    q = " ".join(quote.split())
    for e in evidence:
        if isinstance(e, Mapping) and e.get("quote"):
            have = " ".join(str(e["quote"]).split())
            if q in have or have in q:
                return True
    return False


def merge_draft(
    base: Mapping[str, Any],
    draft: Mapping[str, Any],
    *,
    template_aliases: Mapping[str, list[str]] | None = None,
) -> dict[str, Any]:
    """``base`` with the draft's suggestions merged in (a new mapping; ``base`` is not modified)."""
    out = copy.deepcopy(dict(base))
    actors: list[dict[str, Any]] = out.setdefault("actors", [])
    issues: list[dict[str, Any]] = out.setdefault("issues", [])
    stances: list[dict[str, Any]] = out.setdefault("stances", [])
    dsec = draft.get("draft", {}) or {}
    dinfo: Mapping[str, Any] = dsec.get("actors", {}) or {}
    aliases = template_aliases or {}

    actor_map: dict[str, list[str]] = {}
    how: dict[str, str] = {}
    for a in draft.get("actors", []):
        ids, kind = resolve_actor(str(a["id"]), dinfo.get(a["id"], {}), actors)
        if kind == "new":
            new_id = str(a["id"])
            taken = {str(x.get("id")) for x in actors}
            while new_id in taken:
                new_id += "_draft"
            actors.append(dict(a) | {"id": new_id})
            ids = [new_id]
        actor_map[str(a["id"])], how[str(a["id"])] = ids, kind

    issue_map: dict[str, str] = {}
    scales: dict[str, Mapping[str, Any]] = {}
    for t in draft.get("issues", []):
        found = resolve_issue(t, list(aliases.get(str(t["id"]), [])), issues)
        if found is None:
            issues.append(copy.deepcopy(dict(t)))
            found = str(t["id"])
        issue_map[str(t["id"])] = found
        scales[str(t["id"])] = t.get("scale", {}) or {}
    base_scales = {str(i.get("id")): (i.get("scale") or {}) for i in issues}

    contradictions: list[dict[str, Any]] = []
    added = 0
    for s in draft.get("stances", []):
        iid = issue_map.get(str(s["issue"]))
        if iid is None:
            continue
        pos = _rescale(s.get("position"), scales[str(s["issue"])], base_scales[iid])
        for aid in actor_map.get(str(s["actor"]), []):
            have = next((x for x in stances if x.get("actor") == aid and x.get("issue") == iid), None)
            if have is None:
                stances.append(
                    {
                        "actor": aid,
                        "issue": iid,
                        "status": "draft",
                        "position": pos,
                        "salience": None,
                        "evidence": copy.deepcopy(list(s.get("evidence", []))),
                    }
                )
                added += 1
                continue
            ev = have.setdefault("evidence", [])
            if isinstance(ev, Mapping):
                ev = have["evidence"] = [ev]
            for e in s.get("evidence", []):
                if not _cites(ev, str(e.get("quote", ""))):
                    ev.append(copy.deepcopy(dict(e)))
                    added += 1
            old = have.get("position")
            sc = base_scales[iid]
            span = float(sc.get("high", 100)) - float(sc.get("low", 0))
            if (
                pos is not None
                and isinstance(old, int | float)
                and abs(pos - old) > CONTRADICTION_SHARE * span
            ):
                contradictions.append(
                    {
                        "actor": aid,
                        "issue": iid,
                        "position": old,
                        "suggested": pos,
                        "quote": (s.get("evidence") or [{}])[0].get("quote", ""),
                    }
                )

    prev = out.get("draft") if isinstance(out.get("draft"), Mapping) else {}
    merged = dict(copy.deepcopy(prev)) if prev else {}
    merged["status"] = "draft"
    merged["provenance"] = list(merged.get("provenance", [])) + list(dsec.get("provenance", []))
    if "text" in dsec:
        merged["text"] = dsec["text"]
    merged["suggestions"] = list(merged.get("suggestions", [])) + list(dsec.get("suggestions", []))
    merged["actors"] = dict(merged.get("actors", {})) | dict(dinfo)
    merged["mapping"] = {
        "actors": {k: {"to": v, "how": how[k]} for k, v in actor_map.items()},
        "issues": issue_map,
    }
    merged["contradictions"] = list(merged.get("contradictions", [])) + contradictions
    merged["added"] = added
    out["draft"] = merged
    return out
