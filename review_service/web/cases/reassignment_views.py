"""The page where the unit head (承办机构负责人) reassigns a case to another handler (改派承办人)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import SelectField, StringField, TextAreaField

from review_service.cases.reassignment import reassign_case
from review_service.organization.models import User
from review_service.web.cases.views import bp
from review_service.web.edge import options
from review_service.web.offers import may_reassign_handler
from review_service.web.reads import agency_people
from review_service.web.session import allow
from review_service.web.side_actions import side_action


class ReassignForm(FlaskForm):
    handler = SelectField("改派给", choices=[], validate_choice=False)
    reason = TextAreaField("改派理由")
    expected_version = StringField(render_kw={"type": "hidden"})


@bp.route("/cases/<int:case_id>/reassign", methods=["GET", "POST"])
@allow("unit_head")
def reassign(case_id: int) -> Any:
    """改派承办人: the case's handler tasks go to another active handler of the agency, with a reason."""
    form = ReassignForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        reassign_case(session, actor=actor, case_id=case_id,
                      data={"handler": form.handler.data or "", "reason": form.reason.data or ""},
                      expected_version=version)

    def choices(session: Session, actor: User, case: dict[str, Any]) -> dict[str, Any]:
        current = (case.get("handler") or {}).get("id")
        form.handler.choices = options([("", "请选择")] + [
            (str(u.id), u.name) for u in agency_people(session, int(case["agency"]["id"]), "handler")
            if str(u.id) != current])
        return {}

    return side_action(case_id, form, template="cases/reassign.html", perform=perform, done="已改派承办人。",
                       is_open=lambda session, actor, case: may_reassign_handler(actor, case), extra=choices)
