"""Loaded year files (节假日安排): one row per version of a year, the source kept as loaded (DESIGN.md §8).

A year can be loaded again (a corrected notice): each load is a new row with the
next ``version`` of that year, and the latest version wins. Rows are never updated
or deleted, so what any deadline was computed with can always be read back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from review_service.core.clock import utcnow
from review_service.core.db import Base


class CalendarYear(Base):
    """One version of a year file; ``source`` is the exact YAML text and ``sha256`` its UTF-8 hash."""

    __tablename__ = "calendar_years"
    __table_args__ = (
        UniqueConstraint("year", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("year >= 2000 AND year <= 2100", name="year_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    loaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def label(self) -> str:
        """How the loaded year is named to people: ``2027 年节假日安排（第 N 版）``."""
        return f"{self.year} 年节假日安排（第 {self.version} 版）"
