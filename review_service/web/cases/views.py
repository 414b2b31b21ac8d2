"""Pages of cases: the to-do list (待办), the case list, the case page (draft, rounds, timeline)."""

from __future__ import annotations

import io
import logging
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, render_template, request, send_file
from sqlalchemy import select

from review_service.case_view.todo import open_tasks
from review_service.cases.models import DECISION_TYPES, STATUS_LABELS, Case, Material
from review_service.cases.queries import MAX_ID, visible_case
from review_service.core.clock import as_utc
from review_service.core.dates import bounded_date_problem
from review_service.core.errors import NotFound
from review_service.edge import runtime
from review_service.web.cases.forms import CaseFilterForm
from review_service.web.cases.page import ALL_TASK_LABELS, LABELS, render_case
from review_service.web.edge import options, reading
from review_service.web.reads import (
    CaseFilters,
    scope_agencies,
    search_cases,
)
from review_service.web.session import CASE_ACTORS, CASE_READERS, allow
from review_service.web.task_links import task_link

bp = Blueprint("cases", __name__)
log = logging.getLogger(__name__)

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
