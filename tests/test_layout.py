"""The package's shape: no import circles between modules or between packages, and only the front ends
import typer, rich or mcp.

Run by hand: ``python -m tests.test_layout`` prints the layers, lowest first (the README draws them).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import grimp

FRONT_ENDS = ("joeladr.cli", "joeladr.agents")
UI_PACKAGES = {"typer", "rich", "mcp", "uvicorn", "starlette"}


@lru_cache(maxsize=1)
def _graph() -> Any:
    # every import counts, also those inside functions; only `if TYPE_CHECKING:` blocks are left out
    return grimp.build_graph("joeladr", include_external_packages=True, exclude_type_checking_imports=True)


def _module_edges() -> dict[str, list[str]]:
    graph = _graph()
    modules = sorted(m for m in graph.modules if m == "joeladr" or m.startswith("joeladr."))
    return {m: sorted(n for n in graph.find_modules_directly_imported_by(m) if n in modules) for m in modules}


def unit(module: str) -> str:
    """The package (or top-level module) a module belongs to: ``joeladr.adr.parse`` -> ``joeladr.adr``."""
    return ".".join(module.split(".")[:2])


def package_edges() -> dict[str, list[str]]:
    """Which package imports which (a package's modules' imports, outside the package)."""
    edges: dict[str, set[str]] = {}
    for module, imported in _module_edges().items():
        edges.setdefault(unit(module), set()).update(unit(n) for n in imported if unit(n) != unit(module))
    return {k: sorted(v) for k, v in edges.items()}


def import_cycles() -> list[list[str]]:
    """Strongly connected groups of joeladr modules: each is an import circle."""
    return strongly_connected(_module_edges())


def package_cycles() -> list[list[str]]:
    """Groups of packages that import each other (a package importing one that imports it back)."""
    return strongly_connected(package_edges())


def layers() -> list[list[str]]:
    """The packages in layers: each imports only from the layers below it."""
    edges = package_edges()
    depth: dict[str, int] = {}

    def level(node: str) -> int:
        if node not in depth:
            depth[node] = 0
            depth[node] = 1 + max((level(n) for n in edges.get(node, [])), default=-1)
        return depth[node]

    for node in edges:
        level(node)
    found: list[list[str]] = [[] for _ in range(max(depth.values()) + 1)]
    for node, d in depth.items():
        found[d].append(node.removeprefix("joeladr."))
    return [sorted(layer) for layer in found]


def strongly_connected(edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of nodes that reach each other (each a circle)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, []):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in edges.get(node, []):
                groups.append(sorted(group))

    for module in edges:
        if module not in index:
            visit(module)
    return groups


def test_no_import_circles() -> None:
    assert import_cycles() == []


def test_no_package_imports_a_package_that_imports_it_back() -> None:
    assert package_cycles() == []


def test_the_front_ends_sit_on_the_application_layer() -> None:
    edges = package_edges()
    for front in FRONT_ENDS:
        assert "joeladr.app" in edges[front], front
    importers = {name: {k for k, v in edges.items() if name in v} for name in FRONT_ENDS}
    assert importers == {"joeladr.cli": {"joeladr.__main__"}, "joeladr.agents": {"joeladr.cli"}}  # `joeladr mcp`


def test_the_core_never_imports_the_terminal_libraries() -> None:
    graph = _graph()
    offenders = sorted(
        f"{module} imports {package}"
        for module in graph.modules
        if module.startswith("joeladr.") and not module.startswith(FRONT_ENDS)
        for package in UI_PACKAGES & set(graph.find_modules_directly_imported_by(module))
    )
    assert offenders == []


if __name__ == "__main__":
    for number, layer in enumerate(layers()):
        print(number, " ".join(layer))
