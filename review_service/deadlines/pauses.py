"""Clocks that stand still: each pause a dated interval on the case (``clock_pauses``), shown on the case page.

A deadline stops counting on the first pause (``Deadline.paused_on``) and counts again when its last open
pause ends: a suspension (中止) during a request for materials does not count the overlap twice. The art. 60
limit (``decision_limit``) pauses in calendar days and has no deadline row (:mod:`.decision_limit`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from review_service.calendar.days import Calendar
from review_service.core import tx
from review_service.deadlines.models import DECISION_LIMIT_CLOCK, ClockPause, Deadline

_OPEN_OF_CASE = select(ClockPause).where(ClockPause.case_id == bindparam("case_id"), ClockPause.ended_on.is_(None))
_OF_CASE = select(ClockPause).where(ClockPause.case_id == bindparam("case_id")).order_by(ClockPause.id)


def open_pauses(session: Session, case_id: int) -> list[ClockPause]:
    return sorted(session.scalars(_OPEN_OF_CASE, {"case_id": case_id}), key=lambda p: p.id)


def case_pauses(session: Session, case_id: int) -> list[ClockPause]:
    """Every pause of the case, oldest first (the case page's dated list)."""
    return list(session.scalars(_OF_CASE, {"case_id": case_id}))


def pause_deadline(session: Session, deadline: Deadline, *, cause: str, today: date,
                   suspension_id: int | None = None) -> ClockPause:
    """Record a pause of ``deadline`` from ``today``; it stops counting unless it already stood still."""
    if deadline.paused_on is None:
        deadline.paused_on = today
        deadline.next_check_at = None  # no reminder for time that does not count
    return tx.record(session, ClockPause(case_id=deadline.case_id, deadline_id=deadline.id, clock=deadline.kind,
                                         cause=cause, suspension_id=suspension_id, unit="working",
                                         started_on=today))


def pause_limit(session: Session, case_id: int, *, cause: str, today: date,
                suspension_id: int | None = None) -> ClockPause:
    """Record a pause of the art. 60 limit (calendar days) from ``today``."""
    return tx.record(session, ClockPause(case_id=case_id, deadline_id=None, clock=DECISION_LIMIT_CLOCK, cause=cause,
                                         suspension_id=suspension_id, unit="calendar", started_on=today))


def end_pause(pause: ClockPause, today: date, calendar: Calendar) -> None:
    """Close one pause on ``today``: the days it stood still (working or calendar, the start day not counted)."""
    pause.ended_on = max(today, pause.started_on)
    if pause.unit == "calendar":
        pause.days = (pause.ended_on - pause.started_on).days
    else:
        pause.days = max(calendar.working_days_between(pause.started_on, pause.ended_on), 0)


def counts_again(deadline: Deadline, still_open: list[ClockPause], today: date, calendar: Calendar) -> bool:
    """After a pause of ``deadline`` ended: when no other pause holds it, add the days it stood still.

    True when the deadline counts again (its due date must be worked out anew by the caller).
    """
    if deadline.paused_on is None or any(p.deadline_id == deadline.id for p in still_open):
        return False
    deadline.paused_days += max(calendar.working_days_between(deadline.paused_on, today), 0)
    deadline.paused_on = None
    return True


def pause_view(pause: ClockPause) -> dict[str, Any]:
    """A pause as payloads and the case JSON show it."""
    return {"id": pause.id, "clock": pause.clock, "cause": pause.cause, "unit": pause.unit,
            "deadline_id": pause.deadline_id, "suspension_id": pause.suspension_id,
            "started_on": pause.started_on.isoformat(),
            "ended_on": pause.ended_on.isoformat() if pause.ended_on else None, "days": pause.days}
