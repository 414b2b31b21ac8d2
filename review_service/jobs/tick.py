"""``review-service tick``: fire due timers, check deadlines (and 分配 / 受理审查 inside the review period:
:mod:`.sub_deadlines`), send reminders, checkpoint the audit log.

Safe from several processes at once, on SQLite and PostgreSQL: each due item is handled in its
own short transaction that first *claims* it — the row is re-read under a lock with the "still
due" condition (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two ticks take different rows;
SQLite's ``BEGIN IMMEDIATE`` lets one writer in at a time) — and that same transaction moves it
on (the engine state with its new ``next_due_at``, the deadline's ``next_check_at``) together
with the reminders it writes. A second tick that arrives later finds the item no longer due.
Reminder keys are unique in the database as well, so no reminder is written twice and none is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from review_service.audit.schedule import checkpoint_if_due
from review_service.cases.flow import CaseFlow
from review_service.cases.models import Case
from review_service.core import signals
from review_service.core.actions import Action
from review_service.core.clock import utcnow
from review_service.deadlines.models import Deadline, DeadlineState
from review_service.deadlines.plan import beijing_midnight
from review_service.deadlines.tracking import describe, handle_fired
from review_service.indicators.summary import catch_up
from review_service.jobs.sub_deadlines import check_sub_deadlines
from review_service.notifications.operations import remind
from review_service.notifications.outbox import DeliveryReport, Sender, deliver_outbox
from review_service.workflow import store
from review_service.workflow.models import WorkflowInstance

log = logging.getLogger(__name__)
Uow = Callable[[], AbstractContextManager[Session]]
BATCH = 200


@dataclass
class TickReport:
    """What one tick did."""

    timers: int = 0
    deadlines: int = 0
    reminders: list[dict[str, Any]] = field(default_factory=list)
    mail: DeliveryReport = field(default_factory=DeliveryReport)
    checkpoint: str | None = None
    indicators: str | None = None

    def summary(self) -> str:
        return (f"定时器 {self.timers} 个实例，期限检查 {self.deadlines} 项，提醒 {len(self.reminders)} 条，"
                f"邮件 发送 {self.mail.sent} / 重试 {self.mail.retried} / 失败 {self.mail.failed}"
                + (f"，{self.checkpoint}" if self.checkpoint else "")
                + (f"，{self.indicators}" if self.indicators else ""))


def tick(uow: Uow, *, now: datetime | None = None, send: Sender | None = None, batch: int = BATCH) -> TickReport:
    """One pass: timers, deadline checks, the audit checkpoint when due, then the mail outbox."""
    at = (now or utcnow()).astimezone(UTC)
    report = TickReport()
    fire_due_timers(uow, at, report, batch)
    check_deadlines(uow, at, report, batch)
    report.reminders += check_sub_deadlines(uow, at)
    report.checkpoint = _checkpoint(uow, at)
    report.indicators = _indicator_summary(uow)
    report.mail = deliver_outbox(uow, now=at, send=send)
    return report


# -- engine timers (review, reply) -------------------------------------------------------------


_DUE_INSTANCES = (select(WorkflowInstance.id)
                  .where(WorkflowInstance.next_due_at.is_not(None), WorkflowInstance.completed.is_(False)))


def _claim_case(session: Session, instance_id: int, now: datetime) -> Case | None:
    stmt = (select(Case).join(Case.workflow_instance).join(Case.agency)
            .options(contains_eager(Case.workflow_instance), contains_eager(Case.agency))
            .where(WorkflowInstance.id == instance_id, WorkflowInstance.next_due_at <= now,
                   Case.suspended.is_(False))  # 中止: no timer fires for a suspended case
            # SQLAlchemy takes mapped classes (FOR UPDATE OF their tables); its hints name column expressions
            .with_for_update(of=(Case, WorkflowInstance), skip_locked=True))  # type: ignore[arg-type]
    return session.scalars(stmt).one_or_none()


def fire_due_timers(uow: Uow, now: datetime, report: TickReport, batch: int = BATCH) -> None:
    """Load only the instances whose ``next_due_at`` has come (indexed), refresh their timers."""
    with uow() as session:
        due = list(session.scalars(_DUE_INSTANCES.where(WorkflowInstance.next_due_at <= now)
                                   .order_by(WorkflowInstance.next_due_at).limit(batch)))
    for instance_id in due:
        try:
            with uow() as session:
                case = _claim_case(session, instance_id, now)
                if case is None:  # another tick has it, or did it already
                    continue
                flow = CaseFlow(session, case)
                fired = flow.run.refresh_timers()
                store.save(session, flow.row, flow.run)
                if fired:
                    report.reminders += handle_fired(session, case, fired)
                report.timers += 1
        except Exception:  # one broken case must not stop the others
            log.exception("tick: timers of workflow instance %s failed", instance_id)


# -- deadlines after the process (publish, withdraw) ------------------------------------------


def _stage(deadline: Deadline, now: datetime) -> tuple[str | None, datetime | None]:
    """The reminder stage due at ``now`` and when to look again."""
    overdue_at = beijing_midnight(deadline.due_on + timedelta(days=1))
    remind_at = beijing_midnight(deadline.remind_on)
    if now >= overdue_at:
        return "overdue", None
    if now >= remind_at:
        return "due_soon", overdue_at
    return None, remind_at


def check_deadlines(uow: Uow, now: datetime, report: TickReport, batch: int = BATCH) -> None:
    """Remind about the open deadlines whose ``next_check_at`` has come (indexed)."""
    with uow() as session:
        due = list(session.scalars(select(Deadline.id).where(Deadline.next_check_at <= now,
                                                             Deadline.state == DeadlineState.OPEN.value)
                                   .order_by(Deadline.next_check_at).limit(batch)))
    for deadline_id in due:
        try:
            with uow() as session:
                deadline = session.scalars(
                    select(Deadline).where(Deadline.id == deadline_id, Deadline.next_check_at <= now,
                                           Deadline.state == DeadlineState.OPEN.value)
                    .with_for_update(skip_locked=True)).one_or_none()
                if deadline is None:
                    continue
                stage, next_check = _stage(deadline, now)
                deadline.next_check_at = next_check
                report.deadlines += 1
                if stage is None:
                    continue
                case = session.get(Case, deadline.case_id)
                assert case is not None
                recipients = remind(session, deadline, stage, case_title=case.title)
                if recipients:
                    sent = {**describe(deadline), "stage": stage, "recipients": recipients}
                    report.reminders.append(sent)
                    signals.emit(Action.DEADLINE_REMINDED, session=session, actor=None, role="system",
                                 agency_id=case.agency_id, case_id=case.id, payload=sent)
        except Exception:
            log.exception("tick: deadline %s failed", deadline_id)


def _indicator_summary(uow: Uow) -> str | None:
    """Take the cases acted on since the last pass into the indicator summary."""
    with uow() as session:
        cases = catch_up(session)
    return f"指标汇总更新 {cases} 件" if cases else None


def _checkpoint(uow: Uow, now: datetime) -> str | None:
    """The audit log's periodic signed checkpoint (``audit.schedule``)."""
    with uow() as session:
        written = checkpoint_if_due(session, now=now)
    return "已写入审计检查点" if written else None
