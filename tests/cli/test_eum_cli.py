"""The EUM through the CLI contract (forecast JSON) and in ``detente run`` (report part ``eum``)."""

from __future__ import annotations

import json

import pytest


def test_forecast_eum_json_trajectory_contract(cli) -> None:
    r = cli(
        "forecast",
        "emission-standards-1994",
        "--model",
        "eum",
        "--set",
        "variant=scholz2011",
        "--set",
        "q=1.0",
        "--set",
        "rounds=8",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)["results"][0]
    assert res["model"] == "eum" and res["params"]["rounds"] == 8 and res["params"]["q"] == 1.0
    iss = res["issues"][0]
    traj = iss["trajectory"]
    assert [e["round"] for e in traj] == list(range(9))
    assert traj[0]["positions"]["belgium"] == 7.0 and traj[0]["median"] == 7.0
    assert traj[0]["mean"] == pytest.approx(7.389956, abs=1e-6)
    assert traj[1]["positions"]["belgium"] == pytest.approx(8.415932, abs=1e-6)
    assert [round(e["median"], 6) for e in traj[1:]] == pytest.approx(
        [8.415932, 9.610859, 9.961980, 9.961980, 9.961980, 7.472046, 8.824594, 9.671130], abs=1e-6
    )
    assert iss["forecast"] == pytest.approx(9.671130, abs=1e-6)
    assert iss["status"] == "oscillating"


def test_forecast_eum_table_and_bad_set(cli) -> None:
    r = cli("forecast", "emission-standards-1994", "--model", "eum", "--set", "variant=paper")
    assert r.exit_code == 0 and "converged" in r.stdout and "7.00" in r.stdout
    r = cli("forecast", "emission-standards-1994", "--model", "eum", "--set", "variant=bdm")
    assert r.exit_code == 2 and "variant" in r.output and "Traceback" not in r.output


def test_report_part_eum() -> None:
    from detente.analysis.main_job import MainJobOptions, main_job
    from detente.io.builtin import load_builtin
    from detente.report.parts.eum import build

    part = build(main_job(load_builtin("emission-standards-1994"), MainJobOptions(parts=("eum",))))
    assert part.name == "eum" and part.manifest["status"] == {"emission": "oscillating"}
    (table,) = part.tables
    row = table.rows[0]
    assert row[1] == "7.0" and row[2] == "oscillating" and row[3] == "7.0–10.0"
    assert "Ireland: lost to Luxembourg" in row[4] and "Luxembourg: lost to Belgium 10×" in row[4]
    ids = [s.id for s in part.sections]
    assert ids == ["eum-trajectories", "eum-perspective"]
    traj, persp = part.sections
    assert traj.figures and traj.tables[0].rows[0][:5] == [
        "1",
        traj.tables[0].rows[0][1],
        "Belgium",
        "compromise",
        "France",
    ]
    fig = persp.figures[0]
    assert len(fig.layout["updatemenus"][0]["buttons"]) == 10
    assert sum(bool(t["visible"]) for t in fig.data) == 1  # one viewer (one issue) shown at a time
    assert any("oscillating" in n for n in part.notes)
