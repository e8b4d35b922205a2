"""Importer for the DEU III column layout (Arregui & Perarnaud 2022; data/README.md, DEU).

One header line, then one issue per line, tab-separated (a semicolon-separated header, as in
the upstream ``Dataset_DEU_III.csv``, is detected). Columns used: ``prnr`` (proposal id, the
grouping key), ``isnr`` (issue id), ``prname``, ``type``, ``council``, ``proc`` (procedure),
``counvte`` (Council rule: ``Unan`` → unanimity, ``QMV``/``QMV(10)`` → qualified majority),
``intro`` (introduction date, three forms), ``p<actor>``/``s<actor>`` position/salience pairs
(any actor code: ``com``, ``ep`` and member states, including ones the dev file lacks), ``rp``
(reference point) and ``out`` (outcome). Other columns are ignored.

Rules (validation.md §2): an empty position means the actor is absent on that issue; a
position without salience is imputed 50 (``missing_salience="impute"``) or the actor is
dropped (``"drop"``); ``rp`` becomes ``Issue.reference``; capabilities follow models.md §7
(:mod:`detente.analysis.capabilities`) with the Council table shipped as package data
(``io/data/eucouncil_weights_coresize.csv``). Values ``999``, ``-99``, ``-999``, ``.``, ``NA``
count as missing (DEU-style missing codes). Anything else that is not a number in 0–100 is a
one-line :class:`InputFileError` naming file, line and column.
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import io
import math
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np

from detente.analysis.backtest import Case
from detente.analysis.capabilities import (
    CAPABILITY_RULES,
    REGIMES,
    council_power,
    institution_capability,
    select_regime,
    votes_table,
)
from detente.core.arrays import to_arrays
from detente.core.scale import Scale
from detente.core.scenario import Actor, DecisionRule, Issue, Scenario, Stance
from detente.errors import DetenteWarning, InputFileError
from detente.io.deu_rules import INSTITUTIONS, deu_rule_fields, prnr_year, two_digit_year

MissingSalience = Literal["impute", "drop"]
MISSING_CODES = frozenset({"999", "-99", "-999", ".", "NA", "na", "N/A"})
REQUIRED = ("prnr", "isnr", "proc", "counvte", "intro", "rp", "out")

COUNTRY_CODES: dict[str, str] = {
    "Austria": "at", "Belgium": "be", "Bulgaria": "bu", "Croatia": "cr", "Cyprus": "cy",
    "Czech Republic": "cz", "Denmark": "dk", "Estonia": "ee", "Finland": "fi", "France": "fr",
    "Germany": "de", "Greece": "el", "Hungary": "hu", "Ireland": "ie", "Italy": "it", "Latvia": "lv",
    "Lithuania": "lt", "Luxembourg": "lu", "Malta": "mt", "Netherlands": "nl", "Poland": "pl",
    "Portugal": "pt", "Romania": "ro", "Slovakia": "sk", "Slovenia": "si", "Spain": "es",
    "Sweden": "se", "United Kingdom": "uk",
}  # fmt: skip
ACTOR_NAMES: dict[str, str] = {v: k for k, v in COUNTRY_CODES.items()} | {
    "com": "Commission",
    "ep": "European Parliament",
}


@dataclass(frozen=True, slots=True)
class DeuIssue:
    """One parsed line of a DEU file (raw 0–100 values; ``None`` = missing)."""

    issue_id: str
    proposal_id: str
    proposal_name: str
    act_type: str
    council: str
    procedure: str
    rule_raw: str
    rule: DecisionRule | None
    intro_raw: str
    intro: tuple[int, int, int] | None
    intro_form: str
    reference: float | None
    outcome: float | None
    positions: dict[str, float] = field(default_factory=dict)
    saliences: dict[str, float | None] = field(default_factory=dict)
    line: int = 0
    source: str = ""

    @property
    def intro_year(self) -> int | None:
        return self.intro[0] if self.intro else None


# --------------------------------------------------------------------------- parsing helpers
def _where(path: str, line: int, col: str | None = None, cols: Sequence[str] = ()) -> str:
    if col is None:
        return f"{path}:{line}"
    return f"{path}:{line}: column {col!r} (#{list(cols).index(col) + 1})"


def _number(text: str, where: str, *, low: float = 0.0, high: float = 100.0) -> float | None:
    t = text.strip()
    if t == "" or t in MISSING_CODES:
        return None
    try:
        v = float(t.replace(",", ".")) if t.count(",") == 1 and "." not in t else float(t)
    except ValueError:
        raise InputFileError(
            f"{where}: expected a number in {low:g}-{high:g} or empty, received {text!r}"
        ) from None
    if not math.isfinite(v) or not (low <= v <= high):
        raise InputFileError(f"{where}: expected a number in {low:g}-{high:g} or empty, received {text!r}")
    return v


def _valid(y: int, m: int, d: int) -> bool:
    try:
        _dt.date(y, m, d)
    except ValueError:
        return False
    return True


def parse_intro(text: str, prnr: str = "") -> tuple[tuple[int, int, int] | None, str]:
    """Parse DEU ``intro`` into ((year, month, day), form) (data/README.md; docs/backtest.md, quirks).

    Forms: ``dd-mm-yy`` (two-digit year: < 50 → 20yy), ``dd-mm-yyyy``, and the garbled ISO-like
    ``YYYY-MM-DD`` that encodes ``dd-mm-yy`` read as ``yy-mm-dd`` (``2014-07-04`` = 14 Jul 2004,
    ``1930-11-05`` = 30 Nov 2005). A true ISO date is used instead only when the garbled reading
    is impossible or when the ISO reading, not the garbled one, matches the year in ``prnr``.
    Empty → (None, "missing"). Raises ``ValueError`` on anything else.
    """
    t = text.strip()
    if t == "" or t in MISSING_CODES:
        return None, "missing"
    m = re.fullmatch(r"(\d{1,2})[-./](\d{1,2})[-./](\d{2}|\d{4})", t)
    if m:
        d, mo, y = int(m.group(1)), int(m.group(2)), m.group(3)
        year = two_digit_year(int(y)) if len(y) == 2 else int(y)
        if _valid(year, mo, d):
            return (year, mo, d), "dd-mm-yy" if len(y) == 2 else "dd-mm-yyyy"
        raise ValueError(t)
    m = re.fullmatch(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})", t)
    if m:
        y4, mo, dd = m.group(1), int(m.group(2)), int(m.group(3))
        garbled = (two_digit_year(dd), mo, int(y4[2:]))
        iso = (int(y4), mo, dd)
        g_ok, i_ok = _valid(*garbled), _valid(*iso)
        py = prnr_year(prnr)
        if g_ok and i_ok and py is not None and iso[0] in (py, py + 1) and garbled[0] not in (py, py + 1):
            return iso, "iso"
        if g_ok:
            return garbled, "garbled-iso"
        if i_ok:
            return iso, "iso"
    raise ValueError(t)


_NO_RULE = ("", "na", "n/a", "n.a.", ".", "-", "?")  # counvte codes for "not recorded": no warning


def _map_rule(raw: str) -> DecisionRule | None:
    r = raw.strip().lower()
    if r.startswith("unan"):
        return "unanimity"
    if r.startswith("qmv"):
        return "qualified_majority"
    if r in ("sm", "smv", "simple", "simple majority"):
        return "simple_majority"
    return None


def _read_text(path: str | Path) -> str:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{p}: cannot read file ({exc.strerror or exc})") from None
    if b"\x00" in raw[:8192]:  # text never holds NUL bytes (a UTF-16 export does: the message asks for UTF-8)
        raise InputFileError(
            f"{p}: binary file, not text (expected a DEU III table: tab- or semicolon-separated text, "
            "saved as UTF-8 or Windows-1252)"
        )
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def read_deu(path: str | Path) -> list[DeuIssue]:
    """Parse a DEU III file into :class:`DeuIssue` records (one per line), or raise ``InputFileError``."""
    name = str(path)
    text = _read_text(path)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputFileError(
            f"{name}:1: expected a DEU header line (columns {', '.join(REQUIRED)}, p<actor>, s<actor>), received an empty file"
        )
    delim = "\t" if "\t" in lines[0] else (";" if ";" in lines[0] else ",")
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        rows = list(reader)
    except csv.Error as exc:  # e.g. a stray carriage return inside a field of a binary or damaged file
        why = "a line break inside an unquoted field" if "new-line" in str(exc) else str(exc).split(" - ")[0]
        raise InputFileError(
            f"{name}:{reader.line_num}: not a readable table: {why} (expected a DEU III table: one issue "
            "per line, tab- or semicolon-separated text)"
        ) from None
    header = [h.strip() for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputFileError(
            f"{name}:1: header: missing column(s) {', '.join(missing)} (expected the DEU III layout with "
            f"{', '.join(REQUIRED)} and p<actor>/s<actor> pairs)"
        )
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise InputFileError(f"{name}:1: header: duplicate column(s) {', '.join(dup)}")
    skip = {"prnr", "proc", "proccde", "prname", "prnrnmc"}
    actors = [
        h[1:] for h in header if h.startswith("p") and h not in skip and len(h) > 1 and "s" + h[1:] in header
    ]
    if not actors:
        raise InputFileError(
            f"{name}:1: header: expected position/salience column pairs like pcom/scom, found none"
        )
    col = {h: k for k, h in enumerate(header)}
    out: list[DeuIssue] = []
    seen: dict[str, int] = {}
    odd_rules: set[str] = set()  # counvte values warned about (once each)
    for ln, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise InputFileError(
                f"{name}:{ln}: expected {len(header)} fields like the header, received {len(row)}"
            )

        def get(c: str, row: list[str] = row) -> str:
            return row[col[c]].strip() if c in col else ""

        def num(c: str, ln: int = ln, row: list[str] = row) -> float | None:
            return _number(row[col[c]], _where(name, ln, c, header))

        iid, pid = get("isnr"), get("prnr")
        if not iid:
            raise InputFileError(
                f"{_where(name, ln, 'isnr', header)}: expected an issue id, received an empty field"
            )
        if not pid:
            raise InputFileError(
                f"{_where(name, ln, 'prnr', header)}: expected a proposal id, received an empty field"
            )
        if iid in seen:
            raise InputFileError(
                f"{_where(name, ln, 'isnr', header)}: duplicate issue id {iid!r} (first on line {seen[iid]})"
            )
        seen[iid] = ln
        try:
            intro, form = parse_intro(get("intro"), pid)
        except ValueError:
            raise InputFileError(
                f"{_where(name, ln, 'intro', header)}: expected a date dd-mm-yy, dd-mm-yyyy or YYYY-MM-DD, "
                f"received {get('intro')!r}"
            ) from None
        positions: dict[str, float] = {}
        saliences: dict[str, float | None] = {}
        for a in actors:
            p = num("p" + a)
            s = num("s" + a)
            if p is None:
                continue
            positions[a] = p
            saliences[a] = s
        rule_raw = get("counvte")
        if (
            _map_rule(rule_raw) is None
            and rule_raw.strip().lower() not in _NO_RULE
            and rule_raw not in odd_rules
        ):
            # a typo would silently drop the rule: say so once per value (not an error: another DEU
            # release may code a rule this reader does not know, and the issue is still scored)
            odd_rules.add(rule_raw)
            warnings.warn(
                f"{_where(name, ln, 'counvte', header)}: {rule_raw[:30]!r} is not a Council voting rule "
                "this reader knows (Unan, QMV, QMV(n), SM); the issue's rule is left undeclared",
                DetenteWarning,
                stacklevel=2,
            )
        out.append(
            DeuIssue(
                issue_id=iid,
                proposal_id=pid,
                proposal_name=get("prname"),
                act_type=get("type"),
                council=get("council"),
                procedure=get("proc"),
                rule_raw=rule_raw,
                rule=_map_rule(rule_raw),
                intro_raw=get("intro"),
                intro=intro,
                intro_form=form,
                reference=num("rp"),
                outcome=num("out"),
                positions=positions,
                saliences=saliences,
                line=ln,
                source=name,
            )
        )
    if not out:
        raise InputFileError(f"{name}:2: expected at least one issue line after the header, received none")
    return out


# --------------------------------------------------------------------------- Council table
@dataclass(frozen=True, slots=True)
class CouncilTable:
    """Package copy of ``eucouncil_weights_coresize.csv`` keyed by DEU actor code."""

    codes: tuple[str, ...]
    columns: dict[str, np.ndarray]  # column -> float array (NaN = no value)

    def weights(self, column: str) -> dict[str, float]:
        v = self.columns[column]
        return {c: float(v[k]) for k, c in enumerate(self.codes) if not math.isnan(v[k])}


def _repair_populations(cols: dict[str, np.ndarray]) -> None:
    """Population cells that lost a trailing digit: a value below half the median of the same
    country's other years is multiplied by 10 (models.md §7; src/detente/io/data/README.md)."""
    pcols = [c for c in cols if c.startswith("p")]
    if not pcols:
        return
    mat = np.vstack([cols[c] for c in pcols]).T  # (countries, years)
    for r in range(mat.shape[0]):
        for j in range(mat.shape[1]):
            v = mat[r, j]
            others = np.delete(mat[r], j)
            others = others[~np.isnan(others)]
            if not math.isnan(v) and others.size and v < 0.5 * float(np.median(others)):
                mat[r, j] = v * 10
    for j, c in enumerate(pcols):
        cols[c] = mat[:, j]


