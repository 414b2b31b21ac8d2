"""In-transaction signals of the special paths (``review_service.paths``): termination and transfer."""

from __future__ import annotations

from blinker import Namespace, Signal

_signals = Namespace()

termination_approved: Signal = _signals.signal(
    "termination_approved",
    doc="""Sent by ``paths.operations.decide_termination`` when the head approves a termination request.

    sender: the ``TerminationDecision``. kwargs: ``session``, ``case``, ``request`` (the
    ``TerminationRequest``), ``decision``, ``actor`` (the head). The documents receiver issues the
    终止决定审批记录 and returns the ``Document``; the send requires one.""",
)

case_transferred: Signal = _signals.signal(
    "case_transferred",
    doc="""Sent by ``paths.operations.transfer_case`` once the transfer to the judicial organs is recorded.

    sender: the ``Transfer``. kwargs: ``session``, ``case``, ``transfer``, ``actor`` (the head). The documents
    receiver issues the 涉嫌犯罪案件移送记录 and returns the ``Document``; the send requires one.""",
)
