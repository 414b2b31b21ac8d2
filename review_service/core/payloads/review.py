"""Payloads of the review: the reviewer assigned, a conflict of interest declared, intake, the opinion.

No ``from __future__ import annotations``: see :mod:`review_service.core.payloads`.
"""

from typing import TypedDict


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


class OpinionDraftSaved(TypedDict):
    round: int
    points_answered: int  # points with a finding chosen
    sha256: str  # of the saved content: the text itself stays out of the audit log


class RecusalDeclared(TypedDict):
    assignment_id: int
    capacity: str
    declaration: str
    reason: str
    assignment_returned: bool


class ReviewMaterialsRequested(TypedDict):
    """What the reviewer asked for mid-review, and the pause of the review period it opened."""

    request_id: int
    kinds: list[str]
    note: str
    pause_id: int
    started_on: str


class ReviewMaterialsAnswered(TypedDict):
    """The unit's answer: the materials attached since the request, and the review period counting again."""

    request_id: int
    material_ids: list[int]
    answer: str
    pause_id: int
    paused_days: int  # working days the period stood still
    due_before: str
    due_after: str


class ReviewMaterialsLapsed(TypedDict):
    """The opinion came first: the request ended unanswered, and its pause with it."""

    request_id: int
    pause_id: int
    paused_days: int
