"""Coordination by the agency head (协调机制), and the collective discussion of the heads (集体讨论, art. 57)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


DISCUSSION_SOURCE_LABELS = {"coordination": "协调时", "approval": "审批时", "recorded": "待审批时单独记录"}


class CollectiveDiscussion(Base):
    """A collective discussion of the agency's heads (行政处罚法 art. 57), bound to the exact draft it discussed.

    ``source`` says where it was recorded: with a coordination, with the approval, or on its own
    while the case awaited approval. Only a discussion of the draft being decided, held on or after
    the approving review's date and recorded after it, satisfies art. 57 (``coordination.discussion``).
    Immutable (migration 0012): a later discussion is a new row.
    """

    __tablename__ = "collective_discussions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["draft_version_id", "case_id", "draft_sha256"],
            ["draft_versions.id", "draft_versions.case_id", "draft_versions.sha256"],
            name="fk_collective_discussions_draft_identity",
        ),
        CheckConstraint("source IN ('coordination','approval','recorded')", name="source_known"),
        CheckConstraint("length(conclusion) > 0", name="conclusion_given"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    draft_version_id: Mapped[int] = mapped_column(Integer)
    draft_sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(20))
    coordination_id: Mapped[int | None] = mapped_column(ForeignKey("coordinations.id"))
    held_on: Mapped[date] = mapped_column(Date)
    chair_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    conclusion: Mapped[str] = mapped_column(Text)
    minutes: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    participants: Mapped[list[DiscussionParticipant]] = relationship(
        order_by="DiscussionParticipant.position", lazy="selectin", viewonly=True)


class DiscussionParticipant(Base):
    """One head who took part in a collective discussion, with the view they gave."""

    __tablename__ = "collective_discussion_participants"

    discussion_id: Mapped[int] = mapped_column(ForeignKey("collective_discussions.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    view: Mapped[str] = mapped_column(Text)


COMPLEXITY_ROLE_LABELS = {"reviewer": "法制审核人员", "review_lead": "法制审核机构负责人", "head": "行政执法机关负责人"}


class ComplexityFlag(Base):
    """The review body or the head found the case 情节复杂 (art. 57): from then on it needs a collective discussion."""

    __tablename__ = "complexity_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    flagged_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    draft_sha256: Mapped[str | None] = mapped_column(String(64))
    flagged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
