"""Records of publicity (公开), revocation (撤销 / 确认违法 / 责令重作) and withdrawal (撤回).

Each is a new row, never an edit of the decision (DESIGN.md §4.6): the decision is "marked"
by the revocation that names it. The tables refuse UPDATE and DELETE (migration 0004).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from review_service.core.clock import utcnow
from review_service.core.db import Base

REVOCATION_REASONS = {"revoked": "被撤销", "confirmed_illegal": "被确认违法", "ordered_remake": "被责令重新作出",
                      "changed": "被变更", "confirmed_void": "被确认无效"}
#: Why the reviewing body found the decision wrong: the grounds of 行政复议法 (2023) art. 64 and 行政诉讼法
#: art. 70 (撤销), which the accountability chain maps to the stages that answer for each (118号 (十四)).
REVOCATION_GROUNDS = {"facts_unclear": "事实不清", "insufficient_evidence": "证据不足", "wrong_law": "适用法律错误",
                      "illegal_procedure": "违反法定程序", "beyond_authority": "超越职权",
                      "abuse_of_power": "滥用职权", "clearly_improper": "明显不当"}
_REASONS_SQL = ",".join(f"'{code}'" for code in REVOCATION_REASONS)


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
    """The decision was revoked, confirmed illegal, ordered remade, changed or confirmed void by ``authority``
    on ``decided_on``, on ``grounds``; the agency received it on ``received_on``."""

    __tablename__ = "revocations"
    __table_args__ = (
        CheckConstraint(f"reason IN ({_REASONS_SQL})", name="reason_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(30))
    authority: Mapped[str] = mapped_column(String(300))
    decided_on: Mapped[date] = mapped_column(Date)
    # the day the agency received the revoking decision or judgment: the withdrawal clock starts here
    # (None for registrations before 0022 and API clients that omit it: ``decided_on`` stands in)
    received_on: Mapped[date | None] = mapped_column(Date)
    grounds: Mapped[list[str]] = mapped_column(JSON, default=list)  # REVOCATION_GROUNDS codes; may be empty
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
    explanation: Mapped[str] = mapped_column(Text, default="")  # 公开说明理由, published with the withdrawal
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
