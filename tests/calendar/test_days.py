"""Working days against the official 2026 schedule (chinesecalendar 1.11.0) and provisional years."""

from __future__ import annotations

from datetime import UTC, date, datetime

import chinese_calendar
import pytest

from review_service.calendar import PACKAGE_YEARS, Calendar, DueDate, YearSpec, parse_year

D = date


@pytest.fixture
def cal() -> Calendar:
    return Calendar()


def test_package_range_is_2004_to_2026_and_2027_is_unknown(cal: Calendar) -> None:
    assert (PACKAGE_YEARS.start, PACKAGE_YEARS.stop - 1) == (2004, 2026)
    assert cal.known(2026) and cal.known(2004)
    assert not cal.known(2027) and not cal.known(2003)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 4))  # the package raises; the calendar must not


def test_2026_make_up_days_are_what_the_package_says() -> None:
    """The issue's examples, checked against the package data rather than assumed."""
    make_up = {day for day in chinese_calendar.constants.workdays if day.year == 2026}
    assert make_up == {D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20),
                       D(2026, 10, 10)}
    assert D(2026, 10, 10).weekday() == 5  # "the 10-10 make-up Saturday": yes, a Saturday
    assert D(2026, 9, 20).weekday() == 6  # National Day has a second make-up day, a Sunday
    assert D(2026, 2, 14).weekday() == 5 and D(2026, 2, 28).weekday() == 5


def test_national_day_2026_with_the_10_10_make_up_saturday(cal: Calendar) -> None:
    # 09-30 (Wed) is the start, not counted; 10-01..10-07 off; 10-08 Thu=1, 10-09 Fri=2,
    # 10-10 Sat (调休)=3, 10-11 Sun off, 10-12..10-15 = 4..7.
    assert cal.add_working_days(D(2026, 9, 30), 7) == DueDate(D(2026, 10, 15), provisional=False)
    assert cal.add_working_days(D(2026, 9, 30), 3) == DueDate(D(2026, 10, 10))
    assert all(not cal.is_working_day(D(2026, 10, day)) for day in range(1, 8))
    assert cal.is_working_day(D(2026, 10, 10)) and not cal.is_working_day(D(2026, 10, 11))


def test_mid_autumn_and_the_9_20_make_up_sunday(cal: Calendar) -> None:
    # 09-18 Fri start; 09-19 Sat off, 09-20 Sun (调休)=1, 09-21..09-24 = 2..5, 09-25..27 off, 09-28=6.
    assert cal.is_working_day(D(2026, 9, 20))
    assert cal.add_working_days(D(2026, 9, 18), 1).date == D(2026, 9, 20)
    assert cal.add_working_days(D(2026, 9, 18), 6).date == D(2026, 9, 28)


def test_spring_festival_2026_with_the_02_14_and_02_28_make_up_saturdays(cal: Calendar) -> None:
    # 02-13 Fri start; 02-14 Sat (调休)=1; 02-15..02-23 off (9 days);
    # 02-24 Tue=2 .. 02-27 Fri=5; 02-28 Sat (调休)=6; 03-01 Sun off; 03-02 Mon=7.
    assert cal.add_working_days(D(2026, 2, 13), 1).date == D(2026, 2, 14)
    assert cal.add_working_days(D(2026, 2, 13), 2).date == D(2026, 2, 24)
    assert cal.add_working_days(D(2026, 2, 13), 6).date == D(2026, 2, 28)
    assert cal.add_working_days(D(2026, 2, 13), 7) == DueDate(D(2026, 3, 2), provisional=False)
    assert cal.working_days_between(D(2026, 2, 13), D(2026, 3, 2)) == 7


def test_weekends_skipped_and_the_start_day_not_counted(cal: Calendar) -> None:
    # 2026-03-06 is a Friday; +1 is Monday 03-09, a Saturday start counts from Monday too.
    assert cal.add_working_days(D(2026, 3, 6), 1).date == D(2026, 3, 9)
    assert cal.add_working_days(D(2026, 3, 7), 1).date == D(2026, 3, 9)
    assert cal.add_working_days(D(2026, 3, 9), 5).date == D(2026, 3, 16)
    assert cal.add_working_days(D(2026, 3, 9), 0).date == D(2026, 3, 9)
    assert cal.working_days_between(D(2026, 3, 9), D(2026, 3, 9)) == 0
    assert cal.working_days_between(D(2026, 3, 16), D(2026, 3, 9)) == -5
    with pytest.raises(ValueError):
        cal.add_working_days(D(2026, 3, 9), -1)


