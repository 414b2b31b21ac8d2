"""Loading year files: validate, store a new version of the year, audit (``calendar_year_loaded``).

Versioning rule: loading a year again stores the next version of that year (the
latest wins; nothing is updated or deleted). Loading text identical (same SHA-256)
to the year's latest version is refused as already loaded; loading an older text
again is allowed — it becomes the newest version, which is how a wrong correction
is undone. Operations flush; the edge (``review-service calendar load FILE``) commits.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from review_service.calendar.models import CalendarYear
from review_service.calendar.queries import forget_calendar, remember_spec
from review_service.calendar.yearfile import parse_year
from review_service.core import signals
from review_service.core.actions import Action
from review_service.core.errors import Conflict
from review_service.core.permissions import require_role


def source_sha256(text: str) -> str:
    """The SHA-256 (hex) of a year file's text as UTF-8: the identity of what was loaded."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_calendar_year(session: Session, *, actor: Any, text: str, filename: str) -> CalendarYear:
    """Validate ``text`` (the content of ``filename``) and store it as the next version of its year.

    ``actor`` is an admin ``User``, or ``None`` for the system (the CLI). Audited as
    ``calendar_year_loaded``. Raises :class:`~.yearfile.YearFileError` (422) for an invalid
    file, listing every fault as ``file:line: reason``, :class:`~review_service.core.errors.Forbidden`
    for a user who is not an admin, and :class:`~review_service.core.errors.Conflict` (409) when
    the text equals the year's latest version or another process loaded the year at the same time.
    Every open provisional deadline is then recomputed (``deadline_recomputed``, DESIGN.md §8).
    """
    if actor is not None:
        require_role(actor, "admin")
    spec = parse_year(text, filename)
    digest = source_sha256(text)
    latest = session.scalars(
        select(CalendarYear).where(CalendarYear.year == spec.year).order_by(CalendarYear.version.desc()).limit(1)
    ).first()
    if latest is not None and latest.sha256 == digest:
        raise Conflict(f"{spec.year} 年节假日安排第 {latest.version} 版已加载，内容相同，无需重复加载。",
                       year=spec.year, version=latest.version)
    version = 1 if latest is None else latest.version + 1
    row = CalendarYear(year=spec.year, version=version, source=text, sha256=digest,
                       loaded_by=getattr(actor, "id", None))
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # another process loaded this year a moment ago
        raise Conflict(f"{spec.year} 年节假日安排正被同时加载，请重试。", year=spec.year) from None
    remember_spec(session, digest, spec)
    forget_calendar(session)
    signals.emit(
        Action.CALENDAR_YEAR_LOADED,
        session=session,
        actor=actor,
        role="admin" if actor is not None else "system",
        agency_id=None,
        case_id=None,
        payload={
            "year": spec.year,
            "version": version,
            "sha256": digest,
            "filename": filename,
            "notice": spec.source,
            "holidays": len(spec.holidays),
            "workdays": [day.isoformat() for day in spec.workdays],
        },
    )
    # Every open deadline counted on guessed weekdays is counted again on the loaded year (§8): deadlines.
    signals.send_required(signals.calendar_year_loaded, spec.year, session=session, actor=actor, version=version)
    return row
