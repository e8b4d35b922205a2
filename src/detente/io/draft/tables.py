"""The gazetteer and the issue templates of ``detente draft``: packaged tables plus the user's own.

Gazetteer (docs/draft.md §2): every ISO 3166-1 country from pycountry (name, official and common
names), the packaged ``countries.csv`` (short names, demonyms, capitals and seats of government,
usual abbreviations), ``organisations.csv`` (international organisations and fora) and
``people.csv`` (leaders, ministers, envoys mapped to their state or organisation, with the years
they hold office). Users add aliases with a CSV or YAML file (``alias,actor[,name]`` rows or an
``{alias: actor}`` mapping) or in a scenario's ``draft: {aliases: {...}}`` section; a target
scenario's own actor ids and names are aliases too. Provenance: ``detente/io/data/README.md``.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

from detente.analysis.draft.actors import Lexicon, extend_lexicon
from detente.analysis.draft.model import SIDES, Alias, Cue, Entity, IssueTemplate, Side
from detente.errors import InputFileError
from detente.io.sources import read_text_file

TABLES = ("pycountry", "countries.csv", "organisations.csv", "people.csv", "issues.yaml")
WEAK_WEIGHT = 0.4


def _data(name: str) -> str:
    return resources.files("detente.io").joinpath("data", "draft", name).read_text(encoding="utf-8")


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_data(name))))


def _split(cell: str | None) -> list[str]:
    return [x.strip() for x in (cell or "").split("|") if x.strip()]


@lru_cache(maxsize=1)
def packaged_lexicon() -> Lexicon:
    """The packaged gazetteer (built once per process)."""
    import pycountry

    entities: dict[str, Entity] = {}
    aliases: list[Alias] = []
    table = {r["alpha_3"]: r for r in _rows("countries.csv")}
    for c in pycountry.countries:
        row = table.get(c.alpha_3)
        names = [getattr(c, k, None) for k in ("common_name", "name", "official_name")]
        plain = [n for n in names if n]
        if row:
            eid, name = row["id"], row["name"]
            for kind, key in (("demonym", "demonyms"), ("capital", "capitals"), ("alias", "aliases")):
                aliases += [
                    Alias(text=a, entity=eid, kind=kind, source="countries.csv") for a in _split(row[key])
                ]
        else:
            from detente.analysis.draft.actors import slug

            name = plain[0].split(",")[0]
            eid = slug(name)
            if eid in entities:  # "Congo", "Congo, The Democratic Republic of the": keep both
                eid, name = f"{eid}_{c.alpha_3.lower()}", plain[0]
        entities[eid] = Entity(id=eid, name=name, kind="country", source="pycountry ISO 3166-1 " + c.alpha_3)
        aliases.insert(0, Alias(text=name, entity=eid, kind="name", source="countries.csv"))
        aliases += [Alias(text=n, entity=eid, kind="name", source="pycountry") for n in plain if "," not in n]
    for r in _rows("organisations.csv"):
        entities[r["id"]] = Entity(id=r["id"], name=r["name"], kind=r["kind"], source="organisations.csv")
        aliases.append(Alias(text=r["name"], entity=r["id"], kind="name", source="organisations.csv"))
        aliases += [
            Alias(text=a, entity=r["id"], kind="alias", source="organisations.csv")
            for a in _split(r["aliases"])
        ]
    for r in _rows("people.csv"):
        aliases.append(Alias(text=r["alias"], entity=r["entity"], kind=r["kind"], source="people.csv"))
    by_entity: dict[str, list[str]] = {}
    for a in aliases:
        by_entity.setdefault(a.entity, []).append(a.text)
    ents = [
        Entity(
            id=e.id,
            name=e.name,
            kind=e.kind,
            source=e.source,
            aliases=tuple(dict.fromkeys(by_entity.get(e.id, ()))),
        )
        for e in entities.values()
    ]
    return Lexicon(ents, aliases)


ALIAS_HEADER = ("alias", "actor", "name")


def _read_as(path: str | os.PathLike[str], what: str) -> str:
    from detente.io.draft.reader import relabel

    try:
        return read_text_file(path, max_bytes=5_000_000)
    except InputFileError as exc:
        raise relabel(exc, what) from None


def read_alias_file(path: str | os.PathLike[str]) -> list[tuple[str, str, str]]:
    """User aliases from CSV (header ``alias,actor[,name]``, then one alias a row) or YAML/JSON
    (``{alias: actor}``); anything else is a one-line InputFileError naming the row expected."""
    text = _read_as(path, "alias")
    name = str(path)
    if name.lower().endswith((".yaml", ".yml", ".json")):
        from detente.io.files import load_yaml

        data, _ = load_yaml(text, name)
        return aliases_from_mapping(data, name)
    out: list[tuple[str, str, str]] = []
    header = False
    for k, row in enumerate(csv.reader(io.StringIO(text)), 1):
        if not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in row]
        if not header:
            if tuple(c.lower() for c in cells) not in (ALIAS_HEADER[:2], ALIAS_HEADER):
                raise InputFileError(
                    f"{name}: line {k}: expected the header row 'alias,actor' or 'alias,actor,name' of an alias "
                    f"table (received {','.join(row)!r})"
                )
            header = True
            continue
        if len(cells) not in (2, 3) or not cells[0] or not cells[1]:
            raise InputFileError(
                f"{name}: line {k}: expected 'alias,actor[,name]' with an alias and an actor id "
                f"(received {','.join(row)!r})"
            )
        out.append((cells[0], cells[1], cells[2] if len(cells) > 2 else ""))
    if not header:
        raise InputFileError(f"{name}: expected an alias table with the header row 'alias,actor[,name]'")
    return out


def aliases_from_mapping(data: Any, name: str) -> list[tuple[str, str, str]]:
    if not isinstance(data, Mapping):
        raise InputFileError(f"{name}: aliases: expected a mapping alias -> actor id")
    out = []
    for k, v in data.items():
        if not isinstance(k, str) or not isinstance(v, str) or not k.strip() or not v.strip():
            raise InputFileError(f"{name}: aliases: {k!r}: expected text -> actor id (received {v!r})")
        out.append((k.strip(), v.strip(), ""))
    return out


def scenario_aliases(base: Mapping[str, Any], lexicon: Lexicon) -> list[tuple[str, str, str]]:
    """Aliases a target scenario brings: its ``draft.aliases`` and the names of actors unknown to the gazetteer."""
    out: list[tuple[str, str, str]] = []
    dsec = base.get("draft")
    if isinstance(dsec, Mapping) and dsec.get("aliases"):
        out += aliases_from_mapping(dsec["aliases"], "scenario draft.aliases")
    for a in base.get("actors", []) or []:
        if not isinstance(a, Mapping) or not a.get("id"):
            continue
        aid, name = str(a["id"]), str(a.get("name") or a["id"]).split("(")[0].strip()
        if aid in lexicon.entities:
            continue
        out.append((name, aid, name))
    return out


def with_user_aliases(lexicon: Lexicon, extra: Iterable[tuple[str, str, str]], source: str) -> Lexicon:
    extra = list(extra)
    return extend_lexicon(lexicon, extra, source) if extra else lexicon


# ------------------------------------------------------------------------------------------------
def _cues(name: str, tid: str, raw: Any) -> tuple[Cue, ...]:
    if not isinstance(raw, Mapping):
        raise InputFileError(
            f"{name}: template {tid}: cues: expected a mapping topic/low/high/weak -> phrases"
        )
    out: list[Cue] = []
    for group, phrases in raw.items():
        if group not in ("topic", "weak", *SIDES):
            raise InputFileError(f"{name}: template {tid}: cues.{group}: expected topic, low, high or weak")
        if not isinstance(phrases, list) or not all(isinstance(p, str | int) for p in phrases):
            raise InputFileError(f"{name}: template {tid}: cues.{group}: expected a list of phrases")
        for p in phrases:
            side: Side | None = "low" if group == "low" else "high" if group == "high" else None
            out.append(Cue(phrase=str(p), side=side, weight=WEAK_WEIGHT if group == "weak" else 1.0))
    return tuple(out)


def templates_from_data(data: Any, name: str) -> list[IssueTemplate]:
    """Issue templates from their YAML layout (a list of mappings; see issues.yaml)."""
    if not isinstance(data, list):
        raise InputFileError(f"{name}: expected a list of issue templates")
    out = []
    for k, t in enumerate(data):
        if not isinstance(t, Mapping) or not isinstance(t.get("id"), str) or not t["id"].strip():
            raise InputFileError(f"{name}: template [{k}]: expected a mapping with an id")
        tid = t["id"]
        scale = t.get("scale") or {}
        labels = list(scale.get("labels") or ["", ""]) + ["", ""]
        try:
            low, high = float(scale.get("low", 0)), float(scale.get("high", 100))
        except (TypeError, ValueError):
            raise InputFileError(f"{name}: template {tid}: scale: expected numbers low < high") from None
        if not low < high:
            raise InputFileError(
                f"{name}: template {tid}: scale: expected low < high (received {low:g}, {high:g})"
            )
        out.append(
            IssueTemplate(
                id=tid,
                name=str(t.get("name") or tid),
                low=low,
                high=high,
                low_label=str(labels[0]),
                high_label=str(labels[1]),
                description=str(t.get("description") or ""),
                cues=_cues(name, tid, t.get("cues") or {}),
                aliases=tuple(str(a) for a in t.get("aliases") or ()),
                source=name,
            )
        )
    return out


@lru_cache(maxsize=1)
def packaged_templates() -> tuple[IssueTemplate, ...]:
    from detente.io.files import load_yaml

    return tuple(templates_from_data(load_yaml(_data("issues.yaml"), "issues.yaml")[0], "issues.yaml"))


def read_templates(path: str | os.PathLike[str]) -> list[IssueTemplate]:
    from detente.io.files import load_yaml

    data, _ = load_yaml(_read_as(path, "template"), str(path))
    return templates_from_data(data, str(path))


def merge_templates(base: Iterable[IssueTemplate], extra: Iterable[IssueTemplate]) -> list[IssueTemplate]:
    """``base`` with ``extra`` added; an extra template with an existing id replaces it."""
    out = {t.id: t for t in base}
    for t in extra:
        out[t.id] = t
    return list(out.values())
