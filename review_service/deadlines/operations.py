"""Verbs on deadlines: the review lead's one extension, recomputing provisional deadlines, pausing them.

Both move the engine's timers too when the deadline belongs to a waiting review or reply task.
Operations flush and audit; the edge commits.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from review_service.calendar.days import Calendar
from review_service.calendar.queries import calendar_from_db
from review_service.cases.flow import CaseFlow, lock_case
from review_service.cases.models import Case
from review_service.cases.schemas import parse_input
from review_service.cases.suspension_models import Suspension
from review_service.core import signals, tx
from review_service.core.actions import Action
from review_service.core.clock import utcnow
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.core.permissions import SystemScope, require_role
from review_service.deadlines import review_period
from review_service.deadlines.decision_limit import decision_limit_of
from review_service.deadlines.models import (
    DECISION_LIMIT_CLOCK,
    ENGINE_KINDS,
    EXTENSION_REASONS,
    Deadline,
    DeadlineKind,
    DeadlineState,
    ReviewExtensionRequest,
)
from review_service.deadlines.pauses import counts_again, end_pause, open_pauses, pause_deadline, pause_limit
from review_service.deadlines.plan import Planned
from review_service.deadlines.tracking import describe, open_deadlines
from review_service.organization.models import User
from review_service.organization.settings import agency_settings
from review_service.workflow import store
from review_service.workflow.models import WorkflowInstance


class ExtensionIn(BaseModel):
    """A request to extend the review period once (Guangdong: by up to 3 working days), with its reason.

    ``reason_code``: 案情复杂 ``complex``, 需要补充调查 ``further_investigation``, 涉及专业问题需论证
    ``expert_opinion``, or ``other`` (the default, for callers that send the reason as text only).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    days: int = Field(ge=1, le=30, description="working days to add")
    reason_code: str = Field(default="other", max_length=30, json_schema_extra={"enum": list(EXTENSION_REASONS)},
                             description="; ".join(f"{k}: {v}" for k, v in EXTENSION_REASONS.items()))
    reason: str = Field(default="", max_length=2000, description="the circumstances (required for `other`)")


class ExtensionDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    approve: bool
    comment: str = Field(default="", max_length=2000)


_PENDING = select(ReviewExtensionRequest).where(ReviewExtensionRequest.case_id == bindparam("case_id"),
                                                ReviewExtensionRequest.decided_at.is_(None))


def pending_extension(session: Session, case_id: int) -> ReviewExtensionRequest | None:
    """The review extension awaiting its approval, if any."""
    return session.scalars(_PENDING, {"case_id": case_id}).one_or_none()


def _replan(calendar: Calendar, deadline: Deadline) -> Planned:
    """The deadline counted again: its days, the extension, and the working days spent suspended (中止)."""
    return review_period.replanned(calendar, deadline)


def _apply(deadline: Deadline, planned: Planned) -> None:
    review_period.apply(deadline, planned)
    if deadline.kind not in ENGINE_KINDS and deadline.next_check_at is not None:
        deadline.next_check_at = planned.remind_at()


def _move_timers(session: Session, case: Case, deadline: Deadline, planned: Planned) -> None:
    """Give the waiting boundary timers of the deadline's task the new times (and a new ``next_due_at``).

    Not while the deadline stands still: its timers are set when it counts again.
    """
    if deadline.kind not in ENGINE_KINDS or case.current_task != deadline.kind or deadline.paused_on is not None:
        return
    flow = CaseFlow(session, case)
    if flow.run.reschedule(planned.timer_values(deadline.kind)):
        store.save(session, flow.row, flow.run)


def _open_review(session: Session, case: Case) -> Deadline:
    deadline = next(iter(open_deadlines(session, case.id, frozenset({DeadlineKind.REVIEW}))), None)
    if deadline is None or case.current_task != "review":
        raise Conflict("案件当前没有进行中的法制审核期限，无法延长。", actual_version=case.version)
    if deadline.extended_at is not None:
        raise Conflict("审核期限只能延长一次，本案已延长过。", extended_at=deadline.extended_at.isoformat())
    return deadline


def _requesting_role(actor: User, case: Case, *, lead_only: bool) -> str:
    """The review lead, or (``lead_only`` false) the case's own reviewer, may ask for the extension."""
    if actor.has_role("review_lead"):
        return "review_lead"
    if not lead_only and actor.has_role("reviewer") and case.reviewer_id == actor.id:
        return "reviewer"
    require_role(actor, "review_lead")  # raises: the message names the role
    raise AssertionError("unreachable")


def extend_review(session: Session, *, actor: User, case_id: int, data: Any,
                  expected_version: int | None = None) -> ReviewExtensionRequest:
    """The review lead asks for the review period's one extension (``POST …/review/extend``).

    Granted at once where the agency lets the review lead approve it (``review_extension_approver_role``),
    else it waits for the approving role (default the head in charge): :func:`decide_review_extension`.
    """
    return request_review_extension(session, actor=actor, case_id=case_id, data=data,
                                    expected_version=expected_version, lead_only=True)


