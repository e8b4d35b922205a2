"""Issue 12, item 12 ("small things"): CSV column names, one default scenario, suggestions for a
mistyped scenario, scale positions in words, one default number of simulator runs."""

from __future__ import annotations

import json

import pytest

SCENARIO_COMMANDS = (
    "run",
    "report",
    "forecast",
    "sweep",
    "levers",
    "cohesion",
    "sensitivity",
    "explain",
    "simulate",
)


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- 1. CSV names the scale's ends


def test_forecast_csv_names_the_scale_ends(cli) -> None:
    r = cli("forecast", "emission-standards-1994", "--model", "median", "--format", "csv")
    assert r.exit_code == 0, r.output
    header, row = r.stdout.splitlines()[:2]
    cols = header.split(",")
    assert "scale_low" in cols and "scale_high" in cols
    assert "low" not in cols and "high" not in cols  # they are not an interval around the forecast
    cells = dict(zip(cols, row.split(","), strict=False))
    assert (float(cells["scale_low"]), float(cells["scale_high"])) == (4.0, 10.0)


def test_forecast_json_keeps_scale_pair_and_web_json_matches() -> None:
    from detente.io.builtin import load_builtin
    from detente.models import forecast, get_model
    from detente.web.service import forecast_json

    sc = load_builtin("emission-standards-1994")
    entry = forecast_json(sc, forecast(get_model("median"), sc, seed=0))["issues"][0]
    assert entry["scale"] == [4.0, 10.0]
    assert "low" not in entry and "high" not in entry


# --------------------------------------------------------------------------- 2. one default scenario


def test_every_scenario_command_defaults_to_the_builtin() -> None:
    import typer

    from detente.cli.app import app
    from detente.cli.common import DEFAULT_SCENARIO

    assert DEFAULT_SCENARIO == "ukraine-2025"
    group = typer.main.get_command(app)
    for name in SCENARIO_COMMANDS:
        param = next(p for p in group.commands[name].params if p.name == "scenario")
        assert not param.required and param.default == DEFAULT_SCENARIO, name
        assert DEFAULT_SCENARIO in (param.help or ""), name  # said in --help, not only as [default: …]


