"""Who may act as the case's reviewer: the assigned reviewer, not an advisor, not a handler, after 回避 declared."""

from __future__ import annotations

from sqlalchemy.orm import Session

from review_service.cases.models import Case
from review_service.cases.participants import Participants, participants
from review_service.core.errors import Forbidden
from review_service.core.permissions import require_not_in, require_role
from review_service.organization.models import User
from review_service.review.recusal import require_declared


def require_assigned_reviewer(session: Session, case: Case, actor: User) -> Participants:
    """The reviewer the case is assigned to, who neither handles nor advises on it and has declared no conflict."""
    require_role(actor, "reviewer")
    people = participants(session, case)
    if actor.id in people.advisors:
        raise Forbidden("法律顾问协助审核，不能作出审核结论。", rule="advisor_cannot_conclude")
    require_not_in(actor, people.handlers, "承办本案的人员不能审核本案。")
    if case.reviewer_id is None and case.current_task in ("intake", "review"):
        raise Forbidden("原审核人员已申请回避，本案待法制审核机构负责人重新分配。", rule="assignee")
    if case.reviewer_id != actor.id:
        raise Forbidden("本案已分配给其他审核人员。", rule="assignee")
    require_declared(session, case, actor)
    return people

