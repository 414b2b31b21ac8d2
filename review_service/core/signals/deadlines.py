"""In-transaction signals of the deadlines (``review_service.deadlines``)."""

from __future__ import annotations

from blinker import Namespace, Signal

_signals = Namespace()

deadline_stage_reached: Signal = _signals.signal(
    "deadline_stage_reached",
    doc="""Sent by ``deadlines.tracking.handle_fired`` when a fired workflow timer brings a deadline to a
    reminder stage.

    sender: the ``Deadline``. kwargs: ``session``, ``stage`` (``"due_soon"`` or ``"overdue"``),
    ``case_title``. Exactly one receiver (notifications) writes the reminders not yet written and returns
    the recipients' user ids (a list, maybe empty): :func:`review_service.core.signals.ask`.""",
)
