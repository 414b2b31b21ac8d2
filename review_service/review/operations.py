"""Verbs of the review body: assign a reviewer, check intake, submit the ten-point opinion."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from review_service.cases.flow import CaseFlow, lock_case
from review_service.cases.models import Case
from review_service.cases.participants import participants
from review_service.core import signals, tx
from review_service.core.actions import Action
from review_service.core.clock import beijing_today, utcnow
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.core.permissions import require_role
from review_service.organization.models import Qualification, User
from review_service.organization.queries import user_by_id
from review_service.organization.settings import agency_settings
from review_service.review.assignee import require_assigned_reviewer
from review_service.review.facts import opinion_facts
from review_service.review.models import Assignment, Intake, Review
from review_service.review.opinion_drafts import discard_opinion_draft
from review_service.review.quality import citation_advice, quality_advice
from review_service.review.recusal import cleared_advisors, has_declined
from review_service.review.schemas import OpinionIn, parse_opinion, refuse_hollow

# 行政处罚法 (2021) took effect on this day; art. 58 binds reviewers who begin after it.
ART58_EFFECTIVE = date(2021, 7, 15)


def _emit(session: Session, action: Action, case: Case, actor: User, role: str, payload: dict[str, Any]) -> None:
    signals.emit(action, session=session, actor=actor, role=role, agency_id=case.agency_id, case_id=case.id,
                 payload=payload)


def _user_in_agency(session: Session, user_id: int, case: Case, field: str) -> User:
    user = user_by_id(session, user_id)
    if user is None or user.agency_id != case.agency_id or not user.active:
        raise Invalid("所选人员不存在或不属于本机关。", fields={field: "人员不存在或不属于本机关"})
    return user


def requires_legal_profession(case: Case, reviewer: User) -> bool:
    """Art. 58: a first-time reviewer of penalty decisions must hold the legal-profession qualification."""
    if case.decision_type != "administrative_penalty":
        return False
    began = reviewer.reviewing_since
    return began is None or began >= ART58_EFFECTIVE


def assign_reviewer(session: Session, *, actor: User, case_id: int, reviewer_id: int,
                    advisor_ids: list[int] | None = None, expected_version: int | None = None) -> Case:
    """The review lead assigns a qualified reviewer (and optional advisors) who did not handle the case."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_role(actor, "review_lead")
    flow = CaseFlow(session, case)
    flow.require_task("assign")
    reviewer, advisors = _staffing(session, case, reviewer_id, advisor_ids)
    tx.record(session, Assignment(case_id=case.id, reviewer_id=reviewer.id, advisor_ids=[a.id for a in advisors],
                           assigned_by=actor.id))
    case.reviewer_id = reviewer.id
    flow.complete("assign", {}, actor=actor, role="review_lead")
    _emit(session, Action.REVIEWER_ASSIGNED, case, actor, "review_lead",
          {"reviewer_id": reviewer.id, "advisor_ids": [a.id for a in advisors],
           "qualification": reviewer.qualification})
    return case


def reassign_reviewer(session: Session, *, actor: User, case_id: int, reviewer_id: int,
                      advisor_ids: list[int] | None = None, expected_version: int | None = None) -> Case:
    """After the assigned reviewer declined (回避), the review lead assigns another one (a new assignment).

    Domain-level only: the process still waits on the reviewer's intake (or review), now someone else's.
    """
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_role(actor, "review_lead")
    if case.reviewer_id is not None or case.current_task not in ("intake", "review"):
        raise Conflict("本案没有因审核人员回避而待重新分配的审核任务。", rule="not_returned",
                       actual_version=case.version)
    if has_declined(session, case.id, reviewer_id):
        raise Forbidden("该审核人员已申请回避本案，不能再分配给其审核。", rule="recused", reviewer_id=reviewer_id)
    reviewer, advisors = _staffing(session, case, reviewer_id, advisor_ids)
    assignment = tx.record(session, Assignment(case_id=case.id, reviewer_id=reviewer.id,
                                                   advisor_ids=[a.id for a in advisors], assigned_by=actor.id))
    case.reviewer_id = reviewer.id
    # the open review deadline follows: its reminders go to whoever reviews now
    signals.send_required(signals.reviewer_reassigned, case, session=session, case=case, reviewer_id=reviewer.id)
    case.version += 1
    case.updated_at = utcnow()
    _emit(session, Action.REVIEWER_REASSIGNED, case, actor, "review_lead",
          {"assignment_id": assignment.id, "reviewer_id": reviewer.id, "advisor_ids": [a.id for a in advisors],
           "qualification": reviewer.qualification})
    return case


def _staffing(session: Session, case: Case, reviewer_id: int, advisor_ids: list[int] | None
              ) -> tuple[User, list[User]]:
    """The reviewer and advisors chosen, checked: roles, separation of duties, art. 58 qualification."""
    reviewer = _user_in_agency(session, reviewer_id, case, "reviewer_id")
    if not reviewer.has_role("reviewer"):
        raise Invalid("所选人员不是法制审核人员。", fields={"reviewer_id": "不是法制审核人员"})
    people = participants(session, case)
    if reviewer.id in people.handlers:
        raise Forbidden("承办本案的人员不能审核本案。", rule="separation_of_duties")
    if requires_legal_profession(case, reviewer) and reviewer.qualification != Qualification.LEGAL_PROFESSION:
        raise Forbidden("初次从事行政处罚决定法制审核的人员应当取得法律职业资格（《行政处罚法》第五十八条）。",
                        rule="qualification", reviewer_id=reviewer.id)
    advisors = [_user_in_agency(session, uid, case, "advisor_ids") for uid in dict.fromkeys(advisor_ids or [])]
    for advisor in advisors:
        if not advisor.has_role("advisor"):
            raise Invalid("所选人员不是法律顾问或公职律师。", fields={"advisor_ids": f"{advisor.name} 不是法律顾问"})
        if advisor.id in people.handlers or advisor.id == reviewer.id:
            raise Forbidden("承办本案的人员或审核人员不能同时担任本案法律顾问。", rule="separation_of_duties")
    if reviewer.reviewing_since is None:
        reviewer.reviewing_since = beijing_today()
    return reviewer, advisors


