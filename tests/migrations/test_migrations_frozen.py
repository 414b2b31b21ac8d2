"""Migrations carry what they need, frozen: an old database upgraded by much later code still upgrades.

A migration that imported the application would run today's code against yesterday's schema (a model
with columns the database does not have yet, a trigger naming tables a later revision adds). So no
migration imports ``review_service``; the SQL, constants and readers each needs are copied into it.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from review_service.workflow import ProcessRegistry
from tests.fixtures.workflow_paths import PATHS, Step

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = ROOT / "review_service" / "migrations" / "versions"
BPMN_DIR = ROOT / "workflows" / "bpmn"


def _imported_modules(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))  # relative: inside the package
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
              and getattr(node.func, "attr", getattr(node.func, "id", "")) in {"import_module", "__import__"}
              and node.args and isinstance(node.args[0], ast.Constant)):
            names.append(str(node.args[0].value))
    return names


def test_the_migrations_are_found() -> None:
    assert len(sorted(VERSIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))) >= 16


@pytest.mark.parametrize("path", sorted(VERSIONS.glob("*.py")), ids=lambda path: path.name)
def test_no_migration_imports_the_application(path: Path) -> None:
    """Rule: a migration imports only the standard library, SQLAlchemy and Alembic (at any depth, even
    inside a function): what it needs of the application's DDL or data is copied into it as it was."""
    wrong = [name for name in _imported_modules(path)
             if name.split(".")[0] == "review_service" or name.startswith(".")]
    assert wrong == [], f"{path.name} imports {wrong}"


def _migration(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"migration_{name}", VERSIONS / name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", [steps for steps, _end in PATHS.values()], ids=list(PATHS))
def test_0002_reads_the_waiting_task_as_the_engine_does(path: list[Step]) -> None:
    """0002's backfill reads the stored JSON state and the stored BPMN source itself; at every step of a
    path through the real process it finds the engine's first ready user task (or none at the end)."""
    migration = _migration("0002_current_task_on_the_case.py")
    registry = ProcessRegistry.load(BPMN_DIR)
    run = registry.start("major_decision_review")
    user_tasks = migration.user_task_ids(run.definition.source)
    assert {"draft", "review", "approve"} <= user_tasks
    seen = []
    for step in [*path, None]:
        ready = run.ready_tasks()
        want = (ready[0].kind, ready[0].id) if ready else None
        assert migration.waiting_user_task(run.dump(), user_tasks) == want
        seen.append(want)
        if step is None:
            break
        kind, _role, data = step
        task = run.find_ready(kind)
        assert task is not None, (step, ready)
        run.complete(task.id, data)
    assert seen[-1] is None and all(seen[:-1])


def test_0002_backfills_the_waiting_task_of_open_cases(world: Any, engine: Any) -> None:
    """0002's backfill on a database whose case rows do not know their waiting task (as before 0002): it reads
    it back from each open case's stored workflow state, as the code that keeps it up to date wrote it."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations
    from sqlalchemy import text

    world.submitted()
    world.in_review()
    query = text("SELECT id, current_task, current_task_id FROM cases ORDER BY id")
    with engine.connect() as connection:
        kept = connection.execute(query).all()
    assert len(kept) == 2 and all(task for _id, task, _task_id in kept)
    migration = _migration("0002_current_task_on_the_case.py")
    with engine.begin() as connection:
        connection.execute(text("UPDATE cases SET current_task = NULL, current_task_id = NULL"))
        with Operations.context(MigrationContext.configure(connection)):
            migration._backfill_current_task()
    with engine.connect() as connection:
        assert connection.execute(query).all() == kept
