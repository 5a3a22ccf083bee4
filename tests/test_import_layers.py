"""Layers point one way: no import cycle between modules of xl_tools, counting imports inside functions too.

Every ``import`` / ``from … import`` of every module is read with ast (module level AND inside functions and
methods: a lazy import still ties the modules together), resolved to the xl_tools module it loads, and the
graph is searched for cycles. An import of a package is an import of its ``__init__`` (and of what that imports).
"""

from __future__ import annotations

import ast
from pathlib import Path

import xl_tools

ROOT = Path(xl_tools.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The xl_tools modules ``name`` imports anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def add(target: str) -> None:
        while target and target not in known:          # "xl_tools.x.y.func" → the module "xl_tools.x.y"
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if not source.startswith("xl_tools"):
                continue
            for alias in node.names:
                candidate = f"{source}.{alias.name}"
                add(candidate if candidate in known else source)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles_between_modules():
    found = cycles(graph())
    assert not found, "import cycles (module-level or inside functions):\n" + "\n".join(" ⇄ ".join(c) for c in found)


def test_the_reader_sees_imports_inside_functions():
    """The check itself: a function-level import counts, a package's names resolve to it, submodules to them."""
    edges = graph()
    assert "xl_tools.workbook.safety" in edges["xl_tools.workbook.reader"]             # imported inside a function
    assert "xl_tools.workbook.safety.check" in edges["xl_tools.workbook.safety"]       # the package's re-exports
    assert "xl_tools.workbook.safety.limits" in edges["xl_tools.workbook.safety.container"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
