"""In-transaction signals of the handler's replies (``review_service.replies``)."""

from __future__ import annotations

from blinker import Namespace, Signal

_signals = Namespace()

reply_recorded: Signal = _signals.signal(
    "reply_recorded",
    doc="""Sent by ``replies.operations.reply_to_opinion`` once the written reply is recorded and audited.

    sender: the ``Reply``. kwargs: ``session``, ``case``, ``reply``, ``actor`` (the handler). The documents
    receiver issues the 书面回复 and returns the ``Document``; the send requires one.""",
)
