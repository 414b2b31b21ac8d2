"""Which side actions (suspend, resume, 回避, reassignment) the case page offers a user; each operation checks again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from review_service.cases.models import Case
from review_service.cases.operations import EDITABLE_TASKS
from review_service.cases.suspension import REVIEW_SIDE_TASKS
from review_service.deadlines.decision_limit import decision_limit_of, extensions_of
from review_service.deadlines.materials_requests import open_request
from review_service.deadlines.models import ReviewExtensionRequest
from review_service.deadlines.operations import pending_extension
from review_service.organization.models import User
from review_service.organization.settings import agency_settings
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
            "can_draft_penalty_decision": may_draft_penalty_decision(actor, case),
            "can_extend": may_request_extension(session, actor, case),
            "can_request_materials": may_request_materials(session, actor, case),
            "can_answer_materials": may_answer_materials(session, actor, case),
            "can_decide_extension": may_decide_extension(session, actor, case),
            "can_extend_limit": may_extend_limit(session, actor, case),
            "can_record_excluded": may_record_excluded(session, actor, case)}


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


DECIDED_OR_ENDED = ("decided", "closed", "transferred")


def may_decide_extension(session: Session, actor: User, case: dict[str, Any]) -> bool:
    """A pending request, an approver of the case's agency, who did not ask for it."""
    if case["agency"]["id"] != str(actor.agency_id):
        return False
    request = pending_extension(session, int(case["id"]))
    if request is None or request.requested_by == actor.id:
        return False
    return actor.has_role(agency_settings(actor.agency).review_extension_approver_role)


def _limited_and_open(session: Session, actor: User, case: dict[str, Any]) -> bool:
    if case["agency"]["id"] != str(actor.agency_id) or case["status"] in DECIDED_OR_ENDED:
        return False
    return decision_limit_of(session, _row(session, case)) is not None


def may_extend_limit(session: Session, actor: User, case: dict[str, Any]) -> bool:
    """A head of the case's agency, the limit running, fewer extensions than the agency allows."""
    if not actor.has_role("head") or not _limited_and_open(session, actor, case):
        return False
    return len(extensions_of(session, int(case["id"]))) < len(agency_settings(actor.agency).penalty_extension_days)


def may_record_excluded(session: Session, actor: User, case: dict[str, Any]) -> bool:
    """The handler or a head of the case's agency while the limit runs (the operation checks the handler)."""
    return bool(actor.roles & {"handler", "head"}) and _limited_and_open(session, actor, case)


def _row(session: Session, case: dict[str, Any]) -> Case:
    row = session.get(Case, int(case["id"]))
    assert row is not None  # the case view was read from it in this session
    return row


def may_request_extension(session: Session, actor: User, case: dict[str, Any]) -> bool:
    """申请延长审核期限: the review lead of the case's agency while it is in review, once (none pending or granted)."""
    if case["agency"]["id"] != str(actor.agency_id) or not actor.has_role("review_lead"):
        return False
    if not case["tasks"] or case["tasks"][0]["kind"] != "review":
        return False
    return not session.scalar(select(ReviewExtensionRequest.id).where(
        ReviewExtensionRequest.case_id == int(case["id"]),
        or_(ReviewExtensionRequest.decided_at.is_(None), ReviewExtensionRequest.approved.is_(True))).limit(1))


def _waits_on_review(actor: User, case: dict[str, Any]) -> bool:
    return (case["agency"]["id"] == str(actor.agency_id) and not case["suspended"] and bool(case["tasks"])
            and case["tasks"][0]["kind"] == "review")


def may_request_materials(session: Session, actor: User, case: dict[str, Any]) -> bool:
    """要求补充材料: the case's own reviewer during the review, while no request awaits its answer."""
    return (_waits_on_review(actor, case) and actor.has_role("reviewer")
            and case["tasks"][0]["assignee"] is not None and case["tasks"][0]["assignee"]["id"] == str(actor.id)
            and open_request(session, int(case["id"])) is None)


def may_answer_materials(session: Session, actor: User, case: dict[str, Any]) -> bool:
    """答复补充材料要求: a handler of the case's agency while the reviewer's request awaits its answer."""
    return (_waits_on_review(actor, case) and actor.has_role("handler")
            and open_request(session, int(case["id"])) is not None)
