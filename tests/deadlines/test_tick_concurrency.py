"""Several ``tick`` processes at once: each reminder exactly once, none lost (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from review_service.audit.models import AuditEvent
from review_service.core.db import make_engine, make_session_factory, unit_of_work
from review_service.jobs.tick import TickReport, tick
from review_service.notifications.models import Notification
from tests.fixtures.clock import Clock
from tests.fixtures.world import World

TICKERS = 3


def _tick_together(database_url: str, runs: int = 2) -> list[TickReport]:
    """Start ``TICKERS`` threads, each with its own engine (its own connections), at the same moment."""
    barrier = threading.Barrier(TICKERS)
    reports: list[TickReport] = []
    errors: list[BaseException] = []

    def worker() -> None:
        engine = make_engine(database_url)
        factory = make_session_factory(engine)
        try:
            barrier.wait()
            for _ in range(runs):
                reports.append(tick(lambda: unit_of_work(factory), batch=50))
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker) for _ in range(TICKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return reports


def test_concurrent_ticks_send_each_reminder_exactly_once(world: World, clock: Clock, database_url: str) -> None:
    clock.set("2026-11-02 10:00")
    cases = [world.in_review() for _ in range(6)]
    clock.set("2026-11-06 00:30")  # 1 working day before every review's due day (2026-11-09 … -10)
    reports = _tick_together(database_url)
    with world.uow() as session:
        keys = Counter(session.scalars(select(Notification.key)))
        per_case = Counter(session.scalars(select(Notification.case_id)))
        fired = session.scalar(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.action == "deadline_timers_fired"))
    assert all(count == 1 for count in keys.values())
    assert per_case == {case_id: 2 for case_id in cases}  # the reviewer and the review lead
    assert sum(len(report.reminders) for report in reports) == len(cases)
    assert fired == len(cases)
    # and the overdue stage, again from several ticks at once
    clock.set("2026-11-11 00:30")
    _tick_together(database_url)
    with world.uow() as session:
        kinds = Counter(session.scalars(select(Notification.kind)))
    assert kinds == {"due_soon": 12, "overdue": 12}
