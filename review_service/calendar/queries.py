"""Reading loaded years: the latest version of each year, and the calendar they make."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review_service.calendar.days import Calendar
from review_service.calendar.models import CalendarYear
from review_service.calendar.yearfile import YearSpec, parse_year

_cache: dict[str, YearSpec] = {}
_lock = threading.Lock()
_CACHE_SIZE = 256


def remember_spec(sha256: str, spec: YearSpec) -> None:
    """Keep a parsed year file in the in-memory cache under the SHA-256 of its source."""
    with _lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[sha256] = spec


def spec_of(row: CalendarYear) -> YearSpec:
    """The parsed year file of a stored row (cached by its SHA-256)."""
    with _lock:
        cached = _cache.get(row.sha256)
    if cached is not None:
        return cached
    spec = parse_year(row.source, f"{row.year}.yaml")
    remember_spec(row.sha256, spec)
    return spec


def latest_years(session: Session) -> list[CalendarYear]:
    """The latest stored version of every loaded year, by year."""
    newest = (
        select(CalendarYear.year, func.max(CalendarYear.version).label("version"))
        .group_by(CalendarYear.year)
        .subquery()
    )
    return list(session.scalars(
        select(CalendarYear)
        .join(newest, (CalendarYear.year == newest.c.year) & (CalendarYear.version == newest.c.version))
        .order_by(CalendarYear.year)
    ))


_calendars: dict[tuple[str, ...], Calendar] = {}
_NEWEST = (select(CalendarYear.year, func.max(CalendarYear.version).label("version"))
           .group_by(CalendarYear.year).subquery())
_LATEST_VERSIONS = (select(CalendarYear.id, CalendarYear.sha256)
                    .join(_NEWEST, (CalendarYear.year == _NEWEST.c.year) & (CalendarYear.version == _NEWEST.c.version))
                    .order_by(CalendarYear.year))


_HELD_KEY = "review_service.calendar"  # (transaction, calendar) read in it


def calendar_from_db(session: Session) -> Calendar:
    """A :class:`~.days.Calendar` with the latest version of every loaded year applied.

    Every action that starts or ends a deadline asks: one small query names the latest versions
    by hash; year files are read and parsed only when not known yet, and the calendar they make
    is kept per set of versions.
    """
    held = session.info.get(_HELD_KEY)
    if held is not None and held[0] is session.get_transaction():
        return held[1]  # asked before in this transaction (a step asks before and after it moves)
    # straight on the connection: no autoflush of the action's pending changes for a table it never writes
    rows = session.connection().execute(_LATEST_VERSIONS).all()
    key = tuple(row.sha256 for row in rows)
    with _lock:
        known = _calendars.get(key)
    if known is not None:
        session.info[_HELD_KEY] = (session.get_transaction(), known)
        return known
    specs = []
    for row in rows:
        stored = session.get(CalendarYear, row.id)
        assert stored is not None
        specs.append(spec_of(stored))
    calendar = Calendar(specs)
    with _lock:
        if len(_calendars) >= _CACHE_SIZE:
            _calendars.clear()
        _calendars[key] = calendar
    session.info[_HELD_KEY] = (session.get_transaction(), calendar)
    return calendar


def forget_calendar(session: Session) -> None:
    """Drop the calendar this transaction read (it has just loaded a year)."""
    session.info.pop(_HELD_KEY, None)
