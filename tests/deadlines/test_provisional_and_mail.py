"""A deadline reaching into an unloaded year is provisional until the year is loaded; mail after commit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from review_service.audit.models import AuditEvent
from review_service.calendar.days import Calendar
from review_service.calendar.operations import load_calendar_year
from review_service.case_view.todo import open_tasks
from review_service.cases.models import Case
from review_service.core.clock import as_utc
from review_service.deadlines.plan import beijing_midnight, plan
from review_service.notifications.models import EmailAddress, OutboxMessage
from review_service.notifications.outbox import BACKOFF, MAX_ATTEMPTS
from tests.fixtures.clock import Clock
from tests.fixtures.deadlines import deadlines_of, run_tick
from tests.fixtures.world import World

EXAMPLE_2027 = Path(__file__).resolve().parents[1] / "calendar" / "data" / "2027-example.yaml"


def test_a_review_into_2027_is_provisional_then_recomputed(world: World, clock: Clock) -> None:
    clock.set("2026-12-28 10:00")  # Monday; 2027 is not in the package and not loaded
    case_id = world.in_review()
    [review] = deadlines_of(world.uow, case_id)
    # weekdays only: 12-29, 12-30, 12-31, 2027-01-01 (a Friday — a guess), 01-04
    assert (review.due_on, review.provisional) == (date(2027, 1, 4), True)
    with world.uow() as session:
        [task] = [t for t in open_tasks(session, world.user(session, "reviewer")) if t["case_id"] == str(case_id)]
    assert (task["due_date"], task["provisional"], task["overdue"]) == ("2027-01-04", True, False)
    with world.uow() as session:
        load_calendar_year(session, actor=None, text=EXAMPLE_2027.read_text("utf-8"), filename=EXAMPLE_2027.name)
    [review] = deadlines_of(world.uow, case_id)
    # the example file makes 2027-01-01…03 a holiday: 12-29, 12-30, 12-31, 01-04, 01-05
    assert (review.due_on, review.remind_on, review.provisional) == (date(2027, 1, 5), date(2027, 1, 4), False)
    with world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert as_utc(case.workflow_instance.next_due_at) == beijing_midnight(date(2027, 1, 4))
        recomputed = session.scalars(select(AuditEvent).where(AuditEvent.action == "deadline_recomputed")).all()
    assert [event.case_id for event in recomputed] == [case_id]
    clock.set("2027-01-01 12:00")  # the old guess of the reminder day: no reminder any more
    assert run_tick(world.uow).reminders == []
    clock.set("2027-01-04 00:10")
    assert len(run_tick(world.uow).reminders) == 1


@settings(max_examples=60, deadline=None)
@given(start=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 20)), n=st.integers(1, 25))
def test_a_planned_deadline_is_a_working_day_reminded_the_working_day_before(start: date, n: int) -> None:
    calendar = Calendar()
    planned = plan(calendar, start, n)
    assert calendar.is_working_day(planned.due_on)
    assert start <= planned.remind_on < planned.due_on
    assert calendar.working_days_between(planned.remind_on, planned.due_on) == 1 or planned.remind_on == start
    assert planned.remind_at() < planned.overdue_at()


@pytest.fixture
def smtp_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEW_SERVICE_SMTP_HOST", "smtp.invalid")


def test_reminder_mail_is_sent_after_commit_with_retries(world: World, clock: Clock, smtp_on: None) -> None:
    with world.uow() as session:
        session.add(EmailAddress(user_id=world.ids["reviewer"], address="reviewer@example.gov.cn"))
    clock.set("2026-11-02 10:00")
    world.in_review()
    clock.set("2026-11-06 00:30")
    attempts: list[str] = []

    def flaky(recipient: str, subject: str, body: str) -> None:
        attempts.append(recipient)
        if len(attempts) == 1:
            raise ConnectionRefusedError("smtp down")

    report = run_tick(world.uow, send=flaky)
    assert (report.mail.sent, report.mail.retried) == (0, 1)
    with world.uow() as session:
        [message] = session.scalars(select(OutboxMessage)).all()
        assert (message.state, message.attempts, message.recipient) == ("pending", 1, "reviewer@example.gov.cn")
        assert "smtp down" in (message.last_error or "")
        assert as_utc(message.next_attempt_at) == beijing_midnight(date(2026, 11, 6)).replace(minute=30) + BACKOFF[0]
    assert run_tick(world.uow, send=flaky).mail.sent == 0  # the backoff has not passed
    clock.set("2026-11-06 00:32")
    assert run_tick(world.uow, send=flaky).mail.sent == 1
    assert run_tick(world.uow, send=flaky).mail.sent == 0
    assert attempts == ["reviewer@example.gov.cn"] * 2
    with world.uow() as session:
        [message] = session.scalars(select(OutboxMessage)).all()
        assert message.state == "sent" and message.sent_at is not None


def test_mail_gives_up_after_the_last_attempt(world: World, clock: Clock, smtp_on: None) -> None:
    with world.uow() as session:
        session.add(EmailAddress(user_id=world.ids["lead"], address="lead@example.gov.cn"))
    clock.set("2026-11-02 10:00")
    world.in_review()

    def down(recipient: str, subject: str, body: str) -> None:
        raise TimeoutError("no answer")

    for day in range(MAX_ATTEMPTS + 1):  # a day apart: well past every backoff
        clock.set(f"2026-11-{6 + day:02d} 00:30")
        run_tick(world.uow, send=down)
    with world.uow() as session:
        first = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    assert first is not None and (first.state, first.attempts) == ("failed", MAX_ATTEMPTS)


def test_no_mail_without_smtp(world: World, clock: Clock) -> None:
    with world.uow() as session:
        session.add(EmailAddress(user_id=world.ids["reviewer"], address="reviewer@example.gov.cn"))
    clock.set("2026-11-02 10:00")
    world.in_review()
    clock.set("2026-11-06 00:30")
    assert len(run_tick(world.uow).reminders) == 1
    with world.uow() as session:
        assert session.scalars(select(OutboxMessage)).all() == []
