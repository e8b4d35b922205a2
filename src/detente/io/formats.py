"""Importers (and a few exporters) for third-party negotiation data formats.

One module per format (:mod:`~detente.io.ktab`, :mod:`~detente.io.decide`, :mod:`~detente.io.bdm`, with the
shared text loading in :mod:`~detente.io.sources`); this module re-exports their public names and
detects a format from content.

Every reader takes a path **or** the file's text (a ``str`` containing a newline, or ``bytes``)
and returns a valid :class:`~detente.core.scenario.Scenario`. Errors are
:class:`~detente.errors.InputFileError` with one line ``FILE[:LINE]: FIELD: what is wrong (expected ...)``.

Formats (layouts documented in ``docs/formats.md`` and ``data/README.md``):

- KTAB CSV: line 1 ``name, description, n_actors, n_dims``; line 2 header
  ``Actor, Description, Influence|Power, <dim> Position, <dim> Salience, ...``; one row per actor.
  Positions on 0-100, saliences 0-100 (divided by 100), capability = Influence/Power.
- KTAB XML: ``<Scenario>`` with ``name, desc, prngSeed, ModelParameters, Dimensions/dName,
  Actors/Actor(name, description, capability, Position/dCoord, Salience/dSal)``. Model parameters
  are kept as ``ktab.<Name>`` metadata. An empty ``dCoord`` means the actor is absent on that issue.
- Decide (exchange model) ``#A/#P/#M/#D`` rows, semicolon dialect or tab dialect with ``'``-quoted
  fields. ``#M`` anchors become named scale points; the power of each ``#D`` row becomes the stance
  capability.
- Bueno de Mesquita tables: header with ``Actor|Stakeholder|Name``, ``Capability|Resources|Clout|Power``,
  ``Position``, ``Salience`` (0-1, or 0-100 detected and divided by 100).

Data from these formats are expert codings, not quotes: each stance carries
``Evidence(assumption=True, note="expert coding ...")``.
"""

from __future__ import annotations

import csv
import re

from detente.errors import InputFileError
from detente.io.bdm import BDM_ACTOR, BDM_CAP, check_delimiter, read_bdm_table
from detente.io.decide import decide_dialect, read_decide, write_decide
from detente.io.ktab import _KTAB_CAP, read_ktab_csv, read_ktab_xml, write_ktab_csv
from detente.io.sources import (
    DEFAULT_MAX_BYTES,
    FormatName,
    Source,
    _fail,
    _trim,
    check_file,
    csv_records,
    decode_bytes,
    read_text_file,
    slug,
    source_text,
)

__all__ = [
    "BDM_ACTOR",
    "BDM_CAP",
    "DEFAULT_MAX_BYTES",
    "FormatName",
    "Source",
    "check_delimiter",
    "check_file",
    "csv_records",
    "decide_dialect",
    "decode_bytes",
    "detect_format",
    "read_bdm_table",
    "read_decide",
    "read_deu_refusal",
    "read_ktab_csv",
    "read_ktab_xml",
    "read_text_file",
    "slug",
    "source_text",
    "write_decide",
    "write_ktab_csv",
]


# ----------------------------------------------------------------------------------------------
# detection from content
# ----------------------------------------------------------------------------------------------
def detect_format(text: str, name: str = "<text>") -> FormatName:
    """Guess a text file's format from its content (extension not used).

    XML root -> ``ktab-xml``; ``#A``/``'#A'`` rows -> ``decide``; a KTAB title line followed by an
    ``Actor, Description, Influence|Power`` header -> ``ktab-csv``; a header with ``isnr``/``prnr`` ->
    ``deu`` (also ``issue_id``: the derived DEU tables); a header with actor and issue -> ``csv`` (native long table); a header with
    an actor column and ``Position`` -> ``bdm``; ``{``/``[`` -> ``json``; anything else -> ``yaml``.
    """
    t = text.lstrip("\ufeff \t\r\n")
    if t.startswith("<"):
        return "ktab-xml"
    if t.startswith("{") or t.startswith("["):
        return "json"
    if decide_dialect(t) is not None:
        return "decide"
    lines = [ln for ln in t.splitlines()[:3]]
    if not lines:
        return "yaml"
    first = lines[0]
    low_first = re.split(r"[,;\t|]", first.lower())
    low_first = [c.strip().strip('"') for c in low_first]
    if {"isnr", "prnr", "isnrnmc", "issue_id"} & set(low_first):
        return "deu"
    if len(lines) >= 2:
        second = [c.strip().lower() for c in _trim(next(csv.reader([lines[1]], skipinitialspace=True), []))]
        head1 = _trim(next(csv.reader([first], skipinitialspace=True), []))
        if (
            len(second) >= 3
            and second[0] == "actor"
            and second[2] in _KTAB_CAP
            and len(head1) >= 3
            and re.fullmatch(r"\d+", head1[-1].strip())
            and re.fullmatch(r"\d+", head1[-2].strip())
        ):
            return "ktab-csv"
    cols = set(low_first)
    if {"actor", "issue"} <= cols:  # the native long table (its reader names a missing column)
        return "csv"
    if cols & set(BDM_ACTOR) and "position" in cols:
        return "bdm"
    return "yaml"


def read_deu_refusal(name: str) -> InputFileError:
    """The error for a DEU dataset given where a scenario is expected."""
    return _fail(
        name,
        1,
        "format",
        "this is a DEU (Decision-making in the EU) dataset with many issues and outcomes, not one scenario "
        "(expected a scenario file; use `detente backtest` for DEU data)",
    )
