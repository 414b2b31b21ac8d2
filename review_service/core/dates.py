"""Sane ranges for the dates and times people enter (issue 15: a 立案日期 of 9999-12-31 broke every later step).

Every date or time in a request body or a form is one of two kinds:

- **a fact that has happened** (立案日期, a discussion, a transfer, a revoking judgment, a publication, a
  withdrawal, the day someone began reviewing): not before :data:`EARLIEST` and not after today in Beijing
  (a time: not after now, give or take :data:`CLOCK_SKEW`);
- **a day that may lie ahead** (a report period's end, a filter): not before :data:`EARLIEST` and at most
  :data:`FUTURE_YEARS` years after today.

:data:`EARLIEST` is 1949-10-01, the founding of the People's Republic: no organ of today's administrative
order filed, decided or discussed anything before it (1949-01-01 would admit dates of the order before),
and every day arithmetic from a date in range stays far inside ``datetime``'s years 1–9999.

:data:`PastDate`, :data:`BoundedDate` and :data:`PastDateTime` are the pydantic types of the request
schemas; the ``*_problem`` functions are the same rule for the pages' form validators (``web.dates``) and
for dates that arrive outside a schema. A refusal is pydantic error type :data:`RANGE_ERROR`, whose message
is already the Chinese reason for the field.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field
from pydantic_core import PydanticCustomError

from review_service.core.clock import BEIJING, as_utc, beijing_today, utcnow

EARLIEST = date(1949, 10, 1)
FUTURE_YEARS = 5
#: A recorded time may run ahead of the server's clock by this much (the client's clock), never more.
CLOCK_SKEW = timedelta(minutes=10)
RANGE_ERROR = "date_out_of_range"


def chinese_date(day: date) -> str:
    """``2026年12月7日``: a day as a reminder, a page or a document writes it (not ISO ``2026-12-07``)."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_datetime(moment: datetime) -> str:
    """A stored time (UTC) as Beijing ``2026年12月7日 14:05``: how pages and documents write a moment."""
    local = as_utc(moment).astimezone(BEIJING)
    return f"{chinese_date(local.date())} {local:%H:%M}"


_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def iso_days_in_words(text: str) -> str:
    """Every ISO day a free text quotes (``集体讨论 2026-11-20``) as ``2026年11月20日`` (an impossible one stays)."""
    def one(match: re.Match[str]) -> str:
        try:
            return chinese_date(date(int(match.group(1)), int(match.group(2)), int(match.group(3))))
        except ValueError:
            return match.group(0)
    return _ISO_DAY.sub(one, text)


_DIGITS = "〇一二三四五六七八九"


def _small_number(n: int) -> str:
    """1–31 in Chinese numerals: 七, 十, 十二, 二十, 三十一."""
    tens, ones = divmod(n, 10)
    return (("" if tens < 2 else _DIGITS[tens]) + "十" if tens else "") + (_DIGITS[ones] if ones else "")


def chinese_numeral_date(day: date) -> str:
    """``二〇二六年十二月七日``: the 成文日期 under a seal (the year digit by digit, month and day counted)."""
    year = "".join(_DIGITS[int(digit)] for digit in str(day.year))
    return f"{year}年{_small_number(day.month)}月{_small_number(day.day)}日"


def latest_ahead(today: date | None = None) -> date:
    """The last day a date that may lie ahead can name: :data:`FUTURE_YEARS` years after today."""
    day = today or beijing_today()
    try:
        return day.replace(year=day.year + FUTURE_YEARS)
    except ValueError:  # 29 February into a year that has none
        return day.replace(year=day.year + FUTURE_YEARS, day=28)


def _too_early(value: date) -> str | None:
    return f"不能早于 {EARLIEST.isoformat()}" if value < EARLIEST else None


def past_date_problem(value: date, today: date | None = None) -> str | None:
    """Why ``value`` cannot be the date of something that has happened, or None (it can)."""
    today = today or beijing_today()
    if value > today:
        return f"不能晚于今天（北京时间 {today.isoformat()}）"
    return _too_early(value)


def bounded_date_problem(value: date, today: date | None = None) -> str | None:
    """Why ``value`` cannot be a day that may lie ahead, or None (it can)."""
    latest = latest_ahead(today)
    if value > latest:
        return f"不能晚于 {latest.isoformat()}（今天起 {FUTURE_YEARS} 年内）"
    return _too_early(value)


def past_datetime_problem(value: datetime, now: datetime | None = None) -> str | None:
    """Why the aware ``value`` cannot be the time of something that has happened, or None (it can).

    Compared on the calendar date first, so that neither year 1 nor year 9999 in any offset is ever
    converted (``astimezone`` past either end raises ``OverflowError``).
    """
    now = now or utcnow()
    if value.date() < EARLIEST:
        return f"不能早于 {EARLIEST.isoformat()}"
    if value.date() > beijing_today(now) + timedelta(days=2) or as_utc(value) > now + CLOCK_SKEW:
        return "不能晚于当前时间"
    return None


def _refuse(problem: str | None) -> None:
    if problem is not None:
        raise PydanticCustomError(RANGE_ERROR, problem)


def _check_past(value: date) -> date:
    _refuse(past_date_problem(value))
    return value


def _check_bounded(value: date) -> date:
    _refuse(bounded_date_problem(value))
    return value


def _check_past_time(value: datetime) -> datetime:
    _refuse(past_datetime_problem(value))
    return value


PastDate = Annotated[date, AfterValidator(_check_past),
                     Field(description=f"日期（YYYY-MM-DD），不早于 {EARLIEST.isoformat()}，不晚于今天（北京时间）")]
BoundedDate = Annotated[date, AfterValidator(_check_bounded),
                        Field(description=f"日期（YYYY-MM-DD），不早于 {EARLIEST.isoformat()}，"
                                          f"不晚于今天起 {FUTURE_YEARS} 年")]
PastDateTime = Annotated[AwareDatetime, AfterValidator(_check_past_time),
                         Field(description="ISO 8601 时间，带时区（如 2026-10-12T10:00:00+08:00），"
                                           f"不早于 {EARLIEST.isoformat()}，不晚于当前时间")]
