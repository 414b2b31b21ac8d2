"""Pages of 回避: the reviewer's or advisor's declaration, and the review lead's reassignment after a decline."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import RadioField, StringField, TextAreaField

from review_service.core.errors import Invalid
from review_service.organization.models import User
from review_service.review import operations as review_ops
from review_service.review.models import DECLARATION_LABELS
from review_service.review.recusal import declare_recusal, needs_declaration
from review_service.web.edge import options
from review_service.web.offers import awaiting_reassignment
from review_service.web.reads import agency_people
from review_service.web.review.forms import AssignForm
from review_service.web.review.views import QUALIFIED, UNQUALIFIED, bp
from review_service.web.session import allow
from review_service.web.side_actions import side_action


class RecusalForm(FlaskForm):
    declaration = RadioField("回避声明", choices=options(DECLARATION_LABELS.items()), validate_choice=False)
    reason = TextAreaField("申请回避的理由（申请回避时必填）")
    expected_version = StringField(render_kw={"type": "hidden"})


@bp.route("/cases/<int:case_id>/review/recusal", methods=["GET", "POST"])
@allow("reviewer", "advisor")
def recusal(case_id: int) -> Any:
    """回避声明: the assigned reviewer (or an advisor) states no conflict of interest, or declines."""
    form = RecusalForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        declare_recusal(session, actor=actor, case_id=case_id,
                        data={"declaration": form.declaration.data or "", "reason": form.reason.data or ""},
                        expected_version=version)

    return side_action(case_id, form, template="review/recusal.html", perform=perform, done="回避声明已记录。",
                       is_open=needs_declaration)


@bp.route("/cases/<int:case_id>/review/reassign", methods=["GET", "POST"])
@allow("review_lead")
def reassign(case_id: int) -> Any:
    """After the reviewer declined, the review lead assigns another reviewer (and advisors)."""
    form = AssignForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        if not form.reviewer():
            raise Invalid("请选择审核人员。", fields={"reviewer_id": "请选择审核人员"})
        review_ops.reassign_reviewer(session, actor=actor, case_id=case_id, reviewer_id=form.reviewer(),
                                     advisor_ids=form.advisors(), expected_version=version)

    def choices(session: Session, actor: User, case: dict[str, Any]) -> dict[str, Any]:
        agency_id = int(case["agency"]["id"])
        form.reviewer_id.choices = options([("", "请选择")] + [
            (str(u.id), f"{u.name}（{QUALIFIED if u.qualification == 'legal_profession' else UNQUALIFIED}）")
            for u in agency_people(session, agency_id, "reviewer")])
        form.advisor_ids.choices = options((str(u.id), u.name) for u in agency_people(session, agency_id, "advisor"))
        return {}

    return side_action(case_id, form, template="review/reassign.html", perform=perform, done="已重新分配审核人员。",
                       is_open=lambda session, actor, case: awaiting_reassignment(case), extra=choices)
