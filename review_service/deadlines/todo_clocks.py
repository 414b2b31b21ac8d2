"""The clocks on the 待办 rows (issue 19): when 分配 / 受理审查 are due inside the review period, and the art. 60
limit of a penalty case (``decision_limit``: due_date, days_left in calendar days, overdue)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.calendar.queries import calendar_from_db
from review_service.core.clock import beijing_today
from review_service.deadlines.clock_queries import limit_view
from review_service.deadlines.decision_limit import decision_limits
from review_service.deadlines.review_period import assigned_on, sub_deadline
from review_service.organization.models import Agency
from review_service.organization.settings import agency_settings

SUB_TASKS = ("assign", "intake")


def clock_fields(session: Session, rows: list[Any], due: dict[tuple[int, str], Any]) -> dict[int, dict[str, Any]]:
    """Per case id: ``due_date`` / ``overdue`` / ``provisional`` of an assign or intake task, ``decision_limit``."""
    today = beijing_today()
    out: dict[int, dict[str, Any]] = {}
    for case_id, limit in decision_limits(session, rows, today).items():
        out[case_id] = {"decision_limit": limit_view(limit, today)}
    subs = [row for row in rows if row.current_task in SUB_TASKS and (row.id, "review") in due]
    if subs:
        calendar = calendar_from_db(session)
        assigned = assigned_on(session, [row.id for row in subs])
        agencies = {row.agency_id for row in subs}
        rules = {agency.id: agency_settings(agency)
                 for agency in session.scalars(select(Agency).where(Agency.id.in_(agencies)))}
        for row in subs:
            review = due[(row.id, "review")]
            sub = sub_deadline(row.current_task, review, assigned.get(row.id), calendar, rules[row.agency_id])
            if sub is None:
                continue
            paused = review.paused_on is not None
            out.setdefault(row.id, {}).update(
                {"due_date": sub.due_on.isoformat(), "provisional": sub.provisional,
                 "overdue": (review.paused_on > sub.due_on) if paused else today > sub.due_on})
    return out

