"""Audit test fixtures: the receiver switched on or off, a log to tamper with, an attacker's connection."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from review_service.audit import ddl, receivers
from review_service.audit.writer import append_event

Uow = Callable[[], AbstractContextManager[Session]]



@pytest.fixture
def audit_receiver() -> Iterator[None]:
    """The audit receiver connected for this test (restored to its previous state afterwards)."""
    was_connected = receivers.is_connected()
    receivers.connect()
    yield
    if not was_connected:
        receivers.disconnect()


@pytest.fixture
def no_audit_receiver() -> Iterator[None]:
    """The audit receiver disconnected for this test (restored afterwards)."""
    was_connected = receivers.is_connected()
    receivers.disconnect()
    yield
    if was_connected:
        receivers.connect()


def write_log(uow: Uow, count: int) -> None:
    """Append ``count`` varied events, a few per transaction."""
    alice = SimpleNamespace(id=7, username="alice")
    for start in range(0, count, 7):
        with uow() as session:
            for seq in range(start + 1, min(start + 8, count + 1)):
                append_event(
                    session,
                    action="case_submitted" if seq % 2 else "opinion_submitted",
                    actor=alice if seq % 3 else None,
                    role="handler" if seq % 3 else "system",
                    agency_id=seq % 4 or None,
                    case_id=seq % 5 + 1,
                    payload={"n": seq, "说明": f"第{seq}次", "nested": {"list": [seq, "审核"]}},
                )


@pytest.fixture
def log_of(uow: Uow) -> Callable[[int], None]:
    """``log_of(n)`` writes an n-event log into this test's database."""
    return lambda count: write_log(uow, count)


@contextmanager
def _attacker_connection(engine: Engine) -> Iterator[Connection]:
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            for name in ddl.SQLITE_TRIGGERS:
                conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        else:
            conn.execute(text(f"DROP TRIGGER IF EXISTS {ddl.PG_ROW_TRIGGER} ON audit_events"))
        yield conn


@pytest.fixture
def attacker(engine: Engine) -> Callable[[], AbstractContextManager[Connection]]:
    """``with attacker() as conn:`` — a raw connection with the append-only triggers dropped on purpose.

    It stands for someone with file or superuser access to the database, who can
    defeat the triggers; ``verify`` must still catch what they do.
    """
    return lambda: _attacker_connection(engine)
