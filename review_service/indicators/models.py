"""Figures the record cannot show (staff counts, regulations), entered by hand with their source.

A figure is never edited: recording it again adds a row, and the report reads the
latest row of each key for the agency whose ``valid_from`` is on or before the
period's end (DESIGN.md §4.6).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from review_service.audit.models import AuditEvent
from review_service.cases.models import Case, Submission
from review_service.core.clock import utcnow
from review_service.core.db import Base
from review_service.decisions.models import Decision
from review_service.review.models import Intake, Reply, Review


class IndicatorFigure(Base):
    """One hand-entered figure (人工录入) of an agency: ``key`` names it (see ``registry.FIGURES``)."""

    __tablename__ = "indicator_figures"
    __table_args__ = (
        Index("ix_indicator_figures_agency_id_key", "agency_id", "key", "valid_from"),
        CheckConstraint("length(source) > 0", name="source_required"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    key: Mapped[str] = mapped_column(String(60))
    number: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    text: Mapped[str] = mapped_column(Text, default="")
    valid_from: Mapped[date] = mapped_column(Date)  # Beijing date the figure holds from
    source: Mapped[str] = mapped_column(Text)  # where the figure comes from (a document, a register)
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_by_name: Mapped[str] = mapped_column(String(100))  # who typed it in (also for CLI entries)
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IndicatorUnit(Base):
    """One unit an indicator counts (an opinion, a decision, a case …) as its summary key: what the
    report groups by, kept per case by :mod:`.summary` in the transaction of each action (derived data:
    ``review-service indicators rebuild`` recomputes it from the record)."""

    __tablename__ = "indicator_units"
    __table_args__ = (
        PrimaryKeyConstraint("kind", "ref", name="pk_indicator_units"),
        # the case's units (kept per case) and the evidence samples (a kind's first cases of a period by id)
        Index("ix_indicator_units_kind_case_id", "kind", "case_id", "day", "agency_id", "key"),
        {"sqlite_with_rowid": False},  # SQLite: the rows live in the primary key's b-tree (one lookup less)
    )

    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[int] = mapped_column(Integer)  # the unit's id (opinion, decision or case)
    case_id: Mapped[int] = mapped_column(Integer)
    agency_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)  # the Beijing day the unit belongs to
    key: Mapped[str] = mapped_column(String(200))  # its facts, "|"-separated (see summary.KINDS)


class IndicatorCount(Base):
    """How many units of a kind an agency has per Beijing day and key: what the report reads (rows that
    drop to zero are deleted)."""

    __tablename__ = "indicator_counts"
    __table_args__ = (
        PrimaryKeyConstraint("kind", "agency_id", "day", "key", name="pk_indicator_counts"),
        {"sqlite_with_rowid": False},  # SQLite: the report's range scans read the counts from the key's b-tree
    )

    kind: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    key: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(Integer)


class IndicatorSummaryMark(Base):
    """The single row (``id = 1``): the audit event up to which the summary has taken every case in.

    The summary is brought up to date from the audit log, not in each action's transaction: every action
    on a case leaves an event naming it, so the cases with events after the mark are the ones to recompute
    (:func:`.summary.catch_up`, run by ``tick`` and before every report).
    """

    __tablename__ = "indicator_summary_mark"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    upto_seq: Mapped[int] = mapped_column(Integer)


def _index(name: str, table: Table, *columns: str) -> Index:
    return Index(name, *(table.c[column] for column in columns))


# Indexes the report's grouped scans need on other domains' tables (migrations 0007 and 0008 create
# them); declared here, next to the queries that need them, so that the models describe the schema.
REPORT_INDEXES = (
    _index("ix_cases_agency_id_status", Case.__table__, "agency_id", "status"),
    _index("ix_reviews_submitted_at", Review.__table__, "submitted_at"),
    _index("ix_reviews_submitted_at_facts", Review.__table__, "submitted_at", "case_id", "reviewer_id", "round",
           "conclusion", "points_written", "problem_points", "advice_count", "advisor_count"),
    _index("ix_replies_review_id", Reply.__table__, "review_id"),
    _index("ix_replies_review_id_submitted_at", Reply.__table__, "review_id", "submitted_at"),
    _index("ix_decisions_decided_at", Decision.__table__, "decided_at"),
    _index("ix_audit_events_case_id_action", AuditEvent.__table__, "case_id", "action"),
    _index("ix_review_intakes_case_id_checked_at", Intake.__table__, "case_id", "checked_at", "complete"),
    _index("ix_submissions_case_id_submitted_at", Submission.__table__, "case_id", "submitted_at"),
)
