"""A case, its hash-bound draft versions, materials, classifications and submissions."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from review_service.catalog.fields import DECISION_TYPE_LABELS
from review_service.core.clock import utcnow
from review_service.core.db import Base
from review_service.organization.models import Agency
from review_service.workflow.models import WorkflowInstance


class CaseStatus(enum.StrEnum):
    DRAFT = "draft"
    AWAITING_SIGNOFF = "awaiting_signoff"
    AWAITING_MATERIALS = "awaiting_materials"
    IN_REVIEW = "in_review"
    AWAITING_REPLY = "awaiting_reply"
    AWAITING_RESUBMISSION = "awaiting_resubmission"
    IN_COORDINATION = "in_coordination"
    AWAITING_APPROVAL = "awaiting_approval"
    DECIDED = "decided"
    CLOSED = "closed"
    TRANSFERRED = "transferred"  # 移送司法机关 (行政处罚法 art. 27): the decision path closed


STATUS_LABELS: dict[str, str] = {
    "draft": "起草中",
    "awaiting_signoff": "待承办机构负责人签核",
    "awaiting_materials": "待补充材料",
    "in_review": "法制审核中",
    "awaiting_reply": "待书面回复",
    "awaiting_resubmission": "待重新报送",
    "in_coordination": "协调中",
    "awaiting_approval": "待负责人审批",
    "decided": "已作出决定",
    "closed": "已终止",
    "transferred": "已移送司法机关",
}

DECISION_TYPES = DECISION_TYPE_LABELS  # one list: the catalog conditions and the cases share it

_STATUS_SQL = ",".join(f"'{status.value}'" for status in CaseStatus)


class Case(Base):
    """A major-decision case. ``version`` increases with every state change (optimistic locking)."""

    __plain_updates__ = True  # every action changes a few columns: written by core.records.write_plain_updates

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUS_SQL})", name="status_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_cases_agency_id_current_task", "agency_id", "current_task"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    handler_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    case_number: Mapped[str | None] = mapped_column(String(100))
    decision_type: Mapped[str] = mapped_column(String(40))
    filed_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(30), default=CaseStatus.DRAFT.value, index=True)
    # The user task the process waits on (kind and engine id), kept with the status so that to-do
    # lists are one indexed query instead of a workflow load per case. None once the case ended.
    current_task: Mapped[str | None] = mapped_column(String(30))
    current_task_id: Mapped[str | None] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer, default=1)
    round: Mapped[int] = mapped_column(Integer, default=0)  # the review round in progress or last done
    rounds_since_coordination: Mapped[int] = mapped_column(Integer, default=0)
    major: Mapped[bool | None] = mapped_column(Boolean)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # 中止: while true every action but resumption is refused and the deadlines stop counting
    # (review_service.cases.suspension; the open period is a row of ``suspensions``).
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    current_draft_id: Mapped[int | None] = mapped_column(
        ForeignKey("draft_versions.id", use_alter=True, name="fk_cases_current_draft_id_draft_versions")
    )
    workflow_instance_id: Mapped[int] = mapped_column(ForeignKey("workflow_instances.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    current_draft: Mapped[DraftVersion | None] = relationship(foreign_keys=[current_draft_id], post_update=True)
    workflow_instance: Mapped[WorkflowInstance] = relationship()
    agency: Mapped[Agency] = relationship()


class DraftVersion(Base):
    """One immutable version of the draft decision, bound to the SHA-256 of its canonical JSON."""

    __tablename__ = "draft_versions"
    __table_args__ = (
        UniqueConstraint("case_id", "version"),
        UniqueConstraint("id", "case_id", "sha256", name="uq_draft_versions_identity"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)  # canonical JSON; the hashed bytes
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # the verification page looks drafts up by it
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Material(Base):
    """An uploaded 送审材料 file, stored by SHA-256 under the instance folder."""

    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str | None] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Classification(Base):
    """The catalog's verdict on one draft version, with every matched rule and its reason."""

    __tablename__ = "classifications"
    __table_args__ = (
        UniqueConstraint("id", "case_id", "draft_sha256", "major", name="uq_classifications_identity"),
        ForeignKeyConstraint(
            ["draft_version_id", "case_id", "draft_sha256"],
            ["draft_versions.id", "draft_versions.case_id", "draft_versions.sha256"],
            name="fk_classifications_draft_identity",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer, index=True)
    draft_version_id: Mapped[int] = mapped_column(Integer)
    draft_sha256: Mapped[str] = mapped_column(String(64))
    major: Mapped[bool] = mapped_column(Boolean)
    catalog_row_id: Mapped[int | None] = mapped_column(ForeignKey("catalogs.id"))
    catalog_id: Mapped[str | None] = mapped_column(String(100))
    catalog_version: Mapped[int | None] = mapped_column(Integer)
    matched: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Submission(Base):
    """A submission (or resubmission) with the handler's attestation (118号 (十四))."""

    __tablename__ = "submissions"
    __table_args__ = (CheckConstraint("attested", name="attested_required"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    draft_version_id: Mapped[int] = mapped_column(ForeignKey("draft_versions.id"))
    draft_sha256: Mapped[str] = mapped_column(String(64))
    round: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # submit | resubmit
    # Routed as major (to legal review): once one submission of a case was, the case stays under the
    # gate (DESIGN.md §4.1) and the decision trigger reads this column to know it.
    major: Mapped[bool] = mapped_column(Boolean, default=True)
    submitted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    attested: Mapped[bool] = mapped_column(Boolean)
    attestation: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Signoff(Base):
    """The unit head's sign-off (承办机构负责人签核) of a submission."""

    __tablename__ = "signoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    unit_head_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DowngradeRequest(Base):
    """The handling unit asks the review body to confirm that a case once major no longer is (降级确认申请).

    Bound to the draft version the catalog now finds not major: a later draft is not covered.
    """

    __tablename__ = "downgrade_requests"
    __table_args__ = (
        ForeignKeyConstraint(
            ["draft_version_id", "case_id", "draft_sha256"],
            ["draft_versions.id", "draft_versions.case_id", "draft_versions.sha256"],
            name="fk_downgrade_requests_draft_identity",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer, index=True)
    draft_version_id: Mapped[int] = mapped_column(Integer)
    draft_sha256: Mapped[str] = mapped_column(String(64))
    classification_id: Mapped[int] = mapped_column(ForeignKey("classifications.id"))
    reasons: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DowngradeDecision(Base):
    """The review lead's answer to a downgrade request: confirmed (the case leaves the gate) or refused."""

    __tablename__ = "downgrade_decisions"
    __table_args__ = (UniqueConstraint("request_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("downgrade_requests.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    draft_version_id: Mapped[int] = mapped_column(ForeignKey("draft_versions.id"))
    confirmed: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PossibleSplit(Base):
    """A case that may split one matter to stay under a threshold: same counterparty, same matter, 90 days."""

    __tablename__ = "possible_splits"
    __table_args__ = (UniqueConstraint("case_id", "related_case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    related_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)  # flags are read from both sides
    basis: Mapped[dict[str, Any]] = mapped_column(JSON)
    flagged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
