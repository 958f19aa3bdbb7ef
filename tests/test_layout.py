"""The package's shape, read from its source: stage folders that import only downstream.

The import graph is built from the code (``ast``), every import counted, at module level or
inside a function: a function-level import may delay a heavy library, never hide a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pressroom"
STAGES = ("read", "assemble", "checks", "write", "inspect", "build", "commands")
BASE = ("model", "diagnostics", "pdfobjects")  # shared values and helpers: they import no stage
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 60


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module → the package's modules it imports (a ``from x import y`` of a submodule names it)."""
    files = {module_name(p): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        edges = graph.setdefault(name, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges.update(a.name for a in node.names if a.name.split(".")[0] == "pressroom")
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pressroom":
                assert node.level == 0, f"{path}: relative import; write pressroom.… in full"
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    edges.add(submodule if submodule in files else node.module)
        edges.discard(name)
    return graph


def stage(module: str) -> str:
    """``pressroom.write.pdf.tagging`` → ``write.pdf`` (a writer); ``pressroom.read.pack`` → ``read``."""
    parts = module.split(".")[1:]
    if not parts:
        return "package"
    if parts[0] == "write" and len(parts) > 1:
        return f"write.{parts[1]}"
    return parts[0]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def forbidden_edges(graph: dict[str, set[str]]) -> list[str]:
    """Every import that breaks a rule of the house, as 'a → b: why'."""
    problems = []
    for source, targets in sorted(graph.items()):
        here = stage(source)
        for target in sorted(targets):
            there = stage(target)
            why = None
            if here.startswith("write.") and there.startswith("write.") and here != there:
                why = "a writer imports another writer"
            elif here == "checks" and there.startswith("write"):
                why = "a check imports a writer"
            elif there == "commands" and here != "commands":
                why = "a stage imports commands"
            elif here in BASE and there not in BASE:
                why = f"{here} must import no stage"
            if why:
                problems.append(f"{source} → {target}: {why}")
    stages = {}
    for source, targets in graph.items():
        stages.setdefault(stage(source), set()).update(stage(t) for t in targets if stage(t) != stage(source))
    problems += [f"stages import each other in a circle: {' ↔ '.join(c)}" for c in cycles(stages)]
    return problems


def test_no_import_cycle_anywhere() -> None:
    assert cycles(import_graph()) == []


def test_no_forbidden_import() -> None:
    assert forbidden_edges(import_graph()) == []


def test_every_module_belongs_to_a_stage_or_the_base() -> None:
    for module in import_graph():
        assert module == "pressroom" or stage(module) in STAGES or stage(module).startswith("write.") \
            or stage(module) in BASE, module


def test_each_stage_says_what_goes_in_and_what_comes_out() -> None:
    for folder in [PACKAGE / s for s in STAGES] + [PACKAGE / "write" / w for w in ("pdf", "docx")]:
        docstring = ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8")))
        assert docstring and "→" in docstring.split("\n\n")[0], folder.name


@pytest.mark.parametrize("edge, why", [
    (("pressroom.write.pdf.writer", "pressroom.write.docx.ooxml"), "a writer imports another writer"),
    (("pressroom.checks.links", "pressroom.write.pdf.tagging"), "a check imports a writer"),
    (("pressroom.build.plan", "pressroom.commands.cli"), "a stage imports commands"),
    (("pressroom.model", "pressroom.read.pack"), "model must import no stage"),
])
def test_the_rules_catch_each_forbidden_edge(edge: tuple[str, str], why: str) -> None:
    graph = import_graph()
    graph[edge[0]] = graph[edge[0]] | {edge[1]}
    assert any(why in problem for problem in forbidden_edges(graph))


def test_the_cycle_finder_catches_a_cycle() -> None:
    graph = import_graph()
    graph["pressroom.read.pack"] = graph["pressroom.read.pack"] | {"pressroom.build"}
    assert cycles(graph)
    assert any("circle" in problem for problem in forbidden_edges(graph))


def test_modules_and_functions_stay_small() -> None:
    too_long = []
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if source.count("\n") > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(PACKAGE)}: {source.count(chr(10))} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.name} is {length} lines")
    assert too_long == []
