"""Pages for the clocks a person moves (issue 19; the API's ``api/clocks.py`` does the same):

- 审批延长审核期限: the approving role (agency setting ``review_extension_approver_role``, default the head)
  grants or refuses the extension the review lead asked for;
- 延长办案期限: the head records an approved extension of the 行政处罚法 art. 60 limit (the second names the
  上一级行政机关 and its 批准文号 where the agency requires it);
- 登记不计入办案期限的期间: the handler or the head records a dated period the limit does not count (听证,
  鉴定/检测/检验/检疫, 公告, 送达 …: 市场监督管理行政处罚程序规定 art. 64 style).

Each is offered on the case page's 办理期限 panel only to whom it is open; each operation checks again.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import RadioField, SelectField, StringField, TextAreaField

from review_service.deadlines.decision_limit import extensions_of
from review_service.deadlines.limit_operations import extend_decision_limit, record_excluded_period
from review_service.deadlines.models import EXCLUDED_KINDS, EXTENSION_REASONS
from review_service.deadlines.operations import decide_review_extension, pending_extension
from review_service.organization.models import User
from review_service.organization.settings import agency_settings
from review_service.web.dates import DateInRange
from review_service.web.edge import blank_to_none, options
from review_service.web.offers import may_decide_extension, may_extend_limit, may_record_excluded
from review_service.web.session import allow
from review_service.web.side_actions import side_action

bp = Blueprint("clocks", __name__)


class ExtensionDecisionForm(FlaskForm):
    approve = RadioField("审批意见", choices=options([("yes", "同意延长"), ("no", "不同意")]), default="yes")
    comment = TextAreaField("意见（不同意时请写明理由）")
    expected_version = StringField(render_kw={"type": "hidden"})


class LimitExtensionForm(FlaskForm):
    days = StringField("延长的日数（日历日，留空为本机关规定的日数）", render_kw={"type": "number", "min": 1})
    reason = TextAreaField("延长理由")
    approved_on = StringField("批准日期", validators=[DateInRange()], render_kw={"type": "date"})
    approver = StringField("批准机关或负责人（第二次延长须填写上一级行政机关）")
    approval_document = StringField("批准文号")
    expected_version = StringField(render_kw={"type": "hidden"})


class ExcludedPeriodForm(FlaskForm):
    kind = SelectField("期间类别", choices=options([("", "请选择"), *EXCLUDED_KINDS.items()]), validate_choice=False)
    start_on = StringField("开始日期", validators=[DateInRange()], render_kw={"type": "date"})
    end_on = StringField("结束日期", validators=[DateInRange()], render_kw={"type": "date"})
    note = TextAreaField("说明（选择“其他”时必填）")
    expected_version = StringField(render_kw={"type": "hidden"})


@bp.route("/cases/<int:case_id>/review/extension-decision", methods=["GET", "POST"])
@allow("head", "review_lead")
def extension_decision(case_id: int) -> Any:
    form = ExtensionDecisionForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        decide_review_extension(session, actor=actor, case_id=case_id, expected_version=version,
                                data={"approve": form.approve.data == "yes", "comment": form.comment.data or ""})

    def extra(session: Session, actor: User, case: dict[str, Any]) -> dict[str, Any]:
        request = pending_extension(session, case_id)
        return {"request": request, "reason_label": EXTENSION_REASONS.get(request.reason_code, "")
                if request is not None else ""}

    done = "已同意延长审核期限。" if form.approve.data == "yes" else "已不同意延长审核期限。"
    return side_action(case_id, form, template="deadlines/extension_decision.html", perform=perform, done=done,
                       is_open=may_decide_extension, extra=extra)


@bp.route("/cases/<int:case_id>/decision-limit/extend", methods=["GET", "POST"])
@allow("head")
def limit_extension(case_id: int) -> Any:
    form = LimitExtensionForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        raw = (form.days.data or "").strip()
        extend_decision_limit(session, actor=actor, case_id=case_id, expected_version=version, data={
            "days": (int(raw) if raw.isdigit() and len(raw) < 4 else raw) if raw else None,
            "reason": form.reason.data or "", "approved_on": blank_to_none(form.approved_on.data),
            "approver": form.approver.data or "", "approval_document": form.approval_document.data or ""})

    def extra(session: Session, actor: User, case: dict[str, Any]) -> dict[str, Any]:
        done = extensions_of(session, case_id)
        allowed = agency_settings(actor.agency).penalty_extension_days
        return {"seq": len(done) + 1, "allowed": allowed[len(done)] if len(done) < len(allowed) else None}

    return side_action(case_id, form, template="deadlines/limit_extension.html", perform=perform,
                       done="已登记延长办案期限。", is_open=may_extend_limit, extra=extra)


@bp.route("/cases/<int:case_id>/decision-limit/excluded-period", methods=["GET", "POST"])
@allow("handler", "head")
def excluded_period(case_id: int) -> Any:
    form = ExcludedPeriodForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        record_excluded_period(session, actor=actor, case_id=case_id, expected_version=version, data={
            "kind": form.kind.data or "", "start_on": blank_to_none(form.start_on.data),
            "end_on": blank_to_none(form.end_on.data), "note": form.note.data or ""})

    return side_action(case_id, form, template="deadlines/excluded_period.html", perform=perform,
                       done="已登记不计入办案期限的期间。", is_open=may_record_excluded)
