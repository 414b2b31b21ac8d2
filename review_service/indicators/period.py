"""The report period: Beijing dates, half-open in time ``[from 00:00, to + 1 day 00:00)`` (UTC stored)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from review_service.core.clock import BEIJING
from review_service.core.dates import bounded_date_problem
from review_service.core.errors import Invalid

MAX_DAYS = 366 * 5


@dataclass(frozen=True)
class Period:
    """``start``..``end`` inclusive Beijing dates."""

    start: date
    end: date

    @classmethod
    def parse(cls, start: str | date | None, end: str | date | None) -> Period:
        """From ``YYYY-MM-DD`` texts; both required, ``start <= end``, at most five years."""
        fields: dict[str, str] = {}
        parsed: dict[str, date] = {}
        for name, value in (("from", start), ("to", end)):
            if isinstance(value, date):
                parsed[name] = value
                continue
            try:
                parsed[name] = date.fromisoformat(str(value or ""))
            except ValueError:
                fields[name] = "应为日期 YYYY-MM-DD"
        for name, day in parsed.items():  # core.dates: a period may end ahead, within bounds (no overflow)
            problem = bounded_date_problem(day)
            if problem:
                fields[name] = problem
        if fields:
            raise Invalid("统计期间不正确。", fields=fields)
        if parsed["from"] > parsed["to"]:
            raise Invalid("统计期间不正确。", fields={"to": "截止日期不能早于起始日期"})
        if (parsed["to"] - parsed["from"]).days > MAX_DAYS:
            raise Invalid("统计期间不正确。", fields={"to": "统计期间不能超过五年"})
        return cls(parsed["from"], parsed["to"])

    @property
    def utc_start(self) -> datetime:
        return datetime.combine(self.start, time(), BEIJING).astimezone(UTC)

    @property
    def utc_end(self) -> datetime:
        """The first instant after the period (the day after ``end``, 00:00 Beijing)."""
        return datetime.combine(self.end + timedelta(days=1), time(), BEIJING).astimezone(UTC)

    def months(self) -> list[str]:
        """``YYYY-MM`` of every Beijing month the period touches, in order."""
        out, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    def to_dict(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

    def within(self, column: Any) -> Any:
        """``column`` (a UTC timestamp) inside the period."""
        return (column >= self.utc_start) & (column < self.utc_end)

    def month_bounds(self) -> list[tuple[str, datetime]]:
        """``(YYYY-MM, first instant after that Beijing month in UTC)`` for every month of the period."""
        out = []
        for month in self.months():
            year, number = int(month[:4]), int(month[5:])
            following = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
            out.append((month, datetime.combine(following, time(), BEIJING).astimezone(UTC)))
        return out

    def month_of(self, column: Any) -> Any:
        """The Beijing ``YYYY-MM`` of ``column`` (a UTC timestamp inside the period) as a ``CASE`` over the
        months' UTC bounds: plain comparisons of the stored value, no date function per row (same answer
        as :class:`beijing_month` for timestamps inside the period)."""
        from sqlalchemy import case, literal

        bounds = self.month_bounds()
        if len(bounds) == 1:
            return literal(bounds[0][0], String())
        return case(*((column < bound, month) for month, bound in bounds[:-1]), else_=bounds[-1][0])


class beijing_month(FunctionElement[str]):
    """``YYYY-MM`` of a stored UTC timestamp, in Beijing time (one GROUP BY key for the trend)."""

    type = String()
    inherit_cache = True
    name = "beijing_month"


@compiles(beijing_month, "sqlite")
def _month_sqlite(element: beijing_month, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)}, '+8 hours')"


@compiles(beijing_month, "postgresql")
def _month_postgresql(element: beijing_month, compiler: Any, **kw: Any) -> str:
    return f"to_char(timezone('Asia/Shanghai', {compiler.process(element.clauses, **kw)}), 'YYYY-MM')"


class beijing_date(FunctionElement[str]):
    """``YYYY-MM-DD`` text of a stored UTC timestamp's Beijing date (no per-row conversion in Python)."""

    type = String()
    inherit_cache = True
    name = "beijing_date"


@compiles(beijing_date, "sqlite")
def _date_sqlite(element: beijing_date, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"


@compiles(beijing_date, "postgresql")
def _date_postgresql(element: beijing_date, compiler: Any, **kw: Any) -> str:
    return f"to_char(timezone('Asia/Shanghai', {compiler.process(element.clauses, **kw)}), 'YYYY-MM-DD')"
