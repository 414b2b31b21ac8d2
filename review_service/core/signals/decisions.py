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

decision_number_needed: Signal = _signals.signal(
    "decision_number_needed",
    doc="""Asked (``signals.ask``) by ``decisions.operations.approve_decision`` for the decision's 文号, before
    it records the decision.

    sender: the ``Case``. kwargs: ``session``, ``case``, ``on`` (the Beijing date of the decision). The
    documents receiver answers the next number of the agency's ``decision`` series
    (``documents.numbering.assign_number``), taken in this transaction: the decision's rollback gives it back.""",
)
