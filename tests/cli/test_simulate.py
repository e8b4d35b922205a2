"""``detente simulate``: JSON shape, determinism, presets, errors."""

from __future__ import annotations

import json
import re

import pytest

from detente.sim import reference as ref


def _json(cli, *args):
    res = cli("simulate", *args, "--format", "json")
    assert res.exit_code == 0, res.output
    return res.stdout, json.loads(res.stdout)


def test_same_output_twice_and_shape(cli):
    a, doc = _json(cli, "--draws", "2000", "--seed", "3")
    b, _ = _json(cli, "--draws", "2000", "--seed", "3")
    assert a == b
    assert set(doc) == {
        *("detente_version", "scenario", "preset", "params", "config_sha256"),  # provenance
        *("seed", "runs", "months", "monthly", "outcomes", "terms"),
    }
    assert (doc["seed"], doc["runs"], doc["months"]) == (3, 2000, 24)
    assert doc["scenario"]["id"] == "ukraine-2025" and len(doc["scenario"]["sha256"]) == 64
    assert len(doc["monthly"]) == 24
    for row in doc["monthly"]:
        assert set(row) == {"month", "p_ceasefire", "p_settlement", "p_decision", "p_sanctions"}
    for key in ("p_ceasefire", "p_settlement", "p_decision", "p_sanctions"):
        v = [row[key] for row in doc["monthly"]]
        assert all(0 <= x <= 1 for x in v)
        assert all(x <= y for x, y in zip(v, v[1:], strict=False)), key
    assert abs(sum(doc["outcomes"]["shares"].values()) - 1) < 1e-3


def test_the_document_records_what_was_simulated(cli):
    """Provenance (the project's rule): the scenario's hash, the preset, the --set overrides and the
    hash of the configuration they resolve to, which changes with any override."""
    _, plain = _json(cli, "--draws", "50")
    _, changed = _json(cli, "--draws", "50", "--set", "C0_R=0.4")
    _, preset = _json(cli, "--draws", "50", "--preset", "fearon")
    assert plain["scenario"] == changed["scenario"]
    assert (plain["params"], changed["params"]) == ({}, {"C0_R": "0.4"})
    assert (plain["preset"], preset["preset"]) == (None, "fearon")
    assert len({plain["config_sha256"], changed["config_sha256"], preset["config_sha256"]}) == 3


def test_seed_changes_output(cli):
    a, _ = _json(cli, "--draws", "300", "--seed", "1", "--set", "C0_R=0.4", "--set", "C0_U=0.6")
    b, _ = _json(cli, "--draws", "300", "--seed", "2", "--set", "C0_R=0.4", "--set", "C0_U=0.6")
    assert a != b


def test_rubinstein_preset(cli):
    _, doc = _json(
        cli, "--preset", "rubinstein", "--set", "delta_1=0.9", "--set", "delta_2=0.8", "--draws", "100"
    )
    assert abs(doc["first_mover_share"] - ref.rubinstein_share(0.9, 0.8)) < 0.01
    assert doc["agreement_round"] == 1


def test_fearon_preset(cli):
    _, doc = _json(cli, "--preset", "fearon", "--draws", "500")
    fe = doc["outcomes"]["fearon"]
    assert fe["range_nonempty"] and fe["first_offer_accepted"] == 1.0 and fe["p_war"] == 0.0
    _, doc = _json(cli, "--preset", "fearon", "--draws", "2000", "--set", "c_U_types=0.05,0.25")
    assert 0.45 < doc["outcomes"]["fearon"]["p_war"] < 0.55


def test_table_output(cli):
    res = cli("simulate", "--draws", "200", "--months", "12")
    assert res.exit_code == 0
    for heading in ("Cumulative probability by month", "How the runs end", "Ceasefires"):
        assert heading in res.stdout
    res = cli("simulate", "--preset", "rubinstein", "--draws", "50")
    assert "0.714" in res.stdout


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--set", "nope=1"], "nope"),
        (["--set", "h0=abc"], "h0"),
        (["--set", "h0"], "NAME=VALUE"),
        (["--preset", "nash"], "preset"),
        (["--format", "xml"], "--format"),
        (["--draws", "0"], "--draws"),
        (["--months", "0"], "--months"),
        (["no-such-scenario.yaml"], "no-such-scenario"),
    ],
)
def test_errors_are_one_line(cli, args, needle):
    res = cli("simulate", *args)
    assert res.exit_code == 2
    assert res.stdout == ""
    err = res.stderr.strip()
    assert err.startswith("error:") and needle in err and "\n" not in err
    assert "Traceback" not in err


