"""Coordination by the agency head (协调机制), optionally as a collective discussion (集体讨论)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from review_service.core.clock import utcnow
from review_service.core.db import Base

OUTCOME_LABELS = {"uphold_review": "维持审核意见（承办机构修改）", "reconsider": "重新审核", "terminate": "终止"}


class Coordination(Base):
    __tablename__ = "coordinations"
    __table_args__ = (
        CheckConstraint("outcome IN ('uphold_review','reconsider','terminate')", name="outcome_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))  # disputed | round_cap
    outcome: Mapped[str] = mapped_column(String(20))
    reasoning: Mapped[str] = mapped_column(Text)
    collective_discussion: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    head_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    coordinated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
