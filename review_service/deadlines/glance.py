"""Deadlines at a glance: whether a due day is passed, close, or comfortably ahead (issue 17 point 5).

One pure helper shared by the to-do list, the case list and the case page's deadlines panel, so the
three never disagree on what counts as 即将到期. Days are Beijing dates; a deadline is due at the end
of its due day, so a task due today is 即将到期 with 0 working days left, not overdue.
"""

from __future__ import annotations

import enum
from datetime import date

from review_service.calendar.days import Calendar

#: The default of ``AgencySettings.due_soon_working_days``: yellow from 1 working day before the due day.
DEFAULT_DUE_SOON_WORKING_DAYS = 1


class DeadlineGlance(enum.StrEnum):
    OVERDUE = "overdue"  # red 已逾期
    DUE_SOON = "due_soon"  # yellow 即将到期
    ON_TRACK = "on_track"  # plain 剩余 N 个工作日


GLANCE_LABELS = {DeadlineGlance.OVERDUE: "已逾期", DeadlineGlance.DUE_SOON: "即将到期",
                 DeadlineGlance.ON_TRACK: "期限内"}

# the weekday guess, for callers that have no calendar at hand (tests, a case with no loaded year)
_WEEKDAYS = Calendar()


def deadline_state(due: date, today: date, threshold: int = DEFAULT_DUE_SOON_WORKING_DAYS, *,
                   calendar: Calendar | None = None) -> tuple[DeadlineGlance, int]:
    """``(kind, working_days_left)`` of a deadline due at the end of ``due``, seen on ``today``.

    ``working_days_left`` counts the working days after today up to and including the due day
    (0 when due today or on the coming non-working days; negative once passed). ``threshold`` is the
    agency's 即将到期 window in working days (0: only the due day itself is yellow).
    """
    left = (calendar or _WEEKDAYS).working_days_between(today, due)
    if today > due:
        return DeadlineGlance.OVERDUE, min(left, 0)
    if left <= max(threshold, 0):
        return DeadlineGlance.DUE_SOON, left
    return DeadlineGlance.ON_TRACK, left


def remaining_text(kind: DeadlineGlance, left: int) -> str:
    """The Chinese phrase for a task's remaining time: 剩余 N 个工作日 / 今日到期 / 已逾期 N 个工作日."""
    if kind is DeadlineGlance.OVERDUE:
        return f"已逾期 {-left} 个工作日" if left < 0 else "已逾期"
    if left == 0:
        return "今日到期"
    return f"剩余 {left} 个工作日"
