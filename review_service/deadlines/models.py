"""One row per tracked deadline (DESIGN.md §8).

``review`` and ``reply`` deadlines follow the BPMN boundary timers of their task (the engine
fires the reminders, ``next_check_at`` stays empty); ``publish`` and ``withdraw`` deadlines
live after the process has ended and are checked by ``tick`` through ``next_check_at``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
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


# --- the clocks of issue 19: pauses, the review extension's approval, the art. 60 limit ----------------------------

#: Why a clock stopped: the case was suspended (中止), or the review body asked for materials (补充材料).
PAUSE_CAUSES = {"suspended": "案件中止", "materials_requested": "要求补充材料"}
#: The art. 60 limit counts calendar days; every other clock working days.
DECISION_LIMIT_CLOCK = "decision_limit"
#: 市场监督管理行政处罚程序规定 art. 64 and the like: periods not counted in the art. 60 limit.
EXCLUDED_KINDS = {"hearing": "听证", "appraisal": "鉴定、检测、检验、检疫", "announcement": "公告",
                  "service": "送达", "other": "其他"}
#: Why the review period needs more time (the extension's reason code).
EXTENSION_REASONS = {"complex": "案情复杂", "further_investigation": "需要补充调查",
                     "expert_opinion": "涉及专业问题需论证", "other": "其他"}
_CAUSES = ",".join(f"'{c}'" for c in PAUSE_CAUSES)
_EXCLUDED = ",".join(f"'{k}'" for k in EXCLUDED_KINDS)
_REASON_CODES = ",".join(f"'{k}'" for k in EXTENSION_REASONS)


class ClockPause(Base):
    """One dated interval a clock of the case stood still (``ended_on`` empty while it lasts).

    ``clock`` is a deadline kind (with ``deadline_id``) or ``decision_limit`` (the art. 60 limit, calendar days);
    ``days`` is filled when it ends: the working (or calendar) days the due date moved.
    """

    __tablename__ = "clock_pauses"
    __table_args__ = (
        CheckConstraint(f"cause IN ({_CAUSES})", name="cause_known"),
        CheckConstraint("unit IN ('working','calendar')", name="unit_known"),
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadlines.id"))
    clock: Mapped[str] = mapped_column(String(20))
    cause: Mapped[str] = mapped_column(String(30))
    suspension_id: Mapped[int | None] = mapped_column(ForeignKey("suspensions.id"))
    unit: Mapped[str] = mapped_column(String(10), default="working")
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    days: Mapped[int | None] = mapped_column(Integer)


class ReviewExtensionRequest(Base):
    """The reviewer or review lead asks for the review period's one extension; the configured role decides."""

    __tablename__ = "review_extension_requests"
    __table_args__ = (
        CheckConstraint(f"reason_code IN ({_REASON_CODES})", name="reason_known"),
        CheckConstraint("reason_code <> 'other' OR length(reason) > 0", name="other_reason_written"),
        CheckConstraint("days > 0", name="days_positive"),
        CheckConstraint("(decided_at IS NULL) = (approved IS NULL)", name="decided_together"),
        Index("uq_review_extension_requests_pending", "case_id", unique=True,
              sqlite_where=text("decided_at IS NULL"), postgresql_where=text("decided_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadlines.id"))
    days: Mapped[int] = mapped_column(Integer)
    reason_code: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_role: Mapped[str] = mapped_column(String(20))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    approved: Mapped[bool | None] = mapped_column(Boolean)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_role: Mapped[str | None] = mapped_column(String(20))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text)


class DecisionLimitExtension(Base):
    """An extension of the art. 60 limit: the first by the agency's head, the second with the higher approval."""

    __tablename__ = "decision_limit_extensions"
    __table_args__ = (
        CheckConstraint("seq IN (1, 2)", name="seq_known"),
        CheckConstraint("days > 0", name="days_positive"),
        CheckConstraint("approval IN ('agency_head','superior_authority','collective_discussion')",
                        name="approval_known"),
        Index("uq_decision_limit_extensions_seq", "case_id", "seq", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(Integer)
    days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    approval: Mapped[str] = mapped_column(String(30))
    approver: Mapped[str] = mapped_column(String(200))  # who approved: the head's name, or the higher organ
    approval_document: Mapped[str | None] = mapped_column(String(200))  # 批准文号
    approved_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExcludedPeriod(Base):
    """A dated period not counted in the art. 60 limit (both days included): 听证, 鉴定, 公告, 送达 …"""

    __tablename__ = "excluded_periods"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_EXCLUDED})", name="kind_known"),
        CheckConstraint("end_on >= start_on", name="ends_after_start"),
        CheckConstraint("kind <> 'other' OR length(note) > 0", name="other_noted"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_role: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MaterialsRequest(Base):
    """The reviewer's request for more materials during the review (审查中补充材料).

    The review period stands still from the request until the handling unit answers it (a dated pause,
    ``pause_id``); an opinion given before the answer ends the request as ``lapsed``.
    """

    __tablename__ = "review_materials_requests"
    __table_args__ = (
        CheckConstraint("outcome IS NULL OR outcome IN ('answered', 'lapsed')", name="outcome_known"),
        CheckConstraint("(outcome IS NULL) = (closed_at IS NULL)", name="closed_together"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)  # material kinds asked for, if named
    note: Mapped[str] = mapped_column(Text)  # what is needed and why, in the reviewer's words
    pause_id: Mapped[int | None] = mapped_column(ForeignKey("clock_pauses.id"))
    outcome: Mapped[str | None] = mapped_column(String(10))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[str] = mapped_column(Text, default="")
    material_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # materials attached since the request
