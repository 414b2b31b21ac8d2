"""Who has acted on a case in which capacity: the basis of separation of duties."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.cases.models import Case, DraftVersion, Submission
from review_service.replies.models import Reply
from review_service.review.models import Assignment, Review


@dataclass
class Participants:
    handlers: set[int] = field(default_factory=set)
    reviewers: set[int] = field(default_factory=set)
    advisors: set[int] = field(default_factory=set)


def participants(session: Session, case: Case) -> Participants:
    """Everyone who drafted, submitted or replied (handling side) and who reviewed or advised."""
    result = Participants(handlers={case.handler_id})
    result.handlers |= set(session.scalars(select(DraftVersion.created_by).where(DraftVersion.case_id == case.id)))
    result.handlers |= set(session.scalars(select(Submission.submitted_by).where(Submission.case_id == case.id)))
    result.handlers |= set(session.scalars(select(Reply.submitted_by).where(Reply.case_id == case.id)))
    result.reviewers |= set(session.scalars(select(Review.reviewer_id).where(Review.case_id == case.id)))
    if case.reviewer_id is not None:
        result.reviewers.add(case.reviewer_id)
    for advisor_ids in session.scalars(select(Assignment.advisor_ids).where(Assignment.case_id == case.id)):
        result.advisors |= set(advisor_ids or [])
    for advisor_ids in session.scalars(select(Review.advisor_ids).where(Review.case_id == case.id)):
        result.advisors |= set(advisor_ids or [])
    return result
