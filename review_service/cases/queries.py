"""Reads of cases: one case as the API shows it, the scoped case list, the to-do list.

Times are shown in Beijing time (``+08:00``), ids as strings, money as decimal strings
(the draft content already holds them so).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, joinedload

from review_service.cases.case_read import ROLE_OF_TASK, CaseData, case_data, shows_declarations
from review_service.cases.models import Case
from review_service.cases.ownership import handlers_share
from review_service.core.clock import iso
from review_service.core.errors import NotFound
from review_service.core.permissions import reads_cases
from review_service.organization.models import User
from review_service.organization.queries import visible_agencies

PAGE_SIZE = 50
MAX_ID = 2**31 - 1  # the id columns are 32-bit integers on PostgreSQL
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


def _tasks(data: CaseData, open_deadlines: dict[str, Any]) -> list[dict[str, Any]]:
    """The task the case waits on (``open_deadlines``: the case's open deadlines by kind)."""
    from review_service.deadlines.queries import due_fields

    case, people = data.case, data.people
    kind = case.current_task
    if kind is None:  # after the process: the publish / withdraw tasks, if any
        return [{"id": f"{d.kind}-{d.id}", "kind": d.kind, "assignee": people.get(case.handler_id),
                 "candidates": [], **due_fields(d)} for d in open_deadlines.values()]
    assignee: int | None = None
    candidates: list[int] = []
    if kind in HANDLER_TASKS:
        assignee = case.handler_id
    elif kind in ("intake", "review"):
        assignee = case.reviewer_id
    elif kind in ROLE_OF_TASK:
        candidates = data.candidates
        if kind in ("coordinate", "approve"):
            candidates = [uid for uid in candidates if uid not in (case.handler_id, case.reviewer_id)]
    deadline = open_deadlines.get(kind)
    return [{"id": case.current_task_id, "kind": kind,
             "assignee": people.get(assignee) if assignee is not None else None,
             "candidates": [str(uid) for uid in candidates], **due_fields(deadline), "suspended": case.suspended}]


def case_view(session: Session, case: Case) -> dict[str, Any]:
    """The case as ``GET /api/v1/cases/{id}`` shows it (API.md): one statement (``cases.case_read``)."""
    data = case_data(session, case.id)
    if data is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    return render_case_view(data)


def visible_case_view(session: Session, actor: User, case_id: int) -> dict[str, Any]:
    """:func:`case_view` of :func:`visible_case`, in one statement (``not_found`` alike for a case out of scope)."""
    data = case_data(session, case_id) if 0 < case_id <= MAX_ID else None
    if data is None or data.case.agency_id not in visible_agencies(session, actor):
        raise NotFound(NOT_FOUND_MESSAGE)
    return render_case_view(data)


def render_case_view(data: CaseData) -> dict[str, Any]:
    """The case JSON from what ``cases.case_read`` read: the case's state alone decides what it shows."""
    from review_service.cases.downgrades import gate_view
    from review_service.cases.suspension import suspension_view
    from review_service.deadlines.queries import deadline_view
    from review_service.review.recusal import declaration_view

    case, classification, draft, people = data.case, data.classification, data.draft, data.people
    # ``round`` counts the opinions given: before the first one there is no review, reply or coordination,
    # and only a decided case has a decision
    reviewed = case.round > 0
    reviews = data.reviews if reviewed else []
    decision = data.decision if case.status == "decided" else None
    suspension = data.suspension if case.suspended else None
    open_deadlines = {d.kind: d for d in data.deadlines if d.state == "open"}
    return {
        "id": str(case.id),
        "version": case.version,
        "status": case.status,
        "title": case.title,
        "case_number": case.case_number,
        "agency": {"id": str(case.agency_id), "name": data.agency_name},
        "decision_type": case.decision_type,
        "handler": people.get(case.handler_id),
        "classification": None if classification is None else {
            "major": classification.major,
            "catalog": None if classification.catalog_id is None else {
                "id": classification.catalog_id, "version": classification.catalog_version},
            "matched_rules": [{"rule_id": m.get("rule_id"), "category": m.get("category"), "reason": m.get("reason")}
                              for m in classification.matched],
        },
        "draft": None if draft is None else {**json.loads(draft.content), "version": draft.version,
                                             "sha256": draft.sha256},
        "round": case.round,
        "tasks": _tasks(data, open_deadlines),
        "reviews": [{"round": r.round, "draft_sha256": r.draft_sha256, "reviewer": people.get(r.reviewer_id),
                     "conclusion": r.conclusion, "summary": r.summary, "points": r.points, "quality": r.quality,
                     "submitted_at": iso(r.submitted_at)} for r in reviews],
        "replies": [{"round": r.round, "responses": r.responses, "summary": r.summary, "disputed": r.disputed,
                     "submitted_at": iso(r.submitted_at)} for r in (data.replies if reviewed else [])],
        "coordinations": [{"round": c.round, "reason": c.reason, "outcome": c.outcome, "reasoning": c.reasoning,
                           "collective_discussion": c.collective_discussion, "coordinated_at": iso(c.coordinated_at)}
                          for c in (data.coordinations if reviewed else [])],
        "materials": [{"id": str(m.id), "kind": m.kind, "title": m.title, "filename": m.filename,
                       "sha256": m.sha256, "size": m.size, "uploaded_at": iso(m.uploaded_at)} for m in data.materials],
        "decision": None if decision is None else {"number": decision.number, "decided_at": iso(decision.decided_at),
                                                   "draft_sha256": decision.draft_sha256},
        "deadlines": [deadline_view(deadline) for deadline in data.deadlines],
        "suspended": case.suspended,
        "suspension": None if suspension is None else suspension_view(suspension, data.suspended_by_name),
        "recusals": [declaration_view(row) for row in data.declarations] if shows_declarations(case) else [],
        "gate": gate_view(case.id, ever_major=data.ever_major, downgrades=data.downgrades, splits=data.splits,
                          under_review_gate=classification is None or classification.major
                          or (data.ever_major and not data.downgraded)),
        "created_at": iso(case.created_at),
        "updated_at": iso(case.updated_at),
    }


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
    from review_service.deadlines.queries import due_fields, open_by_case, publicity_tasks

    if not mine:
        return publicity_tasks(session, actor)
    stmt = (select(Case.id, Case.title, Case.status, Case.current_task, Case.current_task_id, Case.reviewer_id,
                   Case.suspended)
            .where(Case.agency_id == actor.agency_id, Case.current_task.is_not(None), or_(*mine))
            .order_by(Case.id))
    rows = list(session.execute(stmt))
    due = open_by_case(session, [row.id for row in rows if row.current_task in ("review", "reply")])
    gate_tasks: list[dict[str, Any]] = []
    if "review_lead" in roles:
        from review_service.cases.downgrades import downgrade_tasks

        gate_tasks = downgrade_tasks(session, actor)
    return [{"id": row.current_task_id, "case_id": str(row.id), "kind": _listed_kind(row), "title": row.title,
             "status": row.status, **due_fields(due.get((row.id, row.current_task))), "suspended": row.suspended}
            for row in rows] + gate_tasks + publicity_tasks(session, actor)
