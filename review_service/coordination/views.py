"""The head's coordination when the unit disputes an opinion (协调机制)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from sqlalchemy.orm import Session

from review_service.coordination.forms import CoordinationForm
from review_service.coordination.operations import coordinate as coordinate_op
from review_service.organization.models import User
from review_service.web.actions import case_action
from review_service.web.edge import Failure
from review_service.web.session import allow

bp = Blueprint("coordination", __name__, template_folder="templates")


def _friendlier(failure: Failure) -> Failure:
    if failure.fields.get("outcome") == "取值不在允许范围内":
        failure.fields["outcome"] = "请选择协调结果"
    return failure


@bp.route("/cases/<int:case_id>/coordinate", methods=["GET", "POST"])
@allow("head")
def coordinate(case_id: int) -> Any:
    """Uphold the review, send it back to review, or terminate; optionally as a collective discussion."""
    form = CoordinationForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        coordinate_op(session, actor=actor, case_id=case_id, data=form.coordination(), expected_version=version)

    return case_action(case_id, form, tasks=("coordinate",), template="coordination/coordinate.html",
                       perform=perform, done="协调结果已记录。", adjust=_friendlier)
