"""Review assignment, intake check and the ten-point opinion, one opinion per round, and the unit's reply to it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from review_service.core.clock import utcnow
from review_service.core.db import Base


class Conclusion(enum.StrEnum):
    APPROVE = "approve"  # 同意
    AMEND = "amend"  # 存在问题，修改后重新报送
    REJECT = "reject"  # 不同意作出该决定


CONCLUSION_LABELS = {"approve": "同意", "amend": "存在问题，修改后重新报送", "reject": "不同意作出该决定"}


class Assignment(Base):
    """The review lead's assignment of a reviewer (and advisors) to a case."""

    __tablename__ = "review_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    advisor_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    assigned_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Intake(Base):
    """The reviewer's check that the submitted materials are complete (受理审查)."""

    __tablename__ = "review_intakes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    complete: Mapped[bool] = mapped_column(Boolean)
    missing: Mapped[list[str]] = mapped_column(JSON, default=list)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Review(Base):
    """The written opinion (法制审核意见书) of one round, bound to the exact draft it reviewed."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("case_id", "round"),
        UniqueConstraint("id", "case_id", "conclusion", "draft_sha256", name="uq_reviews_identity"),
        ForeignKeyConstraint(
            ["draft_version_id", "case_id", "draft_sha256"],
            ["draft_versions.id", "draft_versions.case_id", "draft_versions.sha256"],
            name="fk_reviews_draft_identity",
        ),
        CheckConstraint("conclusion IN ('approve','amend','reject')", name="conclusion_known"),
        CheckConstraint("round >= 1", name="round_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    draft_version_id: Mapped[int] = mapped_column(Integer)
    draft_sha256: Mapped[str] = mapped_column(String(64))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    conclusion: Mapped[str] = mapped_column(String(10))
    summary: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[dict[str, Any]] = mapped_column(JSON)
    advisor_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    quality: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Facts of the opinion kept for the indicator report (review_service.review.facts, migration 0008):
    # bit masks over the ten points (written; finding "problem") and counts of quality advice and advisors.
    points_written: Mapped[int | None] = mapped_column(Integer, nullable=True)
    problem_mask: Mapped[int | None] = mapped_column("problem_points", Integer, nullable=True)
    advice_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    advisor_count: Mapped[int | None] = mapped_column(Integer, nullable=True)

    def problem_points(self) -> list[str]:
        return [key for key, point in self.points.items() if point.get("finding") == "problem"]


class Reply(Base):
    """The handling unit's written reply (书面回复) to one round's opinion: answers each problem point,
    ``accepted`` (what changed) or ``disputed`` (why).

    A round may have a second reply after a coordination upheld the review. The row belongs with the
    opinion it answers (``review_id``): the unit writes it (``replies.operations``), and coordination reads
    whether the last one disputed, below both (issue 16 point 3: no package cycle).
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


DECLARATION_LABELS = {"no_conflict": "与本案无利害关系", "decline": "申请回避"}


class RecusalDeclaration(Base):
    """回避声明: an assigned reviewer (or an advisor) states no conflict of interest with the case, or declines.

    One per person and assignment. The reviewer's ``no_conflict`` must precede intake and review; a
    ``decline`` returns the assignment to the review lead. An advisor takes part only after ``no_conflict``.
    """

    __tablename__ = "recusal_declarations"
    __table_args__ = (
        UniqueConstraint("assignment_id", "user_id"),
        CheckConstraint("capacity IN ('reviewer','advisor')", name="capacity_known"),
        CheckConstraint("declaration IN ('no_conflict','decline')", name="declaration_known"),
        CheckConstraint("declaration = 'no_conflict' OR length(reason) > 0", name="decline_reasoned"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("review_assignments.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    capacity: Mapped[str] = mapped_column(String(10))
    declaration: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OpinionDraft(Base):
    """暂存: the reviewer's unsubmitted opinion of one round, as typed (review.opinion_drafts).

    Not a record of the case: it is scratch work kept so a lapsed session or a closed tab loses nothing.
    One per case, round and reviewer; overwritten by each 暂存 and removed once the round's opinion is submitted.
    """

    __tablename__ = "opinion_drafts"
    __table_args__ = (
        UniqueConstraint("case_id", "round", "reviewer_id"),
        CheckConstraint("round >= 1", name="round_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

