"""Verbs on deadlines: the review lead's one extension, recomputing provisional deadlines, pausing them.

Both move the engine's timers too when the deadline belongs to a waiting review or reply task.
Operations flush and audit; the edge commits.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from review_service.calendar.days import Calendar
from review_service.calendar.queries import calendar_from_db
from review_service.cases.flow import CaseFlow, lock_case
from review_service.cases.models import Case
from review_service.cases.schemas import parse_input
from review_service.core import signals, tx
from review_service.core.actions import Action
from review_service.core.clock import utcnow
from review_service.core.errors import Conflict, Invalid
from review_service.core.permissions import require_role
from review_service.deadlines.models import ENGINE_KINDS, Deadline, DeadlineKind, DeadlineState
from review_service.deadlines.plan import Planned, plan
from review_service.deadlines.tracking import describe, open_deadlines
from review_service.organization.models import User
from review_service.organization.settings import agency_settings
from review_service.workflow import store
from review_service.workflow.models import WorkflowInstance


class ExtensionIn(BaseModel):
    """The review lead extends the review once (Guangdong: by up to 3 working days), with a reason."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    days: int = Field(ge=1, le=30, description="working days to add")
    reason: str = Field(min_length=1, max_length=2000)


def _replan(calendar: Calendar, deadline: Deadline) -> Planned:
    """The deadline counted again: its days, the extension, and the working days spent suspended (中止)."""
    return plan(calendar, deadline.start_on, deadline.working_days + deadline.extension_days + deadline.paused_days)


def _apply(deadline: Deadline, planned: Planned) -> None:
    deadline.due_on = planned.due_on
    deadline.remind_on = planned.remind_on
    deadline.provisional = planned.due.provisional
    if deadline.limit_on is not None:
        deadline.beyond_limit = planned.due_on > deadline.limit_on
    if deadline.kind not in ENGINE_KINDS and deadline.next_check_at is not None:
        deadline.next_check_at = planned.remind_at()


def _move_timers(session: Session, case: Case, deadline: Deadline, planned: Planned) -> None:
    """Give the waiting boundary timers of the deadline's task the new times (and a new ``next_due_at``)."""
    if deadline.kind not in ENGINE_KINDS or case.current_task != deadline.kind:
        return
    flow = CaseFlow(session, case)
    if flow.run.reschedule(planned.timer_values(deadline.kind)):
        store.save(session, flow.row, flow.run)


def extend_review(session: Session, *, actor: User, case_id: int, data: Any,
                  expected_version: int | None = None) -> Deadline:
    """The review lead extends the open review deadline once, by at most the agency's extension days."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_role(actor, "review_lead")
    extension = parse_input(ExtensionIn, data)
    deadline = next(iter(open_deadlines(session, case.id, frozenset({DeadlineKind.REVIEW}))), None)
    if deadline is None or case.current_task != "review":
        raise Conflict("案件当前没有进行中的法制审核期限，无法延长。", actual_version=case.version)
    if deadline.extended_at is not None:
        raise Conflict("审核期限只能延长一次，本案已延长过。", extended_at=deadline.extended_at.isoformat())
    allowed = agency_settings(case.agency).review_extension_days
    if extension.days > allowed:
        raise Invalid(f"审核期限最多延长 {allowed} 个工作日。", fields={"days": f"最多 {allowed} 个工作日"})
    before = describe(deadline)
    deadline.extension_days = extension.days
    deadline.extension_reason = extension.reason
    deadline.extended_by = actor.id
    deadline.extended_at = utcnow()
    planned = _replan(calendar_from_db(session), deadline)
    _apply(deadline, planned)
    _move_timers(session, case, deadline, planned)
    case.version += 1
    case.updated_at = utcnow()
    session.flush()
    signals.emit(Action.REVIEW_DEADLINE_EXTENDED, session=session, actor=actor, role="review_lead",
                 agency_id=case.agency_id, case_id=case.id,
                 payload={"before": before, "after": describe(deadline), "days": extension.days,
                          "reason": extension.reason})
    return deadline


def recompute_provisional(session: Session, *, actor: Any, reason: str) -> list[dict[str, Any]]:
    """Recompute every open provisional deadline on the calendar as loaded now; audited per case.

    Called after a calendar year is loaded (DESIGN.md §8: a guess is never shown as final).
    """
    calendar = calendar_from_db(session)
    rows = list(session.scalars(select(Deadline).where(Deadline.state == DeadlineState.OPEN.value,
                                                       Deadline.provisional.is_(True)).order_by(Deadline.id)))
    changed: list[dict[str, Any]] = []
    for deadline in rows:
        case = lock_case(session, deadline.case_id, actor=_SystemScope(deadline.agency_id), while_suspended=True)
        before = describe(deadline)
        planned = _replan(calendar, deadline)
        _apply(deadline, planned)
        if not case.suspended:  # a suspended case's timers are set again when it resumes
            _move_timers(session, case, deadline, planned)
        session.flush()
        after = describe(deadline)
        changed.append({"case_id": case.id, "before": before, "after": after})
        signals.emit(Action.DEADLINE_RECOMPUTED, session=session, actor=actor,
                     role="admin" if actor is not None else "system", agency_id=case.agency_id, case_id=case.id,
                     payload={"before": before, "after": after, "reason": reason})
    return changed


def pause_deadlines(session: Session, case: Case, today: date) -> list[dict[str, Any]]:
    """中止: stop the count of every open deadline of ``case`` from ``today``; no timer fires meanwhile.

    The engine's waiting timers keep their times but leave the tick's index (``next_due_at``), and the
    deadlines ``tick`` checks itself leave it too; :func:`resume_deadlines` sets both again.
    """
    paused = []
    for deadline in open_deadlines(session, case.id):
        if deadline.paused_on is None:
            deadline.paused_on = today
            deadline.next_check_at = None
            paused.append(describe(deadline))
    tx.write(session, update(WorkflowInstance.__table__)
             .where(WorkflowInstance.__table__.c.id == case.workflow_instance_id)
             .values(next_due_at=None))
    set_committed_value(case.workflow_instance, "next_due_at", None)
    return paused


def resume_deadlines(session: Session, case: Case, today: date) -> list[dict[str, Any]]:
    """恢复: push every paused deadline back by the working days it was paused, and set its timers again.

    A day counts as spent suspended when it is a working day after the day the count stopped, up to
    and including ``today`` (the start day is not counted, as for every deadline).
    """
    calendar = calendar_from_db(session)
    moved: list[dict[str, Any]] = []
    timer_values: dict[str, str] = {}
    for deadline in open_deadlines(session, case.id):
        if deadline.paused_on is None:
            continue
        before = describe(deadline)
        deadline.paused_days += max(calendar.working_days_between(deadline.paused_on, today), 0)
        deadline.paused_on = None
        planned = _replan(calendar, deadline)
        _apply(deadline, planned)
        if deadline.kind in ENGINE_KINDS:
            if case.current_task == deadline.kind:
                timer_values.update(planned.timer_values(deadline.kind))
        else:
            deadline.next_check_at = planned.remind_at()
        moved.append({"before": before, "after": describe(deadline)})
    session.flush()
    flow = CaseFlow(session, case)
    if timer_values:
        flow.run.reschedule(timer_values)
    store.save(session, flow.row, flow.run)  # the timers' next due time back in the tick's index
    return moved


class _SystemScope:
    """The system acting within one agency (lock_case checks the actor's agency)."""

    def __init__(self, agency_id: int) -> None:
        self.agency_id = agency_id