@functools.lru_cache(maxsize=1)
def council_table() -> CouncilTable:
    """The Council weights/population table shipped with detente (see io/data/README.md)."""
    text = (
        resources.files("detente.io")
        .joinpath("data/eucouncil_weights_coresize.csv")
        .read_text(encoding="utf-8")
    )
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    codes = tuple(COUNTRY_CODES[r[0]] for r in rows[1:] if r)
    cols = {
        h: np.array([float(r[k]) if r[k].strip() else np.nan for r in rows[1:] if r])
        for k, h in enumerate(header)
        if k
    }
    _repair_populations(cols)
    return CouncilTable(codes, cols)


def regime_members(
    regime: str, table: CouncilTable, intro: tuple[int, int, int] | None = None
) -> tuple[str, ...]:
    """Member states of a regime, in table order (EU-25: with a ``v25t`` weight; EU-27: with a 2007
    population; EU-28 and Lisbon: all; the UK leaves the Lisbon Council from February 2020)."""
    col = {
        "EU-9": "v9",
        "EU-10": "v10",
        "EU-12": "v12",
        "EU-15": "v15",
        "EU-25": "v25t",
        "EU-27": "p2007",
    }.get(regime)
    if col is None:
        members = table.codes
        if regime == "Lisbon" and intro is not None and intro >= (2020, 2, 1):
            members = tuple(c for c in members if c != "uk")
        return members
    v = table.columns[col]
    return tuple(c for k, c in enumerate(table.codes) if not math.isnan(v[k]))


