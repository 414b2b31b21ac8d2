"""The transaction seam holds: nothing outside ``core/`` and ``audit/`` reaches the connection itself.

A statement run straight on ``session.connection()`` does not see what the ORM has not flushed,
and a write there is invisible to the unit of work (``review_service/core/README.md``). Domain code
goes through ``core.tx`` (``fresh``/``write``/``bulk`` flush first). Importing ``core.records`` is
refused by ruff (TID251, ``pyproject.toml``); this test finds the calls ruff cannot see.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "review_service"
#: below the seam: core builds it; the audit writer appends the log and locks its head there;
#: migrations run before any session exists
ALLOWED = ("core", "audit", "migrations")


def connection_calls(source: str) -> list[int]:
    """Line numbers of ``<anything>.connection()`` calls (with or without arguments)."""
    tree = ast.parse(source)
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "connection"]


def test_the_finder_finds_a_call() -> None:
    assert connection_calls("rows = session.connection().execute(stmt)\nx = 1\n") == [1]
    assert connection_calls("connection = tx.bulk(session)\n") == []


def test_no_domain_code_calls_session_connection() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in ALLOWED:
            continue
        offenders += [f"{relative}:{line}" for line in connection_calls(path.read_text(encoding="utf-8"))]
    assert offenders == [], "use review_service.core.tx (fresh, write, bulk) instead of session.connection()"
