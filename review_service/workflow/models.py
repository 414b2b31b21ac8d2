"""Tables of the workflow facade: each process definition once, and each instance's own state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from review_service.core.clock import utcnow
from review_service.core.db import Base


class ProcessDefinitionRow(Base):
    """A BPMN file as it was loaded, keyed by the SHA-256 of its bytes; written once, never changed."""

    __tablename__ = "process_definitions"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100))
    file: Mapped[str] = mapped_column(String(200))
    source: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WorkflowInstance(Base):
    """One case's engine state (without the spec) and the definition it runs on.

    ``next_due_at`` is the earliest timer of the instance, indexed so that ``tick`` loads
    only the instances that are due (timers fire only when the engine is refreshed).
    """

    __tablename__ = "workflow_instances"
    __plain_updates__ = True  # written by every action, the state text the largest value: core.records

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition_sha256: Mapped[str] = mapped_column(ForeignKey("process_definitions.sha256"))
    state: Mapped[str] = mapped_column(Text)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    next_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    end_event: Mapped[str | None] = mapped_column(String(60))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
