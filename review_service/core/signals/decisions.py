"""In-transaction signals of the head's approval (``review_service.decisions``)."""

from __future__ import annotations

from blinker import Namespace, Signal

_signals = Namespace()

approval_recorded: Signal = _signals.signal(
    "approval_recorded",
    doc="""Sent by ``decisions.operations.approve_decision`` once the approval and its decision are recorded
    and audited (``Action.DECISION_MADE``).

    sender: the ``Decision``. kwargs: ``session``, ``case``, ``decision``, ``actor`` (the head). The documents
    receiver issues the 审批表 and returns the ``Document``; the send requires one.""",
)
