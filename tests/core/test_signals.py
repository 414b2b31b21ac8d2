"""Invariant 4 and the signal contract: audited in the same transaction; post-commit work never breaks an action."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from review_service.audit.models import AuditEvent
from review_service.cases.models import Case
from review_service.cases.operations import create_case
from review_service.core import signals
from review_service.organization.models import User
from tests.fixtures.world import MAJOR_DRAFT, World


def _events(world: World) -> int:
    with world.uow() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_a_failing_post_commit_receiver_never_breaks_the_action(world: World) -> None:
    seen: list[str] = []

    def explode(sender: str, **_kwargs: Any) -> None:
        seen.append(sender)
        raise RuntimeError("mail server down")

    signals.action_committed.connect(explode)
    try:
        case_id = world.new_case()
    finally:
        signals.action_committed.disconnect(explode)
    assert seen == ["case_created"]
    assert world.case(case_id).status == "draft"


def test_post_commit_receivers_do_not_run_when_the_action_rolls_back(world: World) -> None:
    seen: list[str] = []

    def record(sender: str, **_kwargs: Any) -> None:
        seen.append(sender)

    signals.action_committed.connect(record)
    before = _events(world)
    try:
        with pytest.raises(RuntimeError), world.uow() as session:
            handler = session.get(User, world.ids["handler"])
            create_case(session, actor=handler, data=MAJOR_DRAFT)
            raise RuntimeError("the edge fails after the operation")
    finally:
        signals.action_committed.disconnect(record)
    assert seen == []
    assert _events(world) == before  # the audit event went with the change
    with world.uow() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_an_unaudited_action_is_refused(world: World) -> None:
    from review_service.audit import receivers

    receivers.disconnect()
    try:
        with pytest.raises(signals.UnauditedAction), world.uow() as session:
            create_case(session, actor=session.get(User, world.ids["handler"]), data=MAJOR_DRAFT)
    finally:
        receivers.connect()
    with world.uow() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
