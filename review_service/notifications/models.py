"""In-app notifications, e-mail addresses, and the mail outbox.

A notification's ``key`` is unique: the same reminder (deadline, stage, person) can be
written once only, whichever ``tick`` process gets there first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from review_service.core.clock import utcnow
from review_service.core.db import Base


class Notification(Base):
    """A message to one user (站内提醒), e.g. ``review`` due tomorrow or overdue."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadlines.id"))
    kind: Mapped[str] = mapped_column(String(20))  # due_soon | overdue
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EmailAddress(Base):
    """Where a user wants reminders by e-mail (optional; only used when SMTP is configured)."""

    __tablename__ = "email_addresses"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    address: Mapped[str] = mapped_column(String(254))


class OutboxMessage(Base):
    """An e-mail waiting to leave: written in the action's transaction, sent by ``tick`` after commit."""

    __tablename__ = "mail_outbox"
    __table_args__ = (CheckConstraint("state IN ('pending','sent','failed')", name="state_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id"), unique=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
