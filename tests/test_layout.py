"""The package's shape: no import circles, and only the front ends import typer, rich or mcp.

Run by hand: ``python -c "import tests.test_layout as t; print(t.import_cycles())"``.
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


def import_cycles() -> list[list[str]]:
    """Strongly connected groups of joeladr modules (Tarjan's algorithm): each is an import circle."""
    graph = _graph()
    modules = sorted(m for m in graph.modules if m == "joeladr" or m.startswith("joeladr."))
    edges = {m: sorted(n for n in graph.find_modules_directly_imported_by(m) if n in modules) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges[node]:
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
            if len(group) > 1 or node in edges[node]:
                groups.append(sorted(group))

    for module in modules:
        if module not in index:
            visit(module)
    return groups


def test_no_import_circles() -> None:
    assert import_cycles() == []


def test_the_core_never_imports_the_terminal_libraries() -> None:
    graph = _graph()
    offenders = sorted(
        f"{module} imports {package}"
        for module in graph.modules
        if module.startswith("joeladr.") and not module.startswith(FRONT_ENDS)
        for package in UI_PACKAGES & set(graph.find_modules_directly_imported_by(module))
    )
    assert offenders == []
