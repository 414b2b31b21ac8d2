"""Deadline fixtures: a pinned Beijing clock, tick on the test database, reading deadlines and reminders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.core.clock import BEIJING
from review_service.deadlines.models import Deadline
from review_service.deadlines.tick import TickReport, tick
from review_service.notifications.models import Notification


def beijing(text: str) -> datetime:
    """``2026-09-30 10:00`` as an aware Beijing time."""
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


class Clock:
    """A pinned clock (time-machine, ``tick=False``) that tests move by hand."""

    def __init__(self) -> None:
        self._traveller: Any = None

    def set(self, text: str) -> datetime:
        self.stop()
        at = beijing(text)
        self._traveller = time_machine.travel(at, tick=False)
        self._traveller.start()
        return at

    def stop(self) -> None:
        if self._traveller is not None:
            self._traveller.stop()
            self._traveller = None


@pytest.fixture
def clock() -> Iterator[Clock]:
    pinned = Clock()
    yield pinned
    pinned.stop()


Uow = Callable[[], AbstractContextManager[Session]]


def run_tick(uow: Uow, **kwargs: Any) -> TickReport:
    return tick(uow, **kwargs)


def deadlines_of(uow: Uow, case_id: int) -> list[Deadline]:
    with uow() as session:
        return list(session.scalars(select(Deadline).where(Deadline.case_id == case_id).order_by(Deadline.id)))


def notifications_of(uow: Uow, case_id: int) -> list[tuple[str, int]]:
    with uow() as session:
        return [(n.kind, n.user_id) for n in session.scalars(
            select(Notification).where(Notification.case_id == case_id).order_by(Notification.id))]
