"""The layers of ``review_service/core/README.md`` hold: no module imports from a layer above its own.

``lint-imports`` checks the ``[tool.importlinter]`` contract of ``pyproject.toml`` (its ignores are
listed and explained there). The second test plants an upward import in the real graph (a step
calling documents directly, as they did before their reactions moved onto signals) and shows that
the same contract breaks on it. The top-level packages form no cycle (not even two siblings of one layer), and
no import of our own modules hides in a function anywhere in the package (but the listed places).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import grimp
from importlinter import api
from importlinter.contracts.layers import LayersContract

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "review_service"


def _layers_contract() -> LayersContract:
    config = api.read_configuration(str(ROOT / "pyproject.toml"))
    (options,) = [c for c in config["contracts_options"] if c.get("id") == "layers"]
    return LayersContract(name=options["name"], session_options=config["session_options"],
                          contract_options=options)


def test_lint_imports_keeps_the_layers() -> None:
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache", "--no-logo"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_upward_import_breaks_the_contract() -> None:
    graph = grimp.build_graph("review_service", cache_dir=None)
    assert _layers_contract().check(graph, verbose=False).kept
    graph.add_import(importer="review_service.review.operations", imported="review_service.documents.operations",
                     line_number=1, line_contents="from review_service.documents.operations import issue_opinion")
    assert not _layers_contract().check(graph, verbose=False).kept


def _ignored(config_ignores: list[str]) -> list[tuple[re.Pattern[str], re.Pattern[str]]]:
    def pattern(expression: str) -> re.Pattern[str]:
        parts = {"*": r"[^.]+", "**": r"[^.]+(?:\.[^.]+)*"}
        return re.compile(r"\.".join(parts.get(p, re.escape(p)) for p in expression.strip().split(".")) + "$")

    return [(pattern(a), pattern(b)) for a, b in (line.split("->") for line in config_ignores)]


def test_no_import_cycle_between_packages() -> None:
    """Package level (``review_service.<package>``), with the layers' ignores: the top-level packages form no cycle."""
    config = api.read_configuration(str(ROOT / "pyproject.toml"))
    (options,) = [c for c in config["contracts_options"] if c.get("id") == "layers"]
    ignored = _ignored(list(options.get("ignore_imports", [])))
    graph = grimp.build_graph("review_service", cache_dir=None)
    edges: dict[str, set[str]] = {}
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            if any(a.match(importer) and b.match(imported) for a, b in ignored):
                continue
            top_importer, top_imported = importer.split(".")[:2], imported.split(".")[:2]
            if len(top_importer) == len(top_imported) == 2 and top_importer != top_imported:  # not the app factory
                edges.setdefault(".".join(top_importer), set()).add(".".join(top_imported))
    cycles = [f"{a} <-> {b}" for a in edges for b in edges[a] if a < b and a in edges.get(b, set())]
    assert not cycles, cycles
    assert not _longer_cycle(edges)


def _longer_cycle(edges: dict[str, set[str]]) -> list[str]:
    """A cycle of any length (depth-first search), as the path that closes it; empty if none."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return []

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return []


#: Function-level imports of our own modules that stay (review_service/core/README.md lists them): the
#: command line imports a command's modules when it runs (start-up time of every command), and the package
#: root's ``create_app`` (every import of a submodule passes through the root, which must stay light).
LAZY_IMPORTS_ALLOWED = ("cli/", "__init__.py")


def test_no_function_level_import_hides_a_dependency() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(LAZY_IMPORTS_ALLOWED) or relative.startswith("migrations/"):
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("review_service"):
                    found.append(f"{relative}:{inner.lineno} {inner.module}")
                elif isinstance(inner, ast.Import) and any(a.name.startswith("review_service") for a in inner.names):
                    found.append(f"{relative}:{inner.lineno}")
    assert not found, "import at module level (or move the code to the right layer): " + ", ".join(found)
