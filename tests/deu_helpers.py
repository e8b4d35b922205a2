"""Helpers to write small synthetic DEU III files (same column layout as deu3_dev.tsv)."""

from __future__ import annotations

from pathlib import Path

MEMBERS = "at be bu cr cy cz dk ee fi fr de el hu ie it lv lt lu mt nl pl pt ro si sk es se uk".split()
ACTORS = ["com", "ep", *MEMBERS]
HEADER = (
    "prnrnmc isnrnmc prnr prname isnr type council proc counvte proccde issues intro finact".split()
    + ["p" + a for a in ACTORS]
    + ["s" + a for a in ACTORS]
    + ["rp", "out"]
)


def row(
    isnr: str,
    prnr: str,
    intro: str,
    positions: dict[str, object],
    saliences: dict[str, object] | None = None,
    *,
    rule: str = "QMV",
    proc: str = "COD",
    rp: object = "",
    out: object = "",
    extra: dict[str, str] | None = None,
    header: list[str] | None = None,
) -> str:
    sal = saliences if saliences is not None else dict.fromkeys(positions, 50)
    vals = {"prnrnmc": "1", "isnrnmc": "1", "prnr": prnr, "prname": "synthetic", "isnr": isnr, "type": "Reg",
            "council": "General", "proc": proc, "counvte": rule, "proccde": "1", "issues": "1", "intro": intro,
            "finact": "999", "rp": str(rp), "out": str(out)}  # fmt: skip
    for a, p in positions.items():
        vals["p" + a] = str(p)
    for a, s in sal.items():
        vals["s" + a] = "" if s is None else str(s)
    vals.update(extra or {})
    return "\t".join(vals.get(h, "") for h in (header or HEADER))


def write(path: Path, rows: list[str], header: list[str] | None = None) -> Path:
    path.write_text("\t".join(header or HEADER) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path
