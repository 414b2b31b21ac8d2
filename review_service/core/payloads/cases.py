"""Payloads of the cases domain: a case drafted, submitted, signed off, reassigned, suspended, downgraded,
and the system's upkeep of it (a workflow continued in a new generation, stray blobs swept).

No ``from __future__ import annotations``: see :mod:`review_service.core.payloads`.
"""

from typing import Any, TypedDict


class CaseCreated(TypedDict):
    draft_version: int
    draft_sha256: str
    major: bool | None
    matched_rules: list[str]


class DraftUpdated(TypedDict):
    draft_version: int
    draft_sha256: str
    major: bool | None
    catalog_major: bool | None


class MaterialAttached(TypedDict):
    material_id: int
    kind: str
    title: str
    sha256: str
    size: int


class CaseSubmitted(TypedDict):
    submission_id: int
    draft_version: int
    draft_sha256: str
    major: bool | None
    catalog_major: bool | None
    catalog: list[Any]  # [catalog id, catalog version]
    matched_rules: list[str]
    attestation: str
    status: str


class SubmissionDecided(TypedDict):
    """``submission_signed_off`` and ``submission_sent_back``."""

    submission_id: int
    comment: str
    status: str


class MaterialsSupplemented(TypedDict):
    note: str
    draft_sha256: str
    status: str


class PossibleSplitFlagged(TypedDict):
    related_case_ids: list[int]
    window_days: int


class CaseReassigned(TypedDict):
    from_handler_id: int | None
    from_handler: str
    to_handler_id: int
    to_handler: str
    reason: str
    at_task: str | None
    status: str


class CaseSuspended(TypedDict):
    suspension_id: int
    reason: str
    reason_label: str
    reason_text: str
    at_task: str | None
    paused_deadlines: list[Any]


class CaseResumed(TypedDict):
    suspension_id: int
    reason: str
    note: str
    suspended_on: str
    paused_working_days: int
    deadlines: list[Any]


class DowngradeRequested(TypedDict):
    request_id: int
    draft_version: int
    draft_sha256: str
    classification_id: int
    reasons: str


class DowngradeDecided(TypedDict):
    """``downgrade_confirmed`` and ``downgrade_refused``."""

    request_id: int
    decision_id: int
    draft_version: int
    draft_sha256: str
    reasons: str


class WorkflowContinued(TypedDict):
    generation: int
    at_task: list[str]


class ProcessMigrated(TypedDict):
    """The case's run moved from one stored process definition to another (``review-service process migrate``)."""

    from_sha256: str
    to_sha256: str
    process_id: str
    mapping: dict[str, str]
    task: str
    target: str
    task_id: str
    timers: dict[str, str]
    plan_sha256: str


class StorageSwept(TypedDict):
    by: str
    grace_hours: float
    removed: int
    bytes: int
    files: list[str]
    restored: list[Any]
