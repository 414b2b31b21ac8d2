"""The case as ``GET /api/v1/cases/{id}`` shows it (API.md), every write's answer and the case pages.

Read in one statement by :mod:`.read`; shaped here. Times are shown in Beijing time (``+08:00``), ids as
strings, money as decimal strings (the draft content already holds them so).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from review_service.calendar.queries import calendar_from_db
from review_service.case_view.read import POOLED_TASKS, CaseData, case_data, shows_declarations
from review_service.cases.downgrades import gate_view
from review_service.cases.models import Case
from review_service.cases.queries import HANDLER_TASKS, MAX_ID, NOT_FOUND_MESSAGE
from review_service.cases.suspension import suspension_view
from review_service.core.clock import beijing_today, iso
from review_service.core.errors import NotFound
from review_service.deadlines.models import DeadlineKind
from review_service.deadlines.queries import deadline_view, due_fields
from review_service.deadlines.review_period import task_due
from review_service.deadlines.todo_clocks import SUB_TASKS
from review_service.deadlines.tracking import open_deadlines
from review_service.organization.models import User
from review_service.organization.queries import visible_agencies
from review_service.review.recusal import declaration_view


def _tasks(data: CaseData, open_deadlines: dict[str, Any]) -> list[dict[str, Any]]:
    """The task the case waits on (``open_deadlines``: the case's open deadlines by kind)."""
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
    elif kind in POOLED_TASKS:
        candidates = data.candidates
        if kind in ("coordinate", "approve"):
            candidates = [uid for uid in candidates if uid not in (case.handler_id, case.reviewer_id)]
    deadline = open_deadlines.get(kind)
    return [{"id": case.current_task_id, "kind": kind,
             "assignee": people.get(assignee) if assignee is not None else None,
             "candidates": [str(uid) for uid in candidates], **due_fields(deadline), "suspended": case.suspended}]


def case_view(session: Session, case: Case) -> dict[str, Any]:
    """The case as ``GET /api/v1/cases/{id}`` shows it (API.md): one statement (:mod:`.read`)."""
    data = case_data(session, case.id)
    if data is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    return _with_sub_deadline(session, data, render_case_view(data))


def visible_case_view(session: Session, actor: User, case_id: int) -> dict[str, Any]:
    """:func:`case_view` of ``cases.queries.visible_case`` in one statement (``not_found`` alike out of scope)."""
    data = case_data(session, case_id) if 0 < case_id <= MAX_ID else None
    if data is None or data.case.agency_id not in visible_agencies(session, actor):
        raise NotFound(NOT_FOUND_MESSAGE)
    return _with_sub_deadline(session, data, render_case_view(data))


def _with_sub_deadline(session: Session, data: CaseData, view: dict[str, Any]) -> dict[str, Any]:
    """分配 / 受理审查 are timed inside the review period (issue 19): their due day on the task, as on 待办.

    Only a case waiting on one of them reads more (its review period, the assignment day, the calendar).
    """
    tasks = view["tasks"]
    if not tasks or tasks[0]["kind"] not in SUB_TASKS:
        return view
    review = next(iter(open_deadlines(session, data.case.id, frozenset({DeadlineKind.REVIEW}))), None)
    case = session.get(Case, data.case.id)
    sub = task_due(session, case, tasks[0]["kind"], review, calendar_from_db(session))
    if sub is not None and review is not None:
        stood_still = review.paused_on  # while the period stands still, late only if it was late when it stopped
        tasks[0].update(due_date=sub.due_on.isoformat(), provisional=sub.provisional,
                        overdue=(stood_still or beijing_today()) > sub.due_on)
    return view


def render_case_view(data: CaseData) -> dict[str, Any]:
    """The case JSON from what :mod:`.read` read: the case's state alone decides what it shows."""
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
