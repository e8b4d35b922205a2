"""The decision rule of a DEU issue from its Council voting rule and procedure (docs/decision_rules.md §3)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from detente.analysis.capabilities import REGIMES, select_regime
from detente.core.scenario import DecisionRule

INSTITUTIONS = ("com", "ep")
REGIME_PRESETS = {"EU-15": "eu15", "EU-25": "nice_eu25", "EU-27": "nice", "EU-28": "nice", "Lisbon": "lisbon"}
"""Council regime (analysis.capabilities.select_regime) -> weights preset of detente.core.rules."""


class _DeuIssue(Protocol):
    @property
    def rule(self) -> DecisionRule | None: ...
    @property
    def procedure(self) -> str: ...
    @property
    def intro(self) -> tuple[int, int, int] | None: ...
    @property
    def proposal_id(self) -> str: ...


def two_digit_year(yy: int) -> int:
    """``00``–``49`` → 2000s, ``50``–``99`` → 1900s (DEU dates and proposal ids)."""
    return 2000 + yy if yy < 50 else 1900 + yy


def prnr_year(prnr: str) -> int | None:
    """Document year from a proposal id (``d00032`` → 2000, ``n98189`` → 1998), or None."""
    m = re.match(r"^[A-Za-z]+(\d{2})", prnr.strip())
    return two_digit_year(int(m.group(1))) if m else None


def deu_rule_fields(
    issue: _DeuIssue,
    actor_ids: Sequence[str],
    proposal_members: frozenset[str],
    lisbon_after_2014: bool = True,
    table_weights: Callable[[str], dict[str, float]] | None = None,
) -> dict[str, Any]:
    """Issue fields (rule, weights, veto players, agenda setter) of a DEU issue.

    ``counvte`` gives the Council's rule: ``Unan`` -> unanimity of the member states with a
    position, ``QMV``/``QMV(10)`` -> qualified majority with the weights of the regime in force
    (EU-15, Nice, Lisbon presets; older regimes: their table's votes and quota). ``proc``:
    consultation (``CNS``) makes the Commission the agenda setter (Steunenberg 1994; Crombez 1996);
    co-decision (``COD``) adds the European Parliament as a veto player and leaves no single agenda
    setter (Tsebelis & Garrett 2000). The reversion point is ``rp`` (the issue's reference). An
    empty or unknown ``counvte`` leaves the rule undeclared (the models fall back to a simple majority
    and say so); an unknown value also gives a warning (``io.deu.read_deu``). ``table_weights(column)``: the Council table's votes (regimes before EU-15).
    """
    rule, procedure = issue.rule, issue.procedure
    intro = issue.intro or (prnr_year(issue.proposal_id) or 2000, 7, 1)
    if rule is None:
        return {}
    members = tuple(a for a in actor_ids if a not in INSTITUTIONS)
    cod = procedure.strip().upper().startswith("COD")
    veto_ep: tuple[str, ...] = ("ep",) if cod and "ep" in actor_ids else ()
    setter = "com" if not cod and "com" in actor_ids else None
    out: dict[str, Any] = {"rule": rule, "agenda_setter": setter}
    if rule == "unanimity":
        return out | {"veto_players": members + veto_ep}
    regime = select_regime(intro, proposal_members, lisbon_after_2014=lisbon_after_2014)
    if regime in REGIME_PRESETS:
        return out | {"weights": REGIME_PRESETS[regime], "veto_players": veto_ep}
    reg = REGIMES[regime]
    if table_weights is None:
        raise ValueError(f"table_weights: needed for the {regime} regime (its votes are not a preset)")
    table = table_weights(reg.column)
    weights = tuple((a, table[a]) for a in members if a in table)
    return out | {"weights": weights, "threshold": reg.quota / sum(table.values()), "veto_players": veto_ep}
