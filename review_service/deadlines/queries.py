"""Reading deadlines: due dates for the to-do list and the case (overdue publications:
``review_service.decisions.publicity_queries``).

Dates are Beijing dates; a deadline is overdue once its due day has ended (today > due_on).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from review_service.cases.models import Case
from review_service.cases.ownership import handlers_share
from review_service.core.clock import BEIJING, as_utc, beijing_today, iso
from review_service.deadlines.models import Deadline, DeadlineKind, DeadlineState

PUBLICITY_KINDS = (DeadlineKind.PUBLISH.value, DeadlineKind.WITHDRAW.value)


def is_overdue(deadline: Deadline, today: date | None = None) -> bool:
    """Open and past its due day (a closed one: done after its due day).

    A paused deadline (its case suspended) is overdue only if it already was when its count stopped.
    """
    if deadline.state == DeadlineState.OPEN.value:
        if deadline.paused_on is not None:
            return deadline.paused_on > deadline.due_on
        return (today or beijing_today()) > deadline.due_on
    if deadline.state == DeadlineState.MET.value and deadline.closed_at is not None:
        return as_utc(deadline.closed_at).astimezone(BEIJING).date() > deadline.due_on
    return False


def deadline_view(deadline: Deadline, today: date | None = None) -> dict[str, Any]:
    """One deadline as the API shows it."""
    return {"kind": deadline.kind, "due_date": deadline.due_on.isoformat(), "provisional": deadline.provisional,
            "overdue": is_overdue(deadline, today), "state": deadline.state,
            "met_at": iso(deadline.closed_at) if deadline.state == DeadlineState.MET.value else None,
            "start_date": deadline.start_on.isoformat(),
            "working_days": deadline.working_days + deadline.extension_days,
            "extended": deadline.extended_at is not None, "extension_reason": deadline.extension_reason,
            "paused": deadline.paused_on is not None, "paused_days": deadline.paused_days,
            "decision_limit": deadline.limit_on.isoformat() if deadline.limit_on else None,
            "beyond_decision_limit": deadline.beyond_limit}


_CASE_DEADLINES = select(Deadline).where(Deadline.case_id == bindparam("case_id")).order_by(Deadline.id)


def case_deadlines(session: Session, case_id: int) -> list[Deadline]:
    return list(session.scalars(_CASE_DEADLINES, {"case_id": case_id}))


def open_by_case(session: Session, case_ids: list[int]) -> dict[tuple[int, str], Deadline]:
    """The open deadlines of these cases by ``(case_id, kind)``."""
    if not case_ids:
        return {}
    rows = session.scalars(_OPEN_OF_CASES, {"case_ids": sorted(set(case_ids))})
    return {(row.case_id, row.kind): row for row in rows}


# coalesce() keeps SQLite off the index on ``state`` (which would walk every open deadline) and on the
# index by case, which finds the few rows of each listed case
_OPEN_OF_CASES = select(Deadline).where(Deadline.case_id.in_(bindparam("case_ids", expanding=True)),
                                        func.coalesce(Deadline.state, "") == DeadlineState.OPEN.value)


def due_fields(deadline: Deadline | None, today: date | None = None) -> dict[str, Any]:
    """``due_date``, ``overdue``, ``provisional`` of a task (nulls without a deadline)."""
    if deadline is None:
        return {"due_date": None, "overdue": False, "provisional": False}
    return {"due_date": deadline.due_on.isoformat(), "overdue": is_overdue(deadline, today),
            "provisional": deadline.provisional}


def publicity_tasks(session: Session, actor: Any) -> list[dict[str, Any]]:
    """Open ``publish`` / ``withdraw`` tasks of the actor's agency: a head's all, a handler's of their own cases."""
    roles = set(actor.roles)
    if not ({"handler", "head"} & roles):
        return []
    today = beijing_today()
    stmt = (select(Deadline, Case.title, Case.status)
            .join(Case, Case.id == Deadline.case_id)
            .where(Deadline.agency_id == actor.agency_id, Deadline.state == DeadlineState.OPEN.value,
                   Deadline.kind.in_(PUBLICITY_KINDS))
            .order_by(Deadline.due_on, Deadline.id))
    if "head" not in roles and not handlers_share(session, actor.agency_id):  # cases/ownership.py
        stmt = stmt.where(Case.handler_id == actor.id)
    return [{"id": f"{deadline.kind}-{deadline.id}", "case_id": str(deadline.case_id), "kind": deadline.kind,
             "title": title, "status": status, **due_fields(deadline, today)}
            for deadline, title, status in session.execute(stmt)]

