"""Payloads of deadlines, and the shape every payload uses to describe one (:class:`DeadlineInfo`).

``DeadlineInfo`` lives here, with the deadlines that own it; decisions' payloads import it.

No ``from __future__ import annotations``: see :mod:`review_service.core.payloads`.
"""

from typing import Any, NotRequired, TypedDict

from review_service.core.payloads import JsonObject


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
    # since issue 19: the request it grants and its reason code (案情复杂 …)
    request_id: NotRequired[int]
    reason_code: NotRequired[str]
    requested_by: NotRequired[int]


class DeadlineRecomputed(TypedDict):
    before: DeadlineInfo
    after: DeadlineInfo
    reason: str


class DeadlinePaused(TypedDict):
    """The review period stopped counting: why (``materials_requested``), from when, which deadline."""

    cause: str
    pause_id: int
    started_on: str
    deadline: DeadlineInfo


class DeadlineResumed(TypedDict):
    """The pause ended: its days, and whether the period started again (``restarted``) or went on."""

    pause_id: int
    started_on: str
    ended_on: str
    days: int
    restarted: bool
    before: DeadlineInfo
    after: DeadlineInfo


class ReviewExtensionRequested(TypedDict):
    request_id: int
    deadline: DeadlineInfo
    days: int
    reason_code: str
    reason: str
    approver_role: str


class ReviewExtensionDecided(TypedDict):
    request_id: int
    approved: bool
    comment: str
    requested_by: int


class DecisionLimitExtended(TypedDict):
    """An art. 60 extension recorded: which (1, 2), by how much, on whose approval, the limit before and after."""

    extension_id: int
    seq: int
    days: int
    reason: str
    approval: str
    approver: str
    approval_document: str | None
    approved_on: str
    limit_before: str
    limit_after: str


class ExcludedPeriodRecorded(TypedDict):
    """A period not counted in the art. 60 limit (both days included)."""

    period_id: int
    kind: str
    start_on: str
    end_on: str
    note: str
    limit_before: str | None
    limit_after: str | None


class PublicationExempted(TypedDict):
    reason: str
    reason_label: str
    decision_type: str
    draft_sha256: str | None