@functools.lru_cache(maxsize=64)
def _regime_index(
    regime: str, index: str, unanimity: bool, min_members: int, uk_out: bool
) -> dict[str, float]:
    table = council_table()
    reg = REGIMES[regime]
    members = regime_members(regime, table, (2021, 1, 1) if uk_out else None)
    pos = [table.codes.index(c) for c in members]
    if reg.lisbon:
        pops = np.round(table.columns[reg.population_column][pos] / 10.0).astype(np.int64)  # 100s -> 1,000s
        vals = council_power(np.zeros(len(pos)), reg, populations=pops, index=index, unanimity=unanimity)  # type: ignore[arg-type]
    else:
        w = np.round(table.columns[reg.column][pos]).astype(np.int64)
        vals = council_power(w, reg, index=index, unanimity=unanimity, min_members=min_members)  # type: ignore[arg-type]
    return {c: float(v) for c, v in zip(members, vals, strict=True)}


def issue_capabilities(
    issue: DeuIssue,
    proposal_members: frozenset[str],
    capability: str = "votes",
    *,
    lisbon_after_2014: bool = True,
    institution: float | None = None,
) -> tuple[dict[str, float], str]:
    """Capability of each actor with a position on ``issue`` and the regime/table used.

    ``institution``: Commission and EP capability; None = the largest member value (default).
    Member codes unknown to the table get the median member value (rare; other data sets).
    """
    table = council_table()
    year = issue.intro_year or prnr_year(issue.proposal_id) or 2000
    intro = issue.intro or (year, 7, 1)
    caps: dict[str, float] = {}
    if capability == "equal":
        return dict.fromkeys(issue.positions, 1.0), "equal"
    if capability == "votes":
        colname = votes_table(year)
        weights = table.weights(colname)
        nice = table.weights("v25")
        scale = max(weights.values()) / max(nice.values())
        member_vals = dict(weights)
        label = colname
    elif capability in ("ssi", "banzhaf"):
        regime = select_regime(intro, proposal_members, lisbon_after_2014=lisbon_after_2014)
        unan = issue.rule == "unanimity"
        mm = (
            10
            if issue.rule_raw.strip().upper() == "QMV(10)" and regime in ("EU-9", "EU-10", "EU-12", "EU-15")
            else 0
        )
        member_vals = _regime_index(
            regime, capability, unan, mm, regime == "Lisbon" and intro >= (2020, 2, 1)
        )
        nice = {}
        scale = 1.0
        label = regime + (" unanimity" if unan else "")
    else:
        raise ValueError(
            f"capability: expected one of {', '.join(CAPABILITY_RULES)}, received {capability!r}"
        )
    top = institution_capability(np.array(list(member_vals.values())))
    inst = top if institution is None else float(institution)
    fallback = float(np.median(list(member_vals.values()))) if member_vals else 1.0
    for a in issue.positions:
        if a in INSTITUTIONS:
            caps[a] = inst
        elif a in member_vals:
            caps[a] = member_vals[a]
        elif a in nice:  # member with no weight in its era's table: Nice weight rescaled to that table
            caps[a] = nice[a] * scale
        else:
            caps[a] = fallback
    return caps, label


