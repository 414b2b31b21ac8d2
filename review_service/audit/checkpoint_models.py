"""Checkpoints written for the audit log (DESIGN.md §9).

Each row keeps the signed note exactly as it was signed, so exporting it
(``GET /api/v1/audit/checkpoints``) hands out the very bytes an auditor can
verify; ``size`` and ``root`` repeat what the note says, for queries.
:class:`CheckpointExport` records each copy of a checkpoint sent outside after commit
(a witness folder or command, :mod:`review_service.audit.exports`) and its outcome.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from review_service.core.db import Base


class AuditCheckpoint(Base):
    """One signed checkpoint: the log's size and Merkle root (hex) when it was written, and the signed note."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    root: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The roots of the perfect subtrees covering the first ``size`` leaves (hex, comma-separated, largest
    # first): the next checkpoint hashes only the events after this one (O(new events + log n)).
    compact_range: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<AuditCheckpoint {self.id} size={self.size} root={self.root[:12]}>"


class CheckpointExport(Base):
    """One attempt to copy a checkpoint outside the database: where to, whether it worked, what happened.

    Appended after the checkpoint's transaction committed, never updated (a retry is a new row).
    ``target`` is ``folder`` or ``command``; ``destination`` the folder, or the command's program
    name only (its arguments may hold credentials); ``detail`` the file written or the error.
    """

    __tablename__ = "checkpoint_exports"
    __table_args__ = (CheckConstraint("target IN ('folder', 'command')", name="target_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("audit_checkpoints.id"), index=True)
    target: Mapped[str] = mapped_column(String(10))
    destination: Mapped[str] = mapped_column(Text)
    ok: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(Text)
    exported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
