"""Loaded 裁量基准: one row per version of an agency's benchmark, its entries, and each level's fine ranges.

A benchmark id of an agency may be loaded many times: each load of new content is a new version (numbered by
the system, 1, 2, …); loading identical content (same SHA-256) again changes nothing. Rows are never updated
nor deleted, so a check made on a date can be made again later with the same answer: the version in force on
that date is the newest whose ``effective_from`` is not after it (and whose ``effective_to``, if any, is not
before it).

A level's range is either a fixed amount in yuan (``fine_min`` / ``fine_max``) or a multiple of the entry's
``amount_basis`` (货值金额, 违法所得 …: ``factor_min`` / ``factor_max``); a range may hold only for a bracket of
that amount (``basis_from`` inclusive, ``basis_below`` exclusive), as the law writes "货值金额不足一万元的…；一万元
以上的…". A level without any range sets no fine (不予处罚, or measures only).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from review_service.core.clock import utcnow
from review_service.core.db import Base

_YUAN = Numeric(14, 2)
_FACTOR = Numeric(8, 3)


class DiscretionBenchmark(Base):
    """One version of an agency's 裁量基准; ``source`` is the file's exact text, ``sha256`` its UTF-8 hash."""

    __tablename__ = "discretion_benchmarks"
    __table_args__ = (
        UniqueConstraint("agency_id", "benchmark_id", "version"),
        UniqueConstraint("agency_id", "benchmark_id", "sha256"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    benchmark_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    document_number: Mapped[str] = mapped_column(String(100))  # 文号
    issuer: Mapped[str] = mapped_column(String(200))  # 制定机关
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    filename: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    loaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    entries: Mapped[list[DiscretionEntry]] = relationship(
        back_populates="benchmark", order_by="DiscretionEntry.position", lazy="selectin")

    @property
    def label(self) -> str:
        """How people name it: ``《title》（文号）``."""
        return f"《{self.title}》（{self.document_number}）"


class DiscretionEntry(Base):
    """One violation of a benchmark: its key and name, the legal basis of the violation and of the penalty."""

    __tablename__ = "discretion_entries"
    __table_args__ = (UniqueConstraint("benchmark_row_id", "violation_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    benchmark_row_id: Mapped[int] = mapped_column(ForeignKey("discretion_benchmarks.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    line: Mapped[int] = mapped_column(Integer)  # where the entry starts in ``source``
    violation_key: Mapped[str] = mapped_column(String(100), index=True)
    violation_name: Mapped[str] = mapped_column(String(300))
    violation_basis: Mapped[str] = mapped_column(Text)  # 违法依据（引文）
    penalty_basis: Mapped[str] = mapped_column(Text)  # 处罚依据（引文）
    amount_basis: Mapped[str | None] = mapped_column(String(40))  # 货值金额 / 违法所得 … (factor ranges)

    benchmark: Mapped[DiscretionBenchmark] = relationship(back_populates="entries")
    ranges: Mapped[list[DiscretionRange]] = relationship(
        back_populates="entry", order_by="DiscretionRange.id", lazy="selectin")


class DiscretionRange(Base):
    """What one level of an entry sets: a fine range (fixed or a multiple), for a bracket of the amount basis."""

    __tablename__ = "discretion_ranges"
    __table_args__ = (
        CheckConstraint("level IN ('exempt','mitigated','lighter','general','heavier')", name="level_known"),
        CheckConstraint("(fine_min IS NULL) = (fine_max IS NULL)", name="fine_paired"),
        CheckConstraint("(factor_min IS NULL) = (factor_max IS NULL)", name="factor_paired"),
        CheckConstraint("fine_min IS NULL OR factor_min IS NULL", name="one_kind"),
        CheckConstraint("fine_min IS NULL OR fine_min <= fine_max", name="fine_ordered"),
        CheckConstraint("factor_min IS NULL OR factor_min <= factor_max", name="factor_ordered"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("discretion_entries.id"), index=True)
    level: Mapped[str] = mapped_column(String(20))
    basis_from: Mapped[Decimal | None] = mapped_column(_YUAN)
    basis_below: Mapped[Decimal | None] = mapped_column(_YUAN)
    fine_min: Mapped[Decimal | None] = mapped_column(_YUAN)
    fine_max: Mapped[Decimal | None] = mapped_column(_YUAN)
    factor_min: Mapped[Decimal | None] = mapped_column(_FACTOR)
    factor_max: Mapped[Decimal | None] = mapped_column(_FACTOR)
    circumstances: Mapped[str] = mapped_column(Text, default="")  # 适用情形
    measures: Mapped[list[Any]] = mapped_column(JSON, default=list)  # 其他处理措施

    entry: Mapped[DiscretionEntry] = relationship(back_populates="ranges")
