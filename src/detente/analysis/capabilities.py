"""Council capabilities for DEU issues: treaty regime, raw votes, power indices (models.md §7).

Pure: the weight/population table comes in as arrays from ``detente.io.deu`` (package data
``io/data/eucouncil_weights_coresize.csv``). Rules (models.md §7, validation.md §2):

- ``capability="votes"`` (primary, pre-registered): Council weight ``v15`` if the proposal was
  introduced up to 2000, the Nice weight ``v25`` otherwise (earlier tables ``v9/v10/v12`` for
  proposals introduced before 1995, so other eras load); Commission and EP = the largest
  member weight of that table.
- ``capability="ssi"`` / ``"banzhaf"``: the index of the regime in force (EU-15, Nice EU-25/27/28,
  Lisbon) computed exactly (``kernels.power``); unanimity issues give every member ``1/n``;
  Commission and EP = the largest member index.
- ``capability="equal"``: 1 for everyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from detente._typing import FloatArray
from detente.kernels.power import lisbon_power, weighted_voting_power

CapabilityRule = Literal["votes", "ssi", "banzhaf", "equal"]
CAPABILITY_RULES: tuple[str, ...] = ("votes", "ssi", "banzhaf", "equal")

NEW_1981 = frozenset({"el"})
NEW_1986 = frozenset({"es", "pt"})
NEW_1995 = frozenset({"at", "fi", "se"})
NEW_2004 = frozenset({"cy", "cz", "ee", "hu", "lv", "lt", "mt", "pl", "sk", "si"})
NEW_2007 = frozenset({"bu", "ro"})
NEW_2013 = frozenset({"cr"})


@dataclass(frozen=True, slots=True)
class Regime:
    """A Council voting regime: which weight column, quota, minimum number of members.

    Quotas: EU-15 62 of 87 (10 members when not acting on a Commission proposal, DEU ``QMV(10)``);
    Nice EU-25 232 + 13 members, EU-27 255 + 14, EU-28 260 + 15 (sumtxt/coresize
    ``eucouncil_weights.md``, as listed in src/detente/io/data/README.md); EU-9 41 of 58, EU-10 45 of 63,
    EU-12 54 of 76 (EEC Treaty art. 148(2) as amended by the 1972, 1979 and 1985 Acts of Accession);
    Lisbon: TEU art. 16(4) double majority, 55 % of members and 65 % of the population.
    """

    name: str
    column: str  # weight column of the table; "" for Lisbon
    quota: float
    min_members: int = 0
    lisbon: bool = False
    population_column: str = ""


REGIMES: dict[str, Regime] = {
    "EU-9": Regime("EU-9", "v9", 41),
    "EU-10": Regime("EU-10", "v10", 45),
    "EU-12": Regime("EU-12", "v12", 54),
    "EU-15": Regime("EU-15", "v15", 62),
    "EU-25": Regime("EU-25", "v25", 232, 13),
    "EU-27": Regime("EU-27", "v25", 255, 14),
    "EU-28": Regime("EU-28", "v25", 260, 15),
    "Lisbon": Regime("Lisbon", "", 0, 0, lisbon=True, population_column="p2014a"),
}


def votes_table(year: int) -> str:
    """Weight column for ``capability="votes"`` by introduction year (validation.md §2)."""
    if year <= 1980:
        return "v9"
    if year <= 1985:
        return "v10"
    if year <= 1994:
        return "v12"
    if year <= 2000:
        return "v15"
    return "v25"


def select_regime(
    intro: tuple[int, int, int], members: frozenset[str] | set[str], *, lisbon_after_2014: bool = True
) -> str:
    """Regime in force for a proposal (models.md §7, ``capability="ssi"``).

    ``intro`` = (year, month, day) of introduction; ``members`` = member-state codes with a
    position anywhere in the proposal. The later of the date-based and the membership-based
    regime is used (new 2004 members → EU-25, Bulgaria/Romania → EU-27, Croatia → EU-28).
    Decision dates are unusable in DEU (``finact``), so ``lisbon_after_2014`` applies the Lisbon
    rule to proposals *introduced* from November 2014 on (a documented proxy).
    """
    order = ["EU-9", "EU-10", "EU-12", "EU-15", "EU-25", "EU-27", "EU-28", "Lisbon"]
    if intro < (1981, 1, 1):
        by_date = "EU-9"
    elif intro < (1986, 1, 1):
        by_date = "EU-10"
    elif intro < (1995, 1, 1):
        by_date = "EU-12"
    elif intro < (2004, 5, 1):
        by_date = "EU-15"
    elif intro < (2007, 1, 1):
        by_date = "EU-25"
    elif intro < (2013, 7, 1):
        by_date = "EU-27"
    else:
        by_date = "EU-28"
    by_members = "EU-9"
    if members & NEW_1981:
        by_members = "EU-10"
    if members & NEW_1986:
        by_members = "EU-12"
    if members & NEW_1995:
        by_members = "EU-15"
    if members & NEW_2004:
        by_members = "EU-25"
    if members & NEW_2007:
        by_members = "EU-27"
    if members & NEW_2013:
        by_members = "EU-28"
    regime = max(by_date, by_members, key=order.index)
    if lisbon_after_2014 and intro >= (2014, 11, 1):
        regime = "Lisbon"
    return regime


def council_power(
    weights: FloatArray,
    regime: Regime,
    *,
    populations: FloatArray | None = None,
    index: Literal["ssi", "banzhaf"] = "ssi",
    unanimity: bool = False,
    min_members: int | None = None,
) -> FloatArray:
    """Power index of each member of a regime (members in table order).

    ``weights``: integer votes of the members; ``populations``: integer units of 1,000 persons
    (Lisbon only). Unanimity: every member has a veto, ``φ_i = 1/n`` (models.md §7).
    """
    n = int(np.asarray(weights).shape[0]) if not regime.lisbon else int(np.asarray(populations).shape[0])
    if unanimity:
        return np.full(n, 1.0 / n)
    if regime.lisbon:
        if populations is None:
            raise ValueError("populations: required for the Lisbon regime")
        return lisbon_power(np.asarray(populations), index)
    mm = regime.min_members if min_members is None else max(regime.min_members, min_members)
    return weighted_voting_power(np.asarray(weights), regime.quota, mm, index)


def institution_capability(member_capabilities: FloatArray) -> float:
    """Commission and EP capability: the largest member's (validation.md §2)."""
    m = np.asarray(member_capabilities, dtype=np.float64)
    return float(m.max()) if m.size else 1.0
