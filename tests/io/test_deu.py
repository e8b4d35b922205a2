"""DEU III importer (io/deu.py): the dev file, synthetic files of other eras/members, malformed rows."""

from __future__ import annotations

import collections
import warnings

import numpy as np
import pytest

from detente.core.arrays import to_arrays
from detente.errors import InputFileError
from detente.io.deu import (
    backtest_cases,
    council_table,
    deu_scenarios,
    load_deu,
    outcome_of,
    parse_intro,
    read_deu,
)
from deu_helpers import HEADER, row, write


@pytest.fixture(scope="module")
def dev(data_dir):
    return data_dir / "deu" / "deu3_dev.tsv"


@pytest.fixture(scope="module")
def dev_issues(dev):
    return read_deu(dev)


def test_dev_counts(dev_issues):
    assert len(dev_issues) == 211
    assert len({i.proposal_id for i in dev_issues}) == 81
    assert sum(i.outcome is not None for i in dev_issues) == 210
    assert [i.issue_id for i in dev_issues if i.outcome is None] == ["d95341i2"]
    assert sum(i.reference is not None for i in dev_issues) == 154
    assert collections.Counter(i.procedure for i in dev_issues) == {"CNS": 112, "COD": 99}
    assert collections.Counter(i.rule_raw for i in dev_issues) == {"QMV": 154, "Unan": 55, "QMV(10)": 2}
    assert collections.Counter(i.rule for i in dev_issues) == {"qualified_majority": 156, "unanimity": 55}
    # grouping by prnr, not by the issue-id prefix
    a = [i.issue_id for i in dev_issues if i.proposal_id == "a04163"]
    assert a == ["d04167i1", "d04167i2"]
    n_pos = sum(len(i.positions) for i in dev_issues)
    assert n_pos == 3611  # = rows of the derived long file


