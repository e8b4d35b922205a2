"""detente ledger add|list|resolve|score and the guard rails of detente serve."""

from __future__ import annotations

import json
from pathlib import Path

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
        (
            ("resolve", "99", "1"),
            "ENTRY 99: no forecast #99 (expected a number that 'detente ledger list' shows: #1)",
        ),
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


def test_serve_on_a_port_in_use_is_one_line_before_anything_is_announced(cli, db) -> None:
    """It printed "detente dashboard on http://…" and the database, then uvicorn's raw log line, exit 3."""
    import socket

    pytest.importorskip("uvicorn", reason="the web extra is not installed")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = cli("serve", "--port", str(port), "--db", db)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.strip().splitlines() == [
        f"error: --port {port}: 127.0.0.1:{port} is already in use (expected a free port, e.g. --port {port + 1})"
    ]


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
        deadline = time.monotonic() + 90  # a start beside the 80-process store tests took > 30 s once
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
    assert r.exit_code == 2 and "ENTRY 7: no forecast #7" in r.stderr


def test_ledger_history_of_an_open_forecast(cli, db) -> None:
    cli("ledger", "add", "Deal by June?", "0.6", "--db", db)
    r = cli("ledger", "history", "1", "--db", db)
    assert r.exit_code == 0 and "Deal by June? → 0.6" in r.stdout and "not resolved yet" in r.stdout


@pytest.mark.parametrize(
    ("command", "phrases"),
    [
        ((), ("Brier and log score", "CRPS and interval coverage", "detente ledger add", "history")),
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
    assert "mean CRPS 12.67" in r.stdout and "calibration" in r.stdout and "80 % → 0 %" in r.stdout
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
        (("GDP growth", "2.1", "--quantiles", "10:1,10:2"), "--quantiles: level 10 given twice"),
        (("GDP growth", "2.1", "--quantiles", "10:1,10.0:2"), "--quantiles: level 10 given twice"),
        (("GDP growth", "2.1", "--quantiles", '{"10": 1, "10": 2}'), "--quantiles: level 10 given twice"),
        (("GDP growth", "2.1", "--quantiles", "0:1,50:2"), "strictly between 0 and 100"),
        (("GDP growth", "2.1", "--quantiles", "50:2,100:3"), "strictly between 0 and 100"),
    ],
)
def test_ledger_bad_quantiles_write_nothing(cli, db, args, message) -> None:
    from pathlib import Path

    r = cli("ledger", "add", *args, "--db", db)
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output
    assert len(r.stderr.strip().splitlines()) == 1
    assert not Path(db).exists()


def test_ledger_add_says_which_quantiles_it_stored(cli, db) -> None:
    r = cli("ledger", "add", "Tariff rate", "42", "--quantiles", "10:30,50:40,90:45", "--db", db)
    assert r.exit_code == 0 and r.stderr == ""
    assert "→ 42 (quantiles 10 %: 30, 50 %: 40, 90 %: 45)" in r.stdout
    levels = ",".join(f"{a}:{a}" for a in range(5, 100, 5))  # 19 levels, as detente forecast prints
    r = cli("ledger", "add", "Tariff rate", "50", "--quantiles", levels, "--db", db)
    assert "→ 50 (19 quantiles, 5 %: 5 … 50 %: 50 … 95 %: 95)" in r.stdout
    assert "(quantiles 10 %: 30, 50 %: 40, 90 %: 45)" in cli("ledger", "history", "1", "--db", db).stdout
    assert "quantiles" not in cli("ledger", "add", "Years", "8", "--db", db).stdout


@pytest.mark.parametrize(
    ("value", "warning"),
    [
        ("60", "warning: value 60 lies above its highest quantile (90 %: 45); recorded all the same"),
        ("20", "warning: value 20 lies below its lowest quantile (10 %: 30); recorded all the same"),
        ("30", None),  # on a quantile: inside
        ("44", None),  # the point forecast need not be the median
    ],
)
def test_ledger_add_warns_of_a_value_outside_its_quantiles(cli, db, value, warning) -> None:
    r = cli("ledger", "add", "Tariff rate", value, "--quantiles", "10:30,50:40,90:45", "--db", db)
    assert r.exit_code == 0
    assert r.stderr.strip() == (warning or "")
    listed = json.loads(cli("ledger", "list", "--db", db, "--format", "json").stdout)
    assert [e["value"] for e in listed] == [float(value)]  # recorded all the same


