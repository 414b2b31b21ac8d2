"""Pages to suspend (中止) and resume (恢复) a case."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import SelectField, StringField, TextAreaField

from review_service.cases.suspension import resume_case, suspend_case
from review_service.cases.suspension_models import SUSPENSION_REASONS
from review_service.organization.models import User
from review_service.web.cases.views import bp
from review_service.web.edge import options
from review_service.web.offers import in_process, may_suspend_or_resume
from review_service.web.session import allow
from review_service.web.side_actions import side_action


class SuspendForm(FlaskForm):
    reason = SelectField("中止事由", choices=options([("", "请选择"), *SUSPENSION_REASONS.items()]),
                         validate_choice=False)
    reason_text = TextAreaField("具体情况（选择“其他”时必填）")
    expected_version = StringField(render_kw={"type": "hidden"})


class ResumeForm(FlaskForm):
    note = TextAreaField("恢复办理的理由（中止事由已消除的情况）")
    expected_version = StringField(render_kw={"type": "hidden"})


@bp.route("/cases/<int:case_id>/suspend", methods=["GET", "POST"])
@allow("head", "review_lead")
def suspend(case_id: int) -> Any:
    """中止: the head (or, at the review steps, the review lead) suspends a case for a legal reason."""
    form = SuspendForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        suspend_case(session, actor=actor, case_id=case_id,
                     data={"reason": form.reason.data or "", "reason_text": form.reason_text.data or ""},
                     expected_version=version)

    def is_open(session: Session, actor: User, case: dict[str, Any]) -> bool:
        return not case["suspended"] and in_process(case) and may_suspend_or_resume(actor, case)

    return side_action(case_id, form, template="cases/suspend.html", perform=perform, done="案件已中止。",
                       is_open=is_open)


@bp.route("/cases/<int:case_id>/resume", methods=["GET", "POST"])
@allow("head", "review_lead")
def resume(case_id: int) -> Any:
    """恢复: the case goes on; its deadlines move back by the working days it was suspended."""
    form = ResumeForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        resume_case(session, actor=actor, case_id=case_id, data={"note": form.note.data or ""},
                    expected_version=version)

    def is_open(session: Session, actor: User, case: dict[str, Any]) -> bool:
        return bool(case["suspended"]) and may_suspend_or_resume(actor, case)

    return side_action(case_id, form, template="cases/resume.html", perform=perform, done="案件已恢复办理。",
                       is_open=is_open)
