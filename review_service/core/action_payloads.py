"""The payload of every audited action, one ``TypedDict`` each (the catalogue is :mod:`core.actions`).

A payload is what the action's audit event stores, as canonical JSON: so keys and value shapes are part of
the audit log and the API, and must not change. Keys an action sends only sometimes are ``NotRequired``.
``tests/core/test_action_catalogue.py`` runs a real lifecycle and checks every stored payload against these.

No ``from __future__ import annotations`` here: ``NotRequired`` must be seen when the class is built so that
``__required_keys__`` / ``__optional_keys__`` are right on Python 3.11.
"""

from typing import Any, NotRequired, TypedDict

JsonObject = dict[str, Any]


class DeadlineInfo(TypedDict):
    """A deadline as audit payloads describe it (``deadlines.tracking.describe``)."""

    deadline_id: int
    kind: str
    start_on: str
    working_days: int
    due_on: str
    provisional: bool
    paused_days: int
    limit_on: str | None
    beyond_limit: bool


class DeadlineSent(DeadlineInfo):
    """A deadline whose reminder went out: the stage and who was told."""

    stage: str
    recipients: list[Any]


# --- cases ------------------------------------------------------------------------------------------------------


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


class StorageSwept(TypedDict):
    by: str
    grace_hours: float
    removed: int
    bytes: int
    files: list[str]
    restored: list[Any]


# --- process paths (withdrawal, termination, transfer) ----------------------------------------------------------


class SubmissionWithdrawn(TypedDict):
    withdrawal_id: int
    submission_id: int
    round: int
    at_task: str | None
    reason: str
    status: str


class TerminationRequested(TypedDict):
    request_id: int
    reason_code: str
    reason_label: str
    reason: str
    at_task: str | None
    status: str


class TerminationDecided(TypedDict):
    """``case_terminated`` and ``termination_refused``."""

    request_id: int
    decision_id: int
    reason_code: str
    comment: str
    end_event: str | None
    status: str


class CaseTransferred(TypedDict):
    transfer_id: int
    source: str
    round: int
    receiving_organ: str
    transferred_on: str
    file_number: str
    reason: str
    status: str


class TransferDeclined(TypedDict):
    transfer_id: int
    round: int
    reason: str
    status: str


# --- review, replies, coordination ------------------------------------------------------------------------------


class ReviewerAssigned(TypedDict):
    reviewer_id: int
    advisor_ids: list[int]
    qualification: str


class ReviewerReassigned(ReviewerAssigned):
    assignment_id: int


class IntakeRecorded(TypedDict):
    complete: bool
    missing: list[str]
    status: str


class OpinionSubmitted(TypedDict):
    review_id: int
    round: int
    draft_sha256: str
    conclusion: str
    points: dict[str, str]  # point key → finding
    advisor_ids: list[int] | None
    quality_advice: int
    status: str


class RecusalDeclared(TypedDict):
    assignment_id: int
    capacity: str
    declaration: str
    reason: str
    assignment_returned: bool


class ReplySubmitted(TypedDict):
    reply_id: int
    review_id: int
    round: int
    responses: dict[str, str]  # point key → "accepted" | "disputed"
    disputed: bool
    round_cap_reached: bool
    status: str


class CaseResubmitted(TypedDict):
    submission_id: int
    draft_version: int
    draft_sha256: str
    after_round: int
    status: str


class CaseAbandoned(TypedDict):
    reason: str
    status: str


class CaseCoordinated(TypedDict):
    coordination_id: int
    round: int
    reason: str
    outcome: str
    collective_discussion: bool
    status: str


class CollectiveDiscussionRecorded(TypedDict):
    discussion_id: int
    source: str
    held_on: str
    chair_id: int
    participant_ids: list[int]
    draft_sha256: str
    coordination_id: int | None


class CaseFlaggedComplex(TypedDict):
    flag_id: int
    reason: str
    draft_sha256: str | None


# --- decisions and their publicity ------------------------------------------------------------------------------


class DecisionMade(TypedDict):
    decision_id: int
    number: str | None
    draft_sha256: str
    clearance: str
    review_id: int | None
    approval_id: int
    collective_discussion: bool
    status: str