def test_ledger_add_warns_of_a_resolution_date_in_the_past(cli, db) -> None:
    import datetime as dt

    today = dt.datetime.now(dt.UTC).date()
    past, future = today - dt.timedelta(days=1), today + dt.timedelta(days=30)
    r = cli("ledger", "add", "Ceasefire signed?", "0.3", "--resolves", past.isoformat(), "--db", db)
    assert r.exit_code == 0 and "#1 (binary)" in r.stdout
    assert r.stderr.strip() == (
        f"warning: resolves {past} is in the past (today {today}); recorded all the same"
    )
    r = cli("ledger", "add", "Ceasefire signed?", "0.3", "--resolves", future.isoformat(), "--db", db)
    assert r.exit_code == 0 and r.stderr == ""
    r = cli("ledger", "add", "Ceasefire signed?", "0.3", "--resolves", today.isoformat(), "--db", db)
    assert r.exit_code == 0 and r.stderr == ""  # today is not the past
    assert len(json.loads(cli("ledger", "list", "--db", db, "--format", "json").stdout)) == 3


def test_ledger_resolve_prints_the_crps_and_the_intervals(cli, db) -> None:
    cli("ledger", "add", "Tariff rate", "40", "--quantiles", "10:30,25:35,50:40,75:44,90:45", "--db", db)
    r = cli("ledger", "resolve", "1", "55", "--db", db)
    assert r.exit_code == 0, r.output
    # 2/5 * (0.1*25 + 0.25*20 + 0.5*15 + 0.75*11 + 0.9*10): the quantile CRPS of the five levels
    crps = 2 / 5 * (2.5 + 5.0 + 7.5 + 8.25 + 9.0)
    assert r.stdout.strip() == (
        f"resolved #1: outcome 55, absolute error 15, CRPS {crps:.4g}; outside the central 50 % "
        "interval (35–44), outside the central 80 % interval (30–45)"
    )
    s = json.loads(cli("ledger", "score", "--db", db, "--format", "json").stdout)
    assert s["mean_crps"] == pytest.approx(crps)  # the same CRPS as ledger score's
    cli("ledger", "add", "Tariff rate", "40", "--quantiles", "10:30,90:45", "--db", db)
    r = cli("ledger", "resolve", "2", "45", "--db", db)
    assert "inside the central 80 % interval (30–45)" in r.stdout  # both ends count inside
    cli("ledger", "add", "Years", "8", "--db", db)
    r = cli("ledger", "resolve", "3", "9", "--db", db)
    assert r.stdout.strip() == "resolved #3: outcome 9, absolute error 1"


@pytest.mark.parametrize("form", ["{folder}/l.sqlite", "sqlite:///{folder}/l.sqlite"])
def test_db_in_a_missing_folder_is_refused(cli, tmp_path, monkeypatch, form) -> None:
    monkeypatch.chdir(tmp_path)
    db = form.format(folder="nodir")
    for args in (("ledger", "add", "Deal?", "0.4"), ("ledger", "list"), ("serve",)):
        r = cli(*args, "--db", db)
        assert r.exit_code == 2 and "Traceback" not in r.output
        assert r.stderr.strip() == f"error: {db}: folder nodir does not exist"
    monkeypatch.setenv("DETENTE_DB", db)
    r = cli("ledger", "list")
    assert r.exit_code == 2 and "folder nodir does not exist" in r.stderr
    assert not (tmp_path / "nodir").exists()


