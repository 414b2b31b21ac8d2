"""The head's approval and the decision itself, whose row can only exist for a cleared draft."""

from __future__ import annotations

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
)
from sqlalchemy.orm import Mapped, mapped_column

from review_service.core.clock import utcnow
from review_service.core.db import Base


class Approval(Base):
    """The head's approval or return of a case (负责人审批)."""

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    head_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    draft_sha256: Mapped[str] = mapped_column(String(64))
    collective_discussion: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Decision(Base):
    """A decision made (作出决定). The schema itself refuses a row for an uncleared case.

    Clearance is either the approving review of this exact draft (``review``) or,
    for a case the catalog found not major, that classification of this exact
    draft (``not_major``). Composite foreign keys bind the decision to the
    review's id, conclusion and draft hash; checks require ``approve``; a
    trigger (``decisions/ddl.py``) requires the latest round and the current draft.
    """

    __tablename__ = "decisions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["draft_version_id", "case_id", "draft_sha256"],
            ["draft_versions.id", "draft_versions.case_id", "draft_versions.sha256"],
            name="fk_decisions_draft_identity",
        ),
        ForeignKeyConstraint(
            ["review_id", "case_id", "review_conclusion", "draft_sha256"],
            ["reviews.id", "reviews.case_id", "reviews.conclusion", "reviews.draft_sha256"],
            name="fk_decisions_review_identity",
        ),
        ForeignKeyConstraint(
            ["classification_id", "case_id", "draft_sha256", "classification_major"],
            [
                "classifications.id",
                "classifications.case_id",
                "classifications.draft_sha256",
                "classifications.major",
            ],
            name="fk_decisions_classification_identity",
        ),
        CheckConstraint("clearance IN ('review','not_major')", name="clearance_known"),
        CheckConstraint(
            "clearance <> 'review' OR (review_id IS NOT NULL AND review_conclusion = 'approve')",
            name="review_clearance_approves",
        ),
        CheckConstraint(
            "clearance <> 'not_major' OR (classification_id IS NOT NULL AND classification_major = false)",
            name="not_major_clearance",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    number: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approval_id: Mapped[int] = mapped_column(ForeignKey("approvals.id"))
    draft_version_id: Mapped[int] = mapped_column(Integer)
    draft_sha256: Mapped[str] = mapped_column(String(64))
    clearance: Mapped[str] = mapped_column(String(20))
    review_id: Mapped[int | None] = mapped_column(Integer)
    review_conclusion: Mapped[str | None] = mapped_column(String(10))
    classification_id: Mapped[int | None] = mapped_column(Integer)
    classification_major: Mapped[bool | None] = mapped_column(Boolean)
