"""The head's coordination when the unit disputes an opinion (协调机制)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from sqlalchemy.orm import Session

from review_service.coordination.discussion_records import (
    FLAGGING_ROLES,
    flag_complex,
    record_collective_discussion,
)
from review_service.coordination.operations import coordinate as coordinate_op
from review_service.organization.models import User
from review_service.web.actions import case_action
from review_service.web.coordination.forms import ComplexityForm, CoordinationForm, StandaloneDiscussionForm
from review_service.web.coordination.panel import discussion_extra
from review_service.web.edge import Failure
from review_service.web.session import allow

bp = Blueprint("coordination", __name__)
# the steps at which the review body or the head may find a case 情节复杂 (not once it is decided or closed)
FLAGGABLE_TASKS = ("draft", "signoff", "supplement", "assign", "intake", "review", "reply", "resubmit", "coordinate",
                   "approve")


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


@bp.route("/cases/<int:case_id>/collective-discussion", methods=["GET", "POST"])
@allow("head")
def discussion(case_id: int) -> Any:
    """Record the heads' collective discussion of the draft awaiting approval (行政处罚法 art. 57)."""
    form = StandaloneDiscussionForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        record_collective_discussion(session, actor=actor, case_id=case_id, data=form.discussion(),
                                     expected_version=version)

    return case_action(case_id, form, tasks=("approve",), template="coordination/discussion.html", perform=perform,
                       done="集体讨论已记录，集体讨论记录已生成。", extra=discussion_extra)


@bp.route("/cases/<int:case_id>/complexity", methods=["GET", "POST"])
@allow(*FLAGGING_ROLES)
def complexity(case_id: int) -> Any:
    """The review body or the head finds the case 情节复杂: it then needs a collective discussion (art. 57)."""
    form = ComplexityForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        flag_complex(session, actor=actor, case_id=case_id, data={"reason": form.reason.data or ""},
                     expected_version=version)

    return case_action(case_id, form, tasks=FLAGGABLE_TASKS, template="coordination/complexity.html",
                       perform=perform, done="已认定情节复杂，本案须经集体讨论决定。", extra=discussion_extra)
