"""The package's shape: no import cycle (imports inside functions count), and a query worker that
imports no web module."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import ptce_kg

PACKAGE = Path(ptce_kg.__file__).parent

#: (importing module, imported module, line)
Edge = tuple[str, str, int]


def module_names(root: Path) -> dict[str, Path]:
    """Every module under the package directory ``root``, by dotted name."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: at the top, in functions, in classes, in ``try``;
    not those under ``if TYPE_CHECKING:`` (never executed)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                yield from _imports(ast.Module(body=[child], type_ignores=[]))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        yield from _imports(node)


def import_edges(modules: dict[str, Path]) -> list[Edge]:
    """The imports between ``modules``: ``from a import b`` goes to ``a.b`` when it is a module,
    else to ``a``; importing a submodule does not count as importing its parent package."""

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    edges = []
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            for target in targets:
                found = known(target)
                if found is not None and found != name:
                    edges.append((name, found, node.lineno))
    return edges


def import_cycles(edges: list[Edge]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for source, target, _ in edges:
        graph.setdefault(source, set()).add(target)
        graph.setdefault(target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_no_import_cycle_in_the_package():
    modules = module_names(PACKAGE)
    edges = import_edges(modules)
    cycles = import_cycles(edges)
    described = []
    for cycle in cycles:
        members = set(cycle)
        inside = sorted(
            {
                f"  {source} -> {target} ({modules[source].relative_to(PACKAGE.parent)}:{line})"
                for source, target, line in edges
                if source in members and target in members
            }
        )
        described.append(" <-> ".join(cycle) + "\n" + "\n".join(inside))
    assert not cycles, "import cycles:\n" + "\n".join(described)


def test_the_cycle_finder_sees_imports_inside_functions_and_skips_type_checking(tmp_path: Path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from pkg.sub.c import C\n")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def f():\n    from .a import x\n")
    (package / "sub" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.sub import C\n"
        "import pkg.a\n"
    )
    modules = module_names(package)
    assert set(modules) == {"pkg", "pkg.sub", "pkg.a", "pkg.b", "pkg.sub.c"}
    edges = import_edges(modules)
    assert ("pkg.b", "pkg.a", 2) in edges  # relative, inside a function
    assert ("pkg.sub.c", "pkg.sub", 3) not in edges  # only for type checkers
    assert import_cycles(edges) == [["pkg.a", "pkg.b"]]


def test_a_query_worker_imports_no_web_module_nor_http_client():
    """What a query worker process imports at its start (and at each restart after a timeout)."""
    program = (
        "import json, sys; import ptce_kg.execution.worker; print(json.dumps(sorted(sys.modules)))"
    )
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", program], capture_output=True, text=True, check=True
        ).stdout
    )
    unwanted = ("ptce_kg.web", "fastapi", "starlette", "httpx", "rdflib", "jinja2", "pyshacl")
    assert [m for m in loaded if m.split(".")[0] in unwanted or m.startswith(unwanted)] == []
    assert "ptce_kg.store.embedded" in loaded and "pyoxigraph" in loaded
