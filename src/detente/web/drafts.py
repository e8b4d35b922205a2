"""The draft review operations the pages and the API share (docs/draft.md §6).

A draft is drafted from an uploaded text (``detente.io.draft``), checked (``parse_scenario``) and saved
in the store as a scenario version under its own key; every review decision
(``detente.analysis.draft.review.apply_decision``) saves a new version, so accepted stances keep their
evidence (quote, ``#char=`` offsets, source) in the store and the history shows who decided what.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

from detente.analysis.draft.review import apply_decision, review_items, text_segments
from detente.errors import StoreError
from detente.io.mapping import _AS_OF  # the dates a scenario's as_of may be
from detente.web.service import WebError, builtin_names, load_ref, safe_key

MAX_DRAFT_BYTES = 2_000_000


def _check(data: dict[str, Any], source: str) -> None:
    from detente.io.mapping import parse_scenario

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parse_scenario(data, source=source)


def _free_key(store: Any, key: str) -> str:
    base, n = safe_key(key)[:70], 1
    cand = base
    while True:
        try:
            store.get_scenario(cand)
        except StoreError:
            return cand
        n += 1
        cand = f"{base}-{n}"


def create(
    store: Any,
    filename: str,
    data: bytes,
    *,
    title: str = "",
    date: str = "",
    url: str = "",
    into: str = "",
    author: str = "",
) -> dict[str, Any]:
    """Draft an uploaded text (merged into ``into`` when given) and save it; returns key, version, counts."""
    from detente import __version__
    from detente.io.draft import DraftOptions, draft_source, source_from_bytes

    date = (date or "").strip()
    if date and not _AS_OF.fullmatch(date):  # the scenario's as_of: the reader refuses anything else
        raise WebError(
            f"source date: {date[:40]!r} is not a date (expected YYYY-MM-DD, YYYY-MM or YYYY, e.g. 2025-06-15)",
            422,
        )
    name = os.path.basename(filename or "text.txt")[:120] or "text.txt"
    src = source_from_bytes(data, name, suffix=os.path.splitext(name)[1].lower())
    base = None
    if into.strip():
        ref = into.strip()  # a built-in name means the built-in, as on the command line (web.schemas)
        _sc, base, _ref = load_ref("builtin:" + ref if ref in builtin_names() else ref, store)
    doc = draft_source(src, DraftOptions(title=title, date=date, url=url), into=base, version=__version__)
    _check(doc, name)
    key = _free_key(store, str(doc.get("id") or "draft") + ("" if base is None else "-draft"))
    sv = store.save_scenario(doc, author=author or "detente draft", key=key, summary=f"draft from {name}")
    return {
        "key": sv.key,
        "version": sv.version,
        "ref": sv.ref,
        "actors": len(doc.get("actors", [])),
        "suggestions": len(doc["draft"].get("suggestions", [])),
    }


def page(store: Any, ref: str) -> dict[str, Any]:
    """What the review page shows: rows, text pieces, counts, provenance."""
    _sc, data, canon = load_ref(ref, store)
    dsec = data.get("draft")
    if not isinstance(dsec, dict) or not (dsec.get("text") or {}).get("content"):
        raise WebError(f"{ref}: not a draft with its text (expected the output of detente draft)", 404)
    text = dsec["text"]["content"]
    rows = review_items(data)
    return {
        "ref": canon,
        "key": canon.split("@")[0],
        "title": data.get("title") or canon,
        "rows": rows,
        "segments": text_segments(text, rows),
        "pending": sum(1 for r in rows if r["status"] == "draft"),
        "accepted": sum(1 for r in rows if r["status"] != "draft"),
        "rejected": len(dsec.get("rejected") or []),
        "provenance": dsec.get("provenance") or [],
        "contradictions": dsec.get("contradictions") or [],
    }


def decide(store: Any, key: str, decision: dict[str, Any], author: str = "") -> dict[str, Any]:
    """Apply one decision to the latest version of ``key`` and save the result as a new version."""
    _sc, data, _canon = load_ref(key, store)
    new = apply_decision(
        data,
        str(decision.get("actor", "")),
        str(decision.get("issue", "")),
        str(decision.get("action", "")),
        position=decision.get("position"),
        salience=decision.get("salience"),
        reviewer=author,
    )
    _check(new, key)
    what = f"{decision.get('action')} {decision.get('actor')}/{decision.get('issue')}"
    sv = store.save_scenario(new, author=author or "reviewer", key=key, summary=f"draft review: {what}")
    rows = review_items(new)
    return {
        "key": sv.key,
        "version": sv.version,
        "pending": sum(1 for r in rows if r["status"] == "draft"),
        "accepted": sum(1 for r in rows if r["status"] != "draft"),
    }