def test_forecast_without_scenario_uses_the_default(cli) -> None:
    r = cli("forecast", "--model", "median", "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["scenario"]["id"] == "ukraine-2025"


# --------------------------------------------------------------------------- 3. did you mean …?


@pytest.mark.parametrize(
    ("args", "suggestion"),
    [
        (("forecast", "ukraine"), "'ukraine-2025'"),  # a prefix
        (("forecast", "ukrane-2025"), "'ukraine-2025'"),  # a typo
        (("sweep", "emission"), "'emission-standards-1994'"),
        (("validate", "ukraine"), "'ukraine-2025'"),
    ],
)
def test_unknown_scenario_suggests_builtins(cli, args, suggestion) -> None:
    r = cli(*args)
    assert r.exit_code == 2
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1, r.output
    assert "no such file or built-in scenario" in lines[0]
    assert f"did you mean {suggestion}?" in lines[0] and "detente scenarios" in lines[0]
    assert "Traceback" not in r.output


def test_unknown_scenario_without_close_name(cli) -> None:
    r = cli("forecast", "zzzz")
    assert r.exit_code == 2
    assert "zzzz: no such file or built-in scenario (detente scenarios lists the built-ins)" in r.output
    assert "did you mean" not in r.output
    r = cli("forecast", "no-such-thing.yaml")  # clearly a path: the file reader's own message
    assert r.exit_code == 2 and "no-such-thing.yaml: file not found" in r.output


# --------------------------------------------------------------------------- 4. positions in words


def _two_sided(points=((0.0, "no change"),)):
    from detente.core.scale import Scale

    return Scale(low=-20, high=20, labels=("cut 20 %", "raise 20 %"), points=points)


def test_two_sided_scale_reads_from_its_midpoint() -> None:
    s = _two_sided()
    assert s.describe(0.0) == "no change"
    assert s.describe(5.0) == "25% of the way from 'no change' to 'raise 20 %'"
    assert s.describe(-10.0) == "midway between 'no change' and 'cut 20 %'"
    assert s.describe(-19.0) == "near 'cut 20 %'"  # within 2.5 % of the width
    assert s.describe(-19.9) == "cut 20 %"
    assert s.describe(20.0) == "raise 20 %"


def test_two_sided_scale_with_a_status_quo_reference() -> None:
    s = _two_sided(points=())
    assert s.describe(0.0, reference=0.0) == "status quo"
    assert s.describe(10.0, reference=0.0) == "midway between 'status quo' and 'raise 20 %'"
    assert s.describe(-4.0, reference=0.0) == "20% of the way from 'status quo' to 'cut 20 %'"
    # without a reference or a labelled midpoint: between the ends, never "50 % toward" one end
    assert s.describe(0.0) == "midway between 'cut 20 %' and 'raise 20 %'"
    assert "toward" not in s.describe(0.0)


def test_in_words_column_of_forecast_on_a_two_sided_issue(cli, tmp_path) -> None:
    text = """
id: budget
issues:
- id: budget
  reference: 0
  scale: {low: -20, high: 20, labels: [cut 20 %, raise 20 %]}
actors:
- {id: a}
- {id: b}
stances:
- {actor: a, issue: budget, position: -20, salience: 1, capability: 1}
- {actor: b, issue: budget, position: 20, salience: 1, capability: 1}
"""
    path = tmp_path / "budget.yaml"
    path.write_text(text, encoding="utf-8")
    r = cli("forecast", str(path), "--model", "compromise")
    assert r.exit_code == 0, r.output
    out = _one_line(r.stdout)
    assert "compromise 0.00 status quo" in " ".join(out.split())  # was "50% toward 'raise 20 %'"
    assert "toward" not in out


def test_ukraine_issues_keep_their_meaning() -> None:
    from detente.io.builtin import load_builtin

    issues = {i.id: i for i in load_builtin("ukraine-2025").issues}

    def words(iid: str, v: float) -> str:
        i = issues[iid]
        return i.scale.describe(v, reference=i.reference)

    # labelled points and ends are still said by name
    assert words("ceasefire_sequencing", 50.0) == "ceasefire tied to a framework deal"
    assert words("line_of_separation", 100.0) == "freeze at the current line"
    assert words("security_guarantees", 49.0) == "near 'European reassurance and monitoring'"
    # between two labelled points: counted from the one nearer the status quo, toward the other
    assert words("security_guarantees", 75.0) == (
        "midway between 'European reassurance and monitoring' and 'binding guarantees backed by forces'"
    )
    # the status quo (reference) is a point of its own; small moves away from it are not hidden
    assert words("us_sanctions", 25.0) == "status quo"
    assert words("us_sanctions", 30.0) == "7% of the way from 'status quo' to 'sweeping secondary sanctions'"
    # a one-sided scale without reference keeps its old reading: the share from the low end
    assert words("ceasefire_sequencing", 10.0).endswith(
        "of the way from 'ceasefire tied to a framework deal' to 'unconditional ceasefire first'"
    )


# --------------------------------------------------------------------------- 5. one number of simulator runs


def test_run_and_simulate_give_the_same_headline(cli, tmp_path, monkeypatch) -> None:
    import detente.analysis.sim_job as sim_job
    import detente.report.parts as parts

    everything = parts.part_builders  # only the simulator part, without its what-if variants (speed)
    monkeypatch.setattr(parts, "part_builders", lambda: [(n, b) for n, b in everything() if n == "simulator"])
    monkeypatch.setattr(sim_job, "WHAT_IF", sim_job.WHAT_IF[:1])
    r = cli("simulate", "--seed", "3", "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    r = cli("run", "--seed", "3", "--report", str(tmp_path / "r.html"))
    assert r.exit_code == 0, r.output
    out = _one_line(r.stdout)
    monthly = {m["month"]: m for m in doc["monthly"]}

    def pct(x: float) -> str:
        return f"{100 * x:.0f}%"

    assert f"({doc['runs']:,} simulated runs)" in out
    assert (
        f"a first ceasefire within 6 months in {pct(monthly[6]['p_ceasefire'])} of runs and within 12 months in "
        f"{pct(monthly[12]['p_ceasefire'])}; US sanctions within 24 months in {pct(doc['outcomes']['sanctions']['p_by_end'])}"
    ) in out
    assert f"after the summit {doc['outcomes']['summit']['alignment_mean']:.2f}" in out


def test_counts_are_singular_for_one(cli, tmp_path) -> None:
    """'1 issue', not '1 issues', wherever counts are printed (run's header, validate, the report caption)."""
    from detente.core.text import plural, scenario_counts

    assert plural(1, "issue") == "1 issue" and plural(2000, "draw") == "2,000 draws"
    assert scenario_counts(10, 1, 10) == "10 actors, 1 issue, 10 stances"
    r = cli("validate", "emission-standards-1994")
    assert "1 issue," in r.output and "1 issues" not in r.output
    r = cli("run", "emission-standards-1994", "--report", str(tmp_path / "r.html"))
    assert r.exit_code == 0, r.output
    assert "10 actors, 1 issue, as of" in r.output and "1 issues" not in r.output
    # no dynamics: the brief says the ceasefire track was not simulated instead of staying silent
    assert "Ceasefire track: not simulated" in " ".join(r.output.split())
    assert "1 issues" not in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_sweep_says_why_a_model_has_no_forecast(cli) -> None:
    r = cli("sweep", "ukraine-2025", "-m", "nbs", "--draws", "20")
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "nbs gives no forecast in any draw on Ceasefire sequencing (no status quo given)" in text


def test_error_line_on_a_terminal_keeps_square_brackets(monkeypatch) -> None:
    """On a terminal ``fail`` prints through rich: the message is text, not markup, so
    "pip install 'detente[web]'" and a received value like '[x]' keep their brackets."""
    import io
    import sys

    import typer
    from rich.console import Console

    from detente.cli import common

    buf = io.StringIO()
    monkeypatch.setattr(
        common, "err_console", Console(file=buf, width=200, force_terminal=True, color_system=None)
    )
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with pytest.raises(typer.Exit):
        common.fail("rounds: expected int, received '[x]'; install pip install 'detente[web]' [bold]")
    out = buf.getvalue()
    assert "received '[x]'" in out and "'detente[web]'" in out and "[bold]" in out, out


def test_names_with_square_brackets_print_as_written(cli, tmp_path, monkeypatch) -> None:
    """Rich reads "[bold]" or "[draft]" in a string as markup and drops it: the terminal tables and
    headings show a scenario's names exactly as written (rich console without markup)."""
    import yaml

    from detente.cli import common

    monkeypatch.setattr(common.console, "width", 120)
    r = cli("convert", "ukraine-2025", str(tmp_path / "u.yaml"))
    assert r.exit_code == 0, r.output
    doc = yaml.safe_load((tmp_path / "u.yaml").read_text())
    iss = next(i for i in doc["issues"] if i["id"] == "us_sanctions")
    iss["name"] = "US sanctions [draft] on Russia"
    actor = next(a for a in doc["actors"] if a["id"] == "russia")
    actor["name"] = "Russia [bold]"
    (tmp_path / "u.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True))
    for args in (
        ("forecast", str(tmp_path / "u.yaml"), "-m", "compromise"),
        ("cohesion", str(tmp_path / "u.yaml"), "-g", "russia,ukraine"),
        ("levers", str(tmp_path / "u.yaml"), "--issue", "us_sanctions", "--target", ">=60"),
    ):
        r = cli(*args)
        assert r.exit_code == 0, r.output
        assert "US sanctions [draft] on Russia" in " ".join(r.stdout.split()), (args, r.stdout)
    r = cli("cohesion", str(tmp_path / "u.yaml"), "-g", "us,european_allies")
    assert "Russia [bold]" in r.stdout
