"""An accountability inquiry into a revoked decision, and the auditor's finding on each person."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from review_service.core.clock import utcnow
from review_service.core.db import Base


class InquiryReason(enum.StrEnum):
    """Why the decision turned out erroneous (the ``reason`` of ``revoke``)."""

    REVOKED = "revoked"  # 被撤销
    CONFIRMED_ILLEGAL = "confirmed_illegal"  # 被确认违法
    ORDERED_REMAKE = "ordered_remake"  # 被责令重新作出


REASON_LABELS = {"revoked": "被撤销", "confirmed_illegal": "被确认违法", "ordered_remake": "被责令重新作出"}


class FindingCode(enum.StrEnum):
    """The auditor's finding on one person (DESIGN.md §10)."""

    ABUSE_OF_POWER = "abuse_of_power"  # 滥用职权
    DERELICTION = "dereliction"  # 玩忽职守
    FAVORITISM = "favoritism"  # 徇私枉法
    NO_FAULT = "no_fault"  # 无过错


FINDING_LABELS = {"abuse_of_power": "滥用职权", "dereliction": "玩忽职守", "favoritism": "徇私枉法",
                  "no_fault": "无过错"}
_REASONS_SQL = ",".join(f"'{r.value}'" for r in InquiryReason)
_FINDINGS_SQL = ",".join(f"'{f.value}'" for f in FindingCode)


class Inquiry(Base):
    """One inquiry (责任追究调查) opened when a case's decision is revoked; closed with a record."""

    __tablename__ = "accountability_inquiries"
    __table_args__ = (
        CheckConstraint(f"reason IN ({_REASONS_SQL})", name="reason_known"),
        CheckConstraint("status IN ('open','closed')", name="status_known"),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_has_time"),
        Index("ix_accountability_inquiries_agency_id_closed_at", "agency_id", "closed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    reason: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default="open")
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    conclusion: Mapped[str] = mapped_column(Text, default="")
    document_sha256: Mapped[str | None] = mapped_column(String(64))

    @property
    def is_open(self) -> bool:
        return self.status == "open"


class Finding(Base):
    """The auditor's finding on one person of the responsibility chain, with the reasons."""

    __tablename__ = "accountability_findings"
    __table_args__ = (
        UniqueConstraint("inquiry_id", "user_id"),
        CheckConstraint(f"finding IN ({_FINDINGS_SQL})", name="finding_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("accountability_inquiries.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    finding: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
