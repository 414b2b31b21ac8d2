"""The opinion of a case's latest round (prebuilt: most actions ask)."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from review_service.review.models import Review

_LATEST = select(Review).where(Review.case_id == bindparam("case_id")).order_by(Review.round.desc()).limit(1)


def latest_review(session: Session, case_id: int) -> Review | None:
    """The opinion of the case's latest round, or None before the first review."""
    return session.scalars(_LATEST, {"case_id": case_id}).first()
