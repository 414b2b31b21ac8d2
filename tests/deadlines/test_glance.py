"""``deadline_state``: overdue, 即将到期 within the agency's window, 剩余 N 个工作日 otherwise (working days)."""

from __future__ import annotations

from datetime import date

import pytest

from review_service.calendar.days import Calendar
from review_service.calendar.yearfile import YearSpec
from review_service.deadlines.glance import DeadlineGlance, deadline_state, remaining_text

MONDAY = date(2026, 12, 7)


@pytest.mark.parametrize(("due", "threshold", "expected"), [
    (date(2026, 12, 4), 1, (DeadlineGlance.OVERDUE, -1)),  # Friday, seen on Monday: one working day late
    (date(2026, 12, 6), 1, (DeadlineGlance.OVERDUE, -1)),  # due on Sunday: Monday is the first day late
    (MONDAY, 1, (DeadlineGlance.DUE_SOON, 0)),  # due at the end of today
    (date(2026, 12, 8), 1, (DeadlineGlance.DUE_SOON, 1)),
    (date(2026, 12, 9), 1, (DeadlineGlance.ON_TRACK, 2)),
    (date(2026, 12, 9), 2, (DeadlineGlance.DUE_SOON, 2)),  # a wider window (AgencySettings.due_soon_working_days)
    (date(2026, 12, 8), 0, (DeadlineGlance.ON_TRACK, 1)),  # 0: only the due day itself is yellow
    (date(2026, 12, 14), 1, (DeadlineGlance.ON_TRACK, 5)),  # the weekend does not count
])
def test_deadline_state(due: date, threshold: int, expected: tuple[DeadlineGlance, int]) -> None:
    assert deadline_state(due, MONDAY, threshold) == expected


def test_holidays_of_the_calendar_count_as_days_off() -> None:
    spec = YearSpec.model_validate({"year": 2026, "source": "测试", "holidays": [
        {"name": "测试假日", "from": "2026-12-08", "to": "2026-12-08"}]})
    calendar = Calendar([spec])
    assert deadline_state(date(2026, 12, 9), MONDAY, 1, calendar=calendar) == (DeadlineGlance.DUE_SOON, 1)


def test_remaining_text_is_chinese() -> None:
    assert remaining_text(DeadlineGlance.ON_TRACK, 3) == "剩余 3 个工作日"
    assert remaining_text(DeadlineGlance.DUE_SOON, 0) == "今日到期"
    assert remaining_text(DeadlineGlance.OVERDUE, -2) == "已逾期 2 个工作日"
    assert remaining_text(DeadlineGlance.OVERDUE, 0) == "已逾期"