def request_review_extension(session: Session, *, actor: User, case_id: int, data: Any,
                             expected_version: int | None = None,
                             lead_only: bool = False) -> ReviewExtensionRequest:
    """Ask for the review period's one extension, with a reason code; the agency's approving role decides.

    When the asker holds that role themselves (an agency that lets its review lead extend), the request is
    granted at once. At most the agency's extension days; never a second extension (409).
    """
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    role = _requesting_role(actor, case, lead_only=lead_only)
    extension = parse_input(ExtensionIn, data)
    fields = {}
    if extension.reason_code not in EXTENSION_REASONS:
        fields["reason_code"] = "请选择延长理由"
    elif extension.reason_code == "other" and not extension.reason:
        fields["reason"] = "请写明延长理由"
    if fields:
        raise Invalid("延长理由有误。", fields=fields)
    deadline = _open_review(session, case)
    if pending_extension(session, case.id) is not None:
        raise Conflict("已有待审批的延长申请。", rule="pending", actual_version=case.version)
    allowed = agency_settings(case.agency).review_extension_days
    if extension.days > allowed:
        raise Invalid(f"审核期限最多延长 {allowed} 个工作日。", fields={"days": f"最多 {allowed} 个工作日"})
    approver = agency_settings(case.agency).review_extension_approver_role
    request = tx.record(session, ReviewExtensionRequest(
        case_id=case.id, deadline_id=deadline.id, days=extension.days, reason_code=extension.reason_code,
        reason=extension.reason, requested_by=actor.id, requested_role=role, requested_at=utcnow()))
    case.version += 1
    case.updated_at = utcnow()
    signals.emit(Action.REVIEW_EXTENSION_REQUESTED, session=session, actor=actor, role=role,
                 agency_id=case.agency_id, case_id=case.id,
                 payload={"request_id": request.id, "deadline": describe(deadline), "days": extension.days,
                          "reason_code": extension.reason_code, "reason": extension.reason,
                          "approver_role": approver})
    if actor.has_role(approver) and approver == role:  # the agency lets the asker's own role extend
        _grant(session, case, deadline, request, actor, approver)
    return request


