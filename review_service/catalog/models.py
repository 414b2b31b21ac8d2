"""Loaded catalogs (目录清单): one row per version, the source kept as loaded (DESIGN.md §6).

A catalog id can be loaded many times; each load is a new row whose version must
be higher than every stored version of that id (see :func:`~.operations.load_catalog`).
Rows are never updated or deleted: a case records the row that classified it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from review_service.core.clock import utcnow
from review_service.core.db import Base


class Catalog(Base):
    """One version of a catalog; ``source`` is the exact YAML text and ``sha256`` its UTF-8 hash."""

    __tablename__ = "catalogs"
    __table_args__ = (
        UniqueConstraint("catalog_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    catalog_id: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    effective_from: Mapped[date] = mapped_column(Date)
    applies_to: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    loaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def label(self) -> str:
        """How the catalog is named to people: ``title（第 N 版）``."""
        return f"{self.title}（第 {self.version} 版）"
