"""The handling unit's written reply (书面回复) to one round's opinion."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from review_service.core.clock import utcnow
from review_service.core.db import Base


class Reply(Base):
    """Answers each problem point of a review: ``accepted`` (what changed) or ``disputed`` (why).

    A round may have a second reply after a coordination upheld the review.
    """

    __tablename__ = "replies"
    __table_args__ = (UniqueConstraint("review_id", "sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"))
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    responses: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[str] = mapped_column(Text, default="")
    disputed: Mapped[bool] = mapped_column(Boolean)
    submitted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
