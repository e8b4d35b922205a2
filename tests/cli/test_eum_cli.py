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
    # one viewer shown at a time: the panel's 4 traces (three verdicts and the labels) take the chosen
    # viewer's points from its menu button (the chart kept one trace per viewer, all but one hidden)
    assert len(fig.data) == 4
    for button in fig.layout["updatemenus"][0]["buttons"]:
        assert button["method"] == "update"
        assert all(len(v) == len(fig.data) for v in button["args"][0].values())
    assert any("oscillating" in n for n in part.notes)


@pytest.mark.parametrize(
    ("numba_there", "draws", "note"), [(False, 1700, True), (False, 50, False), (True, 1700, False)]
)
def test_sweep_says_when_the_fast_extra_would_speed_it_up(cli, monkeypatch, numba_there, draws, note) -> None:
    """Without numba a large EUM sweep (ukraine-2025: 1,700 draws × 6 issues × 10² ≥ 10⁶) runs on NumPy (same numbers, ~4× slower): one stderr line
    names the fast extra; small sweeps (NumPy anyway under ``auto``) and installs with numba say
    nothing."""
    import detente.models.eum as eum_mod

    monkeypatch.setattr(eum_mod, "numba_available", lambda: numba_there)
    if numba_there:  # the sweep would then really run on numba: check the decision only
        assert not eum_mod.ExpectedUtility().numba_missing_for(10_000, 20)
        return
    r = cli(
        "sweep", "ukraine-2025", "-m", "eum", "--draws", str(draws), "--processes", "1", "--format", "json"
    )
    assert r.exit_code == 0, r.output
    json.loads(r.stdout)  # the note never mixes into the document on stdout
    err = " ".join(r.stderr.split())
    said = "fast extra" in err and "numba is not installed" in err
    assert said == note, r.stderr
    if note:
        assert "pip install 'detente[fast]'" in err and "pip install -e '.[fast]'" in err
