"""The caller's to-do list (``GET /api/v1/me/tasks``, the start page): the tasks cases wait on, with their
deadlines, the gate's downgrade requests, the reviewer's requests for materials and the publicity tasks. It
reads the cases, the deadlines, the gate and the review, so it stands above the domains with the case view.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from review_service.cases.downgrades import downgrade_tasks
from review_service.cases.models import Case
from review_service.cases.ownership import handlers_share
from review_service.cases.queries import HANDLER_TASKS
from review_service.deadlines.models import MaterialsRequest
from review_service.deadlines.queries import due_fields, open_by_case, publicity_tasks
from review_service.deadlines.todo_clocks import SUB_TASKS, clock_fields
from review_service.organization.models import User


def _listed_kind(row: Any) -> str:
    """The task as the to-do list names it: a reviewer's task without a reviewer (回避) is the lead's ``reassign``."""
    if row.current_task in ("intake", "review") and row.reviewer_id is None:
        return "reassign"
    return str(row.current_task)


def open_tasks(session: Session, actor: User) -> list[dict[str, Any]]:
    """The caller's to-do list: one indexed query over ``cases (agency_id, current_task)``."""
    roles = actor.roles
    mine = []
    if "handler" in roles:  # a case's handler tasks are its assignee's, unless the agency shares cases
        mine.append(Case.current_task.in_(HANDLER_TASKS) if handlers_share(session, actor.agency_id)
                    else and_(Case.current_task.in_(HANDLER_TASKS), Case.handler_id == actor.id))
    if "unit_head" in roles:
        mine.append(Case.current_task == "signoff")
    if "review_lead" in roles:  # also the assignments returned by a reviewer's recusal (回避): to reassign
        mine.append(or_(Case.current_task == "assign",
                        and_(Case.current_task.in_(("intake", "review")), Case.reviewer_id.is_(None))))
    if "reviewer" in roles:
        mine.append(and_(Case.current_task.in_(("intake", "review")), Case.reviewer_id == actor.id))
    if "head" in roles:
        mine.append(and_(Case.current_task.in_(("coordinate", "approve")), Case.handler_id != actor.id,
                         or_(Case.reviewer_id.is_(None), Case.reviewer_id != actor.id)))
    requested = materials_request_tasks(session, actor) if "handler" in roles else []
    if not mine:
        return requested + publicity_tasks(session, actor)
    stmt = (select(Case.id, Case.title, Case.status, Case.current_task, Case.current_task_id, Case.reviewer_id,
                   Case.suspended, Case.filed_on, Case.decision_type, Case.agency_id)
            .where(Case.agency_id == actor.agency_id, Case.current_task.is_not(None), or_(*mine))
            .order_by(Case.id))
    rows = list(session.execute(stmt))
    due = open_by_case(session, [row.id for row in rows if row.current_task in ("review", "reply", *SUB_TASKS)])
    extra = clock_fields(session, rows, due)  # issue 19: 分配/受理审查 due inside the review period; art. 60
    gate_tasks: list[dict[str, Any]] = []
    if "review_lead" in roles:
        gate_tasks = downgrade_tasks(session, actor)
    return [{"id": row.current_task_id, "case_id": str(row.id), "kind": _listed_kind(row), "title": row.title,
             "status": row.status, **due_fields(due.get((row.id, row.current_task))), "suspended": row.suspended,
             **extra.get(row.id, {})}
            for row in rows] + gate_tasks + requested + publicity_tasks(session, actor)


def materials_request_tasks(session: Session, actor: User) -> list[dict[str, Any]]:
    """The handler's to-do items: the reviewer's requests for materials during the review awaiting an answer."""
    mine = Case.agency_id == actor.agency_id
    if not handlers_share(session, actor.agency_id):
        mine = and_(mine, Case.handler_id == actor.id)
    rows = session.execute(
        select(MaterialsRequest.id, Case.id.label("case_id"), Case.title, Case.status, Case.suspended)
        .join(Case, Case.id == MaterialsRequest.case_id)
        .where(mine, MaterialsRequest.outcome.is_(None), Case.current_task == "review")
        .order_by(MaterialsRequest.id))
    return [{"id": f"materials-{row.id}", "case_id": str(row.case_id), "kind": "materials_request",
             "title": row.title, "status": row.status, "due_date": None, "overdue": False, "provisional": False,
             "suspended": row.suspended} for row in rows]
