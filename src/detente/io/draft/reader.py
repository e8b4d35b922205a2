"""Read the text a draft is made from (plain text, Markdown, HTML) and split it into sentences.

* Encodings: UTF-8 (with or without BOM) and UTF-16 with a BOM; anything else is refused with one
  line naming the file and the offending byte (re-save as UTF-8). NUL bytes mean a binary file.
* HTML is parsed with BeautifulSoup (``html.parser``, the standard-library parser): scripts, styles
  and templates are dropped, block elements become paragraphs separated by a blank line. Offsets
  in the draft refer to this extracted text, which the draft keeps (``draft.text.content``).
* Markdown and plain text are used as they are (offsets are the file's character offsets).
* Paragraphs: blank-line separated in hard-wrapped text (blank lines and a median line shorter than
  100 characters), else one per line. Sentences: pysbd (Sadvilkar & Neumann 2020, rule-based Golden Rules) per paragraph, with
  its character spans checked against the text.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detente.analysis.draft.model import Sentence
from detente.analysis.draft.suggest import trimmed
from detente.errors import InputFileError
from detente.io.sources import check_file, not_utf8

MAX_TEXT_BYTES = 2_000_000
"""Larger texts are refused (about 300,000 words; split them): a draft is reviewed by a person."""

WRAPPED_LINE = 100
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
MARKDOWN_SUFFIXES = (".md", ".markdown")
_BLOCKS = (
    "p",
    "div",
    "section",
    "article",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "tr",
    "td",
    "th",
    "dd",
    "dt",
    "figcaption",
    "header",
    "footer",
    "main",
    "aside",
)


@dataclass(frozen=True, slots=True)
class SourceText:
    """A text ready to draft from: ``text`` and how it was read."""

    name: str
    text: str
    media_type: str


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (BOM optional) or BOM-marked UTF-16 → str; a one-line InputFileError otherwise."""
    if not data.strip():
        raise InputFileError(f"{name}: file is empty (expected a text to draft from)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputFileError(
                f"{name}: encoding: invalid UTF-16 (expected UTF-8 or UTF-16 text)"
            ) from None
    else:
        if b"\x00" in data:
            raise InputFileError(
                f"{name}: file is binary (NUL bytes; expected a text, Markdown or HTML file)"
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            detail = (
                "is not UTF-8 (unknown encoding; "
                "expected UTF-8 text: re-save it as UTF-8, e.g. iconv -f CP1252 -t UTF-8)"
            )
            raise not_utf8(data, exc, name, detail) from None
    if "\x00" in text:
        raise InputFileError(f"{name}: file is binary (NUL characters; expected a text file)")
    controls = sum(1 for c in text[:4096] if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > 8:
        raise InputFileError(
            f"{name}: file looks binary ({controls} control characters; expected a text file)"
        )
    if not text.strip():
        raise InputFileError(f"{name}: file is empty (expected a text to draft from)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def html_to_text(html: str) -> str:
    """Visible text of an HTML document, one paragraph per block element (BeautifulSoup, html.parser)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "head", "svg", "iframe"]):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    raw = soup.get_text()
    paras = []
    for chunk in re.split(r"\n\s*\n", raw):
        line = " ".join(chunk.split())
        if line:
            paras.append(line)
    return "\n\n".join(paras)


def _looks_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text)


def relabel(exc: InputFileError, what: str) -> InputFileError:
    """The shared file checks speak of a scenario file; say what the file is (``text``, ``alias``)."""
    msg = (
        str(exc)
        .replace("scenario file", f"{what} file")
        .replace("expected a scenario)", f"expected {'a' if what[0] not in 'aeiou' else 'an'} {what} file)")
    )
    return InputFileError(msg)


def read_source(path: str | os.PathLike[str], *, max_bytes: int = MAX_TEXT_BYTES) -> SourceText:
    """Read a text, Markdown or HTML file safely (size cap, encoding, binary check)."""
    name = str(path)
    try:
        p = check_file(path, max_bytes=max_bytes)
    except InputFileError as exc:
        msg = str(relabel(exc, "text"))
        if "too large" in msg and msg.endswith(")"):
            msg = msg[:-1] + ": split the text)"
        raise InputFileError(msg) from None
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{name}: cannot read file ({exc.strerror or exc})") from None
    return source_from_bytes(data, name, suffix=Path(name).suffix.lower())


def source_from_bytes(data: bytes, name: str, *, suffix: str = "") -> SourceText:
    """A :class:`SourceText` from bytes (the dashboard's upload path uses this too)."""
    if len(data) > MAX_TEXT_BYTES:
        raise InputFileError(
            f"{name}: file is too large ({len(data) / 1e6:.1f} MB; expected at most "
            f"{MAX_TEXT_BYTES / 1e6:.1f} MB: split the text)"
        )
    text = decode_text(data, name)
    if suffix in HTML_SUFFIXES or (suffix not in MARKDOWN_SUFFIXES and _looks_html(text)):
        body = html_to_text(text)
        if not body.strip():
            raise InputFileError(f"{name}: the HTML has no visible text (expected an article)")
        return SourceText(name, body, "text/html")
    media = "text/markdown" if suffix in MARKDOWN_SUFFIXES else "text/plain"
    return SourceText(name, text, media)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraph spans: blank-line separated in hard-wrapped text (median line under 100 characters and blank
    lines present), else one per line."""
    lines = sorted(len(x) for x in text.split("\n") if x.strip())
    wrapped = (
        bool(lines) and lines[len(lines) // 2] < WRAPPED_LINE and re.search(r"\n[ \t]*\n", text) is not None
    )
    sep = re.compile(r"\n[ \t]*\n\s*") if wrapped else re.compile(r"\n+")
    out: list[tuple[int, int]] = []
    pos = 0
    for m in sep.finditer(text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return [(a, b) for a, b in (trimmed(text, a, b) for a, b in out) if b > a]


_SEGMENTER: Any = None


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with character offsets (pysbd per paragraph; spans verified, gaps never lost)."""
    import pysbd

    global _SEGMENTER
    if _SEGMENTER is None:
        _SEGMENTER = pysbd.Segmenter(language="en", clean=False, char_span=True)
    seg = _SEGMENTER
    out: list[Sentence] = []
    for k, (a, b) in enumerate(paragraphs(text)):
        para = text[a:b].replace("\n", " ")  # hard-wrapped lines are not sentence ends; offsets unchanged
        cuts: list[int] = []
        pos = 0
        for span in seg.segment(para):
            sent = span.sent
            i = para.find(sent.strip(), pos) if sent.strip() else -1
            if i < 0:
                continue
            pos = i + len(sent.strip())
            cuts.append(i)
        bounds = sorted(set([0, *cuts])) + [len(para)]
        for s, e in zip(bounds, bounds[1:], strict=False):
            s2, e2 = trimmed(text, a + s, a + e)
            if e2 > s2:
                out.append(Sentence(index=len(out), start=s2, end=e2, paragraph=k))
    return out
