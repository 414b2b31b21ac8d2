"""Instances stored by definition hash: the definition once, each instance's own state per row."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review_service.workflow import ProcessRegistry, WorkflowError, store
from review_service.workflow.models import ProcessDefinitionRow, WorkflowInstance
from tests.workflow.driver import BPMN_DIR, PROCESS_ID

UnitOfWork = Callable[[], AbstractContextManager[Session]]


def _start(session: Session, registry: ProcessRegistry) -> WorkflowInstance:
    store.ensure_definition(session, registry.definition(PROCESS_ID))
    return store.save_new(session, registry.start(PROCESS_ID))


def test_definition_is_stored_once_and_instances_hold_only_their_state(
    uow: UnitOfWork, registry: ProcessRegistry
) -> None:
    with uow() as session:
        first = _start(session, registry)
        second = _start(session, registry)
        first_id, second_id = first.id, second.id
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(ProcessDefinitionRow)) == 1
        stored = session.get(ProcessDefinitionRow, registry.definition(PROCESS_ID).sha256)
        assert stored is not None
        assert bytes(stored.source) == registry.definition(PROCESS_ID).source
        assert stored.process_id == PROCESS_ID
        for row_id in (first_id, second_id):
            row = session.get(WorkflowInstance, row_id)
            assert row is not None
            assert row.definition_sha256 == stored.sha256
            assert '"spec"' not in row.state
            assert (row.generation, row.completed, row.end_event) == (0, False, None)


def test_save_and_load_follow_the_case_to_its_end(uow: UnitOfWork, registry: ProcessRegistry) -> None:
    with uow() as session:
        row_id = _start(session, registry).id
    steps = [
        ("draft", {"signoff_required": False, "major": False}),
        ("approve", {"approved": True}),
    ]
    for kind, data in steps:
        with uow() as session:
            row = session.get(WorkflowInstance, row_id)
            assert row is not None
            run = store.load(registry, row)
            task = run.find_ready(kind)
            assert task is not None
            run.complete(task.id, data)
            store.save(session, row, run)
    with uow() as session:
        row = session.get(WorkflowInstance, row_id)
        assert row is not None
        assert (row.completed, row.end_event) == (True, "decided")
        assert store.load(registry, row).end_event == "decided"


def test_load_falls_back_to_the_stored_definition(uow: UnitOfWork, registry: ProcessRegistry, tmp_path: Path) -> None:
    # A case started on a file that has since changed: only the database still has its bytes.
    older = registry.definition(PROCESS_ID).source.replace(
        b"</bpmn:definitions>", b"<!-- older -->\n</bpmn:definitions>"
    )
    (tmp_path / f"{PROCESS_ID}.bpmn").write_bytes(older)
    old_registry = ProcessRegistry.load(tmp_path)
    definition = old_registry.definition(PROCESS_ID)
    with uow() as session:
        store.ensure_definition(session, definition)
        row_id = store.save_new(session, old_registry.start(PROCESS_ID)).id
    current = ProcessRegistry.load(BPMN_DIR)
    with pytest.raises(WorkflowError):
        current.by_hash(definition.sha256)
    with uow() as session:
        row = session.get(WorkflowInstance, row_id)
        assert row is not None
        restored = store.load(current, row)
        assert restored.definition_sha256 == definition.sha256
        assert restored.find_ready("draft") is not None
    assert current.by_hash(definition.sha256).file == f"{PROCESS_ID}.bpmn"
    assert current.definition(PROCESS_ID).sha256 != definition.sha256  # the file stays current


def test_save_refuses_a_run_on_another_definition(uow: UnitOfWork, registry: ProcessRegistry) -> None:
    row = WorkflowInstance(definition_sha256="0" * 64, state="{}")
    with uow() as session, pytest.raises(WorkflowError, match="不一致"):
        store.save(session, row, registry.start(PROCESS_ID))


def test_a_run_changes_definition_only_through_save_moved(uow: UnitOfWork) -> None:
    """``save`` refuses a run on another definition than its row's; ``save_moved`` (the migration) is the one way."""
    previous = ProcessRegistry.load(Path(__file__).resolve().parent / "previous")
    current = previous.register((BPMN_DIR / "major_decision_review.bpmn").read_bytes(), "major_decision_review.bpmn")
    with uow() as session:
        row = _start(session, previous)
        row_id, old_sha = row.id, row.definition_sha256
    with uow() as session:
        row = session.get(WorkflowInstance, row_id)
        assert row is not None
        moved = previous.move(store.load(previous, row), current.sha256, {})
        with pytest.raises(WorkflowError, match="不一致"):
            store.save(session, row, moved)
        store.ensure_definition(session, current)
        store.save_moved(session, row, moved)
        with pytest.raises(WorkflowError, match="已在该流程定义上"):
            store.save_moved(session, row, moved)
    with uow() as session:
        row = session.get(WorkflowInstance, row_id)
        assert row is not None and row.definition_sha256 == current.sha256 != old_sha
        assert [task.kind for task in store.load(previous, row).ready_tasks()] == ["draft"]
