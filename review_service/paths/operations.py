"""The verbs of the paths outside review: 撤回送审, 申请终止 / 终止审批, 移送司法机关.

Each is a signal to the process (a boundary signal event of the task the case waits on) or the
completion of the head's task that follows it; the BPMN file decides where the case goes next.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.cases.flow import CaseFlow, lock_case
from review_service.cases.models import Case, Submission
from review_service.cases.operations import require_handler
from review_service.cases.participants import require_uninvolved
from review_service.cases.schemas import parse_input
from review_service.core import signals, tx
from review_service.core.actions import Action
from review_service.core.clock import beijing_today
from review_service.core.errors import Invalid
from review_service.core.permissions import require_role
from review_service.organization.models import User
from review_service.paths.models import (
    TERMINATION_REASONS,
    TerminationDecision,
    TerminationRequest,
    Transfer,
    Withdrawal,
)
from review_service.paths.schemas import (
    TerminationDecisionIn,
    TerminationRequestIn,
    TransferDeclineIn,
    TransferIn,
    WithdrawalIn,
)

WITHDRAW = "withdraw_submission"
REQUEST_TERMINATION = "request_termination"
TRANSFER_DECIDED = "transfer_decided"


def _emit(session: Session, action: Action, case: Case, actor: User, role: str, payload: dict[str, Any]) -> None:
    signals.emit(action, session=session, actor=actor, role=role, agency_id=case.agency_id, case_id=case.id,
                 payload=payload)


def withdraw_submission(session: Session, *, actor: User, case_id: int, data: Any,
                        expected_version: int | None = None) -> tuple[Case, Withdrawal]:
    """撤回送审: before the opinion is written the handler takes the submission back; the case returns to draft.

    Possible while the case waits for sign-off, assignment, intake, supplementing or review; the
    round is recorded as withdrawn and the review deadline (with its timers) is cancelled.
    """
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_handler(session, case, actor)
    flow = CaseFlow(session, case)
    flow.require_signal(WITHDRAW, "只有在审核意见作出之前（待签核、分配、受理审查、补充材料或审核中）才能撤回送审。")
    withdrawal_in = parse_input(WithdrawalIn, data)
    submission = session.scalars(select(Submission).where(Submission.case_id == case.id)
                                 .order_by(Submission.id.desc()).limit(1)).one()
    at_task = case.current_task or ""
    record = tx.record(session, Withdrawal(case_id=case.id, submission_id=submission.id, round=case.round + 1,
                                               at_task=at_task, reason=withdrawal_in.reason,
                                               withdrawn_by=actor.id))
    flow.send_event(WITHDRAW, {}, actor=actor, role="handler")
    _emit(session, Action.SUBMISSION_WITHDRAWN, case, actor, "handler",
          {"withdrawal_id": record.id, "submission_id": submission.id, "round": record.round, "at_task": at_task,
           "reason": record.reason, "status": case.status})
    return case, record


def request_termination(session: Session, *, actor: User, case_id: int, data: Any,
                        expected_version: int | None = None) -> tuple[Case, TerminationRequest]:
    """申请终止: the handler asks the head to end the case without a decision, for a legal reason.

    Possible while the handler drafts or resubmits (a case under review is withdrawn first).
    """
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_handler(session, case, actor)
    flow = CaseFlow(session, case)
    flow.require_signal(REQUEST_TERMINATION, "只有在起草或重新报送环节才能申请终止（审核中的案件请先撤回送审）。")
    request_in = parse_input(TerminationRequestIn, data)
    at_task = case.current_task or ""
    record = tx.record(session, TerminationRequest(case_id=case.id, reason_code=request_in.reason_code,
                                                       reason=request_in.reason, at_task=at_task,
                                                       requested_by=actor.id))
    flow.send_event(REQUEST_TERMINATION, {}, actor=actor, role="handler")
    _emit(session, Action.TERMINATION_REQUESTED, case, actor, "handler",
          {"request_id": record.id, "reason_code": record.reason_code,
           "reason_label": TERMINATION_REASONS[record.reason_code], "reason": record.reason, "at_task": at_task,
           "status": case.status})
    return case, record


def decide_termination(session: Session, *, actor: User, case_id: int, data: Any,
                       expected_version: int | None = None) -> tuple[Case, TerminationDecision]:
    """终止审批: the head (not involved in the case) approves, and the case ends; or refuses, back to drafting."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_role(actor, "head")
    require_uninvolved(session, case, actor, "承办、审核本案或提供法律意见的人员不能审批本案的终止。")
    flow = CaseFlow(session, case)
    flow.require_task("terminate")
    decision_in = parse_input(TerminationDecisionIn, data)
    if not decision_in.approve and not decision_in.comment:
        raise Invalid("不予终止时请说明理由。", fields={"comment": "不予终止时必填"})
    request = session.scalars(select(TerminationRequest).where(TerminationRequest.case_id == case.id)
                              .order_by(TerminationRequest.id.desc()).limit(1)).one()
    record = tx.record(session, TerminationDecision(request_id=request.id, case_id=case.id,
                                                        approved=decision_in.approve, comment=decision_in.comment,
                                                        head_id=actor.id))
    flow.complete("terminate", {"termination_approved": decision_in.approve}, actor=actor, role="head")
    _emit(session, Action.CASE_TERMINATED if decision_in.approve else Action.TERMINATION_REFUSED, case, actor, "head",
          {"request_id": request.id, "decision_id": record.id, "reason_code": request.reason_code,
           "comment": record.comment, "end_event": flow.run.end_event, "status": case.status})
    if decision_in.approve:
        signals.send_required(signals.termination_approved, record, session=session, case=case, request=request,
                              decision=record, actor=actor)
    return case, record


