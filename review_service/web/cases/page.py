"""The case page: what it shows (:func:`case_context`) and its rendering, also after a conflict (409)."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.assist.panel import legal_basis_checked
from review_service.assist.pushes import decision_day
from review_service.calendar.queries import calendar_from_db
from review_service.case_view.view import case_view
from review_service.cases.flow import PROCESS_ID, TASK_LABELS, registry, task_role
from review_service.cases.models import DECISION_TYPES, STATUS_LABELS, Case
from review_service.cases.ownership import acts_as_handler
from review_service.cases.queries import visible_case
from review_service.catalog.schema import CATEGORY_LABELS
from review_service.coordination.models import OUTCOME_LABELS
from review_service.core.actions import Action
from review_service.deadlines.clock_queries import clocks_view
from review_service.deadlines.queries import case_deadlines
from review_service.deadlines.review_period import task_due
from review_service.documents.queries import documents_for_case
from review_service.organization.models import ROLE_LABELS, User
from review_service.organization.settings import MATERIAL_KIND_LABELS
from review_service.review.models import CONCLUSION_LABELS
from review_service.review.points import FINDING_LABELS, TEN_POINTS
from review_service.web.cases.aftermath import case_aftermath
from review_service.web.cases.deadline_panel import deadline_rows, limit_text, task_glance
from review_service.web.cases.steps import step_bar
from review_service.web.cases.wording import cn_date, cn_datetime
from review_service.web.coordination.panel import discussion_panel  # art. 57 (行政处罚法)
from review_service.web.diagram import process_position, render_case_diagram
from review_service.web.edge import reading
from review_service.web.offers import may_register_revocation, offered
from review_service.web.reads import (
    classification_details,
    draft_diff,
    draft_versions,
    review_staffing,
    timeline,
)
from review_service.workflow.models import ProcessDefinitionRow
from review_service.workflow.versions import definition_signals, definition_source

log = logging.getLogger(__name__)

# The audit actions that mark a process step as done (for the diagram's shading).
STEP_OF_ACTION: dict[str, str] = {
    Action.CASE_SUBMITTED: "draft",
    Action.SUBMISSION_SIGNED_OFF: "signoff",
    Action.REVIEWER_ASSIGNED: "assign",
    Action.INTAKE_RECORDED: "intake",
    Action.MATERIALS_SUPPLEMENTED: "supplement",
    Action.OPINION_SUBMITTED: "review",
    Action.REPLY_SUBMITTED: "reply",
    Action.CASE_RESUBMITTED: "resubmit",
    Action.CASE_COORDINATED: "coordinate",
    Action.DECISION_MADE: "approve",
}
# tasks other modules add to the process (publicity of decisions) are named here too
ALL_TASK_LABELS = {**TASK_LABELS, "publish": "公开决定", "withdraw": "撤回公开", "reassign": "重新分配审核人员"}
LABELS = {"status": STATUS_LABELS, "task": ALL_TASK_LABELS, "decision_type": DECISION_TYPES, "points": TEN_POINTS,
          "finding": FINDING_LABELS, "conclusion": CONCLUSION_LABELS, "outcome": OUTCOME_LABELS,
          "category": CATEGORY_LABELS, "material": MATERIAL_KIND_LABELS, "role": ROLE_LABELS,
          "reply_action": {"accepted": "采纳", "disputed": "有异议"}}


def _diagram(session: Session, case_row: Case, events: list[dict[str, Any]]) -> Markup:
    """The process diagram at the case's position (its waiting task, or the end event it reached)."""
    current = process_position(case_row.current_task, case_row.status)
    completed = {STEP_OF_ACTION[e["action"]] for e in events if e["action"] in STEP_OF_ACTION}
    try:  # the case's own process definition (issue 21: a case keeps the file it started on)
        source = definition_source(session, registry(session), case_row.workflow_instance.definition_sha256)
        return render_case_diagram(current, completed, source=source)
    except Exception:  # a drawing problem must never take the case page down
        log.exception("process diagram failed")
        return Markup('<p class="muted">流程图暂不可用。</p>')


def _process_version(session: Session, case_row: Case) -> dict[str, Any]:
    """The case's process definition: when it was stored, and whether it is the file new cases start on."""
    sha = case_row.workflow_instance.definition_sha256
    stored = session.scalar(select(ProcessDefinitionRow.created_at).where(ProcessDefinitionRow.sha256 == sha))
    return {"sha256": sha, "stored_at": cn_datetime(stored) if stored else "",
            "current": registry(session).definition(PROCESS_ID).sha256 == sha,
            "signals": definition_signals(session, registry(session), sha)}


