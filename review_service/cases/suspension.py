"""中止 / 恢复: suspend a case for a legal reason, and resume it.

Who decides: the head of the agency (行政执法机关负责人) at any step; while the case is with the review
body (assignment, intake, supplementing materials, review) its review lead may too, since only the review
deadline runs there. Both steps are audited (``case_suspended``, ``case_resumed``).

While a case is suspended :func:`review_service.cases.flow.lock_case` refuses every other action (409,
``details.rule == "suspended"``), no timer fires for it, and its open deadlines stop counting; on resumption
each is pushed back by the working days spent suspended (review_service.deadlines.operations).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from review_service.calendar.queries import calendar_from_db
from review_service.cases.flow import lock_case
from review_service.cases.models import Case
from review_service.cases.schemas import parse_input
from review_service.cases.suspension_models import SUSPENSION_REASONS, Suspension
from review_service.core import signals, tx
from review_service.core.actions import Action
from review_service.core.clock import BEIJING, as_utc, beijing_today, iso, utcnow
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.organization.models import User

#: The steps at which the review body holds the case (its review lead may suspend and resume it there).
REVIEW_SIDE_TASKS = ("assign", "intake", "supplement", "review")
_OPEN_SUSPENSION = select(Suspension).where(Suspension.case_id == bindparam("case_id"),
                                            Suspension.resumed_at.is_(None))


class SuspendIn(BaseModel):
    """A legal reason from the fixed list; ``other`` needs it written out."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(max_length=40, json_schema_extra={"enum": list(SUSPENSION_REASONS)},
                        description="; ".join(f"{code}: {label}" for code, label in SUSPENSION_REASONS.items()))
    reason_text: str = Field(default="", max_length=2000, description="the circumstances (required for `other`)")

    def refusals(self) -> dict[str, str]:
        """What is wrong beyond the shape: an unknown reason, or ``other`` without the reason written out."""
        if self.reason not in SUSPENSION_REASONS:
            return {"reason": "请选择法定的中止事由"}
        if self.reason == "other" and not self.reason_text:
            return {"reason_text": "选择“其他”时请写明中止事由"}
        return {}


class ResumeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str = Field(default="", max_length=2000, description="why the case may go on (中止事由消除)")


def _acting_role(actor: User, case: Case) -> str:
    if actor is not None and actor.active and actor.has_role("head"):
        return "head"
    if actor is not None and actor.active and actor.has_role("review_lead") and case.current_task in REVIEW_SIDE_TASKS:
        return "review_lead"
    raise Forbidden("中止或恢复案件须由行政执法机关负责人决定；案件处于法制审核阶段时，也可由法制审核机构负责人决定。",
                    rule="role", role="head")


def _emit(session: Session, action: Action, case: Case, actor: User, role: str, payload: dict[str, Any]) -> None:
    signals.emit(action, session=session, actor=actor, role=role, agency_id=case.agency_id, case_id=case.id,
                 payload=payload)


def _moved_on(case: Case) -> None:
    case.version += 1
    case.updated_at = utcnow()


def suspend_case(session: Session, *, actor: User, case_id: int, data: Any,
                 expected_version: int | None = None) -> Suspension:
    """Suspend a case still in its process, for a legal reason; every running deadline stops counting."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)  # refuses a suspended one
    role = _acting_role(actor, case)
    if case.workflow_instance.completed:
        raise Conflict("案件已办结，不能中止。", rule="ended", actual_version=case.version)
    request = parse_input(SuspendIn, data)
    if refusals := request.refusals():
        raise Invalid("中止事由有误。", fields=refusals)
    suspension = tx.record(session, Suspension(
        case_id=case.id, reason=request.reason, reason_text=request.reason_text, at_task=case.current_task,
        suspended_at=utcnow(), suspended_by=actor.id, suspended_role=role))
    paused = signals.ask(signals.case_suspended, case, session=session, case=case, today=beijing_today())
    case.suspended = True
    _moved_on(case)
    _emit(session, Action.CASE_SUSPENDED, case, actor, role,
          {"suspension_id": suspension.id, "reason": request.reason, "reason_label": SUSPENSION_REASONS[request.reason],
           "reason_text": request.reason_text, "at_task": case.current_task, "paused_deadlines": paused})
    return suspension


def resume_case(session: Session, *, actor: User, case_id: int, data: Any = None,
                expected_version: int | None = None) -> Suspension:
    """Resume a suspended case; its deadlines move back by the working days spent suspended."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version, while_suspended=True)
    role = _acting_role(actor, case)
    suspension = session.scalars(_OPEN_SUSPENSION, {"case_id": case.id}).one_or_none()
    if not case.suspended or suspension is None:
        raise Conflict("案件未中止，无需恢复。", rule="not_suspended", actual_version=case.version)
    request = parse_input(ResumeIn, data or {})
    today = beijing_today()
    since = as_utc(suspension.suspended_at).astimezone(BEIJING).date()
    days = max(calendar_from_db(session).working_days_between(since, today), 0)
    moved = signals.ask(signals.case_resumed, case, session=session, case=case, today=today)
    suspension.resumed_at = utcnow()
    suspension.resumed_by = actor.id
    suspension.resume_note = request.note
    suspension.paused_working_days = days
    case.suspended = False
    _moved_on(case)
    session.flush()
    _emit(session, Action.CASE_RESUMED, case, actor, role,
          {"suspension_id": suspension.id, "reason": suspension.reason, "note": request.note,
           "suspended_on": since.isoformat(), "paused_working_days": days, "deadlines": moved})
    return suspension


def suspension_view(row: Any, by_name: str) -> dict[str, Any]:
    """The suspension in force, as the case JSON and page show it (``by_name``: who suspended the case).

    ``row`` is the open :class:`Suspension` (read by ``case_view.read``)."""
    return {"id": str(row.id), "reason": row.reason, "reason_label": SUSPENSION_REASONS.get(row.reason, row.reason),
            "reason_text": row.reason_text, "since": iso(row.suspended_at), "at_task": row.at_task,
            "by": {"id": str(row.suspended_by), "name": by_name}, "role": row.suspended_role}
