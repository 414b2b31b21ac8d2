"""Payloads of decisions and their publicity: approved or returned, published, revoked, withdrawn.

No ``from __future__ import annotations``: see :mod:`review_service.core.payloads`.
"""

from typing import NotRequired, TypedDict

from review_service.core.payloads import JsonObject
from review_service.core.payloads.deadlines import DeadlineInfo


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
    grounds: NotRequired[list[str]]  # facts_unclear, insufficient_evidence … (may be empty: old clients)
    received_on: NotRequired[str | None]  # the day the agency received it: the withdrawal clock's start


class DecisionWithdrawn(TypedDict):
    withdrawal_id: int
    revocation_id: int
    withdrawn_at: str
    deadline: JsonObject  # the withdrawal deadline (DeadlineInfo) and ``late``
    explanation: NotRequired[str]  # 公开说明理由, published with the withdrawal
