"""Word tokens with character offsets, and the normal form names and cues are compared in.

A token is a run of letters/digits, possibly joined by ``.``, ``-``, ``'`` or ``’`` (``U.S.``,
``cease-fire``, ``Russia’s``). The normal form drops accents (NFKD), case, dots and hyphens and a
possessive ``'s``: ``Erdoğan`` → ``erdogan``, ``U.S.`` → ``us``, ``Russia’s`` → ``russia``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_TOKEN = re.compile(r"[^\W_]+(?:[.\-'’][^\W_]+)*\.?")
_POSSESSIVE = ("'s", "’s")


@dataclass(frozen=True, slots=True)
class Token:
    """``text[start:end]`` is ``surface`` (possessive and sentence-final dot left out); ``key`` its normal form."""

    surface: str
    key: str
    start: int
    end: int

    @property
    def capitalized(self) -> bool:
        return self.surface[:1].isupper()

    @property
    def upper(self) -> bool:
        bare = self.surface.replace(".", "")
        return bare.isupper()


@lru_cache(maxsize=65536)
def normalize(word: str) -> str:
    """The normal form of a word or phrase (see the module docstring).

    Examples
    --------
    >>> normalize("Erdoğan"), normalize("U.S."), normalize("cease-fire"), normalize("Russia’s")
    ('erdogan', 'us', 'ceasefire', 'russia')
    """
    w = word
    for p in _POSSESSIVE:
        if w.endswith(p):
            w = w[: -len(p)]
    w = unicodedata.normalize("NFKD", w)
    w = "".join(c for c in w if not unicodedata.combining(c))
    return w.casefold().replace(".", "").replace("-", "").replace("’", "'")


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The tokens of ``text[start:end]`` with offsets into ``text``.

    Examples
    --------
    >>> [(t.surface, t.key) for t in tokenize("The U.S. and Russia’s envoy met.")]
    [('The', 'the'), ('U.S.', 'us'), ('and', 'and'), ('Russia', 'russia'), ('envoy', 'envoy'), ('met', 'met')]
    """
    out: list[Token] = []
    stop = len(text) if end is None else end
    for m in _TOKEN.finditer(text, start, stop):
        s, e = m.start(), m.end()
        raw = m.group()
        if raw.endswith(".") and "." not in raw[:-1]:
            raw, e = raw[:-1], e - 1
        for p in _POSSESSIVE:
            if raw.endswith(p) and len(raw) > len(p):
                raw, e = raw[: -len(p)], e - len(p)
                break
        key = normalize(raw)
        if key:
            out.append(Token(raw, key, s, e))
    return out
