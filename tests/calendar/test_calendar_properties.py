"""Properties of working-day arithmetic, in known years, across a loaded year and in provisional years."""

from __future__ import annotations

from datetime import date

from hypothesis import assume, given
from hypothesis import strategies as st

from review_service.calendar import Calendar, parse_year
from tests.fixtures.calendar import EXAMPLE_2027

PLAIN = Calendar()
WITH_2027 = Calendar([parse_year(EXAMPLE_2027.read_text("utf-8"), EXAMPLE_2027.name)])
CALENDARS = st.sampled_from([PLAIN, WITH_2027])

known_days = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 10, 31))
unknown_days = st.dates(min_value=date(2031, 1, 1), max_value=date(2040, 12, 31))
any_days = st.dates(min_value=date(2004, 1, 1), max_value=date(2040, 12, 31))
counts = st.integers(min_value=0, max_value=70)


@given(calendar=CALENDARS, start=known_days, n=counts, m=counts)
def test_adding_n_then_m_equals_adding_n_plus_m_in_known_years(calendar: Calendar, start: date, n: int,
                                                                m: int) -> None:
    first = calendar.add_working_days(start, n)
    total = calendar.add_working_days(start, n + m)
    assume(not total.provisional)
    assert calendar.add_working_days(first.date, m).date == total.date
    assert not first.provisional


@given(start=unknown_days, n=counts, m=counts)
def test_adding_n_then_m_equals_adding_n_plus_m_on_weekdays_only(start: date, n: int, m: int) -> None:
    first = PLAIN.add_working_days(start, n)
    total = PLAIN.add_working_days(start, n + m)
    again = PLAIN.add_working_days(first.date, m)
    assert again.date == total.date
    if n + m > 0:
        assert total.provisional and total.date.weekday() < 5


@given(calendar=CALENDARS, start=any_days, n=counts, m=counts)
def test_composition_holds_everywhere_and_provisional_is_sticky(calendar: Calendar, start: date, n: int,
                                                               m: int) -> None:
    first = calendar.add_working_days(start, n)
    total = calendar.add_working_days(start, n + m)
    again = calendar.add_working_days(first.date, m)
    assert again.date == total.date
    # the longer count covers every day of the shorter one: if either part was a guess, so is the whole
    assert total.provisional == (first.provisional or again.provisional)


@given(calendar=CALENDARS, start=any_days, n=st.integers(min_value=1, max_value=70))
def test_a_deadline_is_always_a_working_day(calendar: Calendar, start: date, n: int) -> None:
    due = calendar.add_working_days(start, n)
    assert due.date > start
    assert calendar.is_working_day(due.date)
    assert due.provisional == calendar.is_provisional(start, due.date)


@given(calendar=CALENDARS, start=any_days, n=counts)
def test_working_days_between_inverts_adding(calendar: Calendar, start: date, n: int) -> None:
    due = calendar.add_working_days(start, n)
    assert calendar.working_days_between(start, due.date) == n
    assert calendar.working_days_between(due.date, start) == -n
    if n:
        # the day before the due date is still one working day short
        assert calendar.working_days_between(start, date.fromordinal(due.date.toordinal() - 1)) == n - 1


@given(start=st.dates(min_value=date(2026, 11, 1), max_value=date(2026, 12, 31)), n=st.integers(1, 40))
def test_loading_a_year_only_settles_deadlines_never_unsettles_them(start: date, n: int) -> None:
    before = PLAIN.add_working_days(start, n)
    after = WITH_2027.add_working_days(start, n)
    if not before.provisional:
        assert after == before  # a deadline inside 2026 does not move when 2027 is loaded
    if after.date.year == 2027:
        assert not after.provisional
