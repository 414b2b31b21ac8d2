"""In-transaction signals of the working-day calendar (``review_service.calendar``)."""

from __future__ import annotations

from blinker import Namespace, Signal

_signals = Namespace()

calendar_year_loaded: Signal = _signals.signal(
    "calendar_year_loaded",
    doc="""Sent by ``calendar.operations`` after a year's holiday arrangement is loaded and audited.

    sender: the year (``int``). kwargs: ``session``, ``actor`` (the admin, or ``None`` for the system),
    ``version`` (the stored version of that year). The deadlines receiver recomputes every open provisional
    deadline on the loaded calendar (DESIGN.md §8) and returns what changed; the send requires it.""",
)
