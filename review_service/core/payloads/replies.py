"""Payloads of the handler's answer to an opinion: a reply, a resubmission, or the case abandoned.

No ``from __future__ import annotations``: see :mod:`review_service.core.payloads`.
"""

from typing import TypedDict


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
