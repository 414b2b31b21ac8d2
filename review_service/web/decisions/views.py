"""The head's approval (the decision is made on the cleared draft, or the case goes back), and its publicity."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from sqlalchemy.orm import Session

from review_service.cases.queries import visible_case
from review_service.core.errors import Invalid
from review_service.decisions.operations import approve_decision
from review_service.decisions.publicity import publish_decision, revoke_decision, withdraw_decision
from review_service.organization.models import User
from review_service.web.actions import case_action
from review_service.web.cases.aftermath import case_aftermath
from review_service.web.coordination.panel import discussion_extra
from review_service.web.decisions.forms import ApprovalForm, PublishForm, RevokeForm, WithdrawForm
from review_service.web.edge import reading
from review_service.web.session import allow

bp = Blueprint("decisions", __name__)


@bp.route("/cases/<int:case_id>/approve", methods=["GET", "POST"])
@allow("head")
def approve(case_id: int) -> Any:
    """Approve or return. Without an approving review of this exact draft nothing is decided (art. 58)."""
    form = ApprovalForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        if form.approve.data not in ("yes", "no"):
            raise Invalid("请选择同意或退回。", fields={"approve": "请选择同意或退回"})
        approve_decision(session, actor=actor, case_id=case_id, data=form.approval(), expected_version=version)

    done = "已退回承办人员。" if form.approve.data == "no" else "已同意，决定已作出。"
    return case_action(case_id, form, tasks=("approve",), template="decisions/approve.html", perform=perform,
                       done=done, extra=discussion_extra)


@bp.route("/cases/<int:case_id>/publish", methods=["GET", "POST"])
@allow("handler", "head")
def publish(case_id: int) -> Any:
    """Record where and when the decision was published (indicators 36, 37)."""
    form = PublishForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        publish_decision(session, actor=actor, case_id=case_id, data=form.publication(), expected_version=version)

    return case_action(case_id, form, tasks=("publish",), template="decisions/publish.html", perform=perform,
                       done="公开情况已登记。")


@bp.route("/cases/<int:case_id>/revoke", methods=["GET", "POST"])
@allow("handler", "head")
def revoke(case_id: int) -> Any:
    """Record that the decision was revoked, confirmed illegal or ordered remade (opens an accountability inquiry)."""
    if request.method == "GET":  # registered once: after that the form is not offered (the operation refuses too)
        with reading() as (session, actor):
            visible_case(session, actor, case_id)
            revoked = case_aftermath(session, case_id).revoked
        if revoked:
            flash("该决定的撤销（确认违法、责令重作）情况已登记，不能重复登记。", "info")
            return redirect(url_for("cases.case", case_id=case_id))
    form = RevokeForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        data = form.revocation()
        # on the page both are required for a new registration (the API keeps them optional for old clients)
        missing = {**({"grounds": "请至少选择一项撤销理由"} if not data["grounds"] else {}),
                   **({"received_on": "请填写本机关收到日期"} if not data["received_on"] else {})}
        if missing:
            raise Invalid("请填写撤销理由和收到日期。", fields=missing)
        revoke_decision(session, actor=actor, case_id=case_id, data=data, expected_version=version)

    return case_action(case_id, form, tasks=(None, "publish", "withdraw"), template="decisions/revoke.html",
                       perform=perform, done="已登记，责任追究程序已启动。", decided_only=True)


@bp.route("/cases/<int:case_id>/withdraw", methods=["GET", "POST"])
@allow("handler", "head")
def withdraw(case_id: int) -> Any:
    """Record that the published decision was withdrawn (行政处罚法 art. 48)."""
    form = WithdrawForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        data = form.withdrawal()
        if not data["explanation"]:  # required on the page; optional on the API for old clients
            raise Invalid("请填写公开说明理由。", fields={"explanation": "撤回时应当公开说明理由"})
        withdraw_decision(session, actor=actor, case_id=case_id, data=data, expected_version=version)

    return case_action(case_id, form, tasks=("withdraw",), template="decisions/withdraw.html", perform=perform,
                       done="撤回情况已登记。")
