"""The in-transaction audit receiver of ``core.signals.action_performed``.

Registered explicitly by the app or CLI bootstrap with :func:`connect`, never
on import (STYLE.md). Without it :func:`review_service.core.signals.emit`
raises ``UnauditedAction``, so no action can happen unaudited.
"""

from __future__ import annotations

from typing import Any

from review_service.audit.config import log_algorithm
from review_service.audit.schedule import checkpoint_after_append
from review_service.audit.writer import install_session_hooks, write_event
from review_service.core import signals


def _record_action(sender: str, **kwargs: Any) -> str:
    """Write the audit event of action ``sender`` in the action's own session; report it audited.

    A decision, or every N-th event, is followed by a signed checkpoint in the same transaction
    (:mod:`review_service.audit.schedule`).
    """
    session = kwargs["session"]
    event = write_event(
        session,
        action=sender,
        actor=kwargs.get("actor"),
        role=kwargs["role"],
        agency_id=kwargs.get("agency_id"),
        case_id=kwargs.get("case_id"),
        payload=kwargs.get("payload") or {},
        outcome=kwargs.get("outcome", "ok"),
        algorithm=log_algorithm(session),
    )
    checkpoint_after_append(session, action=sender, seq=event["seq"])
    return signals.AUDITED


def connect() -> None:
    """Connect the audit receiver to ``action_performed`` (idempotent, strong reference).

    The receiver holds an action's events until commit, so the session hooks that write them go in too.
    """
    install_session_hooks()
    signals.action_performed.connect(_record_action, weak=False)


def disconnect() -> None:
    """Disconnect the audit receiver (tests use it to check that ``emit`` refuses unaudited actions)."""
    signals.action_performed.disconnect(_record_action)


def is_connected() -> bool:
    """Whether the audit receiver is currently connected."""
    return any(receiver is _record_action for receiver in signals.action_performed.receivers_for(None))
