"""Reads of cases: which case the caller may read or act on, and the scoped case list.

The case as the API shows it (``case_view``) and the to-do list read every domain's rows: they are the
package :mod:`review_service.case_view`, above the domains.
Times are shown in Beijing time (``+08:00``), ids as strings.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, joinedload

from review_service.cases.models import Case
from review_service.core.clock import iso
from review_service.core.errors import NotFound
from review_service.core.input import MAX_ID
from review_service.core.permissions import reads_cases
from review_service.organization.models import User
from review_service.organization.queries import visible_agencies

PAGE_SIZE = 50
HANDLER_TASKS = ("draft", "supplement", "reply", "resubmit")
NOT_FOUND_MESSAGE = "案件不存在或不在您的权限范围内。"


def iso_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


# The case pages' read of the ORM row, built once (a statement built per call recomputes its cache key).
_VISIBLE_CASE = (select(Case).options(joinedload(Case.agency), joinedload(Case.current_draft))
                 .where(Case.id == bindparam("case_id")))


def visible_case(session: Session, actor: User, case_id: int) -> Case:
    """The case if ``actor`` may read it; otherwise ``not_found`` (no existence leak)."""
    if not 0 < case_id <= MAX_ID:
        raise NotFound(NOT_FOUND_MESSAGE)
    case = session.scalars(_VISIBLE_CASE, {"case_id": case_id}).one_or_none()
    if case is None or case.agency_id not in visible_agencies(session, actor):
        raise NotFound(NOT_FOUND_MESSAGE)
    return case


_CASE_SCOPE = select(Case.agency_id, Case.current_task).where(Case.id == bindparam("case_id"))  # every write


def case_task_in_scope(session: Session, actor: User, case_id: int) -> str | None:
    """The task a case of the caller's own agency waits on; ``not_found`` for any other case.

    Reads columns only, so the operation that follows loads (and locks) a fresh ORM row.
    """
    row = None
    if 0 < case_id <= MAX_ID and reads_cases(actor):  # the admin's role opens no case (三权分立)
        row = session.execute(_CASE_SCOPE, {"case_id": case_id}).first()
    if row is None or row.agency_id != actor.agency_id:
        raise NotFound(NOT_FOUND_MESSAGE)
    return row.current_task


def case_summary(case: Case) -> dict[str, Any]:
    """One row of the case list."""
    return {"id": str(case.id), "version": case.version, "status": case.status, "title": case.title,
            "case_number": case.case_number, "agency": {"id": str(case.agency.id), "name": case.agency.name},
            "decision_type": case.decision_type, "major": case.major, "round": case.round,
            "current_task": case.current_task, "updated_at": iso(case.updated_at)}


def list_cases(session: Session, actor: User, *, status: str | None = None, agency_id: int | None = None,
               q: str | None = None, page: int = 1) -> dict[str, Any]:
    """The cases ``actor`` may read, newest first, ``PAGE_SIZE`` a page."""
    scope = visible_agencies(session, actor)
    if agency_id is not None:
        scope = scope & {agency_id}
    conditions: list[ColumnElement[bool]] = [Case.agency_id.in_(scope)]
    if status:
        conditions.append(Case.status == status)
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(or_(Case.title.like(pattern, escape="\\"), Case.case_number.like(pattern, escape="\\")))
    where = and_(*conditions)
    total = session.scalar(select(func.count()).select_from(Case).where(where)) or 0
    rows = session.scalars(select(Case).options(joinedload(Case.agency)).where(where)
                           .order_by(Case.updated_at.desc(), Case.id.desc())
                           .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return {"items": [case_summary(case) for case in rows], "total": total, "page": page}