def transfer_case(session: Session, *, actor: User, case_id: int, data: Any,
                  expected_version: int | None = None) -> tuple[Case, Transfer]:
    """移送司法机关 (行政处罚法 art. 27): the head transfers the case; the decision path closes.

    On the review's finding (the case waits on the head's ``transfer`` task) or on the head's own
    decision while the case waits for approval.
    """
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_role(actor, "head")
    require_uninvolved(session, case, actor, "承办、审核本案或提供法律意见的人员不能决定本案的移送。")
    flow = CaseFlow(session, case)
    task = flow.run.find_ready("transfer")
    if task is None:
        flow.require_signal(TRANSFER_DECIDED,
                            "当前环节不能决定移送：只有在负责人决定是否移送或审批时才能移送司法机关。")
    transfer_in = parse_input(TransferIn, data)
    if transfer_in.transferred_on > beijing_today():
        raise Invalid("移送日期不能晚于今天。", fields={"transferred_on": "不能是将来的日期"})
    record = tx.record(session, Transfer(
        case_id=case.id, round=case.round, source="review" if task is not None else "head", transferred=True,
        receiving_organ=transfer_in.receiving_organ, transferred_on=transfer_in.transferred_on,
        file_number=transfer_in.file_number, reason=transfer_in.reason, head_id=actor.id))
    if task is not None:
        flow.complete("transfer", {"transfer": True}, actor=actor, role="head")
    else:
        flow.send_event(TRANSFER_DECIDED, {}, actor=actor, role="head")
    _emit(session, Action.CASE_TRANSFERRED, case, actor, "head",
          {"transfer_id": record.id, "source": record.source, "round": record.round,
           "receiving_organ": record.receiving_organ, "transferred_on": transfer_in.transferred_on.isoformat(),
           "file_number": record.file_number, "reason": record.reason, "status": case.status})
    signals.send_required(signals.case_transferred, record, session=session, case=case, transfer=record,
                          actor=actor)
    return case, record


def decline_transfer(session: Session, *, actor: User, case_id: int, data: Any,
                     expected_version: int | None = None) -> tuple[Case, Transfer]:
    """The head decides not to transfer on the review's finding; the case goes on to the unit's reply."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_role(actor, "head")
    require_uninvolved(session, case, actor, "承办、审核本案或提供法律意见的人员不能决定本案的移送。")
    flow = CaseFlow(session, case)
    flow.require_task("transfer")
    decline_in = parse_input(TransferDeclineIn, data)
    record = tx.record(session, Transfer(case_id=case.id, round=case.round, source="review", transferred=False,
                                             reason=decline_in.reason, head_id=actor.id))
    flow.complete("transfer", {"transfer": False}, actor=actor, role="head")
    _emit(session, Action.TRANSFER_DECLINED, case, actor, "head",
          {"transfer_id": record.id, "round": record.round, "reason": record.reason, "status": case.status})
    return case, record
