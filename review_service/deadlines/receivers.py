"""The in-transaction receivers through which deadlines follow the cases' workflow and the calendar.

The step domains and ``cases.flow`` send their signals (:mod:`review_service.core.signals`); the
deadlines react here: the timers of a step, the deadlines closed and opened after it, a suspension's
pause and resume, a new handler or reviewer, a newly loaded calendar year. Each returns an answer
(``True`` when there is nothing else to say), which the sender's ``send_required`` / ``ask`` checks.
Connected explicitly by :func:`review_service.runtime.connect_receivers`, never on import.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from review_service.core import signals
from review_service.deadlines import tracking
from review_service.deadlines.materials_requests import welcomes_materials
from review_service.deadlines.models import DeadlineKind
from review_service.deadlines.operations import pause_deadlines, recompute_provisional, resume_deadlines

#: The deadlines the handler is reminded of: they follow the case to a new handler.
HANDLER_DEADLINES = frozenset({DeadlineKind.REPLY, DeadlineKind.PUBLISH, DeadlineKind.WITHDRAW})


def _step_prepared(sender: str, *, session: Any, agency: Any, data: dict[str, Any], **kwargs: Any) -> tracking.Timed:
    """``step_prepared``: the due times of the deadlines completing ``sender`` may open."""
    return tracking.before_step(session, agency, sender, data)


def _step_completed(sender: str, *, session: Any, case: Any, run: Any, timers: tracking.Timed | None, actor: Any,
                    role: str, **kwargs: Any) -> bool:
    """``step_completed``: close, open and remind (:func:`tracking.after_step`)."""
    tracking.after_step(session, case, run, timers if timers is not None else tracking.Timed(), completed=sender,
                        actor=actor, role=role)
    return True


def _case_suspended(sender: Any, *, session: Any, case: Any, today: date, **kwargs: Any) -> list[dict[str, Any]]:
    """``case_suspended``: every open deadline stops counting; what was paused."""
    return pause_deadlines(session, case, today)


def _case_resumed(sender: Any, *, session: Any, case: Any, today: date, **kwargs: Any) -> list[dict[str, Any]]:
    """``case_resumed``: the paused deadlines move on; what moved."""
    return resume_deadlines(session, case, today)


def _handler_reassigned(sender: Any, *, session: Any, case: Any, handler_id: int, **kwargs: Any) -> bool:
    """``handler_reassigned``: the handler's open deadlines (theirs or no one's) go to the new handler."""
    for deadline in tracking.open_deadlines(session, case.id, HANDLER_DEADLINES):
        if deadline.owner_id in (None, case.handler_id):
            deadline.owner_id = handler_id  # the reminders go to whoever handles the case now
    return True


def _reviewer_reassigned(sender: Any, *, session: Any, case: Any, reviewer_id: int, **kwargs: Any) -> bool:
    """``reviewer_reassigned``: the open review deadline goes to the new reviewer."""
    for deadline in tracking.open_deadlines(session, case.id, frozenset({DeadlineKind.REVIEW})):
        deadline.owner_id = reviewer_id  # the reminders go to whoever reviews now
    return True


def _calendar_year_loaded(sender: int, *, session: Any, actor: Any, version: int,
                          **kwargs: Any) -> list[dict[str, Any]]:
    """``calendar_year_loaded``: every open deadline counted on guessed weekdays is counted again (§8)."""
    return recompute_provisional(session, actor=actor, reason=f"calendar_year_loaded:{sender}:v{version}")


def _materials_welcome(sender: Any, *, session: Any, case: Any, **kwargs: Any) -> bool:
    """``materials_welcome``: the case's reviewer asked for more materials during this review (the clock waits)."""
    return welcomes_materials(session, case)


_RECEIVERS: signals.Receivers = (
    (signals.materials_welcome, _materials_welcome),
    (signals.step_prepared, _step_prepared),
    (signals.step_completed, _step_completed),
    (signals.case_suspended, _case_suspended),
    (signals.case_resumed, _case_resumed),
    (signals.handler_reassigned, _handler_reassigned),
    (signals.reviewer_reassigned, _reviewer_reassigned),
    (signals.calendar_year_loaded, _calendar_year_loaded),
)


def connect() -> None:
    """Connect the receivers (idempotent, strong references)."""
    signals.connect_all(_RECEIVERS)


def disconnect() -> None:
    """Disconnect them (tests check that a step refuses to go on without its deadlines)."""
    signals.disconnect_all(_RECEIVERS)
