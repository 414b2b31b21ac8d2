"""The paths outside review: 撤回送审, 申请终止 / 终止审批, 移送司法机关 / 不移送. One operation per request."""

from __future__ import annotations

from sqlalchemy.orm import Session

from review_service.api.cases import WRITE_ERRORS, case_after_commit
from review_service.api.edge import Render, endpoint, if_match
from review_service.api.shapes import CaseOut
from review_service.cases.queries import case_task_in_scope
from review_service.edge import json_body
from review_service.organization.models import User
from review_service.paths import operations as path_ops
from review_service.paths.schemas import (
    TerminationDecisionIn,
    TerminationRequestIn,
    TransferDeclineIn,
    TransferIn,
    WithdrawalIn,
)


@endpoint("POST", "/cases/<int:case_id>/submission/withdraw", summary="撤回送审（承办人员）", body=WithdrawalIn,
          response=CaseOut, errors=WRITE_ERRORS, roles=("handler",),
          description="Before the opinion is written (awaiting sign-off, assignment, intake, materials or review) "
                      "the handler takes the submission back with a reason: the case returns to `draft`, the round "
                      "is recorded as withdrawn and its review deadline is cancelled. Elsewhere → 409.")
def withdraw_submission(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    case, _record = path_ops.withdraw_submission(session, actor=actor, case_id=case_id, data=json_body(),
                                                 expected_version=if_match())
    return case_after_commit(actor, case.id)


@endpoint("POST", "/cases/<int:case_id>/termination", summary="申请终止案件（承办人员）", body=TerminationRequestIn,
          response=CaseOut, errors=WRITE_ERRORS, roles=("handler",),
          description="While drafting or resubmitting, the handler asks the head to end the case without a "
                      "decision for a legal reason (`reason_code`); the case waits on the head's `terminate` task.")
def request_case_termination(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    case, _record = path_ops.request_termination(session, actor=actor, case_id=case_id, data=json_body(),
                                                 expected_version=if_match())
    return case_after_commit(actor, case.id)


@endpoint("POST", "/cases/<int:case_id>/termination/decision", summary="终止审批（行政执法机关负责人）",
          body=TerminationDecisionIn, response=CaseOut, errors=WRITE_ERRORS, roles=("head",),
          description="approve=true ends the case (status `closed`, end event `terminated`, a 终止 record is "
                      "issued); false (with `comment`) returns it to the handler's draft. A head who handled, "
                      "reviewed or advised on the case → 403.")
def decide_case_termination(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    case, _record = path_ops.decide_termination(session, actor=actor, case_id=case_id, data=json_body(),
                                                expected_version=if_match())
    return case_after_commit(actor, case.id)


@endpoint("POST", "/cases/<int:case_id>/transfer", summary="移送司法机关（行政执法机关负责人）", body=TransferIn,
          response=CaseOut, errors=WRITE_ERRORS, roles=("head",),
          description="行政处罚法 art. 27: on the review's finding (task `transfer`) or at approval, the head "
                      "transfers the case; the decision path closes (status `transferred`) and a 移送 record is "
                      "issued. Elsewhere → 409.")
def transfer_case(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    case, _record = path_ops.transfer_case(session, actor=actor, case_id=case_id, data=json_body(),
                                           expected_version=if_match())
    return case_after_commit(actor, case.id)


@endpoint("POST", "/cases/<int:case_id>/transfer/decline", summary="决定不移送（行政执法机关负责人）",
          body=TransferDeclineIn, response=CaseOut, errors=WRITE_ERRORS, roles=("head",),
          description="On the review's finding of a suspected crime the head decides not to transfer, with reasons; "
                      "the case goes on to the unit's written reply.")
def decline_case_transfer(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    case, _record = path_ops.decline_transfer(session, actor=actor, case_id=case_id, data=json_body(),
                                              expected_version=if_match())
    return case_after_commit(actor, case.id)
