"""The head approves (and the decision is made) or returns the case. The gate of art. 58 lives here."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from review_service.cases.classification import latest_classification
from review_service.cases.flow import CaseFlow, lock_case
from review_service.cases.gate import gated
from review_service.cases.models import Case, Classification
from review_service.cases.participants import require_uninvolved
from review_service.cases.schemas import parse_input
from review_service.coordination.discussion import require_collective_discussion
from review_service.coordination.discussion_records import discussion_of_step
from review_service.coordination.schemas import CollectiveDiscussionIn
from review_service.core import signals, tx
from review_service.core.actions import Action
from review_service.core.clock import beijing_today
from review_service.core.errors import Invalid, NotCleared
from review_service.core.permissions import require_role
from review_service.decisions.models import Approval, Decision
from review_service.organization.models import User
from review_service.review.rounds import latest_review


class ApprovalIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    approve: bool
    comment: str = Field(default="", max_length=20_000)
    collective_discussion: CollectiveDiscussionIn | None = None


def clearance(session: Session, case: Case, classification: Classification | None = None) -> dict[str, Any]:
    """What clears the current draft for a decision, or raise ``NotCleared`` (DESIGN.md §4.1).

    ``classification``: the case's latest, when the caller has read it already.
    """
    draft = case.current_draft
    classification = classification or latest_classification(session, case)
    if draft is None or classification is None:
        raise NotCleared("案件尚未分类，不得作出决定。")
    if classification.draft_version_id == draft.id and not gated(session, case, classification):
        return {"clearance": "not_major", "classification_id": classification.id, "classification_major": False}
    review = latest_review(session, case.id)
    if review is None or review.conclusion != "approve":
        raise NotCleared("未经法制审核或者审核未通过的，不得作出决定（《行政处罚法》第五十八条）。",
                         latest_conclusion=review.conclusion if review else None)
    if review.draft_version_id != draft.id or review.draft_sha256 != draft.sha256:
        raise NotCleared("拟决定的草稿与法制审核同意的版本不一致，须重新审核。",
                         reviewed_sha256=review.draft_sha256, current_sha256=draft.sha256)
    return {"clearance": "review", "review_id": review.id, "review_conclusion": "approve"}


def approve_decision(session: Session, *, actor: User, case_id: int, data: Any,
                     expected_version: int | None = None) -> Case:
    """Approve (the decision is made on the cleared draft) or return the case to the handler."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_role(actor, "head")
    require_uninvolved(session, case, actor, "承办或审核本案的人员不能审批本案。")
    flow = CaseFlow(session, case)
    flow.require_task("approve")
    approval_in = parse_input(ApprovalIn, data)
    draft = case.current_draft
    assert draft is not None
    discussion = approval_in.collective_discussion
    if not approval_in.approve:
        if not approval_in.comment:
            raise Invalid("退回时请写明理由。", fields={"comment": "必填"})
        return _return_case(session, case, flow, actor, approval_in)
    classification = latest_classification(session, case)
    cleared = clearance(session, case, classification)
    # art. 57 (coordination.discussion): a discussion given here is recorded first, so that it may satisfy it
    discussed = discussion_of_step(session, case=case, actor=actor, data=discussion, source="approval")
    require_collective_discussion(session, case, classification)
    approval = Approval(case_id=case.id, head_id=actor.id, approved=True, comment=approval_in.comment,
                        draft_sha256=draft.sha256, collective_discussion=discussed)
    tx.record(session, approval)
    # the decision's own 文号 (not the 案号), from the agency's sequence in this transaction (documents.numbering)
    number: str = signals.ask(signals.decision_number_needed, case, session=session, case=case, on=beijing_today())
    decision = Decision(case_id=case.id, number=number, decided_by=actor.id, approval_id=approval.id,
                        draft_version_id=draft.id, draft_sha256=draft.sha256, **cleared)
    tx.record(session, decision)
    flow.complete("approve", {"approved": True}, actor=actor, role="head")
    signals.emit(Action.DECISION_MADE, session=session, actor=actor, role="head", agency_id=case.agency_id,
                 case_id=case.id,
                 payload={"decision_id": decision.id, "number": decision.number, "draft_sha256": draft.sha256,
                          "clearance": cleared["clearance"], "review_id": cleared.get("review_id"),
                          "approval_id": approval.id, "collective_discussion": discussion is not None,
                          "status": case.status})
    signals.send_required(signals.approval_recorded, decision, session=session, case=case, decision=decision,
                          actor=actor)
    return case


def _return_case(session: Session, case: Case, flow: CaseFlow, actor: User, approval_in: ApprovalIn) -> Case:
    draft = case.current_draft
    assert draft is not None
    approval = Approval(case_id=case.id, head_id=actor.id, approved=False, comment=approval_in.comment,
                        draft_sha256=draft.sha256)
    tx.record(session, approval)
    flow.complete("approve", {"approved": False}, actor=actor, role="head")
    signals.emit(Action.CASE_RETURNED, session=session, actor=actor, role="head", agency_id=case.agency_id,
                 case_id=case.id,
                 payload={"approval_id": approval.id, "comment": approval_in.comment, "draft_sha256": draft.sha256,
                          "status": case.status})
    return case
