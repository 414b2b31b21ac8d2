"""Records of the paths outside review: withdrawals, termination requests and decisions, transfers.

Every row is written once and never changed (DESIGN.md §4.6; migration 0013 adds the triggers).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from review_service.core.clock import utcnow
from review_service.core.db import Base

#: 终止 (ending a case without a decision): the legal reasons an agency may cite.
TERMINATION_REASONS: dict[str, str] = {
    "party_died_no_heir": "当事人死亡，且无继承人或者继承人放弃继承",
    "legal_person_terminated": "作为当事人的法人或者其他组织终止，无权利义务承受人",
    "facts_not_established": "违法事实不成立",
    "time_barred": "违法行为已超过追责时效（《行政处罚法》第三十六条）",
    "no_jurisdiction": "本机关对案件无管辖权，已移交有管辖权的机关",
    "other": "其他依法应当终止的情形",
}
_REASONS_SQL = ",".join(f"'{code}'" for code in TERMINATION_REASONS)

#: Where a transfer decision came from: the review's finding on point 10, or the head at approval.
TRANSFER_SOURCES = {"review": "法制审核意见认为涉嫌犯罪", "head": "负责人审批时决定"}


class Withdrawal(Base):
    """撤回送审: the handler took a submission back before the opinion was written; the round is withdrawn."""

    __tablename__ = "submission_withdrawals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    round: Mapped[int] = mapped_column(Integer)  # the review round the submission was waiting for
    at_task: Mapped[str] = mapped_column(String(30))  # where it waited: signoff, assign, intake, supplement, review
    reason: Mapped[str] = mapped_column(Text)
    withdrawn_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TerminationRequest(Base):
    """The handler's request to end the case without a decision, for a legal reason."""

    __tablename__ = "termination_requests"
    __table_args__ = (CheckConstraint(f"reason_code IN ({_REASONS_SQL})", name="reason_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    reason_code: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    at_task: Mapped[str] = mapped_column(String(30))
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TerminationDecision(Base):
    """The head's decision on a termination request: approved (the case ends) or refused (back to drafting)."""

    __tablename__ = "termination_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("termination_requests.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    approved: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    head_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Transfer(Base):
    """移送司法机关 (行政处罚法 art. 27): the head decides to transfer the case (or, on the review finding, not to)."""

    __tablename__ = "transfers"
    __table_args__ = (
        CheckConstraint("source IN ('review','head')", name="source_known"),
        CheckConstraint("NOT transferred OR (receiving_organ IS NOT NULL AND transferred_on IS NOT NULL "
                        "AND file_number IS NOT NULL)", name="transfer_complete"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10))
    transferred: Mapped[bool] = mapped_column(Boolean)
    receiving_organ: Mapped[str | None] = mapped_column(String(200))
    transferred_on: Mapped[date | None] = mapped_column(Date)
    file_number: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    head_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
