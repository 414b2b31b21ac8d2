"""The handler's 行政处罚决定书（代拟稿） from the case page (issue 18; documents/penalty_decision.py)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import BooleanField, StringField

from review_service.documents.penalty_decision import draft_penalty_decision
from review_service.organization.models import User
from review_service.web.documents.views import bp
from review_service.web.offers import may_attach_materials, may_draft_penalty_decision
from review_service.web.session import allow
from review_service.web.side_actions import side_action


class PenaltyDecisionForm(FlaskForm):
    attach = BooleanField("同时作为“拟作出的决定文书”附入送审材料")
    expected_version = StringField(render_kw={"type": "hidden"})


@bp.route("/cases/<int:case_id>/penalty-decision", methods=["GET", "POST"])
@allow("handler")
def penalty_decision(case_id: int) -> Any:
    """生成代拟稿: issued as a document of the case (文书); attached as the decision_draft material when asked."""
    form = PenaltyDecisionForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        draft_penalty_decision(session, actor=actor, case_id=case_id, attach=bool(form.attach.data),
                               expected_version=version)

    def is_open(session: Session, actor: User, case: dict[str, Any]) -> bool:
        return may_draft_penalty_decision(actor, case)

    def extra(session: Session, actor: User, case: dict[str, Any]) -> dict[str, Any]:
        return {"can_attach": may_attach_materials(case)}

    done = ("已生成行政处罚决定书（代拟稿），并已附入送审材料。" if form.attach.data
            else "已生成行政处罚决定书（代拟稿），可在“文书”中下载或打印。")
    return side_action(case_id, form, template="documents/penalty_decision.html", perform=perform, done=done,
                       is_open=is_open, extra=extra)
