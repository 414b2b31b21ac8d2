"""Reading loaded years: the latest version of each year, and the calendar they make."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review_service.calendar.days import Calendar
from review_service.calendar.models import CalendarYear
from review_service.calendar.yearfile import YearSpec, parse_year
from review_service.core import tx
from review_service.core.process_state import ProcessState, state_of

_CACHE_SIZE = 256


class Calendars:
    """One runtime's parsed year files (by the SHA-256 of their source) and the calendars they made
    (by the hashes of the latest versions), kept by the runtime: :func:`calendars`."""

    def __init__(self) -> None:
        self.specs: dict[str, YearSpec] = {}
        self.made: dict[tuple[str, ...], Calendar] = {}
        self.lock = threading.Lock()


def calendars_part(state: ProcessState) -> Calendars:
    return Calendars()


def calendars(session: Session) -> Calendars:
    """The year files and calendars known to ``session``'s runtime."""
    return state_of(session).part(calendars_part)


def remember_spec(session: Session, sha256: str, spec: YearSpec) -> None:
    """Keep a parsed year file in the runtime's cache under the SHA-256 of its source."""
    _remember(calendars(session), sha256, spec)


def _remember(known: Calendars, sha256: str, spec: YearSpec) -> None:
    with known.lock:
        if len(known.specs) >= _CACHE_SIZE:
            known.specs.clear()
        known.specs[sha256] = spec


def _spec_of(known: Calendars, row: CalendarYear) -> YearSpec:
    """The parsed year file of a stored row (cached by its SHA-256)."""
    with known.lock:
        cached = known.specs.get(row.sha256)
    if cached is not None:
        return cached
    spec = parse_year(row.source, f"{row.year}.yaml")
    _remember(known, row.sha256, spec)
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
    is kept per set of versions (by the session's runtime: :func:`calendars`).
    """
    held = session.info.get(_HELD_KEY)
    if held is not None and held[0] is session.get_transaction():
        return held[1]  # asked before in this transaction (a step asks before and after it moves)
    rows = tx.fresh(session, _LATEST_VERSIONS).all()
    key = tuple(row.sha256 for row in rows)
    cache = calendars(session)
    with cache.lock:
        known = cache.made.get(key)
    if known is not None:
        session.info[_HELD_KEY] = (session.get_transaction(), known)
        return known
    specs = []
    for row in rows:
        stored = session.get(CalendarYear, row.id)
        assert stored is not None
        specs.append(_spec_of(cache, stored))
    calendar = Calendar(specs)
    with cache.lock:
        if len(cache.made) >= _CACHE_SIZE:
            cache.made.clear()
        cache.made[key] = calendar
    session.info[_HELD_KEY] = (session.get_transaction(), calendar)
    return calendar


def forget_calendar(session: Session) -> None:
    """Drop the calendar this transaction read (it has just loaded a year)."""
    session.info.pop(_HELD_KEY, None)
