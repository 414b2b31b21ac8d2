"""Due dates and the timer times the process reads (DESIGN.md §8).

A deadline is due at the end of its Beijing ``due_on``: the ``overdue`` timer fires at 00:00
Beijing time the day after. The ``due_soon`` reminder fires at 00:00 Beijing time of the
working day before ``due_on`` ("1 working day away"), or at once when that day has already come.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from review_service.calendar.days import Calendar, DueDate
from review_service.core.clock import BEIJING
from review_service.organization.settings import AgencySettings

_ONE_DAY = timedelta(days=1)
#: The routing-data keys of the boundary timers in workflows/bpmn/major_decision_review.bpmn.
TIMER_KEYS = {"review": ("review_remind_at", "review_due_at"), "reply": ("reply_remind_at", "reply_due_at")}
#: Which timer event of the process is which reminder stage of which deadline kind.
TIMER_STAGES = {"review_due_soon": ("review", "due_soon"), "review_overdue": ("review", "overdue"),
                "reply_due_soon": ("reply", "due_soon"), "reply_overdue": ("reply", "overdue")}
PUBLISH_FAST_TYPES = frozenset({"administrative_penalty", "administrative_license"})


@dataclass(frozen=True)
class Planned:
    """A deadline worked out: ``n`` working days after ``start_on``."""

    start_on: date
    working_days: int
    due: DueDate
    remind_on: date

    @property
    def due_on(self) -> date:
        return self.due.date

    def remind_at(self) -> datetime:
        return beijing_midnight(self.remind_on)

    def overdue_at(self) -> datetime:
        return beijing_midnight(self.due_on + _ONE_DAY)

    def timer_values(self, kind: str) -> dict[str, str]:
        """The ISO strings the process's boundary timers of ``kind`` read."""
        remind_key, due_key = TIMER_KEYS[kind]
        return {remind_key: self.remind_at().isoformat(), due_key: self.overdue_at().isoformat()}


def beijing_midnight(day: date) -> datetime:
    """00:00 Beijing time on ``day``, as aware UTC."""
    return datetime.combine(day, time(0), BEIJING).astimezone(UTC)


def previous_working_day(calendar: Calendar, day: date, floor: date) -> date:
    """The last working day before ``day``, not before ``floor`` (the start day)."""
    candidate = day - _ONE_DAY
    while candidate > floor and not calendar.is_working_day(candidate):
        candidate -= _ONE_DAY
    return max(candidate, floor)


def plan(calendar: Calendar, start_on: date, working_days: int) -> Planned:
    """``working_days`` after ``start_on`` (the start day not counted), with its reminder day."""
    due = calendar.add_working_days(start_on, working_days)
    return Planned(start_on, working_days, due, previous_working_day(calendar, due.date, start_on))


def working_days_for(kind: str, settings: AgencySettings, decision_type: str | None = None) -> int:
    """The agency's number of working days for a deadline of ``kind``."""
    if kind == "review":
        return settings.review_working_days
    if kind == "reply":
        return settings.reply_working_days
    if kind == "publish":
        fast = decision_type in PUBLISH_FAST_TYPES
        return settings.publish_working_days if fast else settings.publish_working_days_other
    if kind == "withdraw":
        return settings.withdraw_working_days
    raise ValueError(f"unknown deadline kind {kind!r}")


def decision_limit(filed_on: date | None, decision_type: str, settings: AgencySettings) -> date | None:
    """行政处罚法 art. 60: a penalty decision within 90 days (agency-configurable) of case filing."""
    if filed_on is None or decision_type != "administrative_penalty":
        return None
    try:
        return filed_on + timedelta(days=settings.penalty_decision_days)
    except OverflowError:  # a 立案日期 stored before dates were bounded (core.dates): no limit inside the calendar
        return None