def test_ledger_list_at_80_columns_keeps_dates_whole(cli, db) -> None:
    import re

    long_q = "Compromise on sanctions in the EU Council by the end of the year, as the summit asked"
    cli("ledger", "add", "Ceasefire signed by 2025-12-31?", "0.3", "--resolves", "2025-12-31", "--db", db)
    cli("ledger", "add", long_q, "42.125", "--resolves", "2027-03-01", "--db", db)
    cli("ledger", "resolve", "2", "1234.5", "--db", db)
    r = cli("ledger", "list", "--db", db, env={"COLUMNS": "80"})
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in r.stdout
    made = re.compile(r"^\s*(\d+)\s+(\d{4}-\d{2}-\d{2})\s")
    rows = [line for line in lines if made.match(line)]
    assert [made.match(line).group(1) for line in rows] == ["1", "2"]  # type: ignore[union-attr]
    assert "2025-12-31" in rows[0] and "2027-03-01" in rows[1]
    assert "42.125" in rows[1] and "1234.5" in rows[1] and "1192.38" in rows[1]
    words = " ".join(line[15:] for line in lines)  # the question wraps, whole
    assert all(w in words for w in long_q.split())


def test_scores_of_numbers_are_rounded_to_their_size(cli, db) -> None:
    """An absolute error or CRPS is in the question's units: 5000, not 5000.000 (which also
    took the 80-column list's room); Brier scores keep their three decimals."""
    cli("ledger", "add", "Prisoners exchanged in 2025", "4000", "--db", db)
    cli("ledger", "add", "Prisoners released", "4000", "--quantiles", "5:1500,50:4000,95:8000", "--db", db)
    cli("ledger", "add", "Deal?", "0.7", "--db", db)
    assert cli("ledger", "resolve", "1", "9000", "--db", db).stdout.strip() == (
        "resolved #1: outcome 9000, absolute error 5000"
    )
    r = cli("ledger", "resolve", "2", "4001.5", "--db", db)
    assert r.stdout.startswith("resolved #2: outcome 4001.5, absolute error 1.5, CRPS 217.2;")
    assert "Brier score 0.090" in cli("ledger", "resolve", "3", "1", "--db", db).stdout
    listed = cli("ledger", "list", "--db", db).stdout
    assert " 5000 " in listed and "5000.000" not in listed and " 0.090 " in listed
    r = cli("ledger", "score", "--db", db)
    assert "mean absolute error 2501" in r.stdout and ".000" not in r.stdout.replace("0.090", "")
    again = cli("ledger", "resolve", "1", "8000", "--db", db)
    assert "(absolute error 5000);" in again.stderr


def test_score_counts_and_table_title_at_80_columns(cli, db, monkeypatch) -> None:
    """'1 forecast' (not '1 forecasts'), and the calibration table's title stays on one line
    when the table is narrower than it."""
    monkeypatch.setenv("COLUMNS", "80")
    cli("ledger", "add", "Tariff rate", "40", "--quantiles", "50:40", "--db", db)
    cli("ledger", "resolve", "1", "41", "--db", db)
    out = cli("ledger", "score", "--db", db).stdout
    assert out.startswith("1 forecast, 1 resolved, 0 open\n")
    assert "calibration: what the forecasts said and what happened\n" in out


def test_an_unknown_forecast_number_names_the_numbers_there_are(cli, db) -> None:
    cli("ledger", "add", "Deal?", "0.5", "--db", db)
    for args in (("resolve", "4", "1"), ("history", "4")):
        r = cli("ledger", *args, "--db", db)
        assert r.exit_code == 2 and r.stderr.count("\n") == 1
        assert "ENTRY 4: no forecast #4 (expected a number that 'detente ledger list' shows: #1)" in r.stderr


@pytest.mark.parametrize("date", ["20271231", "2027-W01-1", "2027-02-30", "31/12/2027"])
def test_resolves_must_be_yyyy_mm_dd(cli, db, date) -> None:
    """--resolves 20271231 was recorded as '20271231' (date.fromisoformat reads it); the line
    names the option the user typed."""
    r = cli("ledger", "add", "Deal?", "0.5", "--resolves", date, "--db", db)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == f"error: --resolves: expected YYYY-MM-DD, received '{date}'\n"
    assert not Path(db).exists()
