"""One vocabulary (issue #13 item 6): every option, argument and API request field is a word of
``detente.vocabulary``, docs/vocabulary.md lists exactly those words, and every old spelling
still works for one release with one deprecation line and the same output as the new one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from detente import vocabulary as v

DOC = Path(__file__).resolve().parents[2] / "docs" / "vocabulary.md"


def _commands():
    """(path, click command) for every command of ``detente`` (sub-commands of groups too)."""
    import typer.main

    from detente.cli.app import app

    out = []

    def walk(cmd, path):
        for name, sub in cmd.commands.items():
            p = f"{path} {name}".strip()
            if hasattr(sub, "commands"):
                walk(sub, p)
            else:
                out.append((p, sub))

    root = typer.main.get_command(app)
    walk(root, "")
    return root, out


def test_every_option_and_argument_is_in_the_vocabulary():
    root, commands = _commands()
    assert len(commands) >= 20
    bad = []
    for path, cmd in [("", root), *commands]:
        for p in cmd.params:
            if p.param_type_name == "argument":
                if p.name.upper() not in v.ARGUMENTS:
                    bad.append(f"{path}: argument {p.name.upper()}")
                continue
            longs = [o for o in p.opts + list(p.secondary_opts) if o.startswith("--")]
            shorts = [o for o in p.opts + list(p.secondary_opts) if not o.startswith("--")]
            bad += [f"{path}: {o}" for o in longs if o not in v.OPTIONS]
            bad += [f"{path}: {o}" for o in shorts if v.SHORT.get(o) not in longs]
    assert not bad, "options outside the vocabulary (detente/vocabulary.py): " + ", ".join(bad)


def test_format_is_table_json_csv_everywhere():
    from detente.cli.choices import Format

    _, commands = _commands()
    with_format = {path for path, cmd in commands for p in cmd.params if "--format" in p.opts}
    assert {
        "forecast",
        "sweep",
        "levers",
        "cohesion",
        "sensitivity",
        "simulate",
        "backtest",
        "ledger list",
    } <= with_format
    for path, cmd in commands:
        for p in cmd.params:
            if "--format" in p.opts:
                assert p.type_descriptor.annotation is Format, path
            assert not {"--json", "--runs"} & set(p.opts), path


def test_choices_match_what_the_library_accepts():
    from detente.cli.choices import Preset, ReadFormat, WriteFormat
    from detente.io.files import READ_FORMATS, WRITE_FORMATS
    from detente.sim.config import PRESETS

    assert [m.value for m in ReadFormat] == list(READ_FORMATS)
    assert [m.value for m in WriteFormat] == list(WRITE_FORMATS)
    assert [m.value for m in Preset] == list(PRESETS)


def test_every_api_request_field_is_in_the_vocabulary():
    pytest.importorskip("fastapi")
    from pydantic import BaseModel

    from detente.web import schemas as web_app  # the request bodies (schemas.py)

    models = [
        m
        for m in vars(web_app).values()
        if isinstance(m, type) and issubclass(m, BaseModel) and m.__module__ == web_app.__name__
    ]
    assert len(models) >= 11
    bad = [f"{m.__name__}.{f}" for m in models for f in m.model_fields if f not in v.API_FIELDS]
    assert not bad, "API fields outside the vocabulary: " + ", ".join(bad)
    # an old name is never a current one, and always maps to a current one
    assert not set(v.DEPRECATED_FIELDS) & set(v.API_FIELDS)
    assert set(v.DEPRECATED_FIELDS.values()) <= set(v.API_FIELDS)


def _doc_names(section: str) -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    part = text.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    return {
        n
        for line in part.splitlines()
        if line.startswith("| `")
        for n in re.findall(r"`([^`]+)`", line.split("|")[1])
    }


def test_the_doc_lists_exactly_the_vocabulary():
    assert _doc_names("Options") == set(v.OPTIONS) | set(v.SHORT)
    assert _doc_names("Arguments") == set(v.ARGUMENTS)
    assert _doc_names("JSON API request fields") == set(v.API_FIELDS)
    old = _doc_names("Old spellings")
    assert {o for table in v.DEPRECATED_OPTIONS.values() for o in table} <= old
    assert set(v.DEPRECATED_FIELDS) <= old and "builtin:NAME" in old


def test_modernise_rewrites_only_options_of_that_command():
    assert v.modernise("simulate", ["--runs", "5", "--runs=6", "--", "--runs"]) == (
        ["--draws", "5", "--draws", "6", "--", "--runs"],
        ["--runs is deprecated; use --draws"],  # once
    )
    assert v.modernise("sweep", ["--runs", "5"]) == (["--runs", "5"], [])
    assert v.modernise("ledger list", ["--json"]) == (
        ["--format", "json"],
        ["--json is deprecated; use --format json"],
    )


def _same(cli, old: list[str], new: list[str], line: str) -> tuple:
    a, b = cli(*old), cli(*new)
    assert a.exit_code == 0 and b.exit_code == 0, (a.output, b.output)
    assert a.stderr.splitlines() == [line] and b.stderr == ""
    return a, b


def test_simulate_runs_is_draws(cli):
    line = "detente: --runs is deprecated; use --draws"
    a, b = _same(
        cli,
        ["simulate", "--runs", "40", "--format", "json"],
        ["simulate", "--draws", "40", "--format", "json"],
        line,
    )
    assert a.stdout == b.stdout and json.loads(a.stdout)["runs"] == 40
    a, _ = _same(
        cli, ["simulate", "--runs=40", "--format", "json"], ["simulate", "-n", "40", "--format", "json"], line
    )
    assert a.stdout == b.stdout


@pytest.mark.parametrize("old", ["--out", "-o"])
@pytest.mark.parametrize("command", ["run", "report"])
def test_run_and_report_out_is_report(cli, monkeypatch, tmp_path, command, old):
    from detente.cli import cmd_core

    monkeypatch.setattr(cmd_core, "build_parts", lambda *a, **k: [])  # the wiring, not the models
    monkeypatch.setattr(
        cmd_core, "render_parts_report", lambda sc, parts, seed: f"<html>{sc.id} {seed}</html>"
    )
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    a, b = _same(
        cli,
        [command, "emission-standards-1994", old, str(tmp_path / "old" / "r.html")],
        [command, "emission-standards-1994", "--report", str(tmp_path / "new" / "r.html")],
        f"detente: {old} is deprecated; use --report",
    )
    assert a.stdout.replace("/old/", "/new/") == b.stdout
    assert (tmp_path / "old" / "r.html").read_text() == (tmp_path / "new" / "r.html").read_text()


def test_convert_format_is_to(cli, tmp_path):
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    a, b = _same(
        cli,
        ["convert", "emission-standards-1994", str(old), "--format", "json"],
        ["convert", "emission-standards-1994", str(new), "--to", "json"],
        "detente: --format is deprecated; use --to",
    )
    assert old.read_text() == new.read_text() and json.loads(new.read_text())["id"]
    assert a.stdout.replace("old.txt", "new.txt") == b.stdout


@pytest.mark.parametrize("command", ["list", "score", "history", "resolve", "add"])
def test_ledger_json_is_format_json(cli, tmp_path, command):
    db = str(tmp_path / "l.sqlite")
    assert cli("ledger", "add", "Deal by June?", "0.3", "--db", db).exit_code == 0
    args = {
        "list": [],
        "score": [],
        "history": ["1"],
        "resolve": ["1", "1", "--force"],
        "add": ["Q?", "0.5"],
    }[command]
    a = cli("ledger", command, *args, "--db", db, "--json")
    assert a.exit_code == 0 and a.stderr.splitlines() == ["detente: --json is deprecated; use --format json"]
    b = cli("ledger", command, *args, "--db", db, "--format", "json")
    assert b.exit_code == 0 and b.stderr == ""
    drop = re.compile(r'"(id|created_at|resolved_at|replaced_at|earlier_resolutions|entry_id)": [^,\n]*')
    if command in ("add", "resolve"):  # a second add/resolve is a new record: compare its shape
        assert drop.sub("", a.stdout) == drop.sub("", b.stdout)
    else:
        assert a.stdout == b.stdout


def test_a_value_outside_the_choices_is_one_line(cli):
    for args, line in [
        (["sweep", "--format", "xml"], "error: --format: expected table, json or csv, received 'xml'"),
        (
            ["sensitivity", "--method=foo"],
            "error: --method: expected tornado, knockout or sobol, received 'foo'",
        ),
        (["simulate", "--preset", "nash"], "error: --preset: expected rubinstein or fearon, received 'nash'"),
        (
            ["ledger", "list", "--json", "--format", "yaml"],
            "error: --format: expected table, json or csv, received 'yaml'",
        ),
    ]:
        r = cli(*args)
        assert r.exit_code == 2 and r.stdout == ""
        assert r.stderr.splitlines()[-1] == line, r.stderr
    r = cli("sweep", "--bogus")
    assert r.exit_code == 2 and r.stderr.strip().splitlines() == [
        "error: No such option: --bogus ('detente sweep --help' lists them)"
    ]


def test_csv_is_a_table_of_the_json_rows(cli):
    r = cli("sweep", "emission-standards-1994", "-n", "50", "-m", "median", "--format", "csv")
    assert r.exit_code == 0, r.output
    head, row = r.stdout.splitlines()
    assert head.startswith("model,issue,mean,sd,q5,") and row.startswith("median,emission,")
    r = cli("cohesion", "--format", "csv")
    assert (
        r.exit_code == 0
        and r.stdout.splitlines()[0] == "issue,position_us,position_european_allies,distance,share"
    )
    r = cli("simulate", "-n", "20", "--months", "3", "--format", "csv")
    lines = r.stdout.splitlines()
    assert lines[0] == "month,p_ceasefire,p_settlement,p_decision,p_sanctions" and len(lines) == 4
