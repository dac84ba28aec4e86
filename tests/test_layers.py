"""Dependencies point one way: no circle of files in ``chaos``, and no arrow that was removed
comes back.

The graph is read from the source with ``ast``, so an import only made for type hints (under
``if TYPE_CHECKING:``) or inside a function counts like any other: a circle hidden from the
interpreter is still a circle for the reader. A package's ``__init__`` importing its own
submodules to re-export them is not an arrow of its own.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from collections import defaultdict
from pathlib import Path

import pytest

import chaos

ROOT = Path(chaos.__file__).parent

#: Package arrows that ran back up and were removed: (importer, imported).
REMOVED_ARROWS = {
    # The toxiproxy-server command lives with the server it runs, below the CLI.
    ("chaos.toxiproxy", "chaos.cli"),
    # The sweep knows no kind of thing: each kind's sweeper is declared by name, not imported.
    ("chaos.sweep", "chaos.netns"),
    ("chaos.sweep", "chaos.servers"),
    # The front ends' shared parts live below them: the plugin uses no CLI module.
    ("chaos.pytest_plugin", "chaos.cli"),
    # The HTTP load stands on the workload; app servers are a layer below runner and benchmarks.
    ("chaos.appmode", "chaos.runner"),
    ("chaos.runner", "chaos.bench"),
    # The reports read verdicts, never the runner.
    ("chaos.reports", "chaos.runner"),
}


def _modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module under ``root`` (a package is its __init__)."""
    modules = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The module ``name`` lives in (``pkg.mod.Name`` -> ``pkg.mod``)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules of ``root``'s package it imports, anywhere in its file."""
    modules = _modules(root)
    top = root.name
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        package = module if is_package else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                # ``from pkg import mod`` is an arrow to the submodule, not to pkg's __init__.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            else:
                continue
            for target in targets:
                if target != top and not target.startswith(top + "."):
                    continue
                resolved = _resolve(target, modules)
                if resolved is None or resolved == module:
                    continue
                if is_package and resolved.startswith(module + "."):
                    continue  # a re-export of its own submodule
                graph[module].add(resolved)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    nodes = set(graph) | {target for targets in graph.values() for target in targets}
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def package_arrows(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {
        (_package(module), _package(target))
        for module, targets in graph.items()
        for target in targets
        if _package(module) != _package(target)
    }


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(ROOT)


def test_the_graph_sees_imports_made_for_type_hints_only(tmp_path):
    """The check can fail: a circle closed by an ``if TYPE_CHECKING:`` import is found."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from pkg.a import A\n")
    (package / "a.py").write_text("from pkg.b import B\nclass A: ...\n")
    (package / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\nclass B: ...\n"
    )
    assert cycles(import_graph(package)) == [["pkg.a", "pkg.b"]]


def test_a_packages_reexport_of_its_own_submodules_is_no_circle(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("VERSION = '1'\nfrom pkg.a import A\n")
    (package / "a.py").write_text("from pkg import VERSION\nclass A: ...\n")
    assert cycles(import_graph(package)) == []


def test_the_graph_of_chaos_is_read_whole(graph):
    # Known arrows, one of them made inside a function: the graph is not empty by mistake.
    assert "chaos.toxiproxy.server.link" in graph["chaos.toxiproxy.server.connection"]
    assert "chaos.owner" in graph["chaos.cli.check"]


def test_no_circle_of_files_in_chaos(graph):
    assert cycles(graph) == []


def test_no_removed_arrow_runs_back_up(graph):
    assert package_arrows(graph) & REMOVED_ARROWS == set()


#: Imports every module of chaos as the first one loaded (each from a clean slate of chaos.*).
_EACH_FIRST = textwrap.dedent(
    """
    import importlib, pkgutil, sys, chaos
    names = sorted(m.name for m in pkgutil.walk_packages(chaos.__path__, "chaos."))
    for name in names:
        for loaded in [m for m in sys.modules if m == "chaos" or m.startswith("chaos.")]:
            del sys.modules[loaded]
        try:
            importlib.import_module(name)
        except Exception as e:
            print(f"{name}: {e!r}")
    """
)


def test_every_module_imports_first_on_its_own():
    """What the file graph cannot see: importing a submodule runs its package's __init__ first,
    so a module low in the graph can still close a circle at run time through a package that
    re-exports a higher one (``toxics/`` loads the protocol toxics): it then fails on a
    partially initialised module when it is the first one imported."""
    result = subprocess.run(
        [sys.executable, "-c", _EACH_FIRST], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_the_owner_tag_is_at_the_bottom(graph):
    """The sweep, the docker engine, the namespaces and the servers all stand on it."""
    assert graph.get("chaos.owner", set()) == set()
    assert graph["chaos.sweep"] == {"chaos.owner"}


def unresolved_imports(root: Path) -> list[str]:
    """``file:line module`` for every import of ``root``'s package, at any depth of a file (the
    lazy ones inside functions too), whose module does not exist: a move that left a caller
    behind fails only when that function runs, which may be on no test's path."""
    modules = _modules(root)
    top = root.name
    missing = []
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            elif isinstance(node, ast.ImportFrom):
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                names = [".".join([*parts, node.module] if node.module else parts)]
            else:
                continue
            for name in names:
                if (name == top or name.startswith(top + ".")) and name not in modules:
                    missing.append(f"{path.relative_to(root.parent)}:{node.lineno} {name}")
    return missing


def test_unresolved_imports_are_found(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def later():\n    from pkg.gone import thing\n")
    assert unresolved_imports(package) == ["pkg/a.py:2 pkg.gone"]


def test_every_import_of_chaos_names_a_module_that_exists():
    assert unresolved_imports(Path(chaos.__file__).parent) == []