def decide_review_extension(session: Session, *, actor: User, case_id: int, data: Any,
                            expected_version: int | None = None) -> ReviewExtensionRequest:
    """The approving role (default the head in charge, 分管负责人) grants or refuses the requested extension."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    approver = agency_settings(case.agency).review_extension_approver_role
    require_role(actor, approver)
    decision = parse_input(ExtensionDecisionIn, data)
    request = pending_extension(session, case.id)
    if request is None:
        raise Conflict("本案没有待审批的延长审核期限申请。", rule="no_request", actual_version=case.version)
    if request.requested_by == actor.id:
        raise Forbidden("申请人不能审批自己的延长申请。", rule="separation_of_duties")
    if not decision.approve:
        request.approved, request.decided_by, request.decided_role = False, actor.id, approver
        request.decided_at, request.comment = utcnow(), decision.comment
        case.version += 1
        case.updated_at = utcnow()
        session.flush()
        signals.emit(Action.REVIEW_EXTENSION_REFUSED, session=session, actor=actor, role=approver,
                     agency_id=case.agency_id, case_id=case.id,
                     payload={"request_id": request.id, "approved": False, "comment": decision.comment,
                              "requested_by": request.requested_by})
        return request
    deadline = _open_review(session, case)
    request.comment = decision.comment
    _grant(session, case, deadline, request, actor, approver)
    return request


def _grant(session: Session, case: Case, deadline: Deadline, request: ReviewExtensionRequest, actor: User,
           role: str) -> None:
    """Extend the open review deadline as requested; its timers move too."""
    before = describe(deadline)
    label = EXTENSION_REASONS.get(request.reason_code, request.reason_code)
    reason = request.reason if request.reason_code == "other" else label + (f"：{request.reason}" if request.reason
                                                                            else "")
    now = utcnow()
    request.approved, request.decided_by, request.decided_role, request.decided_at = True, actor.id, role, now
    deadline.extension_days = request.days
    deadline.extension_reason = reason
    deadline.extended_by = actor.id
    deadline.extended_at = now
    planned = _replan(calendar_from_db(session), deadline)
    _apply(deadline, planned)
    _move_timers(session, case, deadline, planned)
    case.version += 1
    case.updated_at = now
    session.flush()
    signals.emit(Action.REVIEW_DEADLINE_EXTENDED, session=session, actor=actor, role=role,
                 agency_id=case.agency_id, case_id=case.id,
                 payload={"before": before, "after": describe(deadline), "days": request.days, "reason": reason,
                          "request_id": request.id, "reason_code": request.reason_code,
                          "requested_by": request.requested_by})


def recompute_provisional(session: Session, *, actor: Any, reason: str) -> list[dict[str, Any]]:
    """Recompute every open provisional deadline on the calendar as loaded now; audited per case.

    Called after a calendar year is loaded (DESIGN.md §8: a guess is never shown as final).
    """
    calendar = calendar_from_db(session)
    rows = list(session.scalars(select(Deadline).where(Deadline.state == DeadlineState.OPEN.value,
                                                       Deadline.provisional.is_(True)).order_by(Deadline.id)))
    changed: list[dict[str, Any]] = []
    for deadline in rows:
        case = lock_case(session, deadline.case_id, actor=SystemScope(deadline.agency_id), while_suspended=True)
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


_OPEN_SUSPENSION = select(Suspension.id).where(Suspension.case_id == bindparam("case_id"),
                                                Suspension.resumed_at.is_(None))


def pause_deadlines(session: Session, case: Case, today: date) -> list[dict[str, Any]]:
    """中止: stop the count of every open deadline of ``case`` and of its art. 60 limit from ``today``.

    Each stop is a dated pause on the case (``clock_pauses``). The engine's waiting timers keep their times
    but leave the tick's index (``next_due_at``), and the deadlines ``tick`` checks itself leave it too;
    :func:`resume_deadlines` sets both again.
    """
    suspension_id = session.scalar(_OPEN_SUSPENSION, {"case_id": case.id})
    paused = []
    for deadline in open_deadlines(session, case.id):
        pause_deadline(session, deadline, cause="suspended", today=today, suspension_id=suspension_id)
        paused.append(describe(deadline))
    if decision_limit_of(session, case, today) is not None:  # a penalty case with a 立案日期: art. 60 stops too
        pause_limit(session, case.id, cause="suspended", today=today, suspension_id=suspension_id)
    hold_timers(session, case)
    return paused


def hold_timers(session: Session, case: Case) -> None:
    """The engine's waiting timers keep their times but leave the tick's index (``next_due_at``): while a
    clock stands still no reminder of it may fire. Saving the workflow again puts them back."""
    tx.write(session, update(WorkflowInstance.__table__)
             .where(WorkflowInstance.__table__.c.id == case.workflow_instance_id)
             .values(next_due_at=None))
    set_committed_value(case.workflow_instance, "next_due_at", None)


def move_timers(session: Session, case: Case, deadline: Deadline) -> None:
    """The deadline counts again after a pause: its task's timers take its due times, back in the tick's index."""
    planned = _replan(calendar_from_db(session), deadline)
    flow = CaseFlow(session, case)
    if case.current_task == deadline.kind and deadline.task_id is not None:
        flow.run.reschedule(planned.timer_values(deadline.kind))
    store.save(session, flow.row, flow.run)


def resume_deadlines(session: Session, case: Case, today: date) -> list[dict[str, Any]]:
    """恢复: end the suspension's pauses; each deadline moves by the working days it stood still (the art. 60
    limit by the calendar days), and its timers are set again.

    A day counts as spent suspended when it is a working day after the day the count stopped, up to
    and including ``today`` (the start day is not counted, as for every deadline). A deadline another pause
    still holds (a request for materials) stays paused.
    """
    calendar = calendar_from_db(session)
    suspended = [p for p in open_pauses(session, case.id) if p.cause == "suspended"]
    for pause in suspended:
        end_pause(pause, today, calendar)
    still_open = open_pauses(session, case.id)
    moved: list[dict[str, Any]] = []
    timer_values: dict[str, str] = {}
    for deadline in open_deadlines(session, case.id):
        before = describe(deadline)
        if not counts_again(deadline, still_open, today, calendar):
            continue
        planned = _replan(calendar, deadline)
        _apply(deadline, planned)
        if deadline.kind in ENGINE_KINDS:
            if case.current_task == deadline.kind and deadline.task_id is not None:
                timer_values.update(planned.timer_values(deadline.kind))
        else:
            deadline.next_check_at = planned.remind_at()
        moved.append({"before": before, "after": describe(deadline)})
    limit = next((p for p in suspended if p.clock == DECISION_LIMIT_CLOCK), None)
    if limit is not None:
        _refresh_limit(session, case)
        moved.append({"clock": DECISION_LIMIT_CLOCK, "calendar_days": limit.days or 0})
    session.flush()
    if any(p.deadline_id is not None and p.clock == case.current_task for p in still_open):
        return moved  # a request for materials still holds the waiting task's clock: its timers stay out
    flow = CaseFlow(session, case)
    if timer_values:
        flow.run.reschedule(timer_values)
    store.save(session, flow.row, flow.run)  # the timers' next due time back in the tick's index
    return moved


def _refresh_limit(session: Session, case: Case) -> None:
    """The art. 60 limit moved: the open review deadline's flag follows (a review due after it is flagged)."""
    session.flush()
    limit = decision_limit_of(session, case)
    for deadline in open_deadlines(session, case.id, frozenset({DeadlineKind.REVIEW})):
        deadline.limit_on = limit.limit_on if limit is not None else None
        deadline.beyond_limit = deadline.limit_on is not None and deadline.due_on > deadline.limit_on