def test_dev_intro_dates(dev_issues, data_dir):
    import csv

    assert collections.Counter(i.intro_form for i in dev_issues) == {
        "dd-mm-yy": 172,
        "garbled-iso": 32,
        "dd-mm-yyyy": 7,
    }
    by_id = {i.issue_id: i for i in dev_issues}
    with open(data_dir / "deu" / "deu3_issues.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            assert by_id[r["issue_id"]].intro_year == int(r["intro_year"]), r["issue_id"]
    raw = {i.intro_raw: i.intro for i in dev_issues}
    assert raw["2014-07-04"] == (2004, 7, 14)
    assert raw["1930-11-05"] == (2005, 11, 30)
    assert raw["26-01-00"] == (2000, 1, 26)
    assert raw["14-12-1999"] == (1999, 12, 14)
    assert by_id["d95341i1"].intro_year == 1996  # numbered 1995, introduced 1996


def test_parse_intro_forms():
    assert parse_intro("07-02-96") == ((1996, 2, 7), "dd-mm-yy")
    assert parse_intro("13-09-2017") == ((2017, 9, 13), "dd-mm-yyyy")
    assert parse_intro("2029-09-04") == ((2004, 9, 29), "garbled-iso")
    # a true ISO date is used only when the garbled reading is impossible or contradicts prnr's year
    assert parse_intro("2004-07-31", "d04100") == ((2004, 7, 31), "iso")  # day 4, year 2031? prnr says 2004
    assert parse_intro("2010-02-30", "") == ((2030, 2, 10), "garbled-iso")
    assert parse_intro("") == (None, "missing")
    with pytest.raises(ValueError):
        parse_intro("sometime in 2004")
    with pytest.raises(ValueError):
        parse_intro("31-02-99")


def test_missing_salience_impute_and_drop(dev_issues):
    by_id = {i.issue_id: i for i in dev_issues}
    miss = {k: [a for a, s in by_id[k].saliences.items() if s is None] for k in ("d05246i2", "d05246i3")}
    assert miss == {"d05246i2": ["ie", "mt"], "d05246i3": ["be", "dk", "el", "it", "lu", "es"]}
    sub = [by_id["d05246i2"], by_id["d05246i3"]]
    imp = {s.id: s for s in deu_scenarios(sub)}
    drop = {s.id: s for s in deu_scenarios(sub, missing_salience="drop")}
    assert imp["d05246i2"].stance("ie", "d05246i2").salience == 0.5
    assert imp["d05246i2"].meta("salience_imputed") == "2"
    assert drop["d05246i2"].stance("ie", "d05246i2") is None
    assert len(drop["d05246i3"].stances) == len(imp["d05246i3"].stances) - 6
    assert drop["d05246i3"].meta("salience_dropped") == "6"


def test_dev_scenarios_content(dev):
    scs = load_deu(dev)
    assert len(scs) == 211
    sc = scs[0]
    assert sc.id == "d00032i1" and sc.issues[0].reference == 0.0 and sc.issues[0].rule == "qualified_majority"
    assert outcome_of(sc) == 100.0 and sc.meta("procedure") == "COD" and sc.meta("proposal_id") == "d00032"
    caps = {s.actor: s.capability for s in sc.stances}
    assert caps["com"] == caps["ep"] == 10 and caps["de"] == 10 and caps["lu"] == 2  # v15 (intro 2000)
    post = next(s for s in scs if s.meta("proposal_id") == "d05246")
    pc = {s.actor: s.capability for s in post.stances}
    assert pc["com"] == pc["ep"] == 29 and pc["mt"] == 3 and pc["pl"] == 27  # Nice v25
    # an actor without a position is absent (no stance), not zero
    assert all(s.position == s.position for s in sc.stances)
    assert "pl" not in {s.actor for s in sc.stances}
    cases, meta = backtest_cases(scs)
    assert len(cases) == 81 and sum(c.arrays.n_issues for c in cases) == 211
    assert meta["d00032i1"]["council_rule"] == "QMV"


def test_capability_rules_on_dev(dev):
    ssi = {s.id: s for s in load_deu(dev, capability="ssi")}
    eq = {s.id: s for s in load_deu(dev, capability="equal")}
    sc = ssi["d00032i1"]  # EU-15 QMV
    caps = {s.actor: s.capability for s in sc.stances}
    assert abs(caps["de"] - 0.1167) < 5e-5 and caps["com"] == pytest.approx(caps["de"])
    unan = next(s for s in ssi.values() if s.issues[0].rule == "unanimity" and s.meta("intro") < "2001")
    assert all(abs(s.capability - 1 / 15) < 1e-15 for s in unan.stances)
    assert {s.capability for s in eq["d00032i1"].stances} == {1.0}
    assert ssi["d05246i2"].meta("capability_table").startswith("EU-2")


def test_synthetic_other_eras_and_members(tmp_path):
    rows = [
        # 1990 proposal (EU-12 table), Spain and Portugal present, unanimity
        row(
            "x90001i1",
            "x90001",
            "12-03-90",
            {"com": 80, "ep": 70, "de": 20, "es": 40, "pt": 60},
            rule="Unan",
            proc="CNS",
            rp=0,
            out=30,
        ),
        # 2016 proposal (Lisbon regime for ssi): Croatia and Bulgaria present, 4-digit year
        row(
            "d16001i1",
            "d16001",
            "01-12-2016",
            {"com": 100, "cr": 0, "bu": 50, "de": 60, "uk": 10},
            rp=20,
            out=50,
        ),
        row("d16001i2", "d16001", "01-12-2016", {"com": 0, "cr": 100}, out=""),
        # EU-27 era with a missing salience and a missing-code outcome
        row(
            "n08002i1",
            "n08002",
            "1915-06-08",
            {"com": 10, "ro": 90, "fr": 50},
            {"com": 50, "ro": None, "fr": 80},
            out=999,
        ),
    ]
    # an extra member column the dev file does not have (e.g. a future member "no")
    header = HEADER[:-2] + ["pno", "sno"] + HEADER[-2:]
    rows.append(
        row("d20003i1", "d20003", "05-05-2020", {"com": 40, "no": 60, "de": 50}, out=55, header=header)
    )
    path = write(tmp_path / "synthetic.tsv", [_widen(r) for r in rows[:-1]] + [rows[-1]], header)
    issues = {i.issue_id: i for i in read_deu(path)}
    assert issues["x90001i1"].intro == (1990, 3, 12) and issues["x90001i1"].rule == "unanimity"
    assert issues["n08002i1"].intro == (2008, 6, 15) and issues["n08002i1"].outcome is None
    assert issues["d20003i1"].positions["no"] == 60
    votes = {s.id: s for s in deu_scenarios(issues.values())}
    c90 = {s.actor: s.capability for s in votes["x90001i1"].stances}
    assert c90["es"] == 8 and c90["pt"] == 5 and c90["com"] == 10  # EU-12 table v12
    c16 = {s.actor: s.capability for s in votes["d16001i1"].stances}
    assert c16["cr"] == 7 and c16["bu"] == 10 and c16["com"] == 29
    nice = sorted(council_table().weights("v25").values())
    assert votes["d20003i1"].stance("no", "d20003i1").capability == float(
        np.median(nice)
    )  # unknown member: median weight
    ssi = {s.id: s for s in deu_scenarios(issues.values(), capability="ssi")}
    assert ssi["d16001i1"].meta("capability_table") == "Lisbon"
    assert ssi["n08002i1"].meta("capability_table") == "EU-27"
    assert ssi["x90001i1"].meta("capability_table") == "EU-12 unanimity"
    # UK out of the Lisbon Council from 2020; other states still sum to 1 within the regime
    cases, _ = backtest_cases(list(votes.values()))
    assert [c.proposal_id for c in cases] == ["x90001", "d16001", "n08002", "d20003"]
    arr = to_arrays(votes["x90001i1"])
    assert np.isclose(arr.reference[0], 0.0)


def _widen(r: str) -> str:
    """Insert empty pno/sno cells before rp/out for rows written with the standard header."""
    cells = r.split("\t")
    return "\t".join(cells[:-2] + ["", ""] + cells[-2:])


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda r: r.replace("\t40\t", "\tforty\t", 1), "column 'pat'"),
        (lambda r: r.replace("\t40\t", "\t140\t", 1), "expected a number in 0-100"),
        (lambda r: r.rsplit("\t", 1)[0], "expected 75 fields"),
        (lambda r: r.replace("26-01-00", "Jan 2000"), "column 'intro'"),
        (lambda r: r.replace("d00032i1", "", 1), "column 'isnr'"),
    ],
)
def test_malformed_rows_one_line_errors(tmp_path, dev, mutate, fragment):
    lines = dev.read_text().splitlines()
    lines[1] = mutate(lines[1])
    p = tmp_path / "bad.tsv"
    p.write_text("\n".join(lines[:4]) + "\n")
    with pytest.raises(InputFileError) as ei:
        read_deu(p)
    msg = str(ei.value)
    assert "\n" not in msg and str(p) in msg and ":2" in msg and fragment in msg, msg