# --------------------------------------------------------------------------- scenarios
def deu_scenarios(
    issues: Iterable[DeuIssue],
    *,
    capability: str = "votes",
    missing_salience: MissingSalience = "impute",
    impute_value: float = 50.0,
    lisbon_after_2014: bool = True,
    institution: float | None = None,
    empty: Literal["error", "skip"] = "error",
    skipped: list[str] | None = None,
) -> list[Scenario]:
    """One :class:`Scenario` per issue, capabilities per stance (models.md §7).

    An issue where no actor has a position (or every one was dropped for a missing salience)
    cannot be forecast: ``empty="error"`` raises, ``"skip"`` leaves it out and appends
    ``"FILE:LINE issue_id"`` to ``skipped`` (the backtest uses this and reports the count).
    """
    if capability not in CAPABILITY_RULES:
        raise InputFileError(
            f"capability: expected one of {', '.join(CAPABILITY_RULES)}, received {capability!r}"
        )
    if missing_salience not in ("impute", "drop"):
        raise InputFileError(f"missing_salience: expected impute or drop, received {missing_salience!r}")
    items = list(issues)
    members: dict[str, set[str]] = {}
    for it in items:
        members.setdefault(it.proposal_id, set()).update(a for a in it.positions if a not in INSTITUTIONS)
    out: list[Scenario] = []
    for it in items:
        caps, label = issue_capabilities(
            it,
            frozenset(members[it.proposal_id]),
            capability,
            lisbon_after_2014=lisbon_after_2014,
            institution=institution,
        )
        stances = []
        imputed = dropped = 0
        for a, p in it.positions.items():
            s = it.saliences.get(a)
            if s is None:
                if missing_salience == "drop":
                    dropped += 1
                    continue
                s = impute_value
                imputed += 1
            stances.append(
                Stance(actor=a, issue=it.issue_id, position=p, salience=s / 100.0, capability=caps[a])
            )
        where = f"{it.source}:{it.line}"
        if not stances and empty == "skip":
            if skipped is not None:
                skipped.append(f"{where} {it.issue_id}")
            continue
        if not stances:
            raise InputFileError(
                f"{where}: issue {it.issue_id}: expected at least one actor with a position, received none"
            )
        actor_ids = [s.actor for s in stances]
        actors = tuple(Actor(id=a, name=ACTOR_NAMES.get(a, a.upper()), capability=caps[a]) for a in actor_ids)
        issue = Issue(
            id=it.issue_id,
            name=f"{it.proposal_name} ({it.issue_id})",
            scale=Scale(low=0.0, high=100.0),
            reference=it.reference,
            **deu_rule_fields(
                it, actor_ids, frozenset(members[it.proposal_id]), lisbon_after_2014, council_table().weights
            ),
        )
        intro = "" if it.intro is None else "{:04d}-{:02d}-{:02d}".format(*it.intro)
        meta: dict[str, Any] = {
            "dataset": "DEU III",
            "source": where,
            "proposal_id": it.proposal_id,
            "proposal_name": it.proposal_name,
            "procedure": it.procedure,
            "council_rule": it.rule_raw,
            "act_type": it.act_type,
            "council": it.council,
            "intro": intro,
            "intro_raw": it.intro_raw,
            "intro_form": it.intro_form,
            "outcome": "" if it.outcome is None else repr(it.outcome),
            "capability": capability,
            "capability_table": label,
            "salience_imputed": str(imputed),
            "salience_dropped": str(dropped),
        }
        out.append(
            Scenario(
                id=it.issue_id,
                title=f"{it.proposal_name}: issue {it.issue_id}",
                description=f"DEU issue {it.issue_id} of proposal {it.proposal_id} ({it.procedure}, {it.rule_raw})",
                as_of=intro,
                sources=("DEU III, Arregui & Perarnaud (2022), doi:10.34810/data53 (CC BY 4.0)", where),
                actors=actors,
                issues=(issue,),
                stances=tuple(stances),
                metadata=tuple((k, str(v)) for k, v in meta.items()),
            )
        )
    return out