def test_a_deadline_into_2027_is_provisional_then_recomputed(cal: Calendar, example_2027: YearSpec) -> None:
    start = D(2026, 12, 29)  # Tuesday
    assert cal.add_working_days(start, 2) == DueDate(D(2026, 12, 31), provisional=False)
    before = cal.add_working_days(start, 3)
    assert before == DueDate(D(2027, 1, 1), provisional=True)  # weekdays only: Friday 01-01
    assert before.label == "2027-01-01（暂定）" and before.to_dict() == {"date": "2027-01-01", "provisional": True}
    assert cal.is_working_day(D(2027, 1, 1)) and not cal.is_known_day(D(2027, 1, 1))
    assert cal.is_provisional(start, D(2027, 1, 1)) and not cal.is_provisional(start, D(2026, 12, 31))

    cal.load_year(example_2027)
    assert cal.known(2027) and cal.loaded_years == (2027,)
    after = cal.add_working_days(start, 3)
    assert after == DueDate(D(2027, 1, 4), provisional=False)  # 元旦 01-01..01-03 off in the file
    assert after.label == "2027-01-04"
    assert not cal.is_provisional(start, D(2027, 1, 4))
    # the file's make-up Saturday and its Spring Festival
    assert cal.is_working_day(D(2027, 2, 20)) and not cal.is_working_day(D(2027, 2, 8))
    # still provisional further out
    assert cal.add_working_days(D(2027, 12, 30), 2).provisional


def test_weekdays_only_in_unknown_years(cal: Calendar) -> None:
    # 2030-01-01 is a Tuesday: nobody knows 2030, so New Year's Day counts as a working day, provisionally.
    assert cal.add_working_days(D(2029, 12, 31), 1) == DueDate(D(2030, 1, 1), provisional=True)
    assert cal.add_working_days(D(2030, 1, 4), 1) == DueDate(D(2030, 1, 7), provisional=True)  # Fri -> Mon


def test_a_loaded_file_replaces_the_package_for_its_year(cal: Calendar) -> None:
    """A corrected 2026 file (here: no make-up on 10-10) overrides chinesecalendar for 2026 entirely."""
    spec = parse_year(
        "year: 2026\nsource: 测试数据\nholidays:\n  - {name: 国庆节, from: 2026-10-01, to: 2026-10-07}\n",
        "2026-test.yaml",
    )
    cal.load_year(spec)
    assert not cal.is_working_day(D(2026, 10, 10))
    assert cal.is_working_day(D(2026, 2, 17))  # the file has no Spring Festival: only the file counts
    assert cal.add_working_days(D(2026, 9, 30), 7) == DueDate(D(2026, 10, 16), provisional=False)
    assert Calendar().is_working_day(D(2026, 10, 10))  # other calendars are untouched


def test_a_turn_of_year_arrangement_in_the_next_years_file_wins(cal: Calendar) -> None:
    spec = parse_year(
        "year: 2027\nsource: 测试数据\nholidays:\n  - {name: 元旦, from: 2026-12-31, to: 2027-01-03}\n",
        "2027.yaml",
    )
    cal.load_year(spec)
    assert not cal.is_working_day(D(2026, 12, 31))  # the package says working day; the later notice wins
    assert cal.add_working_days(D(2026, 12, 30), 1) == DueDate(D(2027, 1, 4), provisional=False)


def test_due_from_now_counts_from_the_beijing_date(cal: Calendar) -> None:
    # 2026-03-05 17:00 UTC is already Friday 03-06 01:00 in Beijing: +1 working day is Monday 03-09.
    assert cal.due_from_now(1, now=datetime(2026, 3, 5, 17, 0, tzinfo=UTC)).date == D(2026, 3, 9)
    assert cal.due_from_now(1, now=datetime(2026, 3, 5, 15, 0, tzinfo=UTC)).date == D(2026, 3, 6)
