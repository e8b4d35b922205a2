"""detente ledger add|list|resolve|score and the guard rails of detente serve."""

from __future__ import annotations

import json

import pytest


@pytest.fixture()
def db(tmp_path, monkeypatch):
    monkeypatch.delenv("DETENTE_DB", raising=False)
    return str(tmp_path / "ledger.sqlite")


def test_ledger_round_trip(cli, db) -> None:
    r = cli("ledger", "add", "Ceasefire signed by 2025-12-31?", "0.3", "--resolves", "2025-12-31", "--db", db)
    assert r.exit_code == 0, r.output
    assert "#1 (binary)" in r.stdout
    r = cli(
        "ledger", "add", "Years until standards apply", "8", "--model", "eum", "--db", db, "--format", "json"
    )
    assert json.loads(r.stdout)["kind"] == "numeric"
    r = cli("ledger", "list", "--open", "--db", db, "--format", "json")
    assert [e["id"] for e in json.loads(r.stdout)] == [1, 2]
    r = cli("ledger", "resolve", "1", "0", "--db", db)
    assert r.exit_code == 0 and "Brier score 0.090" in r.stdout
    r = cli("ledger", "resolve", "2", "8.833", "--db", db, "--format", "json")
    assert json.loads(r.stdout)["score"] == pytest.approx(0.833)
    r = cli("ledger", "score", "--db", db, "--format", "json")
    s = json.loads(r.stdout)
    assert s["resolved"] == 2 and s["mean_brier"] == pytest.approx(0.09)
    r = cli("ledger", "score", "--db", db)
    assert "mean Brier score 0.090" in r.stdout and "mean absolute error 0.833" in r.stdout
    r = cli("ledger", "list", "--db", db)
    assert "Ceasefire" in r.stdout


def test_ledger_uses_env_db(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DETENTE_DB", str(tmp_path / "env.sqlite"))
    assert cli("ledger", "add", "Deal by June?", "0.6").exit_code == 0
    assert (tmp_path / "env.sqlite").exists()
    assert [e["question"] for e in json.loads(cli("ledger", "list", "--format", "json").stdout)] == [
        "Deal by June?"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("resolve", "1", "0.5"), "expected 0 or 1"),
        (("resolve", "99", "1"), "ledger entry 99: not found"),
        (("add", "P?", "1.5", "--kind", "binary"), "probability in [0, 1]"),
        (("add", "P?", "0.5", "--resolves", "soon"), "YYYY-MM-DD"),
    ],
)
def test_ledger_errors_are_one_line(cli, db, args, message) -> None:
    cli("ledger", "add", "Q?", "0.5", "--db", db)
    r = cli("ledger", *args, "--db", db)
    assert r.exit_code == 2
    assert message in r.stderr and "Traceback" not in r.output
    assert len(r.stderr.strip().splitlines()) == 1


def test_serve_refuses_public_bind_without_token(cli, db, monkeypatch) -> None:
    monkeypatch.delenv("DETENTE_TOKEN", raising=False)
    r = cli("serve", "--host", "0.0.0.0", "--db", db)
    assert r.exit_code == 2 and "requires --token" in r.stderr
    r = cli("serve", "--port", "0", "--db", db)
    assert r.exit_code == 2 and "--port" in r.stderr


def test_serve_starts_the_dashboard_with_a_token(tmp_path) -> None:
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    pytest.importorskip("fastapi", reason="the web extra is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [
        sys.executable,
        "-c",
        "from detente.cli.app import main; main()",
        "serve",
        "--port",
        str(port),
        "--token",
        "t0ken",
        "--db",
        str(tmp_path / "serve.sqlite"),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/api/health"
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                urllib.request.urlopen(url, timeout=1)
                status = 200
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.1)
        assert status == 401  # no token, no answer
        req = urllib.request.Request(url, headers={"Authorization": "Bearer t0ken"})
        with urllib.request.urlopen(req, timeout=5) as r:
            assert json.loads(r.read())["ok"] is True
    finally:
        proc.terminate()
        out, _err = proc.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}/" in out and "serve.sqlite" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Ceasefire by June?", "1.7"), "expected a probability in [0, 1] for a yes/no question"),
        (("Ceasefire by June?", "70"), "70 % is written 0.7"),
        (("Ceasefire by June", "1.7", "--kind", "binary"), "probability in [0, 1] for a binary question"),
        (("Ceasefire by June?", "nan"), "finite number"),
    ],
)
def test_ledger_add_refuses_a_probability_outside_0_1_and_writes_nothing(cli, db, args, message) -> None:
    from pathlib import Path

    r = cli("ledger", "add", *args, "--db", db)
    assert r.exit_code == 2, r.output
    assert message in r.stderr and "Traceback" not in r.output
    assert len(r.stderr.strip().splitlines()) == 1
    assert not Path(db).exists()  # refused before the database is opened
    assert cli("ledger", "add", "Earlier?", "0.4", "--db", db).exit_code == 0
    r = cli("ledger", "add", *args, "--db", db)
    assert r.exit_code == 2
    assert [
        e["question"] for e in json.loads(cli("ledger", "list", "--db", db, "--format", "json").stdout)
    ] == ["Earlier?"]


def test_ledger_add_numbers_on_question_marks_need_kind_numeric(cli, db) -> None:
    r = cli("ledger", "add", "Tariff rate in 2026?", "17", "--db", db)
    assert r.exit_code == 2 and "add --kind numeric" in r.stderr
    r = cli("ledger", "add", "Tariff rate in 2026?", "17", "--kind", "numeric", "--db", db)
    assert r.exit_code == 0 and "(numeric)" in r.stdout
    r = cli("ledger", "add", "Tariff rate in 2026", "17", "--db", db)  # no '?': a number, as before
    assert r.exit_code == 0 and "(numeric)" in r.stdout


