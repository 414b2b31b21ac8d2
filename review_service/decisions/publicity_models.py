"""Records of publicity (公开), revocation (撤销 / 确认违法 / 责令重作) and withdrawal (撤回).

Each is a new row, never an edit of the decision (DESIGN.md §4.6): the decision is "marked"
by the revocation that names it. The tables refuse UPDATE and DELETE (migration 0004).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from review_service.core.clock import utcnow
from review_service.core.db import Base

REVOCATION_REASONS = {"revoked": "被撤销", "confirmed_illegal": "被确认违法", "ordered_remake": "被责令重新作出"}


class Publication(Base):
    """The decision was published at ``url`` at ``published_at`` (indicators 36, 37)."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), unique=True)
    url: Mapped[str] = mapped_column(String(2000))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Revocation(Base):
    """The decision was revoked, confirmed illegal or ordered remade by ``authority`` on ``decided_on``."""

    __tablename__ = "revocations"
    __table_args__ = (
        CheckConstraint("reason IN ('revoked','confirmed_illegal','ordered_remake')", name="reason_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(30))
    authority: Mapped[str] = mapped_column(String(300))
    decided_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Withdrawal(Base):
    """The published decision was withdrawn (撤回公开信息, 行政处罚法 art. 48) after a revocation."""

    __tablename__ = "withdrawals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    revocation_id: Mapped[int] = mapped_column(ForeignKey("revocations.id"), unique=True)
    withdrawn_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
