"""The in-transaction receiver that writes a deadline's reminders when the deadlines say it is due.

Connected explicitly by :func:`review_service.runtime.connect_receivers`, never on import.
"""

from __future__ import annotations

from typing import Any

from review_service.core import signals
from review_service.notifications.operations import remind


def _remind(sender: Any, *, session: Any, stage: str, case_title: str, **kwargs: Any) -> list[int]:
    """``deadline_stage_reached``: the reminders of ``sender`` (a ``Deadline``) at ``stage``; who got one."""
    return remind(session, sender, stage, case_title=case_title)


def connect() -> None:
    """Connect the receiver (idempotent, strong reference)."""
    signals.deadline_stage_reached.connect(_remind, weak=False)


def disconnect() -> None:
    signals.deadline_stage_reached.disconnect(_remind)
