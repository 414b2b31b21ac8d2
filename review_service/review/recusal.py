"""回避: the assigned reviewer and the advisors state that they have no conflict of interest, or decline.

The reviewer's ``no_conflict`` must come before intake and review (:func:`require_declared`); a reviewer's
``decline`` returns the assignment to the review lead, who assigns someone else
(:func:`review_service.review.operations.reassign_reviewer`). An advisor is named in an opinion only after
a ``no_conflict`` on the case (:func:`cleared_advisors`). The process itself is untouched: the declaration
is a condition the operations check, the waiting task stays the reviewer's intake.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from review_service.cases.flow import lock_case
from review_service.cases.models import Case
from review_service.cases.participants import participants
from review_service.cases.schemas import parse_input
from review_service.core import signals, tx
from review_service.core.actions import Action
from review_service.core.clock import iso
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.core.permissions import require_role
from review_service.organization.models import User
from review_service.review.models import DECLARATION_LABELS, Assignment, RecusalDeclaration

_LATEST_ASSIGNMENT_ID = (select(func.max(Assignment.id)).where(Assignment.case_id == bindparam("case_id"))
                         .scalar_subquery())
_LATEST_ASSIGNMENT = select(Assignment).where(Assignment.id == _LATEST_ASSIGNMENT_ID)
_OWN_DECLARATION = select(RecusalDeclaration.declaration).where(
    RecusalDeclaration.assignment_id == _LATEST_ASSIGNMENT_ID, RecusalDeclaration.user_id == bindparam("user_id"))
_CLEARED_ADVISORS = select(RecusalDeclaration.user_id).where(
    RecusalDeclaration.case_id == bindparam("case_id"), RecusalDeclaration.capacity == "advisor",
    RecusalDeclaration.declaration == "no_conflict")
_DECLINED = select(RecusalDeclaration.id).where(
    RecusalDeclaration.case_id == bindparam("case_id"), RecusalDeclaration.user_id == bindparam("user_id"),
    RecusalDeclaration.declaration == "decline")


class RecusalIn(BaseModel):
    """``no_conflict`` (与本案无利害关系) or ``decline`` (申请回避) with the reason."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    declaration: Literal["no_conflict", "decline"]
    reason: str = Field(default="", max_length=2000, description="required when declining")


def latest_assignment(session: Session, case_id: int) -> Assignment | None:
    return session.scalars(_LATEST_ASSIGNMENT, {"case_id": case_id}).one_or_none()


def require_declared(session: Session, case: Case, actor: User) -> None:
    """The assigned reviewer has stated no conflict of interest for the current assignment (403 otherwise)."""
    if session.scalar(_OWN_DECLARATION, {"case_id": case.id, "user_id": actor.id}) != "no_conflict":
        raise Forbidden("请先作出回避声明：确认与本案无利害关系后，才能受理审查和审核。", rule="recusal_declaration")


def cleared_advisors(session: Session, case_id: int) -> set[int]:
    """The advisors who stated no conflict of interest with the case: only they may assist its review."""
    return set(session.scalars(_CLEARED_ADVISORS, {"case_id": case_id}))


def has_declined(session: Session, case_id: int, user_id: int) -> bool:
    return session.scalar(_DECLINED, {"case_id": case_id, "user_id": user_id}) is not None


def declaration_view(row: Any) -> dict[str, Any]:
    """One declaration on the case, as the case JSON and page show it (``case_view.read`` reads them)."""
    return {"user_id": str(row.user_id), "assignment_id": str(row.assignment_id), "capacity": row.capacity,
            "declaration": row.declaration, "label": DECLARATION_LABELS[row.declaration], "reason": row.reason,
            "declared_at": iso(row.declared_at)}


def needs_declaration(session: Session, actor: User, case: dict[str, Any]) -> bool:
    """Whether ``actor`` (the assigned reviewer, or an advisor) has yet to declare on the current assignment.

    ``case`` is the case as :func:`review_service.case_view.view.case_view` shows it (for the pages).
    """
    if case["agency"]["id"] != str(actor.agency_id) or not case["tasks"] or case["suspended"]:
        return False
    assignment = latest_assignment(session, int(case["id"]))
    if assignment is None:
        return False
    if not (actor.id == assignment.reviewer_id and case["tasks"][0].get("assignee")
            and case["tasks"][0]["assignee"]["id"] == str(actor.id)) and not actor.has_role("advisor"):
        return False
    return not any(r["assignment_id"] == str(assignment.id) and r["user_id"] == str(actor.id)
                   for r in case["recusals"])


def _capacity(session: Session, case: Case, actor: User, assignment: Assignment) -> str:
    if actor.id == assignment.reviewer_id and actor.id == case.reviewer_id and actor.has_role("reviewer"):
        return "reviewer"
    if actor.has_role("advisor") and actor.active:
        if actor.id in participants(session, case).handlers:
            raise Forbidden("承办本案的人员不能担任本案法律顾问。", rule="separation_of_duties")
        return "advisor"
    require_role(actor, "reviewer")
    raise Forbidden("本案未分配给您审核，无需作出回避声明。", rule="assignee")


def declare_recusal(session: Session, *, actor: User, case_id: int, data: Any,
                    expected_version: int | None = None) -> RecusalDeclaration:
    """The assigned reviewer (or an advisor of the agency) declares no conflict of interest, or declines.

    A reviewer's decline returns the assignment to the review lead (``case.reviewer_id`` is cleared).
    """
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    assignment = latest_assignment(session, case.id)
    if assignment is None or case.workflow_instance.completed:
        raise Conflict("本案当前没有待声明的审核分配。", rule="no_assignment", actual_version=case.version)
    capacity = _capacity(session, case, actor, assignment)
    request = parse_input(RecusalIn, data)
    if request.declaration == "decline" and not request.reason:
        raise Invalid("申请回避请写明理由。", fields={"reason": "请写明申请回避的理由"})
    if session.scalar(_OWN_DECLARATION, {"case_id": case.id, "user_id": actor.id}) is not None:
        raise Conflict("您已对本次分配作出回避声明。", rule="already_declared", actual_version=case.version)
    record = tx.record(session, RecusalDeclaration(
        case_id=case.id, assignment_id=assignment.id, user_id=actor.id, capacity=capacity,
        declaration=request.declaration, reason=request.reason))
    returned = capacity == "reviewer" and request.declaration == "decline"
    if returned:
        case.reviewer_id = None  # the review lead assigns another reviewer (reassign_reviewer)
    case.version += 1
    signals.emit(Action.RECUSAL_DECLARED, session=session, actor=actor, role=capacity, agency_id=case.agency_id,
                 case_id=case.id, payload={"assignment_id": assignment.id, "capacity": capacity,
                                           "declaration": request.declaration, "reason": request.reason,
                                           "assignment_returned": returned})
    return record
