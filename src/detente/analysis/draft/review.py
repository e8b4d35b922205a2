"""Reviewing a draft (the dashboard's review page, docs/draft.md §6): accept, edit or reject each suggestion.

Pure functions on the native mapping of a draft (``detente draft`` output, possibly merged):

* :func:`review_items` — one row per stance that carries draft evidence (quote offsets in its
  ``url`` ``#char=`` fragment), with its status, numbers, quotes, the issue's scale, the best
  confidence and ``role`` (``mentioned``: the text only names the actor beside the subject of the
  cue's clause, so no position is suggested and accepting needs the analyst's numbers);
* :func:`text_segments` — the text cut at every quote boundary, each piece with the rows whose
  quotes cover it (the page highlights them: the template only loops);
* :func:`apply_decision` — ``accept`` (numbers required: the stance leaves draft status and keeps
  all its evidence: quote, offsets, source), ``reject`` (a draft stance is removed; an analyst's
  stance that a merge only added quotes to keeps its numbers and loses just the drafted evidence;
  what is rejected is kept under ``draft.rejected``) — each recorded in ``draft.review``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from detente.errors import ScenarioError

ACTIONS = ("accept", "reject")


def char_span(url: str) -> tuple[int, int] | None:
    """``(start, end)`` from an RFC 5147 ``#char=START,END`` fragment, else None."""
    if "#char=" not in url:
        return None
    try:
        a, b = url.rsplit("#char=", 1)[1].split(",", 1)
        s, e = int(a), int(b)
    except ValueError:
        return None
    return (s, e) if 0 <= s < e else None


def _scale(data: Mapping[str, Any], issue: str) -> tuple[float, float, list[str]]:
    for i in data.get("issues", []) or []:
        if isinstance(i, Mapping) and i.get("id") == issue:
            sc = i.get("scale") or {}
            labels = list(sc.get("labels") or ["", ""])
            return float(sc.get("low", 0)), float(sc.get("high", 100)), labels
    return 0.0, 100.0, ["", ""]


def _suggestions(data: Mapping[str, Any], actor: str, issue: str) -> list[Mapping[str, Any]]:
    """The draft's suggestions for the stance ``actor``/``issue``, by the draft's ids or, after
    ``--into``, by the scenario ids the merge mapped them to (``draft.mapping``)."""
    dsec = data.get("draft") or {}
    mapping = dsec.get("mapping") or {}
    amap, imap = mapping.get("actors") or {}, mapping.get("issues") or {}
    out = []
    for s in dsec.get("suggestions", []) or []:
        if not isinstance(s, Mapping):
            continue
        a, i = str(s.get("actor")), str(s.get("issue"))
        to = amap.get(a)
        mapped = to.get("to") or () if isinstance(to, Mapping) else ()
        if actor in {a, *map(str, mapped)} and issue in {i, str(imap.get(i, i))}:
            out.append(s)
    return out


def _confidence_role(data: Mapping[str, Any], actor: str, issue: str) -> tuple[float | None, str | None]:
    """The best confidence of the stance's suggestions, and ``mentioned`` when every one of them only
    mentions the actor beside its clause's subject (no position suggested: docs/draft.md §3)."""
    sugs = _suggestions(data, actor, issue)
    best = max((float(s.get("confidence") or 0) for s in sugs), default=None)
    roles = {s.get("role") for s in sugs}
    role = "subject" if "subject" in roles else "mentioned" if roles == {"mentioned"} else None
    return best, role


