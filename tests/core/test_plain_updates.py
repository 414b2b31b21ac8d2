"""Plain column changes of a case are written by one Core UPDATE before the flush; anything else by the flush."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from review_service.cases.models import Case, DraftVersion
from review_service.core.clock import utcnow


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def case_updates(seen: list[str]) -> list[str]:
    return [statement for statement in seen if statement.startswith("UPDATE cases")]


@contextmanager
def unit_of_work_updates() -> Iterator[list[int]]:
    """The ids of the cases the unit of work itself updates (its ``before_update`` mapper event)."""
    updated: list[int] = []

    def record(_mapper: Any, _connection: Any, target: Case) -> None:
        updated.append(target.id)

    event.listen(Case, "before_update", record)
    try:
        yield updated
    finally:
        event.remove(Case, "before_update", record)


def test_plain_changes_are_one_update_of_exactly_those_columns(world: Any, engine: Engine) -> None:
    case_id = world.new_case()
    with unit_of_work_updates() as by_flush, statements(engine) as seen, world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.title, case.version = "改过的标题", case.version + 1
        session.flush()
        assert not session.dirty  # nothing left for the unit of work
        case.round = 7  # a second change in the same transaction: a second, smaller UPDATE
    assert by_flush == []
    updates = case_updates(seen)
    assert len(updates) == 2
    assert updates[0].startswith("UPDATE cases SET title=") and "version=" in updates[0] and "round" not in updates[0]
    assert updates[1].startswith("UPDATE cases SET round=")
    with world.uow() as session:
        stored = session.execute(select(Case.title, Case.version, Case.round).where(Case.id == case_id)).one()
    assert stored == ("改过的标题", 2, 7)


def test_a_relationship_change_is_left_to_the_unit_of_work(world: Any, engine: Engine) -> None:
    case_id = world.new_case()
    with unit_of_work_updates() as by_flush, statements(engine) as seen, world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None
        draft = DraftVersion(case_id=case_id, version=99, content="{}", sha256="0" * 64,
                             created_by=case.handler_id, created_at=utcnow())
        session.add(draft)
        case.current_draft = draft
        case.title = "换了草稿"
    assert by_flush and any("current_draft_id" in statement for statement in case_updates(seen))
    with world.uow() as session:
        stored = session.execute(select(Case.title, Case.current_draft_id).where(Case.id == case_id)).one()
        assert stored.title == "换了草稿"
        assert stored.current_draft_id == session.scalar(
            select(DraftVersion.id).where(DraftVersion.case_id == case_id, DraftVersion.version == 99))


def test_an_expression_is_left_to_the_unit_of_work(world: Any) -> None:
    case_id = world.new_case()
    with world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.version = Case.version + 5
        session.flush()
        assert case.version == 6  # the flush wrote the expression and reads the result back
