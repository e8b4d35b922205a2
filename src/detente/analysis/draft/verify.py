"""Quotes must be exact: the offsets of a quote in the text, or None (never a near match)."""

from __future__ import annotations


def locate(text: str, quote: str, near: int = 0) -> tuple[int, int] | None:
    """``(start, end)`` of the occurrence of ``quote`` in ``text`` closest to offset ``near``; None if absent.

    Examples
    --------
    >>> locate("Russia wants sanctions lifted.", "sanctions lifted")
    (13, 29)
    >>> locate("Russia wants sanctions lifted.", "sanctions eased") is None
    True
    """
    if not quote or not quote.strip():
        return None
    hits: list[int] = []
    i = text.find(quote)
    while i >= 0 and len(hits) < 1000:
        hits.append(i)
        i = text.find(quote, i + 1)
    if not hits:
        return None
    best = min(hits, key=lambda h: (abs(h - near), h))
    return best, best + len(quote)