def review_items(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows for the review page: every stance with quote offsets, drafts first (most confident first)."""
    text_len = len(((data.get("draft") or {}).get("text") or {}).get("content") or "")
    rows: list[dict[str, Any]] = []
    for k, s in enumerate(data.get("stances", []) or []):
        if not isinstance(s, Mapping):
            continue
        quotes = []
        for e in s.get("evidence", []) or []:
            span = char_span(str(e.get("url", ""))) if isinstance(e, Mapping) else None
            if span and span[1] <= text_len:
                quotes.append(
                    {"start": span[0], "end": span[1], "quote": e.get("quote", ""), "note": e.get("note", "")}
                )
        if not quotes:
            continue
        low, high, labels = _scale(data, str(s.get("issue")))
        confidence, role = _confidence_role(data, str(s.get("actor")), str(s.get("issue")))
        rows.append(
            {
                "index": k,
                "actor": s.get("actor"),
                "issue": s.get("issue"),
                "status": s.get("status") or "accepted",
                "position": s.get("position"),
                "salience": s.get("salience"),
                "low": low,
                "high": high,
                "labels": labels,
                "confidence": confidence,
                "role": role,
                "quotes": quotes,
            }
        )
    rows.sort(key=lambda r: (r["status"] != "draft", -(r["confidence"] or 0.0), r["index"]))
    for n, r in enumerate(rows):
        r["id"] = f"s{n}"
    return rows


def text_segments(text: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The text cut at every quote boundary: ``{"text", "ids"}`` (ids of the rows quoting that piece)."""
    cuts = {0, len(text)}
    for r in rows:
        for q in r["quotes"]:
            cuts |= {q["start"], q["end"]}
    bounds = sorted(c for c in cuts if 0 <= c <= len(text))
    out = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        ids = [r["id"] for r in rows if any(q["start"] <= a and b <= q["end"] for q in r["quotes"])]
        out.append({"text": text[a:b], "ids": ids, "start": a})
    return out


def _number(value: Any, name: str, low: float, high: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ScenarioError(
            f"{name}: expected a number from {low:g} to {high:g}, received {value!r}"
        ) from None
    if not (low <= v <= high):
        raise ScenarioError(f"{name}: {v:g} is outside {low:g} to {high:g}")
    return v


def _drafted(e: Mapping[str, Any]) -> bool:
    """Evidence the drafter added: a ``#char=`` url and a note starting ``draft:``."""
    return char_span(str(e.get("url", ""))) is not None and str(e.get("note", "")).startswith("draft:")


def apply_decision(
    data: Mapping[str, Any],
    actor: str,
    issue: str,
    action: str,
    *,
    position: Any = None,
    salience: Any = None,
    reviewer: str = "",
) -> dict[str, Any]:
    """A new mapping with one decision applied (``data`` is not modified)."""
    if action not in ACTIONS:
        raise ScenarioError(f"action: expected {' or '.join(ACTIONS)}, received {action!r}")
    out = copy.deepcopy(dict(data))
    stances = out.get("stances") or []
    k = next(
        (
            i
            for i, s in enumerate(stances)
            if isinstance(s, Mapping) and s.get("actor") == actor and s.get("issue") == issue
        ),
        None,
    )
    if k is None:
        raise ScenarioError(f"stance {actor}/{issue}: not in this draft")
    dsec = out.setdefault("draft", {})
    log = {"actor": actor, "issue": issue, "action": action}
    if reviewer:
        log["reviewer"] = reviewer
    if action == "reject" and stances[k].get("status") != "draft":
        # an analyst's stance that the merge only added evidence to: drop that evidence, keep the stance
        s = stances[k]
        ev = [e for e in s.get("evidence") or [] if isinstance(e, Mapping)]
        drafted = [e for e in ev if _drafted(e)]
        if not drafted:
            raise ScenarioError(
                f"stance {actor}/{issue}: no drafted evidence to reject (it is the analyst's)"
            )
        s["evidence"] = [e for e in ev if not _drafted(e)]
        if not s["evidence"]:
            s.pop("evidence")
        dsec.setdefault("rejected", []).append({"actor": actor, "issue": issue, "evidence": drafted})
        log["action"] = "reject evidence"
    elif action == "reject":
        dsec.setdefault("rejected", []).append(stances.pop(k))
    else:
        low, high, _ = _scale(out, issue)
        s = stances[k]
        s["position"] = _number(position, f"stance {actor}/{issue}: position", low, high)
        s["salience"] = _number(salience, f"stance {actor}/{issue}: salience", 0.0, 1.0)
        s.pop("status", None)
        log |= {"position": s["position"], "salience": s["salience"]}
    dsec.setdefault("review", []).append(log)
    return out
