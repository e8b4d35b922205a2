"""Public API: the exported names, listed literally; ``dir()``; docstrings; docs/api.md and the error tree.

Adding or removing a public name must be deliberate: update ``EXPORTED`` below, docs/api.md and
``detente.__all__`` together (the way httpx pins its exported members).
"""

from __future__ import annotations

import ast
import doctest
import importlib
import inspect
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import detente
from detente import errors

ROOT = Path(__file__).resolve().parents[1]
API_DOC = ROOT / "docs" / "api.md"

EXPORTED = [
    "Actor",
    "ConvergenceWarning",
    "DetenteError",
    "DetenteWarning",
    "Evidence",
    "Forecast",
    "GameConfig",
    "InputFileError",
    "Issue",
    "MissingExtraError",
    "ModelConfigError",
    "Perturbation",
    "Prediction",
    "Scale",
    "Scenario",
    "ScenarioArrays",
    "ScenarioError",
    "Stance",
    "StoreError",
    "UnknownModelError",
    "__version__",
    "available_models",
    "cohesion",
    "forecast",
    "get_model",
    "knockout",
    "load_builtin",
    "read_scenario",
    "render_report",
    "run_ensemble",
    "simulate",
    "to_arrays",
    "tornado",
    "what_it_takes",
    "write_scenario",
]


def test_exported_members() -> None:
    assert detente.__all__ == EXPORTED  # the literal list: sorted, nothing added or removed silently
    assert dir(detente) == sorted(EXPORTED)


def test_all_sorted_and_resolvable() -> None:
    assert list(detente.__all__) == sorted(detente.__all__)
    for name in detente.__all__:
        assert getattr(detente, name) is not None, name


def test_every_export_importable_and_documented() -> None:
    """Each name imports with ``from detente import NAME`` in a fresh interpreter and has its own docstring."""
    code = f"from detente import {', '.join(EXPORTED)}; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok", out.stderr
    assert re.fullmatch(r"\d+\.\d+(\.\d+)?\S*", detente.__version__)
    for name in EXPORTED:
        if name == "__version__":
            continue
        obj = getattr(detente, name)
        doc = obj.__doc__ or ""
        # a dataclass without a docstring gets its signature as __doc__: that does not count
        assert doc.strip() and not doc.startswith(f"{obj.__name__}("), f"{name} has no docstring"


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        detente.nope  # noqa: B018
    assert not hasattr(detente, "kernels_eum")


def test_lazy_names_load_their_module_on_first_use() -> None:
    code = (
        "import sys, detente; before = 'detente.sim' in sys.modules; detente.simulate; "
        "print(before, 'detente.sim' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]


def test_docs_api_lists_every_export() -> None:
    text = API_DOC.read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `([A-Za-z_]\w*)` \|", text, flags=re.M))
    assert rows >= set(EXPORTED), sorted(set(EXPORTED) - rows)


# ----------------------------------------------------------------------------------------------
# the error tree


def _parse_tree(text: str) -> dict[str, tuple[tuple[str, ...], str]]:
    """``name -> (bases, module)`` from a box-drawing tree: the parent, then the built-ins in brackets.

    Depth is the column of the name / 4; ``[module]`` marks a class defined outside detente.errors.
    """
    out: dict[str, tuple[tuple[str, ...], str]] = {}
    stack: list[str] = []
    for line in text.splitlines():
        m = re.search(r"[A-Za-z_]\w*", line)
        if not m or not line.strip():
            continue
        depth = m.start() // 4
        name = m.group()
        rest = line[m.end() :]
        builtins = re.match(r"\s*\(([\w, ]+)\)", rest)
        module = re.search(r"\[([\w.]+)\]", rest)
        del stack[depth:]
        parent = (stack[-1],) if stack else ()
        extra = tuple(b.strip() for b in builtins.group(1).split(",")) if builtins else ()
        out[name] = (parent + extra, module.group(1) if module else "detente.errors")
        stack.append(name)
    return out


def _doc_tree() -> dict[str, tuple[tuple[str, ...], str]]:
    text = API_DOC.read_text(encoding="utf-8")
    section = text[text.index("## Errors and warnings") :]
    block = re.search(r"```text\n(.*?)```", section, flags=re.S)
    assert block, "docs/api.md: no ```text block under 'Errors and warnings'"
    return _parse_tree(block.group(1))


def _actual_tree() -> dict[str, tuple[tuple[str, ...], str]]:
    """The classes of detente.errors, plus every subclass of them defined elsewhere in src (by AST)."""
    out = {
        name: (tuple(b.__name__ for b in cls.__bases__), "detente.errors")
        for name, cls in vars(errors).items()
        if inspect.isclass(cls) and cls.__module__ == "detente.errors"
    }
    src = ROOT / "src" / "detente"
    classes = []
    for path in sorted(src.rglob("*.py")):
        if path.name == "errors.py" and path.parent == src:
            continue
        module = ".".join(path.relative_to(src.parent).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = tuple(b.id if isinstance(b, ast.Name) else ast.unparse(b) for b in node.bases)
                classes.append((node.name, bases, module))
    grew = True
    while grew:
        grew = False
        for name, bases, module in classes:
            if name not in out and any(b in out for b in bases):
                out[name] = (bases, module)
                grew = True
    return out


def test_error_tree_in_docs_matches_the_classes() -> None:
    assert _doc_tree() == _actual_tree()


def test_error_tree_in_errors_module_docstring_matches_docs() -> None:
    assert errors.__doc__ is not None
    assert _parse_tree(textwrap.dedent(errors.__doc__.split("::", 1)[1])) == _doc_tree()


def test_every_error_class_has_one_root() -> None:
    for name, cls in vars(errors).items():
        if inspect.isclass(cls) and cls.__module__ == "detente.errors":
            assert issubclass(cls, errors.DetenteError | errors.DetenteWarning), name
            assert cls.__doc__, name


# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "module",
    [
        "detente.core.scale",
        "detente.core.scenario",
        "detente.core.text",
        "detente.models.base",
        "detente.models.registry",
    ],
)
def test_doctests(module: str) -> None:
    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted > 0
