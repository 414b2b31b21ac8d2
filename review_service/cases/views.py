"""Pages of cases: the to-do list (待办), the case list, the case page (draft, rounds, timeline)."""

from __future__ import annotations

import io
import logging
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, current_app, render_template, request, send_file
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.case_view.todo import open_tasks
from review_service.case_view.view import case_view
from review_service.cases.flow import PROCESS_ID, TASK_LABELS, registry, task_role
from review_service.cases.forms import CaseFilterForm
from review_service.cases.models import DECISION_TYPES, STATUS_LABELS, Case, Material
from review_service.cases.ownership import acts_as_handler
from review_service.cases.queries import MAX_ID, visible_case
from review_service.catalog.schema import CATEGORY_LABELS
from review_service.coordination.models import OUTCOME_LABELS
from review_service.coordination.views import discussion_panel  # art. 57 (行政处罚法): the coordination pages' panel
from review_service.core.actions import Action
from review_service.core.clock import as_utc
from review_service.core.dates import bounded_date_problem
from review_service.core.errors import NotFound
from review_service.edge import runtime
from review_service.organization.models import ROLE_LABELS, User
from review_service.organization.settings import MATERIAL_KIND_LABELS
from review_service.review.models import CONCLUSION_LABELS
from review_service.review.points import FINDING_LABELS, TEN_POINTS
from review_service.web.actions import task_link
from review_service.web.diagram import process_position, render_case_diagram
from review_service.web.edge import options, reading
from review_service.web.reads import (
    CaseFilters,
    classification_details,
    draft_diff,
    draft_versions,
    review_staffing,
    scope_agencies,
    search_cases,
    timeline,
)
from review_service.web.session import CASE_ACTORS, CASE_READERS, allow
from review_service.web.side_actions import offered

bp = Blueprint("cases", __name__, template_folder="templates")
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


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"labels": LABELS, "task_link": task_link}


@bp.route("/todo")
@allow(*CASE_ACTORS)
def todo() -> Any:
    """待办: the user's open tasks across cases, newest first, optionally of one kind."""
    kind = request.args.get("kind", "")
    with reading() as (session, actor):
        tasks = open_tasks(session, actor)
        kinds = sorted({task["kind"] for task in tasks}, key=lambda k: (k not in ALL_TASK_LABELS, k))
        ids = [int(task["case_id"]) for task in tasks]
        updated = dict(session.execute(select(Case.id, Case.updated_at).where(Case.id.in_(ids))).tuples().all())
        oldest = datetime.min.replace(tzinfo=UTC)
        tasks.sort(key=lambda task: (as_utc(updated.get(int(task["case_id"])) or oldest), int(task["case_id"])),
                   reverse=True)
        if kind:
            tasks = [task for task in tasks if task["kind"] == kind]
        return render_template("cases/todo.html", tasks=tasks, kinds=kinds, kind=kind)


def _filters(form: CaseFilterForm) -> tuple[CaseFilters, dict[str, str]]:
    errors: dict[str, str] = {}
    filters = CaseFilters(q=(form.q.data or "").strip()[:100], status=form.status.data or "",
                          decision_type=form.decision_type.data or "", major=form.major.data or "")
    if filters.status not in STATUS_LABELS:
        filters.status = ""
    if filters.decision_type not in DECISION_TYPES:
        filters.decision_type = ""
    agency = form.agency.data or ""
    if agency.isdigit() and len(agency) < 10:
        filters.agency = int(agency)
    for name in ("date_from", "date_to"):
        raw = (getattr(form, name).data or "").strip()
        if raw:
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                errors[name] = "应为日期（YYYY-MM-DD）"
                continue
            problem = bounded_date_problem(day)  # core.dates: 9999-12-31 + 1 day would overflow the query
            if problem:
                errors[name] = problem
            else:
                setattr(filters, name, day)
    page = request.args.get("page", "1")
    filters.page = int(page) if page.isdigit() and 0 < len(page) < 6 and int(page) > 0 else 1
    return filters, errors


@bp.route("/cases")
@allow(*CASE_READERS)
def case_list() -> Any:
    """Cases in the user's scope, with search and filters, paginated."""
    form = CaseFilterForm(request.args)
    with reading() as (session, actor):
        agencies = scope_agencies(session, actor)
        form.agency.choices = options([("", "全部"), *((str(a.id), a.name) for a in agencies)])
        filters, errors = _filters(form)
        result = search_cases(session, actor, filters)
        query = {key: value for key, value in request.args.items() if key != "page" and value}
        return render_template("cases/list.html", form=form, result=result, errors=errors, query=query)


def _diagram(session: Session, case_row: Case, events: list[dict[str, Any]]) -> Markup:
    """The process diagram at the case's position (its waiting task, or the end event it reached)."""
    current = process_position(case_row.current_task, case_row.status)
    completed = {STEP_OF_ACTION[e["action"]] for e in events if e["action"] in STEP_OF_ACTION}
    try:  # the runtime's current process file, as the case's actions run it
        return render_case_diagram(current, completed, source=registry(session).definition(PROCESS_ID).source)
    except Exception:  # a drawing problem must never take the case page down
        log.exception("process diagram failed")
        return Markup('<p class="muted">流程图暂不可用。</p>')


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
    return {"case": case, "versions": versions, "diff": diff, "a": a, "b": b, "events": events,
            "sees_audit": sees_audit, "classification": classification_details(session, case_row),
            "staffing": review_staffing(session, case_row.id), "replies_by_round": replies_by_round,
            "task": task, "can_act": can_act,
            "can_edit": own and case_row.current_task in ("draft", "supplement", "resubmit"),
            "can_revoke": case_row.status == "decided" and case_row.agency_id == actor.agency_id
            and (own or actor.has_role("head")),
            "can_extend": case_row.current_task == "review" and case_row.agency_id == actor.agency_id
            and actor.has_role("review_lead"),
            "can_account": "accountability.show" in current_app.view_functions and case_row.status == "decided"
            and bool(actor.roles & {"auditor", "head"}),
            "diagram": _diagram(session, case_row, events), **offered(session, actor, case),
            "discussion": _discussion_panel(session, actor, case_row)}


def _discussion_panel(session: Session, actor: User, case_row: Any) -> dict[str, Any] | None:
    return discussion_panel(session, actor, case_row)


def render_case(case_id: int, *, conflict: str | None = None, status: int = 200) -> Any:
    with reading() as (session, actor):
        return render_template("cases/case.html", conflict=conflict, **case_context(session, actor, case_id)), status


@bp.route("/cases/<int:case_id>/materials/<int:material_id>")
@allow(*CASE_READERS)
def material(case_id: int, material_id: int) -> Any:
    """Download a material as stored (by its SHA-256); always as an attachment, never shown inline."""
    with reading() as (session, actor):
        case_row = visible_case(session, actor, case_id)
        row = session.get(Material, material_id) if material_id <= MAX_ID else None
        if row is None or row.case_id != case_row.id:
            raise NotFound("材料不存在。")
        filename, digest = row.filename, row.sha256
    try:
        data = runtime().blobs.get(digest)
    except FileNotFoundError:
        raise NotFound("材料文件不在本机的存储中，请联系系统管理员。") from None
    response = send_file(io.BytesIO(data), mimetype="application/octet-stream",
                         as_attachment=True, download_name=filename)
    response.headers["X-Content-SHA256"] = digest
    return response


@bp.route("/cases/<int:case_id>")
@allow(*CASE_READERS)
def case(case_id: int) -> Any:
    """The case page: draft and diff, classification, materials, every round, decision, timeline."""
    return render_case(case_id)