def test_malformed_file_level_errors(tmp_path, dev):
    p = tmp_path / "noout.tsv"
    lines = dev.read_text().splitlines()[:3]
    p.write_text("\n".join(x.rsplit("\t", 1)[0] for x in lines) + "\n")
    with pytest.raises(InputFileError, match=r"noout.tsv:1: header: missing column\(s\) out"):
        read_deu(p)
    dup = tmp_path / "dup.tsv"
    dup.write_text("\n".join([lines[0], lines[1], lines[1]]) + "\n")
    with pytest.raises(
        InputFileError, match=r"dup.tsv:3: column 'isnr' .*duplicate issue id 'd00032i1' \(first on line 2\)"
    ):
        read_deu(dup)
    empty = tmp_path / "empty.tsv"
    empty.write_text("")
    with pytest.raises(InputFileError, match="empty.tsv:1"):
        read_deu(empty)
    with pytest.raises(InputFileError, match="cannot read"):
        read_deu(tmp_path / "missing.tsv")
    only = tmp_path / "header.tsv"
    only.write_text(lines[0] + "\n")
    with pytest.raises(InputFileError, match="at least one issue"):
        read_deu(only)


def test_semicolon_layout_loads(tmp_path, dev):
    lines = dev.read_text().splitlines()[:5]
    p = tmp_path / "semi.csv"
    p.write_text("\n".join(x.replace("\t", ";") for x in lines) + "\n")
    assert [i.issue_id for i in read_deu(p)] == [i.issue_id for i in read_deu(dev)[:4]]


