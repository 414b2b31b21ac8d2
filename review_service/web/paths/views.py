"""Pages of the paths outside review: 撤回送审, 申请终止 / 终止审批, 移送司法机关 / 不移送."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField

from review_service.core.clock import beijing_today
from review_service.organization.models import User
from review_service.paths import operations as path_ops
from review_service.paths.models import TERMINATION_REASONS
from review_service.web.actions import case_action
from review_service.web.dates import DateInRange
from review_service.web.edge import options
from review_service.web.session import allow
from review_service.web.side_actions import side_action

bp = Blueprint("paths", __name__)

#: Where a submission waits before its opinion: it may be withdrawn there (the BPMN boundary signals).
WITHDRAWABLE = ("signoff", "assign", "intake", "supplement", "review")
#: Where the handler may ask for termination.
TERMINABLE = ("draft", "resubmit")


def _waiting(case: dict[str, Any]) -> str | None:
    return case["tasks"][0]["kind"] if case["tasks"] else None


class WithdrawForm(FlaskForm):
    reason = TextAreaField("撤回理由")
    expected_version = StringField(render_kw={"type": "hidden"})


class TerminationRequestForm(FlaskForm):
    reason_code = SelectField("终止事由", choices=options([("", "请选择"), *TERMINATION_REASONS.items()]),
                              validate_choice=False)
    reason = TextAreaField("具体情况说明")
    expected_version = StringField(render_kw={"type": "hidden"})


class TerminationDecisionForm(FlaskForm):
    approve = RadioField("审批结果", choices=options([("yes", "同意终止"), ("no", "不予终止，退回承办人员")]),
                         validate_choice=False)
    comment = TextAreaField("审批意见（不予终止时必填）")
    expected_version = StringField(render_kw={"type": "hidden"})


class TransferForm(FlaskForm):
    receiving_organ = StringField("接收移送的司法机关")
    transferred_on = DateField("移送日期", default=beijing_today, validators=[DateInRange()])
    file_number = StringField("移送文书文号")
    reason = TextAreaField("移送理由（涉嫌的犯罪及依据）")
    expected_version = StringField(render_kw={"type": "hidden"})


class DeclineForm(FlaskForm):
    reason = TextAreaField("不移送的理由")
    expected_version = StringField(render_kw={"type": "hidden"})


@bp.route("/cases/<int:case_id>/submission/withdraw", methods=["GET", "POST"])
@allow("handler")
def withdraw(case_id: int) -> Any:
    """撤回送审: the handler takes the submission back before the opinion is written."""
    form = WithdrawForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        path_ops.withdraw_submission(session, actor=actor, case_id=case_id, data={"reason": form.reason.data or ""},
                                     expected_version=version)

    return side_action(case_id, form, template="paths/withdraw.html", perform=perform,
                       done="已撤回送审，案件回到起草环节。",
                       is_open=lambda _session, _actor, case: _waiting(case) in WITHDRAWABLE)


@bp.route("/cases/<int:case_id>/termination", methods=["GET", "POST"])
@allow("handler")
def request_termination(case_id: int) -> Any:
    """申请终止: the handler asks the head to end the case without a decision."""
    form = TerminationRequestForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        path_ops.request_termination(session, actor=actor, case_id=case_id,
                                     data={"reason_code": form.reason_code.data or "",
                                           "reason": form.reason.data or ""}, expected_version=version)

    return side_action(case_id, form, template="paths/request_termination.html", perform=perform,
                       done="终止申请已提交负责人审批。",
                       is_open=lambda _session, _actor, case: _waiting(case) in TERMINABLE)


@bp.route("/cases/<int:case_id>/termination/decision", methods=["GET", "POST"])
@allow("head")
def decide_termination(case_id: int) -> Any:
    """终止审批: the head approves (the case ends) or refuses the termination."""
    form = TerminationDecisionForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        approve = {"yes": True, "no": False}.get(form.approve.data or "", form.approve.data)
        path_ops.decide_termination(session, actor=actor, case_id=case_id,
                                    data={"approve": approve, "comment": form.comment.data or ""},
                                    expected_version=version)

    return case_action(case_id, form, tasks=("terminate",), template="paths/decide_termination.html",
                       perform=perform, done="终止审批已完成。")


@bp.route("/cases/<int:case_id>/transfer", methods=["GET", "POST"])
@allow("head")
def transfer(case_id: int) -> Any:
    """移送司法机关: on the review's finding, or at approval, the head transfers the case."""
    form = TransferForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        day = form.transferred_on.data
        path_ops.transfer_case(session, actor=actor, case_id=case_id,
                               data={"receiving_organ": form.receiving_organ.data or "",
                                     "transferred_on": day.isoformat() if day else "",
                                     "file_number": form.file_number.data or "", "reason": form.reason.data or ""},
                               expected_version=version)

    return case_action(case_id, form, tasks=("transfer", "approve"), template="paths/transfer.html",
                       perform=perform, done="案件已移送司法机关。")


@bp.route("/cases/<int:case_id>/transfer/decline", methods=["GET", "POST"])
@allow("head")
def decline_transfer(case_id: int) -> Any:
    """不移送: on the review's finding the head decides not to transfer; the case goes on to the reply."""
    form = DeclineForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        path_ops.decline_transfer(session, actor=actor, case_id=case_id, data={"reason": form.reason.data or ""},
                                  expected_version=version)

    return case_action(case_id, form, tasks=("transfer",), template="paths/decline_transfer.html",
                       perform=perform, done="已决定不移送，案件转承办机构书面回复。")
