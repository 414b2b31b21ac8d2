"""Dates and times as an official document writes them: 2026年12月7日, 2026年12月7日 14:05 (Beijing time)."""

from __future__ import annotations

from datetime import date, datetime

from review_service.core.clock import BEIJING, as_utc
from review_service.core.dates import chinese_date, chinese_datetime


def cn_date(value: date | str | None) -> str:
    """``2026-12-07`` (or a date) as ``2026年12月7日``; nothing as ``—``."""
    if not value:
        return "—"
    day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    if isinstance(day, datetime):
        day = as_utc(day).astimezone(BEIJING).date()
    return chinese_date(day)


def cn_datetime(value: datetime | str | None) -> str:
    """A stored time (UTC, or ISO text with an offset) as Beijing ``2026年12月7日 14:05``; nothing as ``—``."""
    if not value:
        return "—"
    return chinese_datetime(datetime.fromisoformat(value) if isinstance(value, str) else value)
