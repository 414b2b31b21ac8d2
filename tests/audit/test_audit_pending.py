"""An action's events wait in the session and are written together: by commit, and before anything reads them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from review_service.audit.checkpoint_writer import log_tree
from review_service.audit.models import AuditEvent, AuditHead
from review_service.audit.verify import verify_chain
from review_service.audit.writer import install_session_hooks, write_event

Uow = Callable[[], AbstractContextManager[Session]]


@pytest.fixture(autouse=True)
def hooks() -> None:
    install_session_hooks()


def write(session: Session, action: str, case_id: int = 1) -> int:
    return int(write_event(session, action=action, actor=None, role="system", agency_id=None, case_id=case_id,
                           payload={"n": case_id})["seq"])


@contextmanager
def audit_writes(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith(("INSERT INTO audit_events", "UPDATE audit_head")):
            seen.append(statement.split(" (")[0].split(" SET")[0])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def seqs(uow: Uow) -> list[int]:
    with uow() as session:
        return list(session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)))


def test_an_actions_events_go_out_together_at_commit(uow: Uow, engine: Engine) -> None:
    with audit_writes(engine) as seen:
        with uow() as session:
            assert [write(session, action) for action in ("case_submitted", "deadlines_updated", "document_issued")
                    ] == [1, 2, 3]
            assert seen == []  # nothing written yet
        assert seen == ["INSERT INTO audit_events", "UPDATE audit_head"]  # one multi-row insert, one head move
    assert seqs(uow) == [1, 2, 3]
    with uow() as session:
        assert verify_chain(session).ok
        assert session.get(AuditHead, 1).last_seq == 3  # type: ignore[union-attr]


def test_reads_in_the_same_transaction_see_the_held_events(uow: Uow) -> None:
    with uow() as session:
        write(session, "case_submitted")
        write(session, "opinion_submitted")
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 2  # an ORM read
        write(session, "document_issued")
        assert log_tree(session).size == 3  # the checkpoint writer's own reads
        assert session.get(AuditHead, 1).last_seq == 3  # type: ignore[union-attr]


def test_a_rolled_back_transaction_leaves_nothing_and_the_next_one_continues(uow: Uow) -> None:
    with uow() as session:
        write(session, "case_created")
    with pytest.raises(RuntimeError), uow() as session:
        write(session, "case_submitted")
        raise RuntimeError("the action failed")
    with uow() as session:
        assert write(session, "case_submitted") == 2
    assert seqs(uow) == [1, 2]


def test_a_savepoint_keeps_what_came_before_it_and_loses_only_its_own(uow: Uow) -> None:
    with uow() as session:
        write(session, "case_created")  # held when the savepoint begins: written before it
        savepoint = session.begin_nested()
        write(session, "workflow_started")  # inside: written at once
        savepoint.rollback()
        assert write(session, "case_submitted") == 2  # the rolled-back event's seq is free again
    assert seqs(uow) == [1, 2]
    with uow() as session:
        assert verify_chain(session).ok
