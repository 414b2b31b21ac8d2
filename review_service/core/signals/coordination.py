"""In-transaction signals of coordination and collective discussion (``review_service.coordination``)."""

from __future__ import annotations

from blinker import Namespace, Signal

_signals = Namespace()

coordination_recorded: Signal = _signals.signal(
    "coordination_recorded",
    doc="""Sent by ``coordination.operations.coordinate`` once the head's coordination is recorded and audited.

    sender: the ``Coordination``. kwargs: ``session``, ``case``, ``record`` (the ``Coordination``), ``actor``
    (the head). The documents receiver issues the 协调记录 and returns the ``Document``; the send requires one.""",
)

collective_discussion_recorded: Signal = _signals.signal(
    "collective_discussion_recorded",
    doc="""Sent by ``coordination.discussion_records.discussion_of_step`` once an art. 57 record is written.

    sender: the ``CollectiveDiscussion``. kwargs: ``session``, ``case``, ``record``, ``participants`` (the
    ``User`` rows in order), ``views`` (user id → view), ``chair`` (the ``User``), ``actor``. The documents
    receiver issues the 集体讨论记录 and returns the ``Document``; the send requires one.""",
)
