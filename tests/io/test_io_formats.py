"""Readers for third-party formats on the real files in the repository's data/, detection by content, writers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from detente.errors import InputFileError
from detente.io import formats as F
from detente.io.files import detect_file_format, read_scenario, read_scenario_text, scenario_to_text

# ---------------------------------------------------------------- KTAB CSV


def test_ktab_soe_policy(data_dir: Path) -> None:
    sc = F.read_ktab_csv(data_dir / "ktab/SOE-Policy.csv")
    assert len(sc.actors) == 26 and sc.issue_ids == ("policy",)
    xj = sc.actor("XJ")
    assert xj.name == "Xi Jinping" and xj.capability == 100.0
    st = sc.stance("XJ", "policy")
    assert st is not None and st.position == 30.0 and st.salience == pytest.approx(0.30)
    st = sc.stance("USA", "policy")
    assert st is not None and st.position == 100.0 and st.salience == pytest.approx(0.50)
    assert sc.issues[0].scale.low == 0.0 and sc.issues[0].scale.high == 100.0
    assert all(e.assumption for s in sc.stances for e in s.evidence)
    assert sc.meta("ktab.capability_column") == "Influence"


def test_ktab_soe_competitive_and_two_dims(data_dir: Path) -> None:
    comp = F.read_ktab_csv(data_dir / "ktab/SOE-Competitive.csv")
    assert len(comp.actors) == 34 and comp.issue_ids == ("competitive",)
    both = F.read_ktab_csv(data_dir / "ktab/SOE-Pol-Comp.csv")
    assert len(both.actors) == 13 and both.issue_ids == ("policy", "competitive")
    lk_pol, lk_comp = both.stance("LK", "policy"), both.stance("LK", "competitive")
    assert lk_pol is not None and lk_comp is not None
    assert (lk_pol.position, lk_pol.salience) == (45.0, pytest.approx(0.447))
    assert (lk_comp.position, lk_comp.salience) == (65.0, pytest.approx(0.413))
    assert both.actor("LK").capability == pytest.approx(60.2)


def test_ktab_dummy_three_dims_power_column(data_dir: Path) -> None:
    sc = F.read_ktab_csv(data_dir / "ktab/dummyData_3Dim.csv")
    assert len(sc.actors) == 7 and len(sc.issues) == 3 and len(sc.stances) == 21
    assert sc.actor("SActor-00").capability == pytest.approx(102.543)
    s = sc.stance("SActor-02", sc.issue_ids[2])
    assert s is not None and s.position == pytest.approx(0.07) and s.salience == pytest.approx(0.3462)
    assert sc.meta("ktab.capability_column") == "Power"


def test_ktab_csv_from_text_and_errors() -> None:
    good = "T,d,2,1,\nActor,Description,Influence,Pos,Sal\na,A,10,20,50\nb,B,5,80,100\n"
    sc = F.read_ktab_csv(good)
    assert [s.salience for s in sc.stances] == [0.5, 1.0]
    with pytest.raises(InputFileError, match=r"<text>:3: Pos: 'abc' is not a number"):
        F.read_ktab_csv(good.replace(",20,", ",abc,"))
    with pytest.raises(InputFileError, match=r"<text>:4: Sal: 150 is out of range \(expected 0 to 100\)"):
        F.read_ktab_csv(good.replace(",100\n", ",150\n"))
    with pytest.raises(InputFileError, match=r"actor rows: 2 rows \(expected n_actors=3"):
        F.read_ktab_csv(good.replace(",2,1,", ",3,1,"))
    with pytest.raises(InputFileError, match="inf is not a finite number"):
        F.read_ktab_csv(good.replace(",20,", ",inf,"))


def test_ktab_csv_write_round_trip(data_dir: Path, tmp_path: Path) -> None:
    for name in ("SOE-Pol-Comp.csv", "dummyData_3Dim.csv", "SOE-Policy.csv"):
        a = F.read_ktab_csv(data_dir / "ktab" / name)
        yaml_path = tmp_path / "a.yaml"
        yaml_path.write_text(scenario_to_text(a, "yaml"), encoding="utf-8")
        b = read_scenario(yaml_path)
        assert b == a  # KTAB -> YAML -> scenario is lossless
        c = F.read_ktab_csv(F.write_ktab_csv(b), name=str(data_dir / "ktab" / name))
        assert [(x.id, x.name, x.capability) for x in c.actors] == [
            (x.id, x.name, x.capability) for x in a.actors
        ]
        assert [(s.actor, s.issue, s.position, pytest.approx(s.salience)) for s in c.stances] == [
            (s.actor, s.issue, s.position, s.salience) for s in a.stances
        ]
        assert c.issue_ids == a.issue_ids and c.title == a.title


def test_ktab_writer_needs_full_matrix(data_dir: Path) -> None:
    from detente.errors import ScenarioError

    sc = F.read_ktab_xml(data_dir / "ktab/smpExample.xml")  # Alice absent on one dimension
    with pytest.raises(
        ScenarioError, match="needs a stance for every actor on every issue; missing Alice/firstdim"
    ):
        F.write_ktab_csv(sc)


# ---------------------------------------------------------------- KTAB XML


def test_ktab_xml_smp_example(data_dir: Path) -> None:
    sc = F.read_ktab_xml(data_dir / "ktab/smpExample.xml")
    assert sc.actor_ids == ("Alice", "Bob", "Carol", "David", "Ellie")
    assert [i.name for i in sc.issues] == ["FirstDim", "SecondDim", "YADN"]
    assert sc.stance("Alice", "firstdim") is None  # empty dCoord -> absent, not zero
    s = sc.stance("Alice", "seconddim")
    assert s is not None and s.position == pytest.approx(39.8) and s.salience == pytest.approx(0.224)
    assert len(sc.stances) == 14
    assert sc.actor("David").capability == pytest.approx(135.4)
    assert sc.meta("ktab.VictoryProbModel") == "Linear"
    assert sc.meta("ktab.VotingRule") == "PropCbc"
    assert sc.meta("ktab.PCEModel") == "MarkovIncentive"
    assert sc.meta("ktab.StateTransitions") == "Stochastic"
    assert sc.meta("ktab.prngSeed") == "03507583219545544127"
    assert '"adjust":"0.87"' in sc.meta("ktab.IdealAdjustment")


def test_ktab_xml_refuses_entities_and_bad_xml() -> None:
    bomb = '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">]>\n<Scenario><name>&lol;</name></Scenario>\n'
    with pytest.raises(InputFileError, match="DOCTYPE/ENTITY declarations are not allowed"):
        F.read_ktab_xml(bomb)
    with pytest.raises(InputFileError, match=r"XML: not well-formed"):
        F.read_ktab_xml("<Scenario><name>x</name>\n")
    with pytest.raises(InputFileError, match=r"XML root: <Other> \(expected <Scenario>\)"):
        F.read_ktab_xml("<Other>\n</Other>")


# ---------------------------------------------------------------- Decide


@pytest.mark.parametrize("dialect", ["semicolon", "tab"])
def test_decide_cop21_both_dialects(data_dir: Path, dialect: str) -> None:
    sc = F.read_decide(data_dir / f"decide_exchange/cop21_2015_{dialect}.csv")
    assert len(sc.actors) == 15 and len(sc.issues) == 13 and len(sc.stances) == 181
    assert sc.meta("format") == f"decide-{dialect}"
    s = sc.stances[0]
    assert (s.position, s.salience, s.capability) == (70.0, 0.75, 0.25)  # position, salience 0-1, power


def test_decide_dialects_hold_the_same_data(data_dir: Path) -> None:
    a = F.read_decide(data_dir / "decide_exchange/cop21_2015_semicolon.csv")
    b = F.read_decide(data_dir / "decide_exchange/cop21_2015_tab.csv")

    def key(sc):  # actor/issue ids were renamed between versions: compare the values
        return sorted((s.position, s.salience, s.capability) for s in sc.stances)

    assert key(a) == key(b)


def test_decide_anchors_become_scale_labels(data_dir: Path) -> None:
    sc = F.read_decide(data_dir / "decide_exchange/cop21_2015_semicolon.csv")
    mrv = sc.issue("mrv")
    assert mrv.scale.labels == ("International Consultation and Analysis (ICA)", "Kyoto compliance regime")
    assert (65.0, "International Assessment and Review (IAR)") in mrv.scale.points
    assert sc.title.startswith("CoP21 Paris negotiations")


def test_decide_copenhagen(data_dir: Path) -> None:
    semi = F.read_decide(data_dir / "decide_exchange/copenhagen_2009_semicolon.csv")
    assert (len(semi.actors), len(semi.issues), len(semi.stances)) == (11, 7, 77)
    assert semi.meta("decide.dropped_issues") == "technology, Forestry"
    tab = F.read_decide(data_dir / "decide_exchange/copenhagen_2009_tab.csv")
    assert (len(tab.actors), len(tab.issues), len(tab.stances)) == (11, 7, 75)
    usa = tab.stance("USA", "Newtreaty")
    assert usa is not None and (usa.position, usa.salience, usa.capability) == (10.0, 0.9, 0.26)


def test_decide_errors() -> None:
    base = "#A;a;A\n#A;b;B\n#P;x;X\n#D;a;x;10;0.5;1\n#D;b;x;90;0.5;2\n"
    sc = F.read_decide(base)
    assert sc.actor("b").capability == 2.0 and sc.stance("b", "x").capability == 2.0  # type: ignore[union-attr]
    with pytest.raises(InputFileError, match=r"<text>:5: #D actor: unknown actor 'zz'"):
        F.read_decide(base.replace("#D;b;", "#D;zz;"))
    with pytest.raises(InputFileError, match=r"<text>:4: #D a/x salience: -0.5 is negative"):
        F.read_decide(base.replace(";0.5;1", ";-0.5;1"))
    with pytest.raises(InputFileError, match=r"<text>:4: #D a/x position: 'ten' is not a number"):
        F.read_decide(base.replace(";10;", ";ten;"))
    # 0-100 saliences are detected and divided by 100
    sc = F.read_decide(base.replace(";0.5;1", ";50;1").replace(";0.5;2", ";80;2"))
    assert [s.salience for s in sc.stances] == [0.5, 0.8]


def test_decide_write_round_trip(data_dir: Path) -> None:
    a = F.read_decide(data_dir / "decide_exchange/cop21_2015_semicolon.csv")
    b = F.read_decide(F.write_decide(a), name=str(data_dir / "decide_exchange/cop21_2015_semicolon.csv"))
    assert b.actors == a.actors and b.issues == a.issues
    assert [(s.actor, s.issue, s.position, s.salience, s.capability) for s in b.stances] == [
        (s.actor, s.issue, s.position, s.salience, s.capability) for s in a.stances
    ]


# ---------------------------------------------------------------- Bueno de Mesquita tables


def test_bdm_emission_table_matches_builtin(data_dir: Path) -> None:
    from detente.io.builtin import load_builtin

    sc = F.read_bdm_table(data_dir / "bdm_eum/bdm1994_emission_standards_actors.csv")
    ref = load_builtin("emission-standards-1994")
    assert [(a.name, a.capability) for a in sc.actors] == [(a.name, a.capability) for a in ref.actors]
    assert [(s.position, s.salience) for s in sc.stances] == [(s.position, s.salience) for s in ref.stances]
    assert (sc.issues[0].scale.low, sc.issues[0].scale.high) == (4.0, 10.0)
    assert sc.meta("bdm.salience_scale") == "0-1"


def test_bdm_salience_0_100_detected(data_dir: Path) -> None:
    sc = F.read_bdm_table(data_dir / "bdm_eum/china1989_actors.csv")  # Stakeholder, Resources, 0-100
    assert len(sc.actors) == 24 and sc.meta("bdm.salience_scale") == "0-100"
    s = sc.stance("Lipeng", "issue")
    assert s is not None and s.salience == pytest.approx(0.80) and s.position == 15.0
    assert sc.actor("Lipeng").capability == 90.0
    assert (sc.issues[0].scale.low, sc.issues[0].scale.high) == (0.0, 100.0)
    sultan = F.read_bdm_table(data_dir / "bdm_eum/bdm1997_sultan_actors.csv")
    assert len(sultan.actors) == 17 and sultan.actor("FAHD").capability == pytest.approx(1.05)


def test_bdm_errors() -> None:
    good = "Actor,Capability,Position,Salience\na,1,4,0.5\nb,2,10,0.9\n"
    with pytest.raises(InputFileError, match=r"<text>:3: Actor: duplicate actor 'a'"):
        F.read_bdm_table(good.replace("b,", "a,"))
    with pytest.raises(InputFileError, match=r"no Position column"):
        F.read_bdm_table(good.replace("Position", "Place"))
    with pytest.raises(InputFileError, match=r"<text>:1: delimiter: the header is separated by semicolons"):
        F.read_bdm_table(good.replace(",", ";"))
    with pytest.raises(InputFileError, match=r"<text>:2: Salience: nan is not a finite number"):
        F.read_bdm_table(good.replace("0.5", "nan"))


# ---------------------------------------------------------------- detection by content


@pytest.mark.parametrize(
    ("rel", "fmt"),
    [
        ("ktab/SOE-Policy.csv", "ktab-csv"),
        ("ktab/dummyData_3Dim.csv", "ktab-csv"),
        ("ktab/smpExample.xml", "ktab-xml"),
        ("decide_exchange/cop21_2015_semicolon.csv", "decide"),
        ("decide_exchange/copenhagen_2009_tab.csv", "decide"),
        ("bdm_eum/china1989_actors.csv", "bdm"),
        ("bdm_eum/bdm1994_emission_standards_actors.csv", "bdm"),
    ],
)
def test_detection_ignores_extension(data_dir: Path, tmp_path: Path, rel: str, fmt: str) -> None:
    src = data_dir / rel
    renamed = tmp_path / "renamed.txt"
    shutil.copy(src, renamed)
    assert detect_file_format(renamed) == fmt
    a, b = read_scenario(renamed), read_scenario(src)
    assert a.actors == b.actors and a.issues == b.issues
    assert [(s.actor, s.issue, s.position, s.salience) for s in a.stances] == [
        (s.actor, s.issue, s.position, s.salience) for s in b.stances
    ]


def test_deu_data_is_refused_with_a_pointer_to_backtest(data_dir: Path) -> None:
    for rel in ("deu/deu3_dev.tsv", "deu/deu3_actor_positions_long.csv"):
        with pytest.raises(InputFileError, match=r"DEU .*use `detente backtest`"):
            read_scenario(data_dir / rel)


def test_unrecognised_table_header(tmp_path: Path) -> None:
    p = tmp_path / "weird.csv"
    p.write_text("round,median,mean\n1,2,3\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"weird.csv:1: header: unrecognised table"):
        read_scenario(p)


def test_read_text_api_detects_formats(data_dir: Path) -> None:
    text = (data_dir / "ktab/SOE-Policy.csv").read_text(encoding="utf-8")
    assert read_scenario_text(text).issue_ids == ("policy",)


def test_readers_report_every_row_problem() -> None:
    ktab = "T,d,3,1,\nActor,Description,Influence,Pos,Sal\na,A,x,20,50\nb,B,5,800,100\nc,C,5,80,-1\n"
    with pytest.raises(InputFileError) as ei:
        F.read_ktab_csv(ktab)
    assert [p.split(": ")[0] for p in ei.value.problems] == ["<text>:3", "<text>:4", "<text>:5"]
    assert "(and 2 more)" in str(ei.value)
    dec = "#A;a;A\n#P;x;X\n#D;a;x;ten;0.5;1\n#D;zz;x;10;0.5;1\n#D;a;yy;10;0.5;1\n"
    with pytest.raises(InputFileError) as ei:
        F.read_decide(dec)
    assert [p.split(": ")[0] for p in ei.value.problems] == ["<text>:3", "<text>:4", "<text>:5"]
    dec = "#A;a;A\n#P;x;X\n#D;zz;x;10;0.5;1\n#D;a;yy;10;0.5;1\n"
    with pytest.raises(InputFileError) as ei:
        F.read_decide(dec)
    assert ei.value.problems == [
        "<text>:3: #D actor: unknown actor 'zz' (expected one of the #A ids)",
        "<text>:4: #D issue: unknown issue 'yy' (expected one of the #P ids)",
    ]
    bdm = "Actor,Capability,Position,Salience\na,-1,4,0.5\nb,2,ten,0.9\n"
    with pytest.raises(InputFileError) as ei:
        F.read_bdm_table(bdm)
    assert len(ei.value.problems) == 2


# ---------------------------------------------------------------- values off the declared scale (issue #12)
_DECIDE_SEMI = (
    "#A;a;A;;;\n#A;b;B;;;\n#P;x;X;;;\n#M;x;0;none;;\n#M;x;10;all;;\n#D;a;x;5;0.5;1\n#D;b;x;{pos};0.5;1\n"
)
_DECIDE_TAB = (
    "'#A'\t'a'\t'A'\n'#A'\t'b'\t'B'\n'#P'\t'x'\t'X'\n'#M'\t'x'\t0\t'none'\n'#M'\t'x'\t10\t'all'\n"
    "'#D'\t'a'\t'x'\t5\t0.5\t1\n'#D'\t'b'\t'x'\t{pos}\t0.5\t1\n"
)


@pytest.mark.parametrize("layout", [_DECIDE_SEMI, _DECIDE_TAB], ids=["semicolon", "tab"])
def test_decide_positions_must_lie_on_the_scale_of_the_m_lines(tmp_path: Path, layout: str) -> None:
    p = tmp_path / "dec.csv"
    p.write_text(layout.format(pos=50), encoding="utf-8")
    with pytest.raises(InputFileError) as ei:
        read_scenario(p)
    assert ei.value.problems == [
        f"{p}:7: #D b/x position: 50 is outside the scale of issue 'x' declared by its #M lines (expected 0 to 10)"
    ]
    p.write_text(layout.format(pos=10), encoding="utf-8")  # on the edge: fine, and the scale is the #M range
    sc = read_scenario(p)
    assert (sc.issues[0].scale.low, sc.issues[0].scale.high, sc.issues[0].scale.labels) == (
        0,
        10,
        ("none", "all"),
    )


def test_decide_without_m_lines_declares_no_scale_and_m_lines_need_a_known_issue() -> None:
    # no #M lines: nothing declared to check; the Decide convention 0-100, widened to the data
    sc = F.read_decide("#A;a;A\n#P;x;X\n#D;a;x;150;0.5;1\n")
    assert (sc.issues[0].scale.low, sc.issues[0].scale.high) == (0, 150)
    with pytest.raises(InputFileError) as ei:
        F.read_decide("#A;a;A\n#P;x;X\n#M;y;0;low\n#M;y;100;high\n#D;a;x;50;0.5;1\n")
    assert ei.value.problems == ["<text>:3: #M issue: unknown issue 'y' (expected one of the #P ids)"]


def test_ktab_xml_errors_name_the_line_and_are_all_reported(tmp_path: Path) -> None:
    # KTAB's position scale is fixed (0-100; nothing declared in the file): off it is an error, with its line
    xml = (
        "<Scenario><name>T</name><Dimensions><dName>D</dName></Dimensions>\n<Actors>\n"
        "<Actor><name>a</name><capability>1</capability>\n"
        "  <Position><dCoord>20</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>\n"
        "<Actor><name>b</name><capability>-1</capability>\n"
        "  <Position><dCoord>120</dCoord></Position>\n  <Salience><dSal>150</dSal></Salience></Actor>\n"
        "<Actor><name>c</name><capability>1</capability>\n"
        "  <Position><dCoord>50</dCoord></Position>\n  <Salience><dSal>lots</dSal></Salience></Actor>\n"
        "</Actors></Scenario>\n"
    )
    p = tmp_path / "t.xml"
    p.write_text(xml, encoding="utf-8")
    with pytest.raises(InputFileError) as ei:
        read_scenario(p)
    assert ei.value.problems == [
        f"{p}:5: Actors.Actor[1].capability (b): -1 is negative (expected >= 0)",
        f"{p}:10: Actors.Actor[2].Salience.dSal[0] (c): 'lots' is not a number (expected a number)",
    ]
    p.write_text(xml.replace("<capability>-1", "<capability>1").replace(">lots<", ">50<"), encoding="utf-8")
    with pytest.raises(InputFileError) as ei:
        read_scenario(p)
    assert ei.value.problems == [
        f"{p}:6: Actors.Actor[1].Position.dCoord[0] (b): 120 is outside the scale (expected 0 to 100)"
    ]


def test_ktab_csv_counts_on_the_title_line_must_be_whole_numbers() -> None:
    body = "Actor,Description,Influence,Pos,Sal\na,A,10,20,50\nb,B,5,80,100\n"
    with pytest.raises(InputFileError) as ei:
        F.read_ktab_csv("Toy,toy,2.5,1\n" + body)
    assert ei.value.problems == [
        "<text>:1: title line n_actors: 2.5 is not a count (expected the number of actor rows, >= 1)"
    ]
    with pytest.raises(InputFileError, match=r"<text>:1: title line n_dims: 0 is not a count"):
        F.read_ktab_csv("Toy,toy,2,0\n" + body)


def test_format_messages_count_in_the_singular() -> None:
    with pytest.raises(InputFileError, match=r"<text>:3: #D: 1 field \(expected"):
        F.read_decide("#A;a;A\n#P;x;X\n#D\n")
    with pytest.raises(InputFileError, match=r"actor rows: 1 row \(expected n_actors=2"):
        F.read_ktab_csv("T,d,2,1\nActor,Description,Influence,Pos,Sal\na,A,1,2,3\n")


def test_a_mistyped_salience_does_not_rescale_the_whole_file(data_dir: Path) -> None:
    """QA audit: one salience typed on the 0-100 coding among 0-1 values divided every salience by 100
    (HAWKS 0.07, IRAN 0.0085) with exit 0. A file that mixes the codings is refused at that row; the
    shipped 0-100 and 0-1 tables still read (above)."""
    bdm = "Actor,Capability,Position,Salience\na,1,4,0.5\nb,2,10,65\nc,3,7,0.9\nd,1,5,0.7\n"
    with pytest.raises(InputFileError, match=r"<text>:3: Salience: 65 reads as the 0-100 coding"):
        F.read_bdm_table(bdm)
    dec = "#A;a;A\n#A;b;B\n#A;c;C\n#P;x;X\n#D;a;x;10;50;1\n#D;b;x;90;0.5;2\n#D;c;x;40;0.7;2\n"
    with pytest.raises(InputFileError, match=r"#D a/x salience: 50 reads as the 0-100 coding"):
        F.read_decide(dec)
    assert F.read_decide(dec.replace(";50;", ";0.6;")).stance("a", "x").salience == 0.6
    for name in ("china1989_actors.csv", "bdm1997_sultan_actors.csv"):
        F.read_bdm_table(data_dir / "bdm_eum" / name)


def test_decide_says_which_tag_it_skips() -> None:
    """QA audit: an unknown row tag (#Z) was skipped without a word."""
    base = "#A;a;A\n#A;b;B\n#P;x;X\n#D;a;x;10;0.5;1\n#D;b;x;90;0.5;2\n"
    with pytest.warns(UserWarning, match=r"<text>:6: row tag '#Z' is not one detente reads"):
        sc = F.read_decide(base + "#Z;whatever\n")
    assert len(sc.stances) == 2
