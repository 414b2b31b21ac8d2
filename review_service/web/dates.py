"""WTForms validators for the pages' date and time fields: the API's rule (``core.dates``) before any write.

A page refuses a date out of range next to its field (422) before it queues for the write turn; the
operation behind it checks the same rule again with the request schemas, so a page without these
validators would still be safe, only later and less precise. A blank field passes: whether a date is
required is the operation's rule.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from wtforms.validators import ValidationError

from review_service.core.clock import BEIJING
from review_service.core.dates import bounded_date_problem, past_date_problem, past_datetime_problem

DATE_FORMAT = "应为日期（YYYY-MM-DD）"
TIME_FORMAT = "应为时间（YYYY-MM-DD HH:MM）"


def _text(field: Any) -> str:
    return field.data.strip() if isinstance(field.data, str) else ""


class DateInRange:
    """A date field (text ``YYYY-MM-DD`` or WTForms' ``DateField``) inside the sane range.

    ``ahead=False`` (default): a fact, not after today; ``ahead=True``: may lie ahead, within bounds.
    """

    def __init__(self, *, ahead: bool = False) -> None:
        self.ahead = ahead

    def __call__(self, form: Any, field: Any) -> None:
        value = field.data if isinstance(field.data, date) else None
        text = _text(field)
        if value is None and text:
            try:
                value = date.fromisoformat(text)
            except ValueError:
                raise ValidationError(DATE_FORMAT) from None
        if value is None:
            return
        problem = bounded_date_problem(value) if self.ahead else past_date_problem(value)
        if problem:
            raise ValidationError(problem)


class TimeInRange:
    """A ``datetime-local`` field (Beijing wall time, or with an offset) that is not after now."""

    def __call__(self, form: Any, field: Any) -> None:
        text = _text(field)
        if not text:
            return
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(TIME_FORMAT) from None
        if value.tzinfo is None:  # datetime-local: Beijing wall time (decisions.forms.beijing_time)
            value = value.replace(tzinfo=BEIJING)
        problem = past_datetime_problem(value)
        if problem:
            raise ValidationError(problem)
