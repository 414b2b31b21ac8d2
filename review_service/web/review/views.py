"""Pages of the review body: assign a reviewer, check intake, write the ten-point opinion."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, request, url_for
from sqlalchemy.orm import Session

from review_service.assist.pushes import case_panel
from review_service.cases.queries import case_task_in_scope
from review_service.core.clock import beijing_today
from review_service.core.errors import Conflict, Invalid, ServiceError
from review_service.deadlines.operations import extend_review
from review_service.organization.models import User
from review_service.review import operations as review_ops
from review_service.review.opinion_drafts import opinion_draft, save_opinion_draft
from review_service.review.quality import citation_advice, quality_advice
from review_service.review.recusal import needs_declaration
from review_service.review.schemas import parse_opinion
from review_service.web.actions import case_action, conflict_response
from review_service.web.assist import remember
from review_service.web.edge import Failure, acting, field_name, lines, options, reading
from review_service.web.offers import may_request_extension
from review_service.web.reads import agency_people
from review_service.web.review.forms import AssignForm, ExtensionForm, IntakeForm, OpinionForm
from review_service.web.review.opinion_fill import fill_untouched
from review_service.web.review.opinion_page import idle_seconds, minute, page_context
from review_service.web.session import CASE_ACTORS, allow
from review_service.web.side_actions import side_action

bp = Blueprint("review", __name__)
QUALIFIED, UNQUALIFIED = "有法律职业资格", "无法律职业资格"


def _people(session: Session, actor: User, case: dict[str, Any]) -> dict[str, Any]:
    agency_id = int(case["agency"]["id"])
    return {"reviewers": agency_people(session, agency_id, "reviewer"),
            "advisors": agency_people(session, agency_id, "advisor")}


@bp.route("/cases/<int:case_id>/review/assign", methods=["GET", "POST"])
@allow("review_lead")
def assign(case_id: int) -> Any:
    """The review lead assigns a qualified reviewer and optional advisors."""
    form = AssignForm()

    def choices(session: Session, actor: User, case: dict[str, Any]) -> dict[str, Any]:
        people = _people(session, actor, case)
        form.reviewer_id.choices = options([("", "请选择")] + [
            (str(u.id), f"{u.name}（{QUALIFIED if u.qualification == 'legal_profession' else UNQUALIFIED}）")
            for u in people["reviewers"]])
        form.advisor_ids.choices = options((str(u.id), u.name) for u in people["advisors"])
        return {}

    def perform(session: Session, actor: User, version: int | None) -> None:
        if not form.reviewer():
            raise Invalid("请选择审核人员。", fields={"reviewer_id": "请选择审核人员"})
        review_ops.assign_reviewer(session, actor=actor, case_id=case_id, reviewer_id=form.reviewer(),
                                   advisor_ids=form.advisors(), expected_version=version)

    return case_action(case_id, form, tasks=("assign",), template="review/assign.html", perform=perform,
                       done="已分配审核人员。", extra=choices)


@bp.route("/cases/<int:case_id>/review/intake", methods=["GET", "POST"])
@allow("reviewer")
def intake(case_id: int) -> Any:
    """The reviewer checks that the materials are complete (受理审查)."""
    form = IntakeForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        review_ops.record_intake(session, actor=actor, case_id=case_id, complete=form.complete.data == "yes",
                                 missing=lines(form.missing.data), expected_version=version)

    def context(session: Session, actor: User, case: dict[str, Any]) -> dict[str, Any]:
        return {"recusal_needed": needs_declaration(session, actor, case)}

    return case_action(case_id, form, tasks=("intake",), template="review/intake.html", perform=perform,
                       done="受理审查结果已记录。", extra=context)


def _friendlier(failure: Failure, form: OpinionForm) -> Failure:
    """Say "please choose" for a finding or conclusion left empty, rather than "value not allowed"."""
    for name in list(failure.fields):
        if name.endswith("-finding") or name == "conclusion":
            key = name.split("-")[1] if name.startswith("points-") else None
            value = form.points.form[key].finding.data if key and key in form.points.form else form.conclusion.data
            if not value:
                failure.fields[name] = "请选择"
    return failure


@bp.route("/cases/<int:case_id>/review", methods=["GET", "POST"])
@allow("reviewer")
def opinion(case_id: int) -> Any:
    """The ten-point opinion: "暂存" keeps it unsubmitted, "其余各项无问题" fills the untouched points,
    "检查" shows the quality advice without submitting; "提交" submits it (and drops the 暂存)."""
    form = OpinionForm()
    action = request.form.get("action") if request.method == "POST" else None
    if action == "save":
        return _save(case_id, form)
    filling = action == "fill" and form.validate_on_submit()
    if filling:
        fill_untouched(form)  # the button without JS: the page comes back filled, nothing submitted
    checking = action == "check"
    advice: list[dict[str, str]] | None = None
    failure = Failure()
    if checking and form.validate_on_submit():
        try:
            checked = parse_opinion(form.opinion())
            with reading() as (session, _actor):  # the citations against the law library, as on submission
                advice = quality_advice(checked) + citation_advice(session, checked, beijing_today())
        except Invalid as error:
            failure = Failure.of(error)

    def perform(session: Session, actor: User, version: int | None) -> None:
        # the operation removes the round's 暂存 with the submission
        review_ops.submit_opinion(session, actor=actor, case_id=case_id, data=form.opinion(), expected_version=version)

    shown: dict[str, Any] = {}

    def context(session: Session, actor: User, case: dict[str, Any]) -> dict[str, Any]:
        saved = opinion_draft(session, actor=actor, case_id=case_id, round_number=int(case["round"]) + 1)
        if saved is not None and request.method == "GET":
            form.restore(saved["content"])
        if case["tasks"] and case["tasks"][0]["kind"] == "review" and actor.has_role("reviewer"):
            shown.update(case_panel(session, actor, case, "reviewer"))  # 办案参考 beside the draft
        return {**page_context(saved_at=saved["saved_at"] if saved else None, advice=advice,
                               checked=checking and not failure), "field_name": field_name,
                "assist": shown or None}

    response = case_action(case_id, form, tasks=("review",), template="review/opinion.html", perform=perform,
                           done="审核意见已提交。", extra=context, failure=failure or None,
                           show_only=(checking and not failure) or filling,  # advice or filled points: no submit
                           adjust=lambda found: _friendlier(found, form),
                           step=lambda: review_ops.opinion_step(form.opinion()))  # the operation's routing data
    remember(shown)
    return response


def _save(case_id: int, form: OpinionForm) -> Any:
    """暂存: JSON for opinion.js (it stays on the page), a redirect back to the restored form without JS."""
    by_script = request.headers.get("X-Requested-With") == "fetch"
    failure = Failure("表单已过期，请刷新页面后重试。") if not form.validate_on_submit() else Failure()
    if not failure:
        try:
            with acting() as (session, actor):
                case_task_in_scope(session, actor, case_id)
                saved_at = save_opinion_draft(session, actor=actor, case_id=case_id, data=form.draft_data()).saved_at
        except ServiceError as error:
            failure = Failure.of(error)
            if not by_script and isinstance(error, Conflict):
                return conflict_response(case_id, error.message)
            if by_script:
                return jsonify({"code": error.code, "message": error.message}), error.http_status
        else:
            message = f"审核意见已暂存（{minute(saved_at)}）。"
            if by_script:
                return jsonify({"saved_at": minute(saved_at), "message": message})
            flash(message, "success")
            return redirect(url_for("review.opinion", case_id=case_id))
    if by_script:
        return jsonify({"code": "invalid", "message": failure.message}), 422
    return case_action(case_id, form, tasks=("review",), template="review/opinion.html", perform=_never, done="",
                       failure=failure, extra=lambda session, actor, case: {
                           **page_context(saved_at=None, advice=None, checked=False), "field_name": field_name})


def _never(session: Session, actor: User, version: int | None) -> None:
    raise AssertionError("a failed 暂存 is only shown again")


@bp.route("/session/keepalive", methods=["POST"])
@allow(*CASE_ACTORS)
def keepalive() -> Any:
    """Touch the session (its idle time starts again): the warning before it lapses offers this."""
    return jsonify({"idle_seconds": idle_seconds()})


@bp.route("/cases/<int:case_id>/review/extend", methods=["GET", "POST"])
@allow("review_lead")
def extend(case_id: int) -> Any:
    """The review lead asks for the review period's one extension, with a reason (the head approves it)."""
    form = ExtensionForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        raw = (form.days.data or "").strip()
        extend_review(session, actor=actor, case_id=case_id,
                      data={"days": int(raw) if raw.isdigit() and len(raw) < 4 else raw,
                            "reason_code": form.reason_code.data or "other", "reason": form.reason.data or ""},
                      expected_version=version)

    # a side action: the review task is the reviewer's, the extension the lead's to ask for (once)
    return side_action(case_id, form, template="review/extend.html", perform=perform,
                       done="已提交延长审核期限的申请，经批准后生效。", is_open=may_request_extension)
