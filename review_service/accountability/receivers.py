"""The in-transaction receiver that opens an inquiry when a decision is revoked.

Connected explicitly by :func:`review_service.runtime.connect_receivers`, never on import.
"""

from __future__ import annotations

from typing import Any

from review_service.accountability.operations import open_inquiry
from review_service.core import signals


def _open_inquiry(sender: Any, **kwargs: Any) -> None:
    """``decision_revoked`` (kwargs ``session``, ``case_id``, ``reason``, ``grounds``): open the inquiry in that
    transaction."""
    open_inquiry(kwargs["session"], case_id=int(kwargs["case_id"]), reason=str(kwargs["reason"]),
                 grounds=[str(g) for g in kwargs.get("grounds") or []])


def connect() -> None:
    """Connect the receiver (idempotent, strong reference)."""
    signals.decision_revoked.connect(_open_inquiry, weak=False)


def disconnect() -> None:
    signals.decision_revoked.disconnect(_open_inquiry)
