"""The import rule of architecture.md §1 and the AST bans of §8, enforced."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "detente"

LAYER = {
    "errors": 0,
    "_typing": 0,
    "_version": 0,
    "_lazy": 0,  # the lazy name resolver of detente and detente.core (stdlib only)
    "defaults": 0,
    "vocabulary": 0,
    "core": 1,
    "kernels": 1,
    "models": 2,
    "sim": 2,
    "analysis": 3,
    "testing": 3,
    "io": 4,
    "store": 4,
    "parallel": 4,
    "report": 5,
    "cli": 6,
    "web": 6,
    "__main__": 7,  # python -m detente: the entry point, above the CLI it runs
}
PURE = {"core", "kernels", "models", "sim", "analysis"}
# numerics without I/O; scipy: the quantile-regression LP of analysis/calibration.py, scoringrules: the
# proper scores of analysis/prob_scores.py (issue #14); llvmlite: numba's code generator (ships with
# numba), for the bit casts and fma of kernels/vecmath.py
PURE_THIRD_PARTY_OK = {"numpy", "numba", "llvmlite", "__future__", "scipy", "scoringrules"}
PURE_STDLIB_BANNED = {
    "os",
    "pathlib",
    "logging",
    "random",
    "time",
    "subprocess",
    "socket",
    "urllib",
    "io",
    "shutil",
    "tempfile",
    "datetime",
}
BANNED_CALLS = {"open", "print", "input"}


def _area(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 or rel.stem != "__init__" else "__init__"


def _files() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py"))


def _imports(tree: ast.AST) -> list[tuple[str, int]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, node.lineno))
    return out


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(SRC)))
def test_layering(path: Path) -> None:
    area = _area(path)
    if area == "__init__":
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    mine = LAYER[area]
    for mod, line in _imports(tree):
        top = mod.split(".")[0]
        if top == "click":
            pytest.fail(f"{path}:{line}: never import click (typer vendors it)")
        if top == "detente":
            parts = mod.split(".")
            if len(parts) == 1:
                if area not in ("cli", "web", "report"):
                    pytest.fail(
                        f"{path}:{line}: import submodules, not the detente package, below the shells"
                    )
                continue
            other = parts[1]
            if other not in LAYER:
                continue
            if other == area:
                continue
            if LAYER[other] >= mine:
                pytest.fail(
                    f"{path}:{line}: {area} (L{mine}) imports {other} (L{LAYER[other]}): only lower layers allowed"
                )
            if other == "testing":
                pytest.fail(f"{path}:{line}: nothing imports detente.testing")
        elif area in PURE:
            if top not in PURE_THIRD_PARTY_OK and (
                top in PURE_STDLIB_BANNED or top not in sys.stdlib_module_names
            ):
                pytest.fail(f"{path}:{line}: pure layer {area} may not import {mod}")


@pytest.mark.parametrize(
    "path", [p for p in _files() if _area(p) in PURE], ids=lambda p: str(p.relative_to(SRC))
)
def test_pure_ast_bans(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in BANNED_CALLS:
                pytest.fail(f"{path}:{node.lineno}: {f.id}() is banned in pure layers")
            if isinstance(f, ast.Attribute):
                # legacy global RNG: np.random.<fn>(...) other than default_rng / SeedSequence / Generator
                v = f.value
                if (
                    isinstance(v, ast.Attribute)
                    and v.attr == "random"
                    and isinstance(v.value, ast.Name)
                    and v.value.id in ("np", "numpy")
                    and f.attr not in ("default_rng", "SeedSequence", "Generator", "PCG64")
                ):
                    pytest.fail(f"{path}:{node.lineno}: legacy np.random.{f.attr} is banned; use a Generator")
                if f.attr == "simplefilter" and isinstance(v, ast.Name) and v.id == "warnings":
                    pytest.fail(f"{path}:{node.lineno}: warnings.simplefilter is banned in pure layers")


def test_import_detente_is_light() -> None:
    """``import detente`` loads none of the heavy optional stacks (architecture.md §8)."""
    code = (
        "import sys, detente; heavy = [m for m in ('pandas','pydantic','plotly','jinja2','typer','sqlalchemy','fastapi',"
        "'dask','yaml','rich') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"import detente loaded: {out}"


def test_repository_needs_nothing_outside_it() -> None:
    """A clone is complete: no source, test, doc, example, script or the README points outside the repository."""
    root = Path(__file__).resolve().parents[1]
    pattern = re.compile(
        # the outside folder's name is assembled so that this file does not itself name it
        r"\.\./{0}|DETENTE_{1}|parent\s*/\s*\"{0}\"|\b{0}/(data|docs|seed|sealed)\b".format(
            "sha" + "red", "SHA" + "RED"
        )
    )
    offenders = []
    for folder in ("src", "tests", "docs", "examples", "benchmarks", "scripts", ".ci"):
        for p in (root / folder).rglob("*"):
            if p.is_file() and p.suffix in {".py", ".md", ".yaml", ".yml", ".html", ".txt", ".toml", ""}:
                if p.resolve() == Path(__file__).resolve():
                    continue
                text = p.read_text(encoding="utf-8", errors="replace")
                offenders += [
                    f"{p.relative_to(root)}:{n}"
                    for n, line in enumerate(text.splitlines(), 1)
                    if pattern.search(line)
                ]
    readme = (root / "README.md").read_text(encoding="utf-8")
    offenders += [f"README.md:{n}" for n, line in enumerate(readme.splitlines(), 1) if pattern.search(line)]
    assert not offenders, offenders
    assert (root / "data" / "README.md").is_file() and (root / "data" / "deu" / "deu3_dev.tsv").is_file()
