"""An accountability inquiry into a revoked decision, and the auditor's finding on each person."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from review_service.accountability.grounds import EXEMPTION_LABELS, RESPONSIBILITY_LABELS, SANCTION_LABELS
from review_service.core.clock import utcnow
from review_service.core.db import Base


class InquiryReason(enum.StrEnum):
    """Why the decision turned out erroneous (the ``reason`` of ``revoke``)."""

    REVOKED = "revoked"  # 被撤销
    CONFIRMED_ILLEGAL = "confirmed_illegal"  # 被确认违法
    ORDERED_REMAKE = "ordered_remake"  # 被责令重新作出
    CHANGED = "changed"  # 被变更 (行政复议法 art. 63, 行政诉讼法 art. 77)
    CONFIRMED_VOID = "confirmed_void"  # 被确认无效 (行政诉讼法 art. 75, 行政处罚法 art. 38)


REASON_LABELS = {"revoked": "被撤销", "confirmed_illegal": "被确认违法", "ordered_remake": "被责令重新作出",
                 "changed": "被变更", "confirmed_void": "被确认无效"}


class FindingCode(enum.StrEnum):
    """The nature of the fault found on one person (DESIGN.md §10): kept as the finding's ``finding``."""

    ABUSE_OF_POWER = "abuse_of_power"  # 滥用职权
    DERELICTION = "dereliction"  # 玩忽职守
    FAVORITISM = "favoritism"  # 徇私枉法
    NO_FAULT = "no_fault"  # 无过错


FINDING_LABELS = {"abuse_of_power": "滥用职权", "dereliction": "玩忽职守", "favoritism": "徇私枉法",
                  "no_fault": "无过错"}
_REASONS_SQL = ",".join(f"'{r.value}'" for r in InquiryReason)
_FINDINGS_SQL = ",".join(f"'{f.value}'" for f in FindingCode)
_RESPONSIBILITIES_SQL = ",".join(f"'{code}'" for code in RESPONSIBILITY_LABELS)
_EXEMPTIONS_SQL = ",".join(f"'{code}'" for code in EXEMPTION_LABELS)
_SANCTIONS_SQL = ",".join(f"'{code}'" for code in SANCTION_LABELS)


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
    # the grounds of the revoking decision (grounds.GROUND_LABELS): from the revocation, or recorded by the
    # auditor when the revocation named none; findings cannot be proposed while empty
    grounds: Mapped[list[str]] = mapped_column(JSON, default=list)

    @property
    def is_open(self) -> bool:
        return self.status == "open"


class Finding(Base):
    """The finding on one person of the chain: proposed by the auditor, decided (or returned) by the decider.

    ``recorded_by`` / ``recorded_at`` are the proposal's; ``decided_by`` / ``decided_at`` the decision's
    (or the return's, with ``decision_note`` its reason). A new proposal clears the decision.
    """

    __tablename__ = "accountability_findings"
    __table_args__ = (
        UniqueConstraint("inquiry_id", "user_id"),
        CheckConstraint(f"finding IN ({_FINDINGS_SQL})", name="finding_known"),
        CheckConstraint(f"responsibility IS NULL OR responsibility IN ({_RESPONSIBILITIES_SQL})",
                        name="responsibility_known"),
        CheckConstraint(f"exemption IS NULL OR exemption IN ({_EXEMPTIONS_SQL})", name="exemption_known"),
        CheckConstraint(f"sanction IS NULL OR sanction IN ({_SANCTIONS_SQL})", name="sanction_known"),
        CheckConstraint("status IN ('proposed','decided','returned')", name="status_known"),
        CheckConstraint("(status = 'proposed') = (decided_by IS NULL)", name="decision_has_decider"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("accountability_inquiries.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    finding: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    grounds: Mapped[list[str]] = mapped_column(JSON, default=list)  # the grounds this person answers for
    responsibility: Mapped[str | None] = mapped_column(String(12))  # direct / leadership / none
    exemption: Mapped[str | None] = mapped_column(String(30))
    sanction: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str] = mapped_column(Text, default="")
