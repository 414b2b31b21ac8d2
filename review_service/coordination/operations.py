"""The head coordinates a disagreement between the unit and the review body (协调机制)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.cases.flow import CaseFlow, lock_case
from review_service.cases.models import Case
from review_service.cases.participants import require_uninvolved
from review_service.cases.schemas import parse_input
from review_service.coordination.discussion_records import discussion_of_step
from review_service.coordination.models import Coordination
from review_service.coordination.schemas import CoordinationIn
from review_service.coordination.uphold import require_discussion_after_uphold
from review_service.core import signals, tx
from review_service.core.actions import Action
from review_service.core.permissions import require_role
from review_service.organization.models import User
from review_service.review.models import Reply


def coordinate(session: Session, *, actor: User, case_id: int, data: Any,
               expected_version: int | None = None) -> tuple[Case, Coordination]:
    """Record the head's coordination. It never clears a case: only an approving review does (art. 58)."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_role(actor, "head")
    require_uninvolved(session, case, actor, "承办或审核本案的人员不能主持本案的协调。")
    flow = CaseFlow(session, case)
    flow.require_task("coordinate")
    coordination_in = parse_input(CoordinationIn, data)
    last_reply = session.scalars(
        select(Reply).where(Reply.case_id == case.id).order_by(Reply.id.desc()).limit(1)
    ).first()
    reason = "disputed" if last_reply is not None and last_reply.disputed else "round_cap"
    discussion = coordination_in.collective_discussion
    # a second coordination of the round (the unit disputed after an uphold) is a collective discussion
    require_discussion_after_uphold(session, case.id, case.round, discussion is not None and discussion.is_record())
    record = Coordination(case_id=case.id, round=case.round, reason=reason, outcome=coordination_in.outcome,
                          reasoning=coordination_in.reasoning,
                          collective_discussion=discussion.model_dump(mode="json", exclude_defaults=True)
                          if discussion else None,
                          head_id=actor.id)
    tx.record(session, record)
    # an art. 57 record given here is written too; it never satisfies art. 57 for the decision (DESIGN.md §3)
    discussion_of_step(session, case=case, actor=actor, data=discussion, source="coordination",
                       coordination_id=record.id)
    case.rounds_since_coordination = 0
    flow.complete("coordinate", {"outcome": coordination_in.outcome}, actor=actor, role="head")
    signals.emit(Action.CASE_COORDINATED, session=session, actor=actor, role="head", agency_id=case.agency_id,
                 case_id=case.id,
                 payload={"coordination_id": record.id, "round": case.round, "reason": reason,
                          "outcome": coordination_in.outcome, "collective_discussion": discussion is not None,
                          "status": case.status})
    signals.send_required(signals.coordination_recorded, record, session=session, case=case, record=record,
                          actor=actor)
    return case, record