def test_binary_file_is_one_line_error(tmp_path, dev, cli):
    import random

    rng = random.Random(7)
    blob = tmp_path / "blob.tsv"  # random bytes (with NUL bytes, as in any binary file)
    blob.write_bytes(bytes(rng.randrange(256) for _ in range(2048)) + b"\x00")
    with pytest.raises(InputFileError) as ei:
        read_deu(blob)
    assert str(ei.value) == (
        f"{blob}: binary file, not text (expected a DEU III table: tab- or semicolon-separated text, "
        "saved as UTF-8 or Windows-1252)"
    )
    # no NUL byte, but a stray carriage return inside a field after a valid header: the line is named
    header = dev.read_text().splitlines()[0]
    cr = tmp_path / "cr.tsv"
    cr.write_bytes(header.encode() + b"\nabc\rdef\t\xe9\xff\n")
    with pytest.raises(InputFileError) as ei:
        read_deu(cr)
    assert str(ei.value) == (
        f"{cr}:2: not a readable table: a line break inside an unquoted field (expected a DEU III table: "
        "one issue per line, tab- or semicolon-separated text)"
    )
    for args in (
        ["backtest", str(blob), "-m", "compromise"],
        ["calibrate", str(cr), "--out", str(tmp_path / "x.json")],
    ):
        r = cli(*args)
        assert r.exit_code == 2 and "Traceback" not in r.output, r.output
        (line,) = r.output.strip().splitlines()
        assert ("blob.tsv: binary file" in line) or ("cr.tsv:2: not a readable table" in line), line
    assert not (tmp_path / "x.json").exists()


def test_an_unknown_council_rule_is_named(tmp_path, dev, cli):
    """QA audit: counvte 'XYZ' was read as 'no rule declared' (the rule-reading models then assumed
    a simple majority) without a word; the dev file holds only Unan, QMV and QMV(10). A warning
    names the line and value (not an error: another DEU release may code a rule differently)."""
    lines = dev.read_text().splitlines()
    col = lines[0].split("\t").index("counvte")
    row = lines[1].split("\t")
    row[col] = "XYZ"
    bad = tmp_path / "vote.tsv"
    row2 = lines[2].split("\t")
    row2[col] = "XYZ"
    bad.write_text("\n".join([lines[0], "\t".join(row), "\t".join(row2)]) + "\n")
    with pytest.warns(
        UserWarning, match=r"vote.tsv:2: column 'counvte' .*'XYZ' is not a Council voting rule"
    ) as w:
        issues = read_deu(bad)
    assert (
        issues[0].rule is None and len([x for x in w if "counvte" in str(x.message)]) == 1
    )  # once per value
    r = cli("backtest", str(bad), "-m", "compromise")  # on the terminal: one "warning:" line
    said = [ln for ln in r.stderr.splitlines() if "counvte" in ln]
    assert said and said[0].startswith("warning: ") and "DetenteWarning" not in r.stderr, r.stderr
    row[col] = ""
    bad.write_text("\n".join([lines[0], "\t".join(row)]) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_deu(bad)[0].rule is None  # empty: not declared, quietly