def load_deu(path: str | Path, **kwargs: Any) -> list[Scenario]:
    """Read a DEU III file and return one scenario per issue (see :func:`deu_scenarios`)."""
    return deu_scenarios(read_deu(path), **kwargs)


def outcome_of(scenario: Scenario) -> float | None:
    """The recorded DEU outcome (0–100) of a per-issue scenario, or None."""
    v = scenario.meta("outcome")
    return float(v) if v else None


def merge_proposal(scenarios: Sequence[Scenario]) -> Scenario:
    """The issues of one proposal as one multi-issue scenario (per-stance capabilities kept)."""
    if len(scenarios) == 1:
        return scenarios[0]
    actors: dict[str, Actor] = {}
    for sc in scenarios:
        for a in sc.actors:
            actors.setdefault(a.id, a)
    pid = scenarios[0].meta("proposal_id")
    return Scenario(
        id=pid,
        title=scenarios[0].meta("proposal_name") or pid,
        actors=tuple(actors.values()),
        issues=tuple(i for sc in scenarios for i in sc.issues),
        stances=tuple(s for sc in scenarios for s in sc.stances),
        metadata=(("proposal_id", pid),),
    )


def backtest_cases(scenarios: Sequence[Scenario]) -> tuple[list[Case], dict[str, dict[str, str]]]:
    """Group per-issue DEU scenarios by proposal (``prnr``, first-appearance order) into backtest
    cases, plus per-issue metadata (procedure, rule, regime, ...) for subgroup reports."""
    by_prop: dict[str, list[Scenario]] = {}
    for sc in scenarios:
        by_prop.setdefault(sc.meta("proposal_id") or sc.id, []).append(sc)
    cases: list[Case] = []
    meta: dict[str, dict[str, str]] = {}
    for pid, group in by_prop.items():
        merged = merge_proposal(group)
        arrays = to_arrays(merged)
        outcome = np.array(
            [np.nan if outcome_of(sc) is None else outcome_of(sc) for sc in group], dtype=np.float64
        )
        lo = np.array([i.scale.low for i in merged.issues])
        hi = np.array([i.scale.high for i in merged.issues])
        cases.append(Case(pid, arrays, outcome, lo, hi))
        for sc in group:
            meta[sc.id] = dict(sc.metadata)
    return cases, meta
