"""An issued document: one immutable row per rendered file (DESIGN.md §4.6: nothing is edited or deleted)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from review_service.core.clock import utcnow
from review_service.core.db import Base

KIND_LABELS: dict[str, str] = {
    "opinion": "法制审核意见书",
    "reply": "书面回复",
    "coordination": "协调记录",
    "collective_discussion": "集体讨论记录",
    "approval": "审批记录",
    "termination": "终止决定审批记录",
    "transfer": "涉嫌犯罪案件移送记录",
    "accountability": "责任调查记录",
    "penalty_decision": "行政处罚决定书（代拟稿）",
}
KINDS = tuple(KIND_LABELS)
#: Kinds without a 文号 of their own: the 代拟稿 is a draft, and the number it will bear is the decision's.
UNNUMBERED_KINDS = frozenset({"penalty_decision"})
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_KINDS_SQL = ",".join(f"'{kind}'" for kind in KINDS)


class Document(Base):
    """A ``.docx`` issued for a step of a case, stored by SHA-256 in the instance folder's blob store.

    ``round`` is the review round the step belongs to (0 before any review, e.g. the approval of a
    case that was not major); ``sequence`` counts documents of the same kind in the same round (a
    second reply after a coordination upheld the review). ``template_sha256`` names the exact
    template bytes used and ``template_source`` whether it was the packaged template or the
    agency's override. ``audit_seq`` is the ``document_issued`` audit event that names this file.
    A later round makes a new row; triggers refuse UPDATE and DELETE (migration 0005).
    ``number`` is the document's 文号 (:mod:`~review_service.documents.numbering`; none for rows issued before
    migration 0020 and for :data:`UNNUMBERED_KINDS`). It is unique: the agency's 机关代字 (by default its name,
    unique) and the kind's pattern set it apart, the sequence its ordinal, so a clash is refused, never printed.
    """

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "round", "sequence"),
        CheckConstraint(f"kind IN ({_KINDS_SQL})", name="kind_known"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        CheckConstraint("round >= 0 AND sequence >= 1", name="round_sequence_valid"),
        CheckConstraint("template_source IN ('packaged','instance')", name="template_source_known"),
        Index("ix_documents_case_id_id", "case_id", "id"),
        Index("ix_documents_kind_created_at", "kind", "created_at"),  # indicator (131): drafts generated
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(30))
    round: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(300))
    template_sha256: Mapped[str] = mapped_column(String(64))
    template_source: Mapped[str] = mapped_column(String(10))
    audit_seq: Mapped[int | None] = mapped_column(Integer)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    number: Mapped[str | None] = mapped_column(String(100), unique=True)


class DocumentNumberSequence(Base):
    """The last 文号 ordinal given in one series: per agency, series (a document kind, ``decision`` or
    ``decision.<type>``) and year. Incremented in the transaction that issues the number, so a rolled-back
    action gives its number back (no gaps); the row lock orders concurrent issuers (no duplicates)."""

    __tablename__ = "document_number_sequences"
    __table_args__ = (CheckConstraint("last_number >= 1", name="last_number_positive"),)

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
