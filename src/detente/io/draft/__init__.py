"""Adapters of ``detente draft``: file reading (text, Markdown, HTML), sentence splitting (pysbd), the
gazetteer and issue templates (pycountry + packaged tables + the user's), the optional language-model
backend, and the pipeline that calls the pure core in :mod:`detente.analysis.draft`."""

from __future__ import annotations

from detente.io.draft.lm import LMConfig, LMError
from detente.io.draft.pipeline import DraftOptions, draft_file, draft_source, load_base
from detente.io.draft.reader import SourceText, read_source, source_from_bytes, split_sentences

__all__ = [
    "DraftOptions",
    "LMConfig",
    "LMError",
    "SourceText",
    "draft_file",
    "draft_source",
    "load_base",
    "read_source",
    "source_from_bytes",
    "split_sentences",
]