def test_scenario_file_dynamics_are_used_and_bad_ones_fail(cli, tmp_path):
    import yaml

    from detente.io.builtin import load_builtin
    from detente.io.mapping import dump_scenario

    data = dump_scenario(load_builtin("ukraine-2025"))
    data["dynamics"] = {"parameters": {"C0_R": 0.4, "C0_U": 0.6}}
    good = tmp_path / "late.yaml"
    good.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    _, doc = _json(cli, str(good), "--draws", "500", "--seed", "1")
    assert doc["monthly"][11]["p_ceasefire"] > 0.3  # the late phase, not the default
    data["dynamics"] = {"parameters": {"h0": "fast"}}
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    res = cli("simulate", str(bad))
    assert res.exit_code == 2 and res.stdout == ""
    err = res.stderr.strip()
    assert "dynamics.parameters.h0" in err and "\n" not in err


def test_scenario_without_dynamics_is_refused_not_simulated_as_ukraine(cli):
    # emission-standards-1994 has no dynamics: section; it used to print the ukraine-2025 numbers
    res = cli("simulate", "emission-standards-1994", "--draws", "50")
    assert res.exit_code == 2 and res.stdout == ""
    err = res.stderr.strip()
    assert err == (
        "error: emission-standards-1994: no `dynamics:` section; the simulator needs one "
        "(see docs/simulator.md, 'Scenario files: the dynamics: section')"
    )
    _json(cli, "ukraine-2025", "--draws", "50")  # the built-in with dynamics still runs


def test_run_skips_the_simulator_part_for_a_scenario_without_dynamics():
    # detente run / report: the simulator part is a note, not a simulation of ukraine-2025
    # (already so before issue #12; guards the CLI and the report agreeing)
    from detente.cli.cmd_core import build_parts
    from detente.io.builtin import load_builtin

    (part,) = build_parts(load_builtin("emission-standards-1994"), seed=0, quick=True, only=["simulator"])
    assert part.notes == ["scenario emission-standards-1994 has no dynamics: section; simulator skipped"]
    assert not part.tables
    assert part.headline == [
        "Ceasefire track: not simulated; the scenario has no dynamics: section (docs/simulator.md)."
    ]


def test_table_counts_in_the_singular(cli, capsys):
    from detente.cli.cmd_simulate import render_table

    _, doc = _json(cli, "--draws", "50", "--seed", "1")
    doc["terms"]["n_settlements"] = 1
    capsys.readouterr()
    render_table(doc, "t")
    out = " ".join(capsys.readouterr().out.split())  # the title may wrap over the narrow table
    assert "Terms of the 1 settlement (share per value)" in out


def test_table_labels_are_plain_words_within_80_columns(cli):
    res = cli(
        "simulate",
        "--draws",
        "300",
        "--seed",
        "1",
        "--set",
        "C0_R=0.4",
        "--set",
        "C0_U=0.6",
        env={"COLUMNS": "80"},
    )
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "…" not in out
    for cryptic in ("decision R", "decision U", ">= 2", "R's"):
        assert cryptic not in out, cryptic
    assert not re.search(r"\b(terr|buf|cap|align|guar)\b", out)  # the issue codes
    for plain in (
        "military decision for Russia",
        "military decision for Ukraine",
        "ceasefires with EU monitoring or a binding guarantee",
        "US–Europe alignment at the summit",
    ):
        assert plain in out, plain
    assert "Terms of the" in out  # the late phase settles: the terms table, in words, with its legend
    for label in (
        "land under Russia",
        "buffer zone",
        "Ukraine's force limits",
        "alignment",
        "security guarantee",
    ):
        assert label in out, label
    assert "land under Russia: its share of the contested land" in out


def test_terms_values_in_words(cli, capsys):
    from detente.cli.cmd_simulate import render_table

    _, doc = _json(cli, "--draws", "50", "--seed", "1")
    doc["terms"].update(
        n_settlements=4,
        terr={"0.05": 0.5, "0.2": 0.5},
        buf={"0.5": 1.0},
        cap={"0": 1.0},
        align={"0": 0.25, "1": 0.75},
        guar={"1": 0.5, "3": 0.5},
    )
    capsys.readouterr()
    render_table(doc, "t")
    out = " ".join(capsys.readouterr().out.split())
    for text in (
        "5%: 50.0%",
        "20%: 50.0%",
        "partial: 100.0%",
        "none: 100.0%",
        "NATO path: 25.0%",
        "neutrality: 75.0%",
        "on paper: 50.0%",
        "binding: 50.0%",
    ):
        assert text in out, text


def test_json_and_csv_keep_the_codes(cli):
    _, doc = _json(cli, "--draws", "50", "--seed", "1")
    assert set(doc["outcomes"]["shares"]) == {
        "war_ongoing",
        "settlement",
        "frozen_ceasefire",
        "decision_R",
        "decision_U",
        "ceasefire_ongoing",
    }
    assert {"terr", "buf", "cap", "align", "guar"} <= set(doc["terms"])
    res = cli("simulate", "--draws", "50", "--format", "csv")
    assert res.stdout.splitlines()[0] == "month,p_ceasefire,p_settlement,p_decision,p_sanctions"