def _version_number(name: str, versions: list[Any], default: int | None) -> int | None:
    raw = request.args.get(name, "")
    numbers = {v.version for v in versions}
    if raw.isdigit() and len(raw) < 8 and int(raw) in numbers:
        return int(raw)
    return default


def case_context(session: Session, actor: User, case_id: int) -> dict[str, Any]:
    """Everything the case page shows, read in one snapshot."""
    case_row = visible_case(session, actor, case_id)
    case = case_view(session, case_row)
    versions = draft_versions(session, case_row.id)
    latest = versions[-1].version if versions else None
    a = _version_number("a", versions, latest - 1 if latest and latest > 1 else latest)
    b = _version_number("b", versions, latest)
    by_number = {v.version: v for v in versions}
    diff = draft_diff(by_number[a], by_number[b]) if a and b and a != b else []
    sees_audit = bool(actor.roles - {"admin"})  # the admin never reads the audit trail (三权分立)
    events = timeline(session, case_row.id) if sees_audit else []
    replies_by_round: dict[int, list[dict[str, Any]]] = {}
    for reply in case["replies"]:
        replies_by_round.setdefault(reply["round"], []).append(reply)
    task = case["tasks"][0] if case["tasks"] else None
    own = acts_as_handler(actor, case_row)  # a handler task is the assignee's (cases/ownership.py)
    role = (task_role(session, task["kind"]) or "-") if task else "-"
    can_act = (bool(task) and case_row.agency_id == actor.agency_id and actor.has_role(role)
               and (role != "handler" or own))
    after = case_aftermath(session, case_row.id)
    calendar = calendar_from_db(session)
    return {"case": case, "versions": versions, "diff": diff, "a": a, "b": b, "events": events,
            "sees_audit": sees_audit, "classification": classification_details(session, case_row),
            "staffing": review_staffing(session, case_row.id), "replies_by_round": replies_by_round,
            "task": task, "can_act": can_act,
            "can_edit": own and case_row.current_task in ("draft", "supplement", "resubmit"),
            "can_revoke": may_register_revocation(actor, case, own=own, revoked=after.revoked),
            "can_account": "accountability.show" in current_app.view_functions and case_row.status == "decided"
            and bool(actor.roles & {"auditor", "head"}),
            "diagram": _diagram(session, case_row, events), **offered(session, actor, case),
            "process_version": _process_version(session, case_row),
            "discussion": _discussion_panel(session, actor, case_row),
            "after": after, "steps": step_bar(case, ALL_TASK_LABELS, published=after.published, revoked=after.revoked),
            "legal_basis": legal_basis_checked(session, case["draft"] or {}, decision_day(case)),
            "documents": documents_for_case(session, case_row.id, url_for=lambda d: url_for(
                "documents.download", case_id=d.case_id, document_id=d.id)),
            **_clock_parts(session, case_row, case, calendar),
            "task_glance": task_glance(case_row, task, calendar), "cn_date": cn_date, "cn_datetime": cn_datetime,
            "split_numbers": _split_numbers(session, case_row, case)}


def _clock_parts(session: Session, case_row: Case, case: dict[str, Any], calendar: Any) -> dict[str, Any]:
    """The deadlines panel, the dated pauses and periods, and the art. 60 flag of the step bar (issue 19)."""
    deadlines = case_deadlines(session, case_row.id)
    clocks = clocks_view(session, case_row)
    review = next((d for d in deadlines if d.kind == "review" and d.state == "open"), None)
    sub = task_due(session, case_row, case_row.current_task or "", review, calendar)
    limit = clocks["decision_limit"]
    decided = bool((case.get("decision") or {}).get("decided_at")) or case_row.status in ("closed", "transferred")
    return {"deadline_rows": deadline_rows(case_row, case, deadlines, calendar, clocks=clocks, sub_deadline=sub),
            "clocks": clocks, "limit_flag": None if limit is None or decided else limit_text(limit)}


def _split_numbers(session: Session, case_row: Case, case: dict[str, Any]) -> dict[str, str]:
    """The 案号 of each case flagged as a possible split of this one (the same agency's: a split is one)."""
    ids = [int(flag["case_id"]) for flag in (case.get("gate") or {}).get("possible_splits", [])]
    if not ids:
        return {}
    rows = session.execute(select(Case.id, Case.case_number, Case.title)
                           .where(Case.id.in_(ids), Case.agency_id == case_row.agency_id)).tuples()
    return {str(case_id): number or title for case_id, number, title in rows}


def _discussion_panel(session: Session, actor: User, case_row: Any) -> dict[str, Any] | None:
    return discussion_panel(session, actor, case_row)


def render_case(case_id: int, *, conflict: str | None = None, status: int = 200) -> Any:
    with reading() as (session, actor):
        return render_template("cases/case.html", conflict=conflict, **case_context(session, actor, case_id)), status