def test_ledger_resolve_twice_needs_force_and_keeps_the_history(cli, db) -> None:
    cli("ledger", "add", "Ceasefire signed by 2025-12-31?", "0.3", "--db", db)
    assert "Brier score 0.090" in cli("ledger", "resolve", "1", "0", "--db", db).stdout
    r = cli("ledger", "resolve", "1", "1", "--db", db)
    assert r.exit_code == 2 and "Traceback" not in r.output
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "forecast #1 is already resolved: outcome 0 on 20" in line and "UTC" in line
    assert "Brier score 0.090" in line and "detente ledger resolve 1 1 --force" in line
    assert json.loads(cli("ledger", "list", "--db", db, "--format", "json").stdout)[0][
        "score"
    ] == pytest.approx(0.09)
    assert "replaced" not in cli("ledger", "history", "1", "--db", db).stdout

    r = cli("ledger", "resolve", "1", "1", "--force", "--db", db)
    assert r.exit_code == 0 and "Brier score 0.490" in r.stdout and "ledger history 1" in r.stdout
    assert cli("ledger", "score", "--db", db, "--format", "json").stdout.count('"resolved": 1') == 1
    listing = cli("ledger", "list", "--db", db).stdout
    assert "1 *" in listing and "detente ledger history 1" in listing
    r = cli("ledger", "history", "1", "--db", db)
    assert r.exit_code == 0
    assert "0.090" in r.stdout and "0.490" in r.stdout and "current" in r.stdout and "replaced 20" in r.stdout
    h = json.loads(cli("ledger", "history", "1", "--db", db, "--format", "json").stdout)
    assert [(x["outcome"], x["score"]) for x in h["resolutions"]] == [
        (0.0, pytest.approx(0.09)),
        (1.0, pytest.approx(0.49)),
    ]
    assert h["resolutions"][0]["replaced_at"] and h["resolutions"][1]["replaced_at"] is None
    assert h["forecast"]["earlier_resolutions"] == 1
    r = cli("ledger", "history", "7", "--db", db)
    assert r.exit_code == 2 and "ledger entry 7: not found" in r.stderr


def test_ledger_history_of_an_open_forecast(cli, db) -> None:
    cli("ledger", "add", "Deal by June?", "0.6", "--db", db)
    r = cli("ledger", "history", "1", "--db", db)
    assert r.exit_code == 0 and "Deal by June? → 0.6" in r.stdout and "not resolved yet" in r.stdout


@pytest.mark.parametrize(
    ("command", "phrases"),
    [
        ((), ("Brier score", "detente ledger add", "history")),
        (("add",), ("QUESTION", "between 0 and 1", "--kind", "YYYY-MM-DD", "Nothing is written")),
        (("resolve",), ("--force", "1 (yes) or 0 (no)", "ledger history ENTRY")),
        (("history",), ("replaced with --force",)),
        (("list",), ("--open", "ledger history ENTRY")),
    ],
)
def test_ledger_help_reads_well(cli, command, phrases) -> None:
    r = cli("ledger", *command, "--help", env={"COLUMNS": "100"})
    assert r.exit_code == 0
    text = " ".join(r.stdout.replace("│", " ").split())
    for p in phrases:
        assert p in text, p


def test_ledger_numeric_forecast_with_quantiles(cli, db) -> None:
    r = cli(
        "ledger",
        "add",
        "Tariff rate",
        "40",
        "--quantiles",
        "10:30,50:40,90:45",
        "--db",
        db,
        "--format",
        "json",
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["quantiles"] == {"10": 30.0, "50": 40.0, "90": 45.0}
    cli("ledger", "add", "Deal by June?", "0.8", "--db", db)
    cli("ledger", "resolve", "1", "55", "--db", db)
    cli("ledger", "resolve", "2", "0", "--db", db)
    s = json.loads(cli("ledger", "score", "--db", db, "--format", "json").stdout)
    # 2/3 * (0.1 * 25 + 0.5 * 15 + 0.9 * 10): the quantile CRPS of the three levels
    assert s["mean_crps"] == pytest.approx(2 / 3 * (2.5 + 7.5 + 9.0))
    assert s["coverage"]["80"] == 0.0
    r = cli("ledger", "score", "--db", db)
    assert "mean CRPS 12.667" in r.stdout and "calibration" in r.stdout and "80 % → 0 %" in r.stdout
    assert max(len(line) for line in r.stdout.splitlines()) <= 80
    csv_lines = cli("ledger", "score", "--db", db, "--format", "csv").stdout.splitlines()
    assert csv_lines[0] == "kind,group,n,forecast,observed"
    assert "interval,central 80 %,1,0.8,0" in csv_lines and "binary,80-90 %,1,0.8,0" in csv_lines
    listed = cli("ledger", "list", "--db", db, "--format", "csv").stdout
    assert '"10:30,50:40,90:45"' in listed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Tariff", "40", "--quantiles", "10:50,90:45"), "--quantiles: expected values that do not decrease"),
        (("Tariff", "40", "--quantiles", "10-50"), "--quantiles: expected LEVEL:VALUE pairs"),
        (("Deal?", "0.4", "--quantiles", "10:0.1"), "--quantiles: only a numeric forecast"),
    ],
)
def test_ledger_bad_quantiles_write_nothing(cli, db, args, message) -> None:
    from pathlib import Path

    r = cli("ledger", "add", *args, "--db", db)
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output
    assert not Path(db).exists()
