"""The audit log and its head (DESIGN.md §9).

``audit_events`` is append-only (triggers in :mod:`review_service.audit.ddl`,
revoked privileges on PostgreSQL). It has no foreign keys: the log outlives
every row it talks about. ``audit_head`` is the one row writers lock to take
the next sequence number, which keeps ``seq`` contiguous and the chain linear
under concurrent writers in several processes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from review_service.core.db import Base

HEAD_ID = 1


class AuditEvent(Base):
    """One audited action: who did what, in which role, on which case, with which outcome.

    ``payload`` is canonical JSON text; ``canonical`` holds the exact bytes that
    were hashed (canonical JSON of every column but ``hash``, with the payload
    parsed), so verification hashes stored bytes and, later, Merkle leaves are
    those same bytes.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_case_id_seq", "case_id", "seq"),
        CheckConstraint("seq >= 1", name="seq_positive"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_username: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(40))
    agency_id: Mapped[int | None] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(40), default="ok")
    client_addr: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    canonical: Mapped[bytes] = mapped_column(LargeBinary)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<AuditEvent {self.seq} {self.action} case={self.case_id}>"


class AuditHead(Base):
    """The single row (``id = 1``) naming the last event: its ``seq`` and ``hash``.

    Writers lock it before appending; ``verify`` checks it against the last event,
    which catches a truncated tail.
    """

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditSettings(Base):
    """The single row (``id = 1``) recording the hash the log was started with (``sha256`` or ``sm3``).

    Written once, when the first event is appended (or by the migration for a log that already
    has events), and immutable after: ``verify`` and the checkpoints read it, so changing the
    configuration later cannot make an SM3 log be checked with SHA-256 or the other way round.
    """

    __tablename__ = "audit_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("hash_algorithm IN ('sha256','sm3')", name="hash_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hash_algorithm: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
