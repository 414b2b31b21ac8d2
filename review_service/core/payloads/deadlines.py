"""Payloads of deadlines, and the shape every payload uses to describe one (:class:`DeadlineInfo`).

``DeadlineInfo`` lives here, with the deadlines that own it; decisions' payloads import it.

No ``from __future__ import annotations``: see :mod:`review_service.core.payloads`.
"""

from typing import Any, TypedDict

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


class DeadlineRecomputed(TypedDict):
    before: DeadlineInfo
    after: DeadlineInfo
    reason: str
