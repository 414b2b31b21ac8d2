"""The index of decided cases: what the similar-case search and the fine distribution read.

One row per decided case, derived from the decided draft (``decisions.draft_version_id``) and the case's
opinions when the decision is made; the row never changes afterwards (a revoked decision's row is deleted:
it is no precedent). Every write also counts up :class:`SimilarCaseGeneration`, so a worker's in-memory index
can tell with one read whether another process has changed the table since it last looked
(:mod:`review_service.assist.engine`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from review_service.core.clock import utcnow
from review_service.core.db import Base


class SimilarCase(Base):
    """A decided case as the similar-case search sees it (pre-tokenized facts, basis keys, outcome)."""

    __tablename__ = "similar_cases"
    # ids never reused: a worker's index tells rows apart by id (engine)
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"))
    number: Mapped[str] = mapped_column(String(100))  # the decision's 文号
    case_number: Mapped[str | None] = mapped_column(String(100))  # 案号
    title: Mapped[str] = mapped_column(String(300))  # 案由
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decision_type: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(50), default="")  # the draft's discretion level (裁量档次)
    fine: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON)  # summary, confiscation, measures
    legal_basis: Mapped[list[str]] = mapped_column(JSON)  # the draft's citations as written
    basis_keys: Mapped[list[str]] = mapped_column(JSON)  # "law_key|article" (text.basis_keys)
    problems: Mapped[list[str]] = mapped_column(JSON)  # review points any opinion found a problem with
    tokens: Mapped[str] = mapped_column(Text)  # 案由 and facts tokenized by jieba, space-separated
    indexed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SimilarCaseGeneration(Base):
    """One row counting the changes of ``similar_cases`` (each decision indexed, each row dropped, each rebuild).

    A worker compares it with the count its in-memory index was built at: one primary-key read per query,
    on both databases (``count(*)`` scans the table on PostgreSQL, and ``max(id)`` alone misses a row whose
    transaction took its id before another's but committed after it). Only a change makes the worker read
    the table's ids and take in the difference (:mod:`review_service.assist.engine`).
    """

    __tablename__ = "similar_case_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