class CaseReturned(TypedDict):
    approval_id: int
    comment: str
    draft_sha256: str
    status: str


class DecisionPublished(TypedDict):
    publication_id: int
    decision_id: int
    url: str
    published_at: str
    deadline: JsonObject | None  # the publication deadline (DeadlineInfo) and ``late``


class DecisionRevoked(TypedDict):
    revocation_id: int
    decision_id: int
    reason: str
    reason_label: str
    authority: str
    date: str
    published: bool
    cancelled_deadlines: list[int]
    withdraw_deadline: DeadlineInfo | None


class DecisionWithdrawn(TypedDict):
    withdrawal_id: int
    revocation_id: int
    withdrawn_at: str
    deadline: JsonObject  # the withdrawal deadline (DeadlineInfo) and ``late``


# --- accountability ---------------------------------------------------------------------------------------------


class InquiryOpened(TypedDict):
    inquiry_id: int
    reason: str


class FindingRecorded(TypedDict):
    inquiry_id: int
    user_id: int
    finding: str
    reasons: Any
    replaces: str | None


class InquiryClosed(TypedDict):
    inquiry_id: int
    findings: dict[str, str]  # user id → finding
    document_sha256: str | None


# --- documents and deadlines ------------------------------------------------------------------------------------


class DocumentIssued(TypedDict):
    kind: str
    round: int | None
    sequence: int
    sha256: str
    size: int
    filename: str
    template_sha256: str
    template_source: str


class TemplateLoaded(TypedDict):
    kind: str
    sha256: str
    size: int
    previous_sha256: str | None


class DeadlinesUpdated(TypedDict):
    opened: list[DeadlineInfo]
    closed: list[JsonObject]  # deadline_id, kind, state, late


class DeadlineTimersFired(TypedDict):
    timers: list[str]
    reminders: list[DeadlineSent]


class ReviewDeadlineExtended(TypedDict):
    before: DeadlineInfo
    after: DeadlineInfo
    days: int
    reason: str


class DeadlineRecomputed(TypedDict):
    before: DeadlineInfo
    after: DeadlineInfo
    reason: str


# --- reference data: calendar, catalog, indicator figures -------------------------------------------------------


class CalendarYearLoaded(TypedDict):
    year: int
    version: int
    sha256: str
    filename: str
    notice: Any
    holidays: int
    workdays: list[str]


class CatalogLoaded(TypedDict):
    catalog_id: str
    version: Any
    sha256: str
    rules: int
    status: str
    diff: JsonObject
    bound_agencies: list[JsonObject]  # id, name


class CatalogDecided(TypedDict):
    """``catalog_confirmed`` and ``catalog_refused``."""

    catalog_id: str
    version: Any
    catalog_row_id: int
    sha256: str
    note: str
    narrowed_agency_ids: list[int]
    diff: JsonObject | None


class IndicatorFigureRecorded(TypedDict):
    figure_id: int
    key: str
    indicator: Any
    value: str
    source: str
    valid_from: str
    entered_by: str


# --- organization and sign-in -----------------------------------------------------------------------------------


class AgencyAdded(TypedDict):
    agency_id: int
    name: str
    parent_id: int | None
    system: str | None


class UserAdded(TypedDict):
    user_id: int
    username: str
    roles: list[str]
    qualification: str


class RoleChanged(TypedDict):
    """``role_granted`` and ``role_revoked``: the role, and the roles held afterwards."""

    user_id: int
    username: str
    role: str
    roles: list[str]


class UserDisabled(TypedDict):
    user_id: int
    username: str
    was_active: bool
    tokens_revoked: int
    session_version: int


class UserOnly(TypedDict):
    """``user_logged_in``, ``user_logged_out``, ``token_revoked``: just the user."""

    user_id: int


class TokenIssued(TypedDict):
    user_id: int
    expires_at: str


class LoginFailed(TypedDict):
    """An unknown username carries no ``user_id``; only a wrong password counts ``failures``."""

    username: str
    reason: str  # unknown_user | wrong_password | disabled | locked
    user_id: NotRequired[int]
    failures: NotRequired[int]


class AccountLocked(TypedDict):
    user_id: int
    username: str
    reason: str
    failures: int
    locked_until: str
