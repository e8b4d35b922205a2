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
    r = cli("ledger", "add", "Years until standards apply", "8", "--model", "eum", "--db", db, "--json")
    assert json.loads(r.stdout)["kind"] == "numeric"
    r = cli("ledger", "list", "--open", "--db", db, "--json")
    assert [e["id"] for e in json.loads(r.stdout)] == [1, 2]
    r = cli("ledger", "resolve", "1", "0", "--db", db)
    assert r.exit_code == 0 and "Brier score 0.090" in r.stdout
    r = cli("ledger", "resolve", "2", "8.833", "--db", db, "--json")
    assert json.loads(r.stdout)["score"] == pytest.approx(0.833)
    r = cli("ledger", "score", "--db", db, "--json")
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
    assert [e["question"] for e in json.loads(cli("ledger", "list", "--json").stdout)] == ["Deal by June?"]


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
