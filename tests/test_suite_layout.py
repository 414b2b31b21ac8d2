"""Rules of the test suite itself, checked on its source.

- No test imports a conftest or another test module: helpers shared between tests live in
  ``tests/fixtures/`` (fixtures shared across folders are registered there with ``pytest_plugins`` in
  the root conftest), so a conftest holds only its folder's fixtures and a test module only tests.
- No absolute machine paths: a path in a test is built from ``__file__`` (the repo) or ``tmp_path``,
  so the suite runs from any checkout on any machine.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
SOURCES = sorted(TESTS.rglob("*.py"))
# Roots of paths that belong to one machine or one user (a checkout, a home folder, a temporary file).
MACHINE_ROOTS = tuple("/" + root for root in ("work", "tmp", "root", "home", "Users", "mnt", "srv", "var/folders"))


def _imported(path: Path) -> list[str]:
    """Every module ``path`` imports (dotted; a relative import keeps its leading dots)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            names.append(module)
            names += [f"{module}.{alias.name}".replace("..", ".") for alias in node.names]
    return names


def _is_test_module(name: str) -> bool:
    last = name.rstrip(".").rsplit(".", 1)[-1]
    return last == "conftest" or last.startswith("test_")


def test_the_suite_is_found() -> None:
    assert TESTS / "conftest.py" in SOURCES and len(SOURCES) > 100


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(TESTS)))
def test_no_file_imports_a_conftest_or_a_test_module(path: Path) -> None:
    """Rule: a helper two tests share goes to ``tests/fixtures/``; a fixture several folders need is a
    plugin there (``pytest_plugins`` in the root conftest), never re-exported from another conftest."""
    wrong = sorted({name for name in _imported(path) if _is_test_module(name)})
    assert wrong == [], f"{path.relative_to(TESTS)} imports {wrong}"


def _machine_paths(source: bytes) -> list[str]:
    """The string literals of ``source`` that start with a machine root, with their line."""
    found = []
    kinds = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}  # f-strings: Python 3.12+
    for token in tokenize.tokenize(io.BytesIO(source).readline):
        if token.type not in kinds:
            continue
        text = token.string.lstrip("rRbBuUfF").strip("\"'")
        if any(text.startswith(root) and text[len(root):len(root) + 1] in ("/", "") for root in MACHINE_ROOTS):
            found.append(f"line {token.start[0]}: {token.string[:60]}")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(TESTS)))
def test_no_absolute_machine_paths(path: Path) -> None:
    """Rule: no string in a test names a place on one machine (``/work/…``, ``/tmp/…``, a home folder);
    build paths from ``Path(__file__)`` (``../shared`` beside the repo, skipped when absent) or ``tmp_path``."""
    found = _machine_paths(path.read_bytes())
    assert found == [], f"{path.relative_to(TESTS)} names machine paths: {found}"


def test_the_path_check_sees_a_machine_path() -> None:
    for root in MACHINE_ROOTS:
        assert _machine_paths(f'p = Path("{root}/main") / "x.md"\n'.encode()) != [], root
        assert _machine_paths(f'p = f"{root}/{{name}}"\n'.encode()) != [], root
    assert _machine_paths(b'p = Path(__file__).resolve().parents[2] / "shared"\nq = "a/tmp/b"\n') == []
