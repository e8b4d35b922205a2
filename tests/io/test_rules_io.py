"""Decision rules in the inputs: YAML/JSON keys, forums, CSV round trip, DEU, one-line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from detente.core.rules import POPULATION_2014, resolve_rule
from detente.errors import ScenarioError
from detente.io.deu import council_table, load_deu
from detente.io.mapping import dump_scenario, parse_scenario

DEV = Path(__file__).resolve().parents[2] / "data" / "deu" / "deu3_dev.tsv"


def _doc(**issue: Any) -> dict[str, Any]:
    return {
        "id": "t",
        "actors": [{"id": "a", "groups": ["club"]}, {"id": "b", "groups": ["club"]}, {"id": "c"}],
        "issues": [{"id": "x", "scale": {"low": 0, "high": 10}, "reference": 2, **issue}],
        "stances": [
            {"actor": k, "issue": "x", "position": p, "salience": 1}
            for k, p in (("a", 1), ("b", 5), ("c", 9))
        ],
    }


def _problem(doc: dict[str, Any]) -> str:
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(doc, source="s.yaml")
    assert len(exc.value.problems) == 1
    return exc.value.problems[0]


def test_rule_fields_parse_and_round_trip() -> None:
    sc = parse_scenario(
        _doc(
            rule="qualified_majority",
            weights={"a": 2, "b": 1},
            threshold=0.6,
            agenda_setter="c",
            reversion_point=3,
        )
    )
    i = sc.issues[0]
    assert (i.rule, i.weights, i.threshold, i.agenda_setter, i.reversion_point) == (
        "qualified_majority", (("a", 2.0), ("b", 1.0)), 0.6, "c", 3.0,
    )  # fmt: skip
    assert parse_scenario(dump_scenario(sc)) == sc


def test_veto_group_and_forum_inheritance() -> None:
    doc = _doc(forum="council")
    doc["forums"] = [{"id": "council", "rule": "consensus", "veto_players": ["club"]}]
    sc = parse_scenario(doc)
    r = resolve_rule(sc, sc.issues[0])
    assert r.kind == "consensus" and r.veto == ("a", "b")
    assert r.reversion == 2.0  # reversion point defaults to the reference


@pytest.mark.parametrize("ext", ["csv", "xlsx", "json", "yaml"])
def test_table_and_file_round_trip(tmp_path: Path, ext: str) -> None:
    from detente.io.files import read_scenario, write_scenario

    docs = [
        _doc(
            rule="unilateral",
            decider="c",
            weights="nice",
            rule_evidence=[{"assumption": True, "note": "why"}],
        ),
        _doc(
            rule="qualified_majority",
            weights={"a": 2, "b": 1.5},
            threshold=0.6,
            agenda_setter="c",
            reversion_point=3,
        ),
    ]
    for k, doc in enumerate(docs):
        sc = parse_scenario(doc)
        out = tmp_path / f"s{k}.{ext}"
        write_scenario(sc, out)
        assert read_scenario(out).issues[0] == sc.issues[0]


@pytest.mark.parametrize(
    ("issue", "expected"),
    [
        (
            {"rule": "consensus", "veto_players": ["zed"]},
            "issues[0].veto_players[0]: unknown actor or group 'zed'",
        ),
        ({"rule": "qualified_majority", "threshold": 1.5}, "issues[0].threshold: 1.5 is above range"),
        ({"rule": "qualified_majority", "threshold": 0}, "issues[0].threshold: 0 is not above 0"),
        ({"rule": "simple_majority", "reversion_point": 12}, "issues[0].reversion_point: 12 is above range"),
        ({"rule": "unilateral"}, "issues[0].decider: is missing"),
        ({"rule": "qualified_majority", "weights": "maastricht"}, "is not a known weighting"),
        ({"forum": "nope"}, "issues[0].forum: unknown forum 'nope'"),
    ],
)
def test_one_line_errors(issue: dict[str, Any], expected: str) -> None:
    assert expected in _problem(_doc(**issue))


def test_deu_rules() -> None:
    scs = {sc.id: sc for sc in load_deu(DEV, empty="skip")}
    by_kind: dict[tuple[str, str], Any] = {}
    for sc in scs.values():
        by_kind.setdefault((sc.meta("procedure"), sc.meta("council_rule")), resolve_rule(sc, sc.issues[0]))
    cns_qmv = by_kind[("CNS", "QMV")]
    assert (
        cns_qmv.kind == "qualified_majority" and cns_qmv.agenda_setter == "com" and "ep" not in cns_qmv.veto
    )
    cod_qmv = by_kind[("COD", "QMV")]
    assert cod_qmv.agenda_setter is None and cod_qmv.veto == ("ep",)
    unan = by_kind[("CNS", "Unan")]
    assert unan.kind == "unanimity" and "com" not in unan.veto and "ep" not in unan.veto
    eu15 = next(
        r
        for r in by_kind.values()
        if r.kind == "qualified_majority" and r.criteria[0].threshold == pytest.approx(62 / 87)
    )
    assert eu15.criteria[0].weights is not None and max(eu15.criteria[0].weights.values()) == 10


def test_population_table_matches_the_shipped_file() -> None:
    t = council_table()
    for k, code in enumerate(t.codes):
        assert abs(POPULATION_2014[code] - t.columns["p2014a"][k] / 10) <= 0.5 + 1e-9, code
