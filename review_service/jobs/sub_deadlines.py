"""``tick``'s pass over 分配 and 受理审查 (issue 19): each is due inside the review period (one working day by
default, agency settings ``assignment_working_days`` / ``intake_working_days``); once its day has passed, the
review leads (and, for the intake, the case's reviewer) are reminded, once per due day.

They are no deadline rows of their own (``deadlines.review_period.sub_deadline`` works them out from the running
review period), so this pass reads the few cases waiting on them: an indexed ``cases.current_task`` filter.
A period standing still (a pause) or a suspended case reminds nobody. Keys make the reminders idempotent
across processes (``notifications.operations``).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from review_service.calendar.queries import calendar_from_db
from review_service.cases.models import Case
from review_service.core.clock import beijing_today
from review_service.deadlines.models import Deadline, DeadlineKind, DeadlineState
from review_service.deadlines.review_period import task_due
from review_service.deadlines.todo_clocks import SUB_TASKS
from review_service.notifications.operations import remind_sub_deadline

Uow = Callable[[], AbstractContextManager[Session]]

_WAITING = (
    select(Case, Deadline)
    .join(Deadline, and_(Deadline.case_id == Case.id, Deadline.kind == DeadlineKind.REVIEW.value,
                         Deadline.state == DeadlineState.OPEN.value, Deadline.task_id.is_(None),
                         Deadline.paused_on.is_(None)))
    .where(Case.current_task.in_(SUB_TASKS), Case.suspended.is_(False))
    .order_by(Case.id)
)


def check_sub_deadlines(uow: Uow, now: datetime) -> list[dict[str, Any]]:
    """Remind about every 分配 / 受理审查 past its due day; what was written (case, kind, due, recipients)."""
    today = beijing_today(now)
    written: list[dict[str, Any]] = []
    with uow() as session:
        calendar = None
        for case, review in session.execute(_WAITING).tuples():
            calendar = calendar or calendar_from_db(session)
            kind = str(case.current_task)
            sub = task_due(session, case, kind, review, calendar)
            if sub is None or today <= sub.due_on:
                continue
            people = remind_sub_deadline(session, review, kind, sub.due_on, reviewer_id=case.reviewer_id,
                                         case_title=case.title)
            if people:
                written.append({"case_id": case.id, "kind": kind, "stage": "overdue",
                                "due_on": sub.due_on.isoformat(), "recipients": people})
    return written
