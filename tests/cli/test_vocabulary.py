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


def _openapi(tmp_path) -> dict:
    pytest.importorskip("fastapi")
    from detente.web import create_app

    return create_app(db_url=str(tmp_path / "v.sqlite")).openapi()


def _body_fields(doc: dict) -> dict[str, set[str]]:
    """Every JSON request body of the API (all routers, as OpenAPI publishes them): model -> its
    field names, nested models included."""
    schemas = doc["components"]["schemas"]
    seen: dict[str, set[str]] = {}

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref:
                name = ref.rsplit("/", 1)[1]
                if name not in seen:
                    seen[name] = set(schemas[name].get("properties", {}))
                    walk(schemas[name])
            for x in node.values():
                walk(x)
        elif isinstance(node, list):
            for x in node:
                walk(x)

    for ops in doc["paths"].values():
        for op in ops.values():
            walk(op.get("requestBody", {}).get("content", {}).get("application/json", {}))
    return seen


def test_every_api_request_field_is_in_the_vocabulary(tmp_path):
    from pydantic import BaseModel

    from detente.web import schemas as web_schemas  # the request bodies (schemas.py)

    models = [
        m
        for m in vars(web_schemas).values()
        if isinstance(m, type) and issubclass(m, BaseModel) and m.__module__ == web_schemas.__name__
    ]
    assert len(models) >= 11
    bad = [f"{m.__name__}.{f}" for m in models for f in m.model_fields if f not in v.API_FIELDS]
    # every router's bodies (drafts, panels, ...), not only schemas.py: what the OpenAPI document shows
    bodies = _body_fields(_openapi(tmp_path))
    assert {"ForecastBody", "SweepBody", "SimulateBody", "Change", "DraftBody"} <= set(bodies)
    bad += [f"{m}.{f}" for m, fields in bodies.items() for f in fields if f not in v.API_FIELDS]
    assert not bad, "API fields outside the vocabulary: " + ", ".join(sorted(set(bad)))
    # an old name is never a current one, and always maps to a current one
    assert not set(v.DEPRECATED_FIELDS) & (set(v.API_FIELDS) | set(v.FORM_FIELDS))
    assert set(v.DEPRECATED_FIELDS.values()) <= set(v.API_FIELDS)


def _cli_document_fields() -> set[str]:
    """Every field name of the command line's JSON documents (forecast, sweep, ledger, ...)."""
    from pydantic import BaseModel

    from detente.io import documents

    out: set[str] = set()

    def walk(model):
        for name, f in model.model_fields.items():
            out.add(name)
            for arg in [f.annotation, *getattr(f.annotation, "__args__", ())]:
                for a in [arg, *getattr(arg, "__args__", ())]:
                    if isinstance(a, type) and issubclass(a, BaseModel):
                        walk(a)

    for name, model in documents.DOCUMENTS.items():
        if not name.startswith("web_"):
            walk(model)
    return out


def test_api_response_documents_use_the_vocabulary():
    """The API's documents say what the command line's documents and the requests say: ``draws``
    (never ``n_draws``/``n_runs``), ``detente_version``; an old request spelling appears in a response
    only where the command line's own JSON documents use that name (``params``, the ledger's
    ``resolution_date``, docs/json.md)."""
    from pydantic import BaseModel

    from detente.io import documents

    cli = _cli_document_fields()
    seen: dict[str, set[str]] = {}

    def walk(model):
        if model.__name__ in seen:
            return
        seen[model.__name__] = set(model.model_fields)
        for f in model.model_fields.values():
            for a in [f.annotation, *getattr(f.annotation, "__args__", ())]:
                if isinstance(a, type) and issubclass(a, BaseModel):
                    walk(a)

    for name, model in documents.DOCUMENTS.items():
        if name.startswith("web_"):
            walk(model)
    assert {"WebForecast", "WebSweep", "WebSimulate", "WebWhatIf"} <= set(seen)
    bad = [
        f"{m}.{f}" for m, fields in seen.items() for f in fields if f in v.DEPRECATED_FIELDS and f not in cli
    ]
    assert not bad, "old spellings in the API's documents: " + ", ".join(bad)
    assert "draws" in seen["WebSweep"] and "draws" in seen["WebSimulate"]
    assert "detente_version" in seen["WebForecast"]


def _old_spellings(obj, where: str = "") -> list[str]:
    """Keys that are old request spellings (not also a CLI document's name) and ``builtin:`` values."""
    allowed = _cli_document_fields()
    out = []
    if isinstance(obj, dict):
        for k, val in obj.items():
            if k in v.DEPRECATED_FIELDS and k not in allowed:
                out.append(f"{where}.{k}")
            if not (k == "scenario" and isinstance(val, dict)):  # a scenario's own content is data
                out += _old_spellings(val, f"{where}.{k}")
    elif isinstance(obj, list):
        for k, val in enumerate(obj):
            out += _old_spellings(val, f"{where}[{k}]")
    elif isinstance(obj, str) and obj.startswith(v.BUILTIN_PREFIX):
        out.append(f"{where} = {obj!r}")
    return out


