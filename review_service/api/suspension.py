"""Case actions beside the process: suspend, resume, a recusal declaration, reassigning the reviewer or the handler."""

from __future__ import annotations

from sqlalchemy.orm import Session

from review_service.api.cases import WRITE_ERRORS, case_after_commit
from review_service.api.edge import Render, endpoint, if_match, parse_body
from review_service.api.shapes import AssignIn, CaseOut
from review_service.cases.queries import case_task_in_scope
from review_service.cases.reassignment import ReassignIn, reassign_case
from review_service.cases.suspension import ResumeIn, SuspendIn, resume_case, suspend_case
from review_service.edge import json_body
from review_service.organization.models import User
from review_service.review import operations as review_ops
from review_service.review.recusal import RecusalIn, declare_recusal


@endpoint("POST", "/cases/<int:case_id>/suspend",
          summary="中止案件（行政执法机关负责人；审核阶段也可由法制审核机构负责人）",
          body=SuspendIn, response=CaseOut, errors=WRITE_ERRORS, roles=("head", "review_lead"),
          description="For a legal reason from the fixed list (`other` needs `reason_text`). While suspended every "
                      "other action on the case → 409 conflict with details.rule=suspended, no timer fires and the "
                      "running deadlines stop counting. Audited as case_suspended.")
def suspend(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    suspend_case(session, actor=actor, case_id=case_id, data=json_body(), expected_version=if_match())
    return case_after_commit(actor, case_id)


@endpoint("POST", "/cases/<int:case_id>/resume", summary="恢复办理中止的案件", body=ResumeIn, body_optional=True,
          response=CaseOut, errors=WRITE_ERRORS, roles=("head", "review_lead"),
          description="Every open deadline moves back by the working days spent suspended, and its timers with it. "
                      "A case not suspended → 409 (details.rule=not_suspended). Audited as case_resumed.")
def resume(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    resume_case(session, actor=actor, case_id=case_id, data=json_body(optional=True), expected_version=if_match())
    return case_after_commit(actor, case_id)


@endpoint("POST", "/cases/<int:case_id>/review/recusal",
          summary="回避声明：与本案无利害关系或申请回避（审核人员、法律顾问）",
          body=RecusalIn, response=CaseOut, errors=WRITE_ERRORS, roles=("reviewer", "advisor"),
          description="The assigned reviewer must declare `no_conflict` before intake and review (403 "
                      "rule=recusal_declaration otherwise); `decline` (with `reason`) returns the assignment to the "
                      "review lead. An advisor is named in an opinion only after `no_conflict`. Audited as "
                      "recusal_declared.")
def recusal(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    declare_recusal(session, actor=actor, case_id=case_id, data=json_body(), expected_version=if_match())
    return case_after_commit(actor, case_id)


@endpoint("POST", "/cases/<int:case_id>/review/reassign", summary="审核人员回避后重新分配（法制审核机构负责人）",
          body=AssignIn, response=CaseOut, errors=WRITE_ERRORS, roles=("review_lead",),
          description="Only after the assigned reviewer declined (回避); the same checks as assignment, and the "
                      "reviewer who declined cannot be assigned again (403 rule=recused). Audited as "
                      "reviewer_reassigned.")
def reassign(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    body = parse_body(AssignIn)
    review_ops.reassign_reviewer(session, actor=actor, case_id=case_id, reviewer_id=body.reviewer_id,
                                 advisor_ids=body.advisor_ids, expected_version=if_match())
    return case_after_commit(actor, case_id)


@endpoint("POST", "/cases/<int:case_id>/reassign", summary="改派承办人（承办机构负责人）",
          body=ReassignIn, response=CaseOut, errors=WRITE_ERRORS, roles=("unit_head",),
          description="`handler`: a user id or username of an active handler of the agency, not the current one "
                      "(422 otherwise); `reason` required. From then on only the new handler acts on the case's "
                      "handler tasks (another handler → 403 rule=not_assignee, unless the agency setting "
                      "handlers_share_cases). Possible at any step, while suspended too. Audited as "
                      "case_reassigned.")
def reassign_handler(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    reassign_case(session, actor=actor, case_id=case_id, data=json_body(), expected_version=if_match())
    return case_after_commit(actor, case_id)
