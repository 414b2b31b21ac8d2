"""待办 as the page shows it: each task with its 案号, when it arrived (收到时间), its due date and how
close that is (即将到期 / 剩余 N 个工作日), on top of :func:`~.todo.open_tasks` (whose shape the API keeps).

A task "arrives" with the audited action that handed the case to it (a submission, an assignment, an
opinion …): the latest such action of the case, so a material uploaded meanwhile does not move it.
The art. 60 limit (行政处罚法: decide within 90 days of filing) is the due date of the steps left before
a penalty decision that have no deadline of their own (协调, 审批).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review_service.audit.models import AuditEvent
from review_service.calendar.queries import calendar_from_db
from review_service.case_view.todo import open_tasks
from review_service.cases.models import Case
from review_service.core.actions import Action
from review_service.core.clock import beijing_today
from review_service.deadlines.glance import DeadlineGlance, deadline_state, remaining_text
from review_service.deadlines.plan import decision_limit
from review_service.organization.models import Agency, User
from review_service.organization.settings import agency_settings

#: Actions that hand a case to its next task (what "收到" means for the task now waiting).
HANDOVERS = (Action.CASE_CREATED, Action.CASE_SUBMITTED, Action.SUBMISSION_SIGNED_OFF, Action.SUBMISSION_SENT_BACK,
             Action.REVIEWER_ASSIGNED, Action.REVIEWER_REASSIGNED, Action.RECUSAL_DECLARED, Action.INTAKE_RECORDED,
             Action.MATERIALS_SUPPLEMENTED, Action.OPINION_SUBMITTED, Action.REPLY_SUBMITTED,
             Action.CASE_RESUBMITTED, Action.CASE_COORDINATED, Action.CASE_RETURNED, Action.DECISION_MADE,
             Action.DECISION_REVOKED, Action.CASE_REASSIGNED, Action.CASE_RESUMED, Action.TERMINATION_REQUESTED,
             Action.WORKFLOW_CONTINUED, Action.DOWNGRADE_REQUESTED, Action.REVIEW_MATERIALS_REQUESTED)
#: Task kinds that arrive with one particular action rather than the case's latest handover.
ARRIVES_WITH = {"downgrade": Action.DOWNGRADE_REQUESTED, "publish": Action.DECISION_MADE,
                "withdraw": Action.DECISION_REVOKED, "materials_request": Action.REVIEW_MATERIALS_REQUESTED}
#: Steps before a decision with no deadline of their own: the art. 60 limit is theirs.
BEFORE_DECISION = frozenset({"coordinate", "approve"})
#: Tasks a named person holds (本轮待我处理): the case's handler's, or its reviewer's.
HANDLER_KINDS = frozenset({"draft", "supplement", "reply", "resubmit", "publish", "withdraw", "materials_request"})
REVIEWER_KINDS = frozenset({"intake", "review"})


def _arrivals(session: Session, case_ids: list[int]) -> dict[tuple[int, str], datetime]:
    """The latest time of each handover action of these cases, by ``(case_id, action)``."""
    if not case_ids:
        return {}
    stmt = (select(AuditEvent.case_id, AuditEvent.action, func.max(AuditEvent.at))
            .where(AuditEvent.case_id.in_(case_ids), AuditEvent.action.in_([a.value for a in HANDOVERS]))
            .group_by(AuditEvent.case_id, AuditEvent.action))
    return {(int(case_id), str(action)): at for case_id, action, at in session.execute(stmt)}


def _received(arrivals: dict[tuple[int, str], datetime], case_id: int, kind: str) -> datetime | None:
    special = ARRIVES_WITH.get(kind)
    if special is not None and (case_id, special.value) in arrivals:
        return arrivals[(case_id, special.value)]
    times = [at for (cid, action), at in arrivals.items()
             if cid == case_id and action != Action.DOWNGRADE_REQUESTED.value]
    return max(times, default=None)


def acted_on(session: Session, actor: User, case_ids: list[int]) -> set[int]:
    """The cases among ``case_ids`` on which ``actor`` performed an audited action (我经办的)."""
    if not case_ids:
        return set()
    stmt = select(AuditEvent.case_id).where(AuditEvent.case_id.in_(case_ids),
                                            AuditEvent.actor_id == actor.id).distinct()
    return {case_id for case_id in session.scalars(stmt) if case_id is not None}


def todo_list(session: Session, actor: User, tasks: list[dict[str, Any]] | None = None, *,
              today: date | None = None) -> list[dict[str, Any]]:
    """The actor's open tasks (``tasks``, by default :func:`open_tasks`) with what the 待办 page shows.

    Adds ``case_number``, ``received_at`` (aware UTC or None), ``due_date`` from the art. 60 limit where the
    task has no deadline of its own (``due_basis``: ``deadline`` / ``decision_limit``), ``glance``
    (overdue / due_soon / on_track, or None without a due date), ``days_left``, ``remaining`` (Chinese),
    ``mine`` (the actor handles or handled the case) and ``named`` (the task is the actor's own, not a pool's).
    """
    today = today or beijing_today()
    tasks = open_tasks(session, actor) if tasks is None else tasks
    ids = sorted({int(task["case_id"]) for task in tasks})
    rows = {row.id: row for row in session.execute(
        select(Case.id, Case.case_number, Case.filed_on, Case.decision_type, Case.handler_id, Case.reviewer_id,
               Case.updated_at).where(Case.id.in_(ids)))} if ids else {}
    arrivals = _arrivals(session, ids)
    acted = acted_on(session, actor, ids)
    agency = session.get(Agency, actor.agency_id)
    settings = agency_settings(agency) if agency is not None else None
    threshold = settings.due_soon_working_days if settings is not None else 1
    calendar = calendar_from_db(session)
    for task in tasks:
        case_id = int(task["case_id"])
        row = rows.get(case_id)
        task["case_number"] = row.case_number if row is not None else None
        task["updated_at"] = row.updated_at if row is not None else None
        task["received_at"] = _received(arrivals, case_id, task["kind"])
        task["due_basis"] = "deadline" if task.get("due_date") else None
        if not task.get("due_date") and row is not None and settings is not None and task["kind"] in BEFORE_DECISION:
            limit = decision_limit(row.filed_on, row.decision_type, settings)
            if limit is not None:
                task.update(due_date=limit.isoformat(), overdue=today > limit, due_basis="decision_limit")
        task["glance"], task["days_left"], task["remaining"] = None, None, ""
        if task.get("due_date") and not task.get("suspended"):  # a suspended case's count has stopped
            glance, left = deadline_state(date.fromisoformat(task["due_date"]), today, threshold, calendar=calendar)
            if task.get("overdue") and glance is not DeadlineGlance.OVERDUE:
                glance = DeadlineGlance.OVERDUE  # paused past its due day (deadlines.queries.is_overdue)
            task["glance"], task["days_left"], task["remaining"] = glance.value, left, remaining_text(glance, left)
        handler_id = row.handler_id if row is not None else None
        reviewer_id = row.reviewer_id if row is not None else None
        task["mine"] = case_id in acted or actor.id in (handler_id, reviewer_id)
        task["named"] = ((task["kind"] in HANDLER_KINDS and handler_id == actor.id)
                         or (task["kind"] in REVIEWER_KINDS and reviewer_id == actor.id))
    return tasks
