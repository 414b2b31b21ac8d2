"""The two lists as spreadsheets (openpyxl): 待办 and the case list, as the page shows them (its filters).

Times are real spreadsheet dates in Beijing wall time (sortable, formatted 2026年12月7日 14:05), labels in
Chinese: a sheet a clerk can hand on as is.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from review_service.core.clock import beijing_today
from review_service.core.dates import chinese_date
from review_service.web.cases.listing import beijing_naive

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DAY_FORMAT = 'yyyy"年"m"月"d"日"'
MINUTE_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'
#: At most this many cases in one export (the list's filters narrow it; the sheet says when it is cut).
EXPORT_LIMIT = 5000

TODO_HEADERS = ("案号", "案件名称", "任务", "状态", "收到时间", "办理期限", "期限情况")
CASE_HEADERS = ("案号", "案件名称", "机关", "决定类型", "是否重大", "状态", "当前环节", "审核轮次", "收到时间",
                "最近期限", "期限情况", "更新时间")
WIDTHS = {"案号": 24, "案件名称": 40, "机关": 28, "收到时间": 20, "更新时间": 20, "办理期限": 16, "最近期限": 16,
          "期限情况": 18}


def _sheet(title: str, caption: str, headers: Sequence[str]) -> tuple[Workbook, Worksheet]:
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook's one sheet
    sheet.title = title
    sheet.append([caption])
    sheet.append(list(headers))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(header, 12)
    sheet.freeze_panes = "A3"
    return book, sheet


def _append(sheet: Worksheet, values: Iterable[Any]) -> None:
    row: list[Any] = []
    formats: list[str | None] = []
    for value in values:
        if isinstance(value, datetime):
            row.append(beijing_naive(value))
            formats.append(MINUTE_FORMAT)
        elif isinstance(value, date):
            row.append(value)
            formats.append(DAY_FORMAT)
        else:
            row.append("" if value is None else value)
            formats.append(None)
    sheet.append(row)
    for cell, number_format in zip(sheet[sheet.max_row], formats, strict=True):
        if number_format:
            cell.number_format = number_format


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def todo_xlsx(tasks: list[dict[str, Any]], labels: dict[str, dict[str, str]], who: str) -> bytes:
    """``tasks`` as :func:`case_view.todo_glance.todo_list` gives them, in the page's order."""
    book, sheet = _sheet("待办", f"{who}的待办事项（{len(tasks)} 项），导出于{_today()}", TODO_HEADERS)
    for task in tasks:
        due = date.fromisoformat(task["due_date"]) if task.get("due_date") else None
        state = "已中止" if task.get("suspended") else task.get("remaining") or ""
        _append(sheet, (task.get("case_number") or "", task["title"], labels["task"].get(task["kind"], task["kind"]),
                        labels["status"].get(task["status"], task["status"]), task.get("received_at"), due, state))
    return _bytes(book)


def cases_xlsx(result: dict[str, Any], labels: dict[str, dict[str, str]], caption: str) -> bytes:
    """The case list ``result`` of :func:`web.reads.search_cases` (every matching case up to the limit)."""
    items = result["items"]
    note = f"，仅导出前 {len(items)} 件" if result["total"] > len(items) else ""
    book, sheet = _sheet("案件", f"{caption}（共 {result['total']} 件{note}），导出于{_today()}", CASE_HEADERS)
    for case in items:
        due = case.get("due")
        major = {True: "重大", False: "否"}.get(case["major"], "未认定")
        task = labels["task"].get(case["current_task"], "") if case["current_task"] else ""
        _append(sheet, (case["case_number"] or "", case["title"], case["agency"]["name"],
                        labels["decision_type"].get(case["decision_type"], case["decision_type"]), major,
                        labels["status"].get(case["status"], case["status"]), task, case["round"],
                        case.get("received_at"), due["date"] if due else None, due["remaining"] if due else "",
                        case.get("updated")))
    return _bytes(book)


def _today() -> str:
    return chinese_date(beijing_today())


def attachment(data: bytes, filename: str) -> Response:
    """An XLSX download named in Chinese (RFC 5987), never cached by a shared proxy."""
    response = Response(data, mimetype=XLSX_TYPE)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response.headers["Cache-Control"] = "private, no-store"
    return response


