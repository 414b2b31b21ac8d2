"""Working-day arithmetic in Beijing dates (DESIGN.md §8; 行政处罚法 art. 85, 行政许可法 art. 82).

Statutory holidays are off, make-up working days (调休) are on, the start day is
not counted. Which source decides a day, first match wins:

1. a day a loaded year file lists explicitly (a holiday or a make-up day; files
   of later years win, as the later notice is the newer word on the turn of a year);
2. a year a loaded file describes: Monday to Friday work, the weekend is off —
   the file replaces the package's data for that year entirely;
3. the ``chinesecalendar`` package (2004–2026 in 1.11.0);
4. nobody knows the year: Monday to Friday work, and every deadline that counts
   such a day is **provisional** (暂定) until the year is loaded and it is recomputed.

The calendar never raises for an unknown year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import chinese_calendar
from chinese_calendar import constants as _package_data

from review_service.calendar.yearfile import YearSpec
from review_service.core.clock import beijing_today

PACKAGE_YEARS = range(min(_package_data.holidays).year, max(_package_data.holidays).year + 1)
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DueDate:
    """A deadline: the Beijing ``date`` it falls on, and whether it was computed on weekdays only."""

    date: date
    provisional: bool = False

    @property
    def label(self) -> str:
        """How the deadline is shown to people: ``2027-01-05``, or ``2027-01-05（暂定）``."""
        return f"{self.date.isoformat()}（暂定）" if self.provisional else self.date.isoformat()

    def to_dict(self) -> dict[str, str | bool]:
        """The API shape: ``{"date": "2027-01-05", "provisional": true}``."""
        return {"date": self.date.isoformat(), "provisional": self.provisional}


class Calendar:
    """Chinese working days: ``chinesecalendar`` overlaid with the year files loaded into it."""

    def __init__(self, years: list[YearSpec] | tuple[YearSpec, ...] = ()) -> None:
        self._years: dict[int, YearSpec] = {}
        self._explicit: dict[date, bool] = {}
        # calendars are kept per set of loaded versions and asked about the same weeks by every action
        self._known_days: dict[date, tuple[bool, bool]] = {}
        for spec in years:
            self.load_year(spec)

    # -- loading ---------------------------------------------------------------------------

    def load_year(self, spec: YearSpec) -> None:
        """Apply a validated year file; a file for a year already loaded replaces the earlier one."""
        self._years[spec.year] = spec
        explicit: dict[date, bool] = {}
        for year in sorted(self._years):  # later notices win on the days they share
            loaded = self._years[year]
            explicit.update(dict.fromkeys(loaded.days_off(), False))
            explicit.update(dict.fromkeys(loaded.workdays, True))
        self._explicit = explicit
        self._known_days = {}

    @property
    def loaded_years(self) -> tuple[int, ...]:
        """The years a loaded file describes, ascending."""
        return tuple(sorted(self._years))

    def known(self, year: int) -> bool:
        """Whether the official schedule of ``year`` is known (package data or a loaded file)."""
        return year in self._years or year in PACKAGE_YEARS

    # -- single days -----------------------------------------------------------------------

    def _day(self, day: date) -> tuple[bool, bool]:
        """``(is_working_day, is_known)`` for one day."""
        answer = self._known_days.get(day)
        if answer is None:
            answer = self._known_days[day] = self._look_up(day)
        return answer

    def _look_up(self, day: date) -> tuple[bool, bool]:
        if day in self._explicit:
            return self._explicit[day], True
        if day.year in self._years:
            return day.weekday() < 5, True
        try:
            return bool(chinese_calendar.is_workday(day)), True
        except NotImplementedError:  # beyond the package's years: weekdays only, provisional
            return day.weekday() < 5, False

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day (an unknown year falls back to Monday–Friday)."""
        return self._day(day)[0]

    def is_known_day(self, day: date) -> bool:
        """Whether the status of ``day`` comes from an official schedule rather than the weekday guess."""
        return self._day(day)[1]

    # -- counting --------------------------------------------------------------------------

    def add_working_days(self, start: date, n: int) -> DueDate:
        """The ``n``-th working day after ``start`` (the start day itself is not counted).

        ``n == 0`` gives ``start`` itself. The result is provisional when any day after
        ``start`` up to and including the due day lies in a year nobody knows.
        Raises ``ValueError`` for a negative ``n`` (a programming error, never a user's).
        """
        if n < 0:
            raise ValueError("n must not be negative")
        day, provisional, counted = start, False, 0
        while counted < n:
            day += _ONE_DAY
            working, known = self._day(day)
            provisional = provisional or not known
            counted += working
        return DueDate(day, provisional)

    def working_days_between(self, a: date, b: date) -> int:
        """The number of working days after ``a`` up to and including ``b`` (negative when ``b < a``).

        ``working_days_between(d, add_working_days(d, n).date) == n``; a deadline one working
        day away from today gives 1, a deadline passed by one working day gives -1.
        """
        if b < a:
            return -self.working_days_between(b, a)
        return sum(self._day(a + timedelta(days=i))[0] for i in range(1, (b - a).days + 1))

    def is_provisional(self, a: date, b: date) -> bool:
        """Whether any day after ``a`` up to and including ``b`` lies in a year nobody knows."""
        first, last = min(a, b), max(a, b)
        return any(not self.known(year) for year in range(first.year, last.year + 1)) and any(
            not self._day(first + timedelta(days=i))[1] for i in range(1, (last - first).days + 1)
        )

    def due_from_now(self, n: int, *, now: datetime | None = None) -> DueDate:
        """``n`` working days from today's Beijing date (``now`` defaults to the clock)."""
        return self.add_working_days(beijing_today(now), n)
