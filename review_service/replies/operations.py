"""Verbs of the handling unit after an opinion: the written reply, resubmission, abandonment."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from review_service.cases.flow import CaseFlow, lock_case
from review_service.cases.models import Case, Submission
from review_service.cases.operations import ATTESTATION, missing_materials, missing_reason, require_handler
from review_service.cases.schemas import parse_input
from review_service.coordination.uphold import dispute_refusal, upholds
from review_service.core import signals, tx
from review_service.core.actions import Action
from review_service.core.errors import Invalid
from review_service.organization.models import User
from review_service.organization.settings import MATERIAL_KIND_LABELS, agency_settings
from review_service.review.models import Reply
from review_service.review.points import TEN_POINTS
from review_service.review.rounds import latest_review

_LAST_SEQUENCE = select(func.max(Reply.sequence)).where(Reply.review_id == bindparam("review_id"))


class ResponseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    action: Literal["accepted", "disputed"]
    explanation: str = Field(min_length=1, max_length=10_000)


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    responses: dict[str, ResponseIn]
    summary: str = Field(default="", max_length=20_000)


def _emit(session: Session, action: Action, case: Case, actor: User, payload: dict[str, Any]) -> None:
    signals.emit(action, session=session, actor=actor, role="handler", agency_id=case.agency_id, case_id=case.id,
                 payload=payload)


def reply_to_opinion(session: Session, *, actor: User, case_id: int, data: Any,
                     expected_version: int | None = None) -> tuple[Case, Reply]:
    """Answer every problem point of the latest opinion; a dispute (or the round cap) goes to coordination."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_handler(session, case, actor)
    flow = CaseFlow(session, case)
    flow.require_task("reply")
    reply_in = parse_input(ReplyIn, data)
    review = latest_review(session, case.id)
    assert review is not None  # the reply task follows an opinion
    problems = review.problem_points()
    fields = {f"responses.{key}": f"请答复“{TEN_POINTS[key]}”" for key in problems if key not in reply_in.responses}
    fields |= {f"responses.{key}": "该要点不是本轮审核意见指出的问题"
               for key in reply_in.responses if key not in problems}
    disputed = any(r.action == "disputed" for r in reply_in.responses.values())
    # after one uphold the unit may dispute once more (the head then holds a collective discussion);
    # after the second uphold the review stands (coordination/uphold.py)
    refusal = dispute_refusal(upholds(session, case.id, review.round)) if disputed else None
    if refusal:
        fields["responses"] = refusal
    if fields:
        raise Invalid("书面回复不完整，请按提示修改。", fields=fields)
    agency = case.agency
    force = not disputed and case.rounds_since_coordination >= agency_settings(agency).round_cap
    sequence = (session.scalar(_LAST_SEQUENCE, {"review_id": review.id}) or 0) + 1
    reply = Reply(case_id=case.id, round=review.round, review_id=review.id, sequence=sequence,
                  responses={k: r.model_dump() for k, r in reply_in.responses.items()}, summary=reply_in.summary,
                  disputed=disputed, submitted_by=actor.id)
    tx.record(session, reply)
    flow.complete("reply", {"disputed": disputed, "force_coordination": force}, actor=actor, role="handler")
    _emit(session, Action.REPLY_SUBMITTED, case, actor,
          {"reply_id": reply.id, "review_id": review.id, "round": review.round,
           "responses": {k: r.action for k, r in reply_in.responses.items()}, "disputed": disputed,
           "round_cap_reached": force, "status": case.status})
    signals.send_required(signals.reply_recorded, reply, session=session, case=case, reply=reply, actor=actor)
    return case, reply


def resubmit_case(session: Session, *, actor: User, case_id: int, attest: bool,
                  expected_version: int | None = None) -> Case:
    """Resubmit the (amended) draft for a new review round, with the attestation again."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_handler(session, case, actor)
    flow = CaseFlow(session, case)
    flow.require_task("resubmit")
    if not attest:
        raise Invalid("请确认送审材料真实、准确、完整。", fields={"attest": "须承诺材料真实、准确、完整"})
    missing = missing_materials(session, case)
    if missing:
        raise Invalid("送审材料不齐全：" + "、".join(MATERIAL_KIND_LABELS.get(k, k) for k in missing),
                      fields={"materials": missing_reason(missing)}, missing=missing)
    draft = case.current_draft
    assert draft is not None
    submission = Submission(case_id=case.id, draft_version_id=draft.id, draft_sha256=draft.sha256,
                            round=case.round, kind="resubmit", major=True, submitted_by=actor.id, attested=True,
                            attestation=ATTESTATION)
    tx.record(session, submission)
    flow.complete("resubmit", {"abandon": False}, actor=actor, role="handler")
    _emit(session, Action.CASE_RESUBMITTED, case, actor,
          {"submission_id": submission.id, "draft_version": draft.version, "draft_sha256": draft.sha256,
           "after_round": case.round, "status": case.status})
    return case


def abandon_case(session: Session, *, actor: User, case_id: int, reason: str,
                 expected_version: int | None = None) -> Case:
    """The unit gives up the proposed decision after an opinion (no decision is made)."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_handler(session, case, actor)
    flow = CaseFlow(session, case)
    flow.require_task("resubmit")
    if not reason.strip():
        raise Invalid("请说明不再作出该决定的理由。", fields={"reason": "必填"})
    flow.complete("resubmit", {"abandon": True}, actor=actor, role="handler")
    _emit(session, Action.CASE_ABANDONED, case, actor, {"reason": reason.strip(), "status": case.status})
    return case
