"""The import graph of ``src/detente`` points one way: no module imports itself back (issue #13).

Built from the AST of every module: ``import detente.x`` and ``from detente.x import y`` (and
relative imports) anywhere in the file, **including imports inside functions** (lazy imports
count: a lazy cycle is still two modules that need each other). Imports under
``if TYPE_CHECKING:`` are left out (they never run). ``from package import name`` is an edge to the
submodule ``package.name`` when that is a module, else to the package. Importing ``a.b.c`` also runs
``a/__init__`` and ``a/b/__init__``; those implicit parent edges are not counted (every submodule
would otherwise "cycle" with a package ``__init__`` that re-exports it).
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "detente"


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking(node: ast.If) -> bool:
    return "TYPE_CHECKING" in ast.unparse(node.test)


def import_graph(root: Path) -> dict[str, set[str]]:
    """``module -> modules it imports`` for every module of the package at ``root``."""
    files = {_module_name(p, root): p for p in sorted(root.rglob("*.py"))}

    def known(name: str) -> str | None:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for me, path in files.items():
        is_pkg = path.name == "__init__.py"
        out: set[str | None] = set()

        def visit(node: ast.AST, me: str = me, is_pkg: bool = is_pkg, out: set[str | None] = out) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.If) and _type_checking(child):
                    for orelse in child.orelse:
                        visit(orelse)
                    continue
                if isinstance(child, ast.Import):
                    out.update(known(a.name) for a in child.names if a.name.split(".")[0] == root.name)
                elif isinstance(child, ast.ImportFrom):
                    if child.level:
                        base = me if is_pkg else me.rpartition(".")[0]
                        for _ in range(child.level - 1):
                            base = base.rpartition(".")[0]
                        mod = f"{base}.{child.module}" if child.module else base
                    else:
                        mod = child.module or ""
                    if mod.split(".")[0] == root.name:
                        for a in child.names:
                            sub = f"{mod}.{a.name}"
                            out.add(sub if sub in files else known(mod))
                visit(child)

        visit(ast.parse(path.read_text(encoding="utf-8")))
        graph[me] = {m for m in out if m is not None and m != me}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as ``[a, b, ..., a]``, or None (depth-first search, white/grey/black)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def dfs(v: str) -> list[str] | None:
        state[v] = 1
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if state.get(w) == 1:
                return stack[stack.index(w) :] + [w]
            if w not in state and (found := dfs(w)):
                return found
        stack.pop()
        state[v] = 2
        return None

    for v in sorted(graph):
        if v not in state and (found := dfs(v)):
            return found
    return None


def test_the_graph_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    pkg = tmp_path / "detente"
    (pkg / "kernels").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "kernels" / "__init__.py").write_text("")
    (pkg / "kernels" / "a.py").write_text("def f():\n    from detente.kernels.b import g\n")
    (pkg / "kernels" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from detente.kernels import c\n"
        "def g():\n    from . import a\n"
    )
    (pkg / "kernels" / "c.py").write_text("import detente.kernels.b\n")
    graph = import_graph(pkg)
    assert graph["detente.kernels.a"] == {"detente.kernels.b"}
    assert graph["detente.kernels.b"] == {"detente.kernels.a"}  # the TYPE_CHECKING import is left out
    assert graph["detente.kernels.c"] == {"detente.kernels.b"}
    assert find_cycle(graph) == ["detente.kernels.a", "detente.kernels.b", "detente.kernels.a"]


def test_no_import_cycle_in_detente() -> None:
    graph = import_graph(SRC)
    assert len(graph) > 50 and "detente.kernels.eum" in graph
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])
