"""What the opinion page shows beside the form: the 暂存's time, the standard wording, the session's idle time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app, url_for

from review_service.web.cases.wording import cn_datetime
from review_service.web.review.opinion_fill import STANDARD_WORDING


def minute(value: datetime) -> str:
    """A stored time as people write it: 2026年12月7日 14:05 (Beijing time)."""
    return cn_datetime(value)


def idle_seconds() -> int:
    """How long the session lives without a request (``PERMANENT_SESSION_LIFETIME``, web/__init__.py)."""
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    return int(lifetime.total_seconds() if isinstance(lifetime, timedelta) else lifetime)


def page_context(*, saved_at: datetime | None, advice: list[dict[str, str]] | None, checked: bool) -> dict[str, Any]:
    """The template's values besides the case and the form."""
    return {"advice": advice, "checked": checked, "saved_at": minute(saved_at) if saved_at else None,
            "standard": STANDARD_WORDING, "idle_seconds": idle_seconds(), "keepalive_url": url_for("review.keepalive")}
