"""Payloads of the in-app reminders (站内提醒).

No ``from __future__ import annotations``: see :mod:`review_service.core.payloads`.
"""

from typing import TypedDict


class NotificationsRead(TypedDict):
    """Which of the user's reminders were marked read (their ids), and how many."""

    notification_ids: list[int]
    count: int
