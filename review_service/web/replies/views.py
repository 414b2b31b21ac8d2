"""The handling unit's written reply to an opinion, point by point."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from sqlalchemy.orm import Session

from review_service.cases.queries import visible_case
from review_service.organization.models import User
from review_service.replies import operations as reply_ops
from review_service.review.rounds import latest_review
from review_service.web.actions import case_action
from review_service.web.edge import Failure, reading
from review_service.web.replies.forms import reply_form
from review_service.web.session import allow

bp = Blueprint("replies", __name__)


def _friendlier(failure: Failure) -> Failure:
    for name in list(failure.fields):
        if name.endswith("-action") and failure.fields[name] == "取值不在允许范围内":
            failure.fields[name] = "请选择采纳或有异议"
    return failure


@bp.route("/cases/<int:case_id>/reply", methods=["GET", "POST"])
@allow("handler")
def reply(case_id: int) -> Any:
    """Answer each problem point: accepted (what changed) or disputed (why)."""
    with reading() as (session, actor):
        case = visible_case(session, actor, case_id)
        review = latest_review(session, case.id)
        problems = review.problem_points() if review else []
        opinion = {"round": review.round, "points": review.points} if review else None
    form = reply_form(problems)

    def perform(session: Session, actor: User, version: int | None) -> None:
        reply_ops.reply_to_opinion(session, actor=actor, case_id=case_id, data=form.reply(),
                                   expected_version=version)

    return case_action(case_id, form, tasks=("reply",), template="replies/reply.html", perform=perform,
                       done="书面回复已提交。", extra=lambda *_: {"problems": problems, "opinion": opinion},
                       adjust=_friendlier)
