"""Optional language-model backend: any OpenAI-compatible chat-completions endpoint, given by URL.

Off unless configured (``detente draft --lm-url URL``; the key, if the server needs one, is read from
the ``DETENTE_LM_KEY`` environment variable and never written anywhere). The prompt and the raw
answer are kept in the draft's provenance. Every stance the model returns must quote the text
**exactly** (``detente.analysis.draft.locate``); anything else — an unknown actor or issue, a
paraphrased quote, a bad side — is rejected and listed in the provenance with the reason.
Request: ``POST {url}/chat/completions`` with ``temperature: 0`` and ``seed: 0`` (OpenAI API
reference, "Create chat completion").
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from detente.analysis.draft.model import IssueTemplate, Quote, Sentence, Suggestion
from detente.analysis.draft.verify import locate
from detente.errors import DetenteError

MAX_ANSWER_BYTES = 2_000_000


class LMError(DetenteError):
    """The language-model endpoint could not be used (unreachable, bad answer)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LMConfig:
    url: str
    model: str = "default"
    timeout: float = 120.0


def endpoint(url: str) -> str:
    u = url.rstrip("/")
    return u if u.endswith("/chat/completions") else u + "/chat/completions"


def build_messages(
    text: str, actors: Sequence[tuple[str, str]], templates: Sequence[IssueTemplate]
) -> list[dict[str, str]]:
    actor_lines = "\n".join(f"- {i}: {n}" for i, n in actors) or "- (none found by the gazetteer)"
    issue_lines = "\n".join(
        f"- {t.id}: {t.name} (low = {t.low_label or 'low'}; high = {t.high_label or 'high'})"
        for t in templates
    )
    system = (
        "You code who wants what in negotiation texts. Answer with one JSON object and nothing else: "
        '{"stances": [{"actor": ACTOR_ID, "issue": ISSUE_ID, "quote": EXACT WORDS COPIED FROM THE TEXT, '
        '"side": "low" | "high" | null, "confidence": 0..1}]}. Quotes must be copied character for character; '
        "give a side only when the text clearly places the actor near that end of the issue's scale."
    )
    user = f"Actors:\n{actor_lines}\n\nIssues:\n{issue_lines}\n\nText:\n<<<\n{text}\n>>>"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _post(cfg: LMConfig, body: Mapping[str, Any]) -> str:
    headers = {"Content-Type": "application/json"}
    key = os.environ.get("DETENTE_LM_KEY")
    if key:
        headers["Authorization"] = f"Bearer {key}"
    try:
        req = urllib.request.Request(
            endpoint(cfg.url), data=json.dumps(body).encode("utf-8"), headers=headers
        )
    except ValueError:  # "unknown url type": the CLI checks first; other callers get the same one line
        raise LMError(f"--lm-url {cfg.url}: expected an http(s) URL") from None
    try:
        with urllib.request.urlopen(req, timeout=cfg.timeout) as resp:  # noqa: S310 (URL given by the user)
            raw = resp.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise LMError(
            f"--lm-url {cfg.url}: HTTP {exc.code} {exc.reason} (expected an OpenAI-compatible endpoint)"
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise LMError(f"--lm-url {cfg.url}: cannot reach the endpoint ({reason})") from None
    if len(raw) > MAX_ANSWER_BYTES:
        raise LMError(f"--lm-url {cfg.url}: answer larger than {MAX_ANSWER_BYTES} bytes")
    try:
        content = json.loads(raw.decode("utf-8"))["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise LMError(
            f"--lm-url {cfg.url}: answer is not a chat completion (expected choices[0].message.content)"
        ) from None
    if not isinstance(content, str):
        raise LMError(f"--lm-url {cfg.url}: message content is not text")
    return content


def _items(content: str) -> list[Any]:
    c = content.strip()
    if c.startswith("```"):
        c = c.strip("`")
        c = c[c.find("\n") + 1 :] if "\n" in c else c
    start, end = c.find("{"), c.rfind("}")
    try:
        data = json.loads(c[start : end + 1]) if start >= 0 else json.loads(c)
    except ValueError:
        return []
    items = data.get("stances") if isinstance(data, Mapping) else data
    return list(items) if isinstance(items, list) else []


def _sentence_of(sentences: Sequence[Sentence], pos: int) -> int:
    for s in sentences:
        if s.start <= pos < s.end:
            return s.index
    return -1


def _check(
    item: Any, text: str, actors: set[str], tpl: Mapping[str, IssueTemplate], sentences: Sequence[Sentence]
) -> tuple[Suggestion | None, str]:
    if not isinstance(item, Mapping):
        return None, "not a mapping"
    actor, issue, quote = item.get("actor"), item.get("issue"), item.get("quote")
    if actor not in actors:
        return None, f"unknown actor {actor!r}"
    if issue not in tpl:
        return None, f"unknown issue {issue!r}"
    if not isinstance(quote, str) or locate(text, quote) is None:
        return None, "quote is not an exact substring of the text"
    side = item.get("side")
    if side not in ("low", "high", None):
        return None, f"side {side!r} (expected low, high or null)"
    try:
        conf = float(item.get("confidence", 0.5))
    except (TypeError, ValueError):
        conf = 0.5
    conf = min(max(conf, 0.0), 0.95)
    a, b = locate(text, quote) or (0, 0)
    t = tpl[str(issue)]
    pos = (
        None
        if side is None
        else (t.low + 0.1 * (t.high - t.low) if side == "low" else t.high - 0.1 * (t.high - t.low))
    )
    q = Quote(
        text=text[a:b],
        start=a,
        end=b,
        sentence=_sentence_of(sentences, a),
        cue="(language model)",
        cue_start=a,
        cue_end=b,
        side=side,
        attribution="model",
    )
    return (
        Suggestion(
            actor=str(actor),
            issue=str(issue),
            quotes=(q,),
            position=pos,
            confidence=round(conf, 2),
            reason="suggested by the language model; quote checked",
            backend="lm",
        ),
        "",
    )


def lm_suggest(
    text: str,
    sentences: Sequence[Sentence],
    actors: Sequence[tuple[str, str]],
    templates: Sequence[IssueTemplate],
    cfg: LMConfig,
) -> tuple[list[Suggestion], dict[str, Any]]:
    """Suggestions from the endpoint (only exact quotes kept) and the provenance record."""
    messages = build_messages(text, actors, templates)
    body = {"model": cfg.model, "messages": messages, "temperature": 0, "seed": 0}
    raw = _post(cfg, body)
    tpl = {t.id: t for t in templates}
    known = {a for a, _ in actors}
    out: list[Suggestion] = []
    rejected: list[dict[str, Any]] = []
    for item in _items(raw):
        sug, why = _check(item, text, known, tpl, sentences)
        if sug is None:
            rejected.append({"item": item if isinstance(item, Mapping) else str(item), "reason": why})
        else:
            out.append(sug)
    prov = {
        "backend": "lm",
        "url": cfg.url,
        "model": cfg.model,
        "prompt": messages,
        "raw_answer": raw,
        "accepted": len(out),
        "rejected": rejected,
    }
    return out, prov