def test_api_responses_use_the_vocabulary(tmp_path):
    """What the API answers (scenarios, versions, save, parse, compare, jobs, runs) names a built-in
    scenario by its name and uses no old spelling; the requests use only the new names too, so no
    response says ``Deprecation``."""
    import base64
    import time

    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from detente.web import create_app

    client = TestClient(create_app(db_url=str(tmp_path / "r.sqlite")), base_url="http://127.0.0.1")
    em = "emission-standards-1994"
    answers = []

    def call(method, url, **kw):
        r = client.request(method, url, **kw)
        assert r.status_code < 300, (url, r.text)
        assert "deprecation" not in r.headers, (url, r.headers.get("warning"))
        answers.append((url, r.json()))
        return r.json()

    data = call("GET", f"/api/scenarios/{em}")
    assert data["reference"] == em
    call("POST", "/api/scenarios", json={"scenario": data["scenario"], "author": "t"})
    call("GET", "/api/scenarios")
    call("GET", f"/api/scenarios/{em}/versions")
    text = base64.b64encode(json.dumps(data["scenario"]).encode()).decode()
    call("POST", "/api/parse", json={"filename": "s.json", "content_base64": text, "save": True})
    call("POST", "/api/forecast", json={"scenario": em, "model": "median", "record": True})
    call("POST", "/api/compare", json={"a": em, "b": f"{em}@1", "model": "median"})
    for url, body in (
        ("/api/sweep", {"scenario": em, "model": "median", "draws": 20}),
        ("/api/simulate", {"scenario": "ukraine-2025", "draws": 10}),
    ):
        job = call("POST", url, json=body)
        for _ in range(600):
            j = call("GET", f"/api/jobs/{job['id']}")
            if j["status"] in ("done", "failed"):
                break
            time.sleep(0.05)
        assert j["status"] == "done", j
        assert j["result"]["draws"] == body["draws"]
    runs = call("GET", "/api/runs", params={"scenario": em})
    assert {r["scenario"] for r in runs} == {em}
    bad = [f"{url}: {b}" for url, a in answers for b in _old_spellings(a)]
    assert not bad, "old spellings in API responses: " + "; ".join(bad)


def _form_fields() -> dict[str, set[str]]:
    """template -> the names of its form fields (``name="..."``, the fixed ones; templated names
    such as ``stance-{{ n }}-salience`` are the editor's cells)."""
    pytest.importorskip("jinja2")
    folder = Path(v.__file__).parent / "web" / "templates"
    out = {}
    for f in sorted(folder.glob("*.html")):
        html = f.read_text(encoding="utf-8")
        tags = re.findall(r"<(?:input|select|textarea|button)\b[^>]*>", html)
        names = {m for t in tags for m in re.findall(r'\bname="([^"]*)"', t) if "{{" not in m}
        out[f.name] = names
    return out


def test_every_dashboard_form_field_is_in_the_vocabulary():
    """The dashboard's forms post the API's words (``draws``, ``set``, ``scenario``, ``resolves``...),
    never an old spelling; the few fields of its own are ``vocabulary.FORM_FIELDS``."""
    forms = _form_fields()
    used = {n for names in forms.values() for n in names}
    assert {"draws", "set", "scenario", "seed", "model", "actor", "position", "resolves", "key"} <= used
    known = set(v.API_FIELDS) | set(v.FORM_FIELDS)
    cell = re.compile(
        r"^(new-)?(actor|issue|stance)-[a-z_]+$"
    )  # the editor's table (actor-N-name: templated)
    bad = sorted(
        f"{t}: {n}" for t, names in forms.items() for n in names if n not in known and not cell.match(n)
    )
    assert not bad, "form fields outside the vocabulary (detente/vocabulary.py): " + ", ".join(bad)
    assert not used & set(v.DEPRECATED_FIELDS)


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
    assert _doc_names("Dashboard form fields") == set(v.FORM_FIELDS)
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


def test_a_word_where_a_number_belongs_is_one_line_with_the_value(cli, tmp_path):
    """typer said "Input should be a valid integer, unable to parse string as an integer" and never
    the value: now the option, what it takes and what it got."""
    db = str(tmp_path / "l.db")
    for args, line in [
        (["sweep", "--draws", "abc"], "error: --draws: expected an integer, received 'abc'"),
        (["sweep", "-n", "1.5"], "error: --draws: expected an integer, received '1.5'"),
        (["sweep", "--position-sd=x"], "error: --position-sd: expected a number, received 'x'"),
        (["ledger", "history", "abc", "--db", db], "error: ENTRY: expected an integer"),
        (["ledger", "resolve", "1", "much", "--db", db], "error: OUTCOME: expected a number"),
    ]:
        r = cli(*args)
        assert r.exit_code == 2 and r.stdout == ""
        assert r.stderr.strip().splitlines() == [line], r.stderr


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