def record_intake(session: Session, *, actor: User, case_id: int, complete: bool,
                  missing: list[str] | None = None, expected_version: int | None = None) -> Case:
    """The reviewer checks the materials: complete → review; incomplete → the handler supplements."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_assigned_reviewer(session, case, actor)
    flow = CaseFlow(session, case)
    flow.require_task("intake")
    missing = [item.strip() for item in (missing or []) if item.strip()]
    if not complete and not missing:
        raise Invalid("材料不齐全时请列明缺少的材料。", fields={"missing": "请列明缺少的材料"})
    tx.record(session, Intake(case_id=case.id, reviewer_id=actor.id, complete=complete,
                                  missing=[] if complete else missing))
    flow.complete("intake", {"materials_complete": complete}, actor=actor, role="reviewer")
    _emit(session, Action.INTAKE_RECORDED, case, actor, "reviewer",
          {"complete": complete, "missing": [] if complete else missing, "status": case.status})
    return case


def review_routing(opinion: OpinionIn) -> dict[str, Any]:
    """The review step's routing data, from the validated opinion: declared once, used by
    :func:`submit_opinion` and by the step worked out ahead (:func:`opinion_step`).

    ``transfer_suggested``: point 10 found a problem, i.e. the offence is suspected to be a crime and the
    case should go to the judicial organs (行政处罚法 art. 27): the head decides on the transfer first.
    """
    point = opinion.points.get("criminal_transfer")
    return {"conclusion": opinion.conclusion, "transfer_suggested": point is not None and point.finding == "problem"}


def opinion_step(data: Any) -> tuple[str, dict[str, Any]] | None:
    """The step :func:`submit_opinion` takes for ``data`` (an API body, the opinion page's form), or None
    when ``data`` is not a valid opinion (the action refuses it in its turn).

    For the step worked out before the write turn (``edge.ahead``): the same validation and the same
    routing data as the operation's, so the step prepared is the one the operation asks for.
    """
    try:
        return "review", review_routing(parse_opinion(data))
    except Invalid:
        return None


def submit_opinion(session: Session, *, actor: User, case_id: int, data: Any,
                   expected_version: int | None = None) -> tuple[Case, Review]:
    """Submit the ten-point opinion on the current draft; the round's conclusion routes the case."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    people = require_assigned_reviewer(session, case, actor)
    flow = CaseFlow(session, case)
    flow.require_task("review")
    opinion = parse_opinion(data)
    refuse_hollow(opinion, agency_settings(case.agency).substantive_for(case.decision_type))
    cleared = cleared_advisors(session, case.id) if opinion.advisor_ids else set()
    for advisor_id in opinion.advisor_ids:
        advisor = _user_in_agency(session, advisor_id, case, "advisor_ids")
        if not advisor.has_role("advisor") or advisor.id in people.handlers or advisor.id == actor.id:
            raise Invalid("协助审核的法律顾问不符合要求。", fields={"advisor_ids": f"{advisor.name} 不能协助本案审核"})
        if advisor.id not in cleared:  # 回避: an advisor takes part only after stating no conflict of interest
            raise Invalid("协助审核的法律顾问尚未声明与本案无利害关系。",
                          fields={"advisor_ids": f"{advisor.name} 尚未作出无利害关系声明"})
    draft = case.current_draft
    assert draft is not None
    # case.round is the last round reviewed: written only here, under the case lock (and a round
    # number used twice would break the unique (case_id, round) of reviews, not pass silently)
    round_number = case.round + 1
    advice = quality_advice(opinion) + citation_advice(session, opinion, beijing_today())
    review = Review(case_id=case.id, round=round_number, draft_version_id=draft.id, draft_sha256=draft.sha256,
                    reviewer_id=actor.id, conclusion=opinion.conclusion, summary=opinion.summary,
                    points={key: point.model_dump() for key, point in opinion.points.items()},
                    advisor_ids=list(dict.fromkeys(opinion.advisor_ids)), quality=advice)
    facts = opinion_facts(review.points, advice, review.advisor_ids)  # kept for the indicator report
    review.points_written, review.problem_mask = facts["points_written"], facts["problem_points"]
    review.advice_count, review.advisor_count = facts["advice_count"], facts["advisor_count"]
    tx.record(session, review)
    discard_opinion_draft(session, case_id=case.id, round_number=round_number)  # the 暂存 ends with the opinion
    case.round = round_number
    case.rounds_since_coordination += 1
    flow.complete("review", review_routing(opinion), actor=actor, role="reviewer")
    _emit(session, Action.OPINION_SUBMITTED, case, actor, "reviewer",
          {"review_id": review.id, "round": round_number, "draft_sha256": draft.sha256,
           "conclusion": opinion.conclusion, "points": {k: p["finding"] for k, p in review.points.items()},
           "advisor_ids": review.advisor_ids, "quality_advice": len(advice), "status": case.status})
    signals.send_required(signals.opinion_recorded, review, session=session, case=case, review=review, actor=actor)
    return case, review
