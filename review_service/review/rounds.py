"""Which round a case is in: the latest opinion and the next round number (prebuilt: every action asks)."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from review_service.review.models import Review

_LATEST = select(Review).where(Review.case_id == bindparam("case_id")).order_by(Review.round.desc()).limit(1)
_LAST_ROUND = select(func.max(Review.round)).where(Review.case_id == bindparam("case_id"))


def latest_review(session: Session, case_id: int) -> Review | None:
    """The opinion of the case's latest round, or None before the first review."""
    return session.scalars(_LATEST, {"case_id": case_id}).first()


def next_round(session: Session, case_id: int) -> int:
    return int(session.scalar(_LAST_ROUND, {"case_id": case_id}) or 0) + 1
