"""Payloads of coordination: a disputed opinion coordinated, a complex case flagged and discussed.

No ``from __future__ import annotations``: see :mod:`review_service.core.payloads`.
"""

from typing import TypedDict


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
