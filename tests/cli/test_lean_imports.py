"""The CLI's start-up path stays light (issue 15: ``detente --help`` under 0.3 s).

Heavy stacks load only when a command's output needs them: plotly/jinja2 for the HTML report,
pandas for tables of events, fastapi for ``serve``, dask for distributed sweeps, sqlalchemy for the
ledger, numpy/scipy for the models. Checked in a fresh interpreter (``sys.modules`` after the import
and after ``--help``), so an eager import anywhere on the path fails here.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("plotly", "pandas", "jinja2", "fastapi", "starlette", "dask", "distributed", "sqlalchemy", "numba")
HEAVY_FOR_HELP = (*HEAVY, "numpy", "scipy", "yaml")


def _loaded(code: str, names: tuple[str, ...]) -> list[str]:
    probe = f"{code}\nimport sys\nprint(','.join(m for m in {names!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().splitlines()[-1].split(",") if m] if out.stdout.strip() else []


def test_import_cli_is_light() -> None:
    assert _loaded("import detente.cli.app", HEAVY_FOR_HELP) == []


def _command(argv: list[str]) -> str:
    """Code that runs ``detente *argv`` in the probe's fresh interpreter (stdout swallowed)."""
    return (
        "import sys, contextlib, io\n"
        f"sys.argv = ['detente', *{argv!r}]\n"
        "from detente.cli.app import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit:\n"
        "        pass"
    )


@pytest.mark.parametrize("argv", [["--help"], ["forecast", "--help"], ["run", "--help"], ["--version"]])
def test_help_is_light(argv: list[str]) -> None:
    assert _loaded(_command(argv), HEAVY_FOR_HELP) == []


# a table forecast of a built-in
TABLE_FORECAST = _command(["forecast", "emission-standards-1994", "-m", "compromise"])


def test_forecast_loads_no_report_or_web_stack() -> None:
    """A table forecast needs numpy and the models, not the report, the web app or the store."""
    code = TABLE_FORECAST
    names = ("numpy", "plotly", "jinja2", "fastapi", "dask", "distributed", "sqlalchemy", "numba")
    assert _loaded(code, names) == ["numpy"]  # numpy: the forecast did run


def test_run_with_its_report_loads_no_plotly(tmp_path) -> None:
    """The report's figures are plain dicts (detente.report.figure): plotly's Python package, about half a
    second of validation per run, is not imported (it is only a test dependency now)."""
    out = tmp_path / "r.html"
    code = _command(["run", "emission-standards-1994", "--report", str(out)])
    assert _loaded(code, ("plotly", "jinja2")) == ["jinja2"]  # jinja2: the report was rendered
    assert "Plotly.newPlot" in out.read_text(encoding="utf-8")


def test_table_forecast_loads_no_json_shapes() -> None:
    """The JSON document shapes (pydantic models, ≈ 60 ms to build) load only for ``--format json``."""
    code = TABLE_FORECAST
    assert _loaded(code, ("detente.io.documents", "detente.models.base")) == ["detente.models.base"]


def test_command_annotations_are_evaluated_once() -> None:
    """typer builds every command at every start; string annotations (``from __future__ import
    annotations``) would be evaluated about four times each there (cli/app.py ``_resolve_annotations``)."""
    import typer

    from detente.cli.app import app

    def callbacks(t: typer.Typer) -> list[object]:
        out: list[object] = [i.callback for i in t.registered_commands]
        for g in t.registered_groups:
            if g.typer_instance is not None:
                out += callbacks(g.typer_instance)
        return out

    found = [f for f in callbacks(app) if f is not None]
    assert len(found) > 20
    strings = [
        f"{f.__name__}: {k}" for f in found for k, v in f.__annotations__.items() if isinstance(v, str)
    ]
    assert strings == []


def test_the_cli_skips_the_collector_at_shutdown() -> None:
    """Every object alive when a command returns is frozen out of the cycle collector, whose passes
    over them during the interpreter's shutdown cost ≈ 0.1 s after ``detente run``
    (docs/performance.md); the objects are still freed by reference counting."""
    code = _command(["--version"]) + "\nimport gc\nprint(gc.get_freeze_count() > 0)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-1] == "True"
