"""The review, reply, coordination and approval actions on a case: one operation per request."""

from __future__ import annotations

from sqlalchemy.orm import Session

from review_service.api.cases import WRITE_ERRORS, case_after_commit
from review_service.api.edge import Render, endpoint, if_match, parse_body
from review_service.api.shapes import (
    AbandonIn,
    AssignIn,
    CaseOut,
    CaseWithQuality,
    IntakeIn,
    SignoffIn,
    SupplementIn,
)
from review_service.cases import operations as case_ops
from review_service.cases.queries import case_task_in_scope
from review_service.coordination.discussion_records import flag_complex, record_collective_discussion
from review_service.coordination.operations import coordinate as coordinate_op
from review_service.coordination.schemas import ComplexityIn, CoordinationIn, StandaloneDiscussionIn
from review_service.decisions.operations import ApprovalIn, approve_decision
from review_service.edge import json_body
from review_service.organization.models import User
from review_service.replies import operations as reply_ops
from review_service.replies.operations import ReplyIn
from review_service.review import operations as review_ops
from review_service.review.schemas import OpinionIn

ACTION_ERRORS = WRITE_ERRORS


@endpoint("POST", "/cases/<int:case_id>/review/assign", summary="分配审核人员（法制审核机构负责人）", body=AssignIn,
          response=CaseOut, errors=ACTION_ERRORS, roles=("review_lead",),
          description="A first-time reviewer of penalty decisions must hold the legal-profession qualification "
                      "(403 rule=qualification); a handler of the case cannot review it (403 separation_of_duties).")
def assign(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    body = parse_body(AssignIn)
    case = review_ops.assign_reviewer(session, actor=actor, case_id=case_id, reviewer_id=body.reviewer_id,
                                      advisor_ids=body.advisor_ids, expected_version=if_match())
    return case_after_commit(actor, case.id)


@endpoint("POST", "/cases/<int:case_id>/review/intake", summary="受理审查：材料是否齐全（审核人员）", body=IntakeIn,
          response=CaseOut, errors=ACTION_ERRORS, roles=("reviewer",),
          description="complete → in_review; incomplete (with `missing`) → awaiting_materials.")
def intake(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    body = parse_body(IntakeIn)
    case = review_ops.record_intake(session, actor=actor, case_id=case_id, complete=body.complete,
                                    missing=body.missing, expected_version=if_match())
    return case_after_commit(actor, case.id)


@endpoint("POST", "/cases/<int:case_id>/review", summary="提交十项法制审核意见（审核人员）", body=OpinionIn,
          response=CaseWithQuality, errors=ACTION_ERRORS, roles=("reviewer",), step=review_ops.opinion_step,
          description="All ten points are required; `approve` with a `problem` point → 422. The response adds "
                      "`quality`: advice on how specific and well-founded the opinion reads (indicator 105).")
def review(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    case, opinion = review_ops.submit_opinion(session, actor=actor, case_id=case_id, data=json_body(),
                                              expected_version=if_match())
    return case_after_commit(actor, case.id, quality=list(opinion.quality or []))


@endpoint("POST", "/cases/<int:case_id>/reply", summary="对审核意见书面回复（承办人员）", body=ReplyIn,
          response=CaseOut, errors=ACTION_ERRORS, roles=("handler",),
          description="Every problem point of the latest opinion needs a response. All accepted → the case waits "
                      "for resubmission (PATCH …/draft then POST …/submit); any disputed → in_coordination.")
def reply(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    case, _reply = reply_ops.reply_to_opinion(session, actor=actor, case_id=case_id, data=json_body(),
                                              expected_version=if_match())
    return case_after_commit(actor, case.id)


@endpoint("POST", "/cases/<int:case_id>/coordinate", summary="协调（行政执法机关负责人）", body=CoordinationIn,
          response=CaseOut, errors=ACTION_ERRORS, roles=("head",))
def coordinate(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    case, _record = coordinate_op(session, actor=actor, case_id=case_id, data=json_body(),
                                  expected_version=if_match())
    return case_after_commit(actor, case.id)


@endpoint("POST", "/cases/<int:case_id>/approve", summary="负责人审批：作出决定或退回（行政执法机关负责人）",
          body=ApprovalIn, response=CaseOut, errors=ACTION_ERRORS, roles=("head",),
          description="approve=true decides the case (`decision` is set); false returns it to the handler. A case "
                      "without an approving review of this exact draft → 409 not_cleared.")
def approve(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    case = approve_decision(session, actor=actor, case_id=case_id, data=json_body(), expected_version=if_match())
    return case_after_commit(actor, case.id)


@endpoint("POST", "/cases/<int:case_id>/collective-discussion", summary="记录集体讨论（行政执法机关负责人）",
          body=StandaloneDiscussionIn, response=CaseOut, errors=ACTION_ERRORS, roles=("head",),
          description="行政处罚法 art. 57, while the case awaits approval: `participants` are user ids (or usernames) "
                      "of the agency's heads, at least the agency's quorum (default 3), the `chair` among them; "
                      "`views` maps each participant to their view; `date` not in the future and not before the "
                      "approving review. Issues the 集体讨论记录 document.")
def collective_discussion(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    case, _record = record_collective_discussion(session, actor=actor, case_id=case_id, data=json_body(),
                                                 expected_version=if_match())
    return case_after_commit(actor, case.id)


@endpoint("POST", "/cases/<int:case_id>/complexity", summary="认定情节复杂（法制审核人员、审核机构负责人或机关负责人）",
          body=ComplexityIn, response=CaseOut, errors=ACTION_ERRORS, roles=("reviewer", "review_lead", "head"),
          description="From then on the decision needs a collective discussion (行政处罚法 art. 57). Audited "
                      "(`case_flagged_complex`); a case is found complex once.")
def complexity(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    case, _flag = flag_complex(session, actor=actor, case_id=case_id, data=json_body(), expected_version=if_match())
    return case_after_commit(actor, case.id)


@endpoint("POST", "/cases/<int:case_id>/signoff", summary="承办机构负责人签核报送", body=SignoffIn,
          response=CaseOut, errors=ACTION_ERRORS, roles=("unit_head",))
def signoff(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    body = parse_body(SignoffIn)
    case = case_ops.sign_off(session, actor=actor, case_id=case_id, approve=body.approve, comment=body.comment,
                             expected_version=if_match())
    return case_after_commit(actor, case.id)


@endpoint("POST", "/cases/<int:case_id>/supplement", summary="报告材料已补充（承办人员）", body=SupplementIn,
          body_optional=True, response=CaseOut, errors=ACTION_ERRORS, roles=("handler",))
def supplement(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    body = parse_body(SupplementIn, optional=True)
    case = case_ops.supplement_materials(session, actor=actor, case_id=case_id, note=body.note,
                                         expected_version=if_match())
    return case_after_commit(actor, case.id)


@endpoint("POST", "/cases/<int:case_id>/abandon", summary="不再作出该决定（承办人员）", body=AbandonIn,
          response=CaseOut, errors=ACTION_ERRORS, roles=("handler",))
def abandon(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    body = parse_body(AbandonIn)
    case = reply_ops.abandon_case(session, actor=actor, case_id=case_id, reason=body.reason,
                                  expected_version=if_match())
    return case_after_commit(actor, case.id)
