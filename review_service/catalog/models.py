"""Loaded catalogs (目录清单): one row per version, the source kept as loaded (DESIGN.md §6).

A catalog id can be loaded many times; each load is a new row whose version must
be higher than every stored version of that id (see :func:`~.operations.load_catalog`).
Rows are never deleted, and only ``status`` (with who decided it) ever changes, once, from
``pending`` to ``active`` or ``refused``: a case records the row that classified it.

A version applies only to the agencies it is bound to (:class:`CatalogBinding`), computed at load
time from ``applies_to`` and what the uploader administers (their agency and those below it), or
from the agencies the operator names on the command line; ``scope`` is that set of agencies: within
it the version supersedes the older versions of its id, outside it it changes nothing.
"""

from __future__ import annotations

import enum
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


class CatalogStatus(enum.StrEnum):
    """``pending``: a narrowing version waiting for a review lead; only ``active`` versions classify."""

    ACTIVE = "active"
    PENDING = "pending"
    REFUSED = "refused"


CATALOG_STATUS_LABELS = {"active": "已生效", "pending": "待法制审核机构负责人确认", "refused": "已退回"}


class Catalog(Base):
    """One version of a catalog; ``source`` is the exact YAML text and ``sha256`` its UTF-8 hash.

    ``diff`` is the rule-by-rule change against the previous version of the id (and which agencies it
    narrows); ``decided_by`` / ``decided_at`` / ``decision_note`` record the review lead's confirmation
    or refusal of a pending version.
    """

    __tablename__ = "catalogs"
    __table_args__ = (
        UniqueConstraint("catalog_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("status IN ('active','pending','refused')", name="status_known"),
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
    status: Mapped[str] = mapped_column(String(20), default=CatalogStatus.ACTIVE.value,
                                        server_default=CatalogStatus.ACTIVE.value)
    scope: Mapped[list[int]] = mapped_column(JSON, default=list)
    diff: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # a user id, without a foreign key: SQLite adds such a column to a referenced table only by rebuilding
    # it (migration 0011); who decided is also the actor of the audited catalog_confirmed / _refused event
    decided_by: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)

    @property
    def label(self) -> str:
        """How the catalog is named to people: ``title（第 N 版）``."""
        return f"{self.title}（第 {self.version} 版）"


class CatalogBinding(Base):
    """Catalog version ``catalog_row_id`` applies to agency ``agency_id``.

    ``specificity`` 1: the file names the agency itself; 0: it names the agency's enforcement system
    (the more specific one wins, DESIGN.md §6).
    """

    __tablename__ = "catalog_bindings"
    __table_args__ = (CheckConstraint("specificity IN (0, 1)", name="specificity_known"),)

    catalog_row_id: Mapped[int] = mapped_column(ForeignKey("catalogs.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True, index=True)
    specificity: Mapped[int] = mapped_column(Integer)
