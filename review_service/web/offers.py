"""Which side actions (suspend, resume, 回避, reassignment) the case page offers a user; each operation checks again."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from review_service.cases.operations import EDITABLE_TASKS
from review_service.cases.suspension import REVIEW_SIDE_TASKS
from review_service.organization.models import User
from review_service.review.recusal import needs_declaration


def may_suspend_or_resume(actor: User, case: dict[str, Any]) -> bool:
    """Whether ``actor`` may suspend or resume ``case`` (the head; the review lead at the review steps)."""
    if case["agency"]["id"] != str(actor.agency_id):
        return False
    task = case["tasks"][0]["kind"] if case["tasks"] else None
    return actor.has_role("head") or (actor.has_role("review_lead") and task in REVIEW_SIDE_TASKS)


def in_process(case: dict[str, Any]) -> bool:
    """The case still waits on a step of its process (not decided, closed or transferred)."""
    return case["status"] not in ("decided", "closed", "transferred") and bool(case["tasks"])


def awaiting_reassignment(case: dict[str, Any]) -> bool:
    """The assigned reviewer declined (回避): the reviewer's task has nobody until the lead reassigns it."""
    task: Any = case["tasks"][0] if case["tasks"] else None
    return bool(task) and task["kind"] in ("intake", "review") and task["assignee"] is None and not case["suspended"]


def may_reassign_handler(actor: User, case: dict[str, Any]) -> bool:
    """The unit head of the case's agency, while the case has a task (the operation allows any time)."""
    return case["agency"]["id"] == str(actor.agency_id) and actor.has_role("unit_head") and bool(case["tasks"])


def offered(session: Session, actor: User, case: dict[str, Any]) -> dict[str, bool]:
    """Which of these actions the case page offers ``actor`` (each operation checks again)."""
    own = case["agency"]["id"] == str(actor.agency_id)
    return {"can_suspend": not case["suspended"] and in_process(case) and may_suspend_or_resume(actor, case),
            "can_resume": bool(case["suspended"]) and may_suspend_or_resume(actor, case),
            "can_declare": own and bool(actor.roles & {"reviewer", "advisor"})
            and needs_declaration(session, actor, case),
            "can_reassign": own and actor.has_role("review_lead") and awaiting_reassignment(case),
            "can_reassign_handler": may_reassign_handler(actor, case),
            "can_draft_penalty_decision": may_draft_penalty_decision(actor, case)}


def may_register_revocation(actor: User, case: dict[str, Any], *, own: bool, revoked: bool) -> bool:
    """登记撤销 while the decision stands: a decided case of the actor's agency, its handler or a head, once only."""
    return (case["status"] == "decided" and not revoked and case["agency"]["id"] == str(actor.agency_id)
            and (own or actor.has_role("head")))


def may_attach_materials(case: dict[str, Any]) -> bool:
    """The case waits where the handler may add materials (起草, 补充材料, 重新报送)."""
    return bool(case["tasks"]) and case["tasks"][0]["kind"] in EDITABLE_TASKS


def may_draft_penalty_decision(actor: User, case: dict[str, Any]) -> bool:
    """生成决定书代拟稿: a handler of the case's agency, for a 行政处罚 case not closed or transferred."""
    return (case["agency"]["id"] == str(actor.agency_id) and actor.has_role("handler")
            and case["decision_type"] == "administrative_penalty" and case["status"] not in ("closed", "transferred"))
