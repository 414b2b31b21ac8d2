"""Reading publicity: the decisions not published by their deadline (indicators 36, 37).

Here, with the publications, rather than in ``deadlines.queries``: the deadlines do not read the
decisions' tables (the decisions' publicity opens and closes the publish deadlines).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from review_service.cases.models import Case
from review_service.core.clock import beijing_today, iso
from review_service.deadlines.models import Deadline, DeadlineKind, DeadlineState
from review_service.deadlines.queries import is_overdue
from review_service.decisions.publicity_models import Publication


def overdue_publications(session: Session, agency_ids: set[int], today: date | None = None) -> list[dict[str, Any]]:
    """Decisions not published by their deadline (indicators 36, 37), in these agencies, most overdue first.

    Lists open ``publish`` deadlines past their day and publications recorded after it.
    """
    day = today or beijing_today()
    stmt = (select(Deadline, Case.title, Case.case_number, Case.decision_type, Publication.published_at)
            .join(Case, Case.id == Deadline.case_id)
            .outerjoin(Publication, Publication.case_id == Deadline.case_id)
            .where(Deadline.agency_id.in_(agency_ids), Deadline.kind == DeadlineKind.PUBLISH.value,
                   or_(Deadline.state == DeadlineState.OPEN.value, Deadline.state == DeadlineState.MET.value))
            .order_by(Deadline.due_on, Deadline.id))
    items = []
    for deadline, title, number, decision_type, published_at in session.execute(stmt):
        if not is_overdue(deadline, day):
            continue
        items.append({"case_id": str(deadline.case_id), "title": title, "case_number": number,
                      "decision_type": decision_type, "due_date": deadline.due_on.isoformat(),
                      "provisional": deadline.provisional, "published": deadline.state == DeadlineState.MET.value,
                      "published_at": iso(published_at), "agency_id": str(deadline.agency_id)})
    return items
