"""``emit`` and the audit receiver: no action unaudited, the event in the action's own transaction."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review_service.audit import receivers
from review_service.audit.models import AuditEvent
from review_service.audit.verify import verify_chain
from review_service.core import signals
from review_service.core.actions import Action

Uow = Callable[[], AbstractContextManager[Session]]
ALICE = SimpleNamespace(id=7, username="alice")


def _emit(session: Session, action: Action = Action.CASE_SUBMITTED) -> None:
    signals.emit(action, session=session, actor=ALICE, role="handler", agency_id=2, case_id=5,
                 payload={"draft_sha256": "ab" * 32, "说明": "报送审核"})


def _count(uow: Uow) -> int:
    with uow() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.mark.usefixtures("no_audit_receiver")
def test_emit_without_the_receiver_refuses_the_action(uow: Uow) -> None:
    with pytest.raises(signals.UnauditedAction), uow() as session:
        _emit(session)
    assert _count(uow) == 0


@pytest.mark.usefixtures("audit_receiver")
def test_emit_writes_exactly_one_event_in_the_same_transaction(uow: Uow) -> None:
    with uow() as session:
        session.info["client_addr"] = "198.51.100.4"
        _emit(session)
        pending = session.scalars(select(AuditEvent)).all()  # visible before commit: same transaction
        assert len(pending) == 1
    with uow() as session:
        event = session.scalars(select(AuditEvent)).one()
        assert (event.seq, event.action, event.actor_id, event.actor_username, event.role) == (
            1, "case_submitted", 7, "alice", "handler")
        assert (event.agency_id, event.case_id, event.client_addr) == (2, 5, "198.51.100.4")
        assert verify_chain(session).ok


@pytest.mark.usefixtures("audit_receiver")
def test_rolled_back_action_leaves_no_event(uow: Uow) -> None:
    with pytest.raises(RuntimeError, match="later step failed"), uow() as session:
        _emit(session)
        raise RuntimeError("later step failed")
    assert _count(uow) == 0
    with uow() as session:
        _emit(session, Action.SUBMISSION_WITHDRAWN)
    with uow() as session:
        assert session.scalars(select(AuditEvent.seq)).all() == [1]


@pytest.mark.usefixtures("audit_receiver")
def test_committed_action_is_announced_after_commit_only(uow: Uow) -> None:
    announced: list[str] = []

    def listener(sender: str, **_kwargs: object) -> None:
        announced.append(sender)

    signals.action_committed.connect(listener)
    try:
        with uow() as session:
            _emit(session)
            assert announced == []
        assert announced == ["case_submitted"]
    finally:
        signals.action_committed.disconnect(listener)


def test_connect_is_idempotent_and_explicit(no_audit_receiver: None, uow: Uow) -> None:
    assert not receivers.is_connected()
    receivers.connect()
    receivers.connect()
    try:
        assert receivers.is_connected()
        with uow() as session:
            _emit(session)
        assert _count(uow) == 1  # one receiver, one event
    finally:
        receivers.disconnect()
    assert not receivers.is_connected()
