"""KTAB CSV and Decide files keep the numbers they can hold: a position, salience or capability
written with 6 or 10 significant digits came back changed (1.2345678 → 1.23457), and the loss
warning then even said KTAB CSV does not hold actor capability."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from detente.io.files import read_scenario, read_scenario_text, write_scenario

SCENARIO = """
id: prec
issues:
- id: x
  scale: {low: 0, high: 100}
actors:
- {id: a, capability: 1.2345678}
- {id: b, capability: 2}
stances:
- {actor: a, issue: x, position: 12.3456789012345, salience: 0.123456789012}
- {actor: b, issue: x, position: 80, salience: 1}
"""


@pytest.mark.parametrize(("fmt", "name"), [("ktab-csv", "s.csv"), ("decide", "s.txt")])
def test_numbers_survive_a_round_trip(tmp_path: Path, fmt: str, name: str) -> None:
    sc = read_scenario_text(SCENARIO, format="yaml")
    out = tmp_path / name
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_scenario(sc, out, format=fmt)
    assert not any("actor capability" in str(w.message) for w in caught)
    back = read_scenario(out, format=fmt)
    a = back.stance("a", "x")
    assert a is not None
    assert a.position == pytest.approx(12.3456789012345, rel=1e-14)
    assert a.salience == pytest.approx(0.123456789012, rel=1e-14)
    assert next(x for x in back.actors if x.id == "a").capability == pytest.approx(1.2345678, rel=1e-14)
    assert "12.3456789012345" in out.read_text(encoding="utf-8")  # the shortest exact form, not 17 digits
