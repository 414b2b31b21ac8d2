"""The one place that reads the time, so tests can move it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Aware UTC now. Stored times are UTC."""
    return datetime.now(UTC)


def beijing_today(now: datetime | None = None) -> date:
    """The Beijing date a person sees; deadlines count from it."""
    return (now or utcnow()).astimezone(BEIJING).date()


def as_utc(value: datetime) -> datetime:
    """Treat naive datetimes read back from SQLite as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    """An aware ISO 8601 time in Beijing time (what the API and pages show), or ``None``."""
    return None if value is None else as_utc(value).astimezone(BEIJING).isoformat(timespec="seconds")
