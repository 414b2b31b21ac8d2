"""Appending events: contiguous seq, linked hashes, client address, concurrent writers."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from review_service.audit.chain import GENESIS
from review_service.audit.models import AuditEvent, AuditHead
from review_service.audit.queries import case_events
from review_service.audit.verify import verify_chain
from review_service.audit.writer import append_event

Uow = Callable[[], AbstractContextManager[Session]]


def _all_events(uow: Uow) -> list[AuditEvent]:
    with uow() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def test_empty_log_verifies(uow: Uow) -> None:
    with uow() as session:
        assert verify_chain(session).ok
        assert verify_chain(session).events == 0


def test_appended_events_form_a_contiguous_linked_chain(uow: Uow, log_of: Callable[[int], None]) -> None:
    log_of(30)
    events = _all_events(uow)
    assert [e.seq for e in events] == list(range(1, 31))
    assert events[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    with uow() as session:
        head = session.get(AuditHead, 1)
        assert head is not None and (head.last_seq, head.last_hash) == (30, events[-1].hash)
        seen: list[tuple[int, int]] = []
        result = verify_chain(session, progress=lambda done, total: seen.append((done, total)), batch_size=8)
    assert result.ok and result.events == 30 and result.first_bad_seq is None and result.reason is None
    assert seen == [(8, 30), (16, 30), (24, 30), (30, 30)]


def test_event_records_actor_role_case_and_client_address(uow: Uow) -> None:
    with uow() as session:
        session.info["client_addr"] = "203.0.113.9"
        alice = SimpleNamespace(id=7, username="alice")
        event = append_event(session, action="case_submitted", actor=alice, role="handler",
                             agency_id=3, case_id=42, payload={"标题": "罚没"}, outcome="refused")
        system = append_event(session, action="deadline_passed", actor=None, role="system",
                              agency_id=None, case_id=42, payload={})
    assert (event.seq, event.actor_id, event.actor_username, event.role) == (1, 7, "alice", "handler")
    assert (event.agency_id, event.case_id, event.outcome) == (3, 42, "refused")
    assert event.client_addr == "203.0.113.9"
    assert event.payload == '{"标题":"罚没"}'
    assert event.at.utcoffset() is not None and event.at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert (system.actor_id, system.actor_username, system.outcome) == (None, None, "ok")
    assert system.prev_hash == event.hash


def test_case_events_lists_one_case_in_order(uow: Uow, log_of: Callable[[int], None]) -> None:
    log_of(20)
    with uow() as session:
        events = case_events(session, 3)
    assert [e.seq for e in events] == [2, 7, 12, 17]
    assert all(e.case_id == 3 for e in events)


def test_rolled_back_append_leaves_no_event_and_no_gap(uow: Uow) -> None:
    with uow() as session:
        append_event(session, action="case_created", actor=None, role="system", agency_id=None, case_id=1,
                     payload={})
    try:
        with uow() as session:
            append_event(session, action="case_submitted", actor=None, role="system", agency_id=None,
                         case_id=1, payload={})
            raise RuntimeError("the action failed")
    except RuntimeError:
        pass
    with uow() as session:
        append_event(session, action="case_withdrawn", actor=None, role="system", agency_id=None, case_id=1,
                     payload={})
    assert [(e.seq, e.action) for e in _all_events(uow)] == [(1, "case_created"), (2, "case_withdrawn")]


def test_concurrent_writers_keep_seq_contiguous_and_chain_linear(
    session_factory: sessionmaker[Session], uow: Uow
) -> None:
    per_thread, threads = 25, 2
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        actor = SimpleNamespace(id=1, username=name)
        try:
            barrier.wait()
            for i in range(per_thread):
                with uow() as session:
                    append_event(session, action="opinion_submitted", actor=actor, role="reviewer",
                                 agency_id=1, case_id=i, payload={"writer": name, "i": i})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=writer, args=(f"w{n}",)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    events = _all_events(uow)
    assert [e.seq for e in events] == list(range(1, per_thread * threads + 1))
    assert {e.actor_username for e in events} == {"w0", "w1"}
    with session_factory() as session:
        assert verify_chain(session).ok
