"""One row per tracked deadline (DESIGN.md §8).

``review`` and ``reply`` deadlines follow the BPMN boundary timers of their task (the engine
fires the reminders, ``next_check_at`` stays empty); ``publish`` and ``withdraw`` deadlines
live after the process has ended and are checked by ``tick`` through ``next_check_at``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from review_service.core.clock import utcnow
from review_service.core.db import Base


class DeadlineKind(enum.StrEnum):
    REVIEW = "review"
    REPLY = "reply"
    PUBLISH = "publish"
    WITHDRAW = "withdraw"


class DeadlineState(enum.StrEnum):
    OPEN = "open"
    MET = "met"  # the task was done (on time or late: compare closed_at with due_on)
    CANCELLED = "cancelled"  # the task went away (e.g. a revoked decision need not be published)


KIND_LABELS = {"review": "法制审核", "reply": "书面回复", "publish": "公开决定", "withdraw": "撤回已公开的决定"}
ENGINE_KINDS = frozenset({DeadlineKind.REVIEW, DeadlineKind.REPLY})
_KINDS = ",".join(f"'{k.value}'" for k in DeadlineKind)
_STATES = ",".join(f"'{s.value}'" for s in DeadlineState)


class Deadline(Base):
    """A deadline: ``working_days`` (+ ``extension_days``) after ``start_on``, due at the end of ``due_on``.

    ``paused_days`` working days spent suspended are added to the count (review_service.cases.suspension).
    ``provisional`` marks a due date counted on weekdays in a year nobody has loaded yet (暂定);
    it is recomputed when that year is loaded. ``beyond_limit`` flags a penalty case whose review
    is due after the art. 60 decision limit (``limit_on``, from the case's filing date).
    """

    __tablename__ = "deadlines"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KINDS})", name="kind_known"),
        CheckConstraint(f"state IN ({_STATES})", name="state_known"),
        CheckConstraint("working_days >= 0 AND extension_days >= 0", name="days_not_negative"),
        CheckConstraint("due_on >= start_on", name="due_after_start"),
        # at most one open deadline of each kind per case
        Index("uq_deadlines_open_kind", "case_id", "kind", unique=True,
              sqlite_where=text("state = 'open'"), postgresql_where=text("state = 'open'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(20))
    round: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[str | None] = mapped_column(String(36))  # the engine task (review, reply)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    start_on: Mapped[date] = mapped_column(Date)
    working_days: Mapped[int] = mapped_column(Integer)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extended_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    extended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_on: Mapped[date] = mapped_column(Date)
    remind_on: Mapped[date] = mapped_column(Date)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    limit_on: Mapped[date | None] = mapped_column(Date)
    beyond_limit: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(12), default=DeadlineState.OPEN.value, index=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_check_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # 中止: the working days the case spent suspended (the due date moves back by them), and the Beijing
    # day the count stopped while a suspension lasts (no overdue mark or reminder for suspended time)
    paused_days: Mapped[int] = mapped_column(Integer, default=0)
    paused_on: Mapped[date | None] = mapped_column(Date)

    @property
    def extended(self) -> bool:
        return self.extended_at is not None
