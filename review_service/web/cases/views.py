"""Pages of cases: the to-do list (待办), the case list, the case page (draft, rounds, timeline)."""

from __future__ import annotations

import io
import logging
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, render_template, request, send_file
from sqlalchemy.orm import Session

from review_service.case_view.todo import open_tasks
from review_service.case_view.todo_glance import todo_list
from review_service.cases.models import DECISION_TYPES, STATUS_LABELS, Material
from review_service.cases.queries import MAX_ID, visible_case
from review_service.core.clock import as_utc, beijing_today
from review_service.core.dates import bounded_date_problem
from review_service.core.errors import NotFound
from review_service.edge import runtime
from review_service.organization.models import User
from review_service.web.cases.aftermath import revoked_case_ids
from review_service.web.cases.forms import CaseFilterForm
from review_service.web.cases.list_export import EXPORT_LIMIT, attachment, cases_xlsx, todo_xlsx
from review_service.web.cases.listing import (
    QUICK_FILTERS,
    QUICK_HINTS,
    SORTS,
    ListTools,
    list_tools,
    sort_args,
    sort_mark,
)
from review_service.web.cases.page import ALL_TASK_LABELS, LABELS, render_case
from review_service.web.cases.wording import cn_date, cn_datetime
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

# the gate's downgrade request (cases.downgrades) is a to-do item the process does not know as a task
# and so is the reviewer's request for materials during the review (review.materials_requests)
LIST_LABELS = {**LABELS, "task": {**LABELS["task"], "downgrade": "确认降级申请",
                                  "materials_request": "答复补充材料要求"}}


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"labels": LIST_LABELS, "task_link": task_link}


# the lists', the inbox's and the indicator page's dates, written as the case page writes them (wording.py)
bp.add_app_template_filter(cn_date, "cn_day")
bp.add_app_template_filter(cn_datetime, "cn_minute")


def _list_context(tools: ListTools) -> dict[str, Any]:
    """What both lists' templates need for the search box, the quick filters and the sortable headers."""
    query = {key: value for key, value in request.args.items() if key != "page" and value}
    return {"tools": tools, "query": query, "quick_names": QUICK_FILTERS, "quick_hints": QUICK_HINTS,
            "sorts": SORTS, "sort_args": lambda key: sort_args(query, tools, key),
            "sort_mark": lambda key: sort_mark(tools, key)}


def _todo_tasks(session: Session, actor: User, kind: str, tools: ListTools) -> tuple[list[dict[str, Any]], list[str]]:
    """The actor's tasks as 待办 shows them (filtered and sorted), and the task kinds they have at all."""
    tasks = todo_list(session, actor, open_tasks(session, actor))
    kinds = sorted({task["kind"] for task in tasks}, key=lambda k: (k not in ALL_TASK_LABELS, k))
    needle = tools.q.casefold()
    tasks = [task for task in tasks
             if (not kind or task["kind"] == kind)
             and (not needle or needle in task["title"].casefold() or needle in (task["case_number"] or "").casefold())
             and (not tools.overdue or task["overdue"]) and (not tools.mine or task["mine"])
             and (not tools.waiting or task["named"])]
    oldest = datetime.min.replace(tzinfo=UTC)
    if tools.sort == "number":
        present = [t for t in tasks if t["case_number"]]
        present.sort(key=lambda t: (t["case_number"], int(t["case_id"])), reverse=tools.descending)
        return present + [t for t in tasks if not t["case_number"]], kinds
    if tools.sort == "received":
        tasks.sort(key=lambda t: (as_utc(t["received_at"] or oldest), int(t["case_id"])), reverse=tools.descending)
        return tasks, kinds
    if tools.sort == "due":
        dated = [t for t in tasks if t["due_date"]]
        dated.sort(key=lambda t: (t["due_date"], int(t["case_id"])), reverse=tools.descending)
        return dated + [t for t in tasks if not t["due_date"]], kinds
    # the default: the case changed last first (as before the list tools)
    tasks.sort(key=lambda t: (as_utc(t["updated_at"] or oldest), int(t["case_id"])), reverse=True)
    return tasks, kinds


@bp.route("/todo")
@allow(*CASE_ACTORS)
def todo() -> Any:
    """待办: the user's open tasks across cases (by default the case changed last first), with search, the quick
    filters (逾期, 我经办的, 本轮待我处理), sortable 案号 / 收到时间 / 期限 and, on every task, how close it is due."""
    kind = request.args.get("kind", "")
    tools = list_tools(request.args)
    with reading() as (session, actor):
        tasks, kinds = _todo_tasks(session, actor, kind, tools)
    return render_template("cases/todo.html", tasks=tasks, kinds=kinds, kind=kind, **_list_context(tools))


@bp.route("/todo/export.xlsx")
@allow(*CASE_ACTORS)
def todo_export() -> Any:
    """待办 as a spreadsheet: the tasks the page shows with the same query (filters and order)."""
    kind = request.args.get("kind", "")
    tools = list_tools(request.args)
    with reading() as (session, actor):
        tasks, _ = _todo_tasks(session, actor, kind, tools)
        who = actor.name
    return attachment(todo_xlsx(tasks, LIST_LABELS, who), f"待办事项-{beijing_today():%Y%m%d}.xlsx")


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


def _case_search(session: Session, actor: User, form: CaseFilterForm,
                 tools: ListTools) -> tuple[CaseFilters, dict[str, str]]:
    """The case list's filters: the form's, then the list tools (sort, 逾期, 我经办的, 本轮待我处理)."""
    agencies = scope_agencies(session, actor)
    form.agency.choices = options([("", "全部"), *((str(a.id), a.name) for a in agencies)])
    filters, errors = _filters(form)
    filters.sort, filters.descending = tools.sort, tools.descending
    filters.overdue, filters.mine = tools.overdue, tools.mine
    if tools.waiting:  # the cases whose task now waits on the actor: exactly their 待办
        waiting = open_tasks(session, actor) if set(actor.roles) & set(CASE_ACTORS) else []
        filters.waiting_ids = sorted({int(task["case_id"]) for task in waiting})
    return filters, errors


@bp.route("/cases")
@allow(*CASE_READERS)
def case_list() -> Any:
    """Cases in the user's scope, with search, filters, the quick filters and sortable columns, paginated."""
    form = CaseFilterForm(request.args)
    tools = list_tools(request.args)
    with reading() as (session, actor):
        filters, errors = _case_search(session, actor, form, tools)
        result = search_cases(session, actor, filters)
        revoked = revoked_case_ids(session, [c["id"] for c in result["items"]])  # the 已撤销 badge (aftermath.py)
        return render_template("cases/list.html", form=form, result=result, errors=errors, revoked=revoked,
                               **_list_context(tools))


@bp.route("/cases/export.xlsx")
@allow(*CASE_READERS)
def case_list_export() -> Any:
    """The case list as a spreadsheet: every case the same query finds (all pages, up to the export limit)."""
    form = CaseFilterForm(request.args)
    tools = list_tools(request.args)
    with reading() as (session, actor):
        filters, _ = _case_search(session, actor, form, tools)
        filters.page, filters.page_size = 1, EXPORT_LIMIT
        result = search_cases(session, actor, filters)
        caption = f"{actor.name}可查阅的案件"
    return attachment(cases_xlsx(result, LIST_LABELS, caption), f"案件列表-{beijing_today():%Y%m%d}.xlsx")


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
