"""Pages to ask for (handler) and confirm or refuse (review lead) the downgrade of a case once major."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import RadioField, StringField, TextAreaField

from review_service.cases import downgrades
from review_service.organization.models import User
from review_service.web.cases.views import bp
from review_service.web.edge import options
from review_service.web.session import allow
from review_service.web.side_actions import side_action


class DowngradeRequestForm(FlaskForm):
    reasons = TextAreaField("申请理由（为何当前草稿不再属于重大执法决定）")
    expected_version = StringField(render_kw={"type": "hidden"})


class DowngradeDecisionForm(FlaskForm):
    confirm = RadioField("确认意见", choices=options([("yes", "确认降级：当前草稿可不经法制审核，由负责人审批"),
                                                  ("no", "不同意降级：仍须法制审核")]), default="no")
    reasons = TextAreaField("理由")
    expected_version = StringField(render_kw={"type": "hidden"})


def _at_drafting(case: dict[str, Any]) -> bool:
    return bool(case["tasks"]) and case["tasks"][0]["kind"] == "draft"


def _gate_context(session: Session, actor: User, case: dict[str, Any]) -> dict[str, Any]:
    return {"gate": case["gate"], "pending": downgrades.pending_request(session, int(case["id"]))}


@bp.route("/cases/<int:case_id>/downgrade", methods=["GET", "POST"])
@allow("handler")
def request_downgrade(case_id: int) -> Any:
    """The handler asks the review lead to confirm that the current draft is no longer major."""
    form = DowngradeRequestForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        downgrades.request_downgrade(session, actor=actor, case_id=case_id, reasons=form.reasons.data or "",
                                     expected_version=version)

    def is_open(session: Session, actor: User, case: dict[str, Any]) -> bool:
        gate = case["gate"]
        return (_at_drafting(case) and gate["ever_major"] and gate["under_review_gate"]
                and not (case["classification"] or {}).get("major", True)
                and downgrades.pending_request(session, case_id) is None)

    return side_action(case_id, form, template="cases/downgrade_request.html", perform=perform,
                       done="降级申请已提交，等待法制审核机构负责人确认。", is_open=is_open, extra=_gate_context)


@bp.route("/cases/<int:case_id>/downgrade/decide", methods=["GET", "POST"])
@allow("review_lead")
def decide_downgrade(case_id: int) -> Any:
    """The review lead confirms or refuses the pending downgrade request, with reasons."""
    form = DowngradeDecisionForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        downgrades.decide_downgrade(session, actor=actor, case_id=case_id, confirm=form.confirm.data == "yes",
                                    reasons=form.reasons.data or "", expected_version=version)

    def is_open(session: Session, actor: User, case: dict[str, Any]) -> bool:
        return _at_drafting(case) and downgrades.pending_request(session, case_id) is not None

    return side_action(case_id, form, template="cases/downgrade_decide.html", perform=perform,
                       done="已作出降级确认意见。", is_open=is_open, extra=_gate_context)
