"""In-transaction signals of the review body (``review_service.review``).

Each is sent after the step's own rows are written and its action emitted; receivers write in
``session`` only and never commit.
"""

from __future__ import annotations

from blinker import Namespace, Signal

_signals = Namespace()

opinion_recorded: Signal = _signals.signal(
    "opinion_recorded",
    doc="""Sent by ``review.operations.submit_opinion`` once the opinion is recorded and audited.

    sender: the ``Review``. kwargs: ``session``, ``case`` (the ``Case``), ``review`` (the same ``Review``),
    ``actor`` (the reviewer). The documents receiver issues the 审核意见书 and returns the ``Document``;
    the send requires one (:func:`review_service.core.signals.send_required`).""",
)

reviewer_reassigned: Signal = _signals.signal(
    "reviewer_reassigned",
    doc="""Sent by ``review.operations.reassign_reviewer`` before its action is emitted.

    sender: the ``Case``. kwargs: ``session``, ``case``, ``reviewer_id`` (the new reviewer). The deadlines
    receiver hands the open review deadline to the new reviewer (the reminders go to whoever reviews now)
    and returns ``True``; the send requires it.""",
)
