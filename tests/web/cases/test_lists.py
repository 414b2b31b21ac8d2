"""待办 and the case list: 案号 / 收到时间 / 期限 columns, sorting, search, the quick filters (逾期, 我经办的,
本轮待我处理), 即将到期 by the agency's window, 剩余 N 个工作日, and the XLSX exports of both lists."""

from __future__ import annotations

import html as htmllib
import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select, update

from review_service.deadlines.models import Deadline
from review_service.organization.models import Agency
from tests.fixtures.indicators import beijing
from tests.fixtures.world import AGENCY, MAJOR_DRAFT

ROW = re.compile(r'<tr class="([^"]*)">(.*?)</tr>', re.S)
TAG = re.compile(r"<[^>]+>")
NUMBERS = {"甲": "西市监处〔2026〕301号", "乙": "西市监处〔2026〕302号", "丙": "西市监处〔2026〕303号"}
#: Seen on Monday 2026-12-07: 甲 was due Friday (overdue), 乙 tomorrow (即将到期), 丙 on Friday (4 days left).
DUE = {"甲": date(2026, 12, 4), "乙": date(2026, 12, 8), "丙": date(2026, 12, 11)}


def _text(fragment: str) -> str:
    return " ".join(htmllib.unescape(TAG.sub(" ", fragment)).split())


def rows(page: str) -> list[tuple[str, str]]:
    """The body rows of the page's list: (class, visible text)."""
    return [(cls, _text(body)) for cls, body in ROW.findall(page)]


def visible(page: str) -> str:
    main = page.split('<main', 1)[1].split("</main>", 1)[0]
    return _text(re.sub(r'(?s)<(script|style)[^>]*>.*?</\1>', " ", main))


@pytest.fixture
def monday() -> Iterator[None]:
    with beijing("2026-12-07 09:00"):
        yield


@pytest.fixture
def three(web_world: Any, monday: None) -> dict[str, int]:
    """Three cases waiting for the reviewer's opinion, with due days around Monday 2026-12-07."""
    ids = {}
    for name, number in NUMBERS.items():
        ids[name] = web_world.in_review({**MAJOR_DRAFT, "title": f"{name}公司销售不合格产品案", "case_number": number,
                                         "filed_on": "2026-11-20"})
    with web_world.uow() as session:
        for name, case_id in ids.items():
            session.execute(update(Deadline).where(Deadline.case_id == case_id, Deadline.state == "open")
                            .values(start_on=date(2026, 11, 27), due_on=DUE[name]))
    return ids


def _order(page: str) -> list[str]:
    return [name for _, text in rows(page) for name in NUMBERS if NUMBERS[name] in text]


def test_todo_shows_number_received_and_how_close_each_task_is(as_user: Any, three: dict[str, int]) -> None:
    page = as_user("reviewer").text("/todo")
    by_name = {name: (cls, text) for cls, text in rows(page) for name in NUMBERS if NUMBERS[name] in text}
    assert set(by_name) == set(NUMBERS)
    for name in NUMBERS:
        assert re.search(r"2026年12月7日 \d{2}:\d{2}", by_name[name][1]), by_name[name]  # 收到时间
    assert by_name["甲"][0] == "overdue" and "2026年12月4日" in by_name["甲"][1]
    assert "已逾期" in by_name["甲"][1] and "已逾期 1 个工作日" in by_name["甲"][1]
    assert by_name["乙"][0] == "due_soon" and "即将到期" in by_name["乙"][1] and "剩余 1 个工作日" in by_name["乙"][1]
    assert by_name["丙"][0] == "on_track" and "剩余 4 个工作日" in by_name["丙"][1]
    assert "即将到期" not in by_name["丙"][1]
    text = visible(page)
    assert "案号" in text and "收到时间" in text and "导出 XLSX" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), "an ISO date in the visible text"


def test_the_due_soon_window_is_the_agencys_setting(as_user: Any, web_world: Any, three: dict[str, int]) -> None:
    with web_world.uow() as session:
        agency = session.scalar(select(Agency).where(Agency.name == AGENCY))
        agency.settings = {**(agency.settings or {}), "due_soon_working_days": 4}
    page = as_user("reviewer").text("/todo")
    classes = {name: cls for cls, text in rows(page) for name in NUMBERS if NUMBERS[name] in text}
    assert classes == {"甲": "overdue", "乙": "due_soon", "丙": "due_soon"}


def test_todo_sorts_by_number_received_and_due(as_user: Any, three: dict[str, int]) -> None:
    reviewer = as_user("reviewer")
    assert _order(reviewer.text("/todo?sort=number")) == ["甲", "乙", "丙"]
    assert _order(reviewer.text("/todo?sort=number&order=desc")) == ["丙", "乙", "甲"]
    assert _order(reviewer.text("/todo?sort=due&order=desc")) == ["丙", "乙", "甲"]
    assert _order(reviewer.text("/todo?sort=received")) == ["丙", "乙", "甲"]  # the newest first
    assert _order(reviewer.text("/todo?sort=received&order=asc")) == ["甲", "乙", "丙"]
    sorted_page = reviewer.text("/todo?sort=due")
    assert _order(sorted_page) == ["甲", "乙", "丙"]
    assert 'aria-sort="ascending"' in sorted_page and "sort=due&amp;order=desc" in sorted_page  # click again: reverse
    assert _order(reviewer.text("/todo?sort=nonsense&order=sideways")) == ["丙", "乙", "甲"]  # the default order


def test_todo_search_and_quick_filters(as_user: Any, web_world: Any, three: dict[str, int]) -> None:
    reviewer = as_user("reviewer")
    assert _order(reviewer.text("/todo?q=302")) == ["乙"]
    assert _order(reviewer.text("/todo?q=丙公司")) == ["丙"]
    assert _order(reviewer.text("/todo?overdue=1")) == ["甲"]
    assert "没有符合条件的待办任务" in reviewer.text("/todo?q=不存在的案件")
    assert sorted(_order(reviewer.text("/todo?mine=1&waiting=1"))) == ["丙", "乙", "甲"]  # the reviewer's own
    assert 'name="overdue" value="1" checked' in reviewer.text("/todo?overdue=1")
    # the review lead's 分配 of a new submission is the pool's task: neither handled by them nor named for them
    submitted = web_world.submitted({**MAJOR_DRAFT, "title": "丁公司案", "case_number": "西市监处〔2026〕304号"})
    lead = as_user("lead")
    assert f"/cases/{submitted}/" in lead.text("/todo")
    assert "丁公司案" not in lead.text("/todo?mine=1") and "丁公司案" not in lead.text("/todo?waiting=1")
    assert "丁公司案" in lead.text("/todo?kind=assign&q=丁")  # the old kind filter still works, with search


def test_case_list_sorts_filters_and_shows_deadlines(as_user: Any, web_world: Any, three: dict[str, int]) -> None:
    handler = as_user("handler")
    page = handler.text("/cases?sort=number")
    assert _order(page) == ["甲", "乙", "丙"]
    assert _order(handler.text("/cases?sort=number&order=desc")) == ["丙", "乙", "甲"]
    assert _order(handler.text("/cases?sort=due")) == ["甲", "乙", "丙"]
    by_name = {name: (cls, text) for cls, text in rows(page) for name in NUMBERS if NUMBERS[name] in text}
    assert by_name["乙"][0] == "due_soon" and "即将到期" in by_name["乙"][1] and "法制审核期限" in by_name["乙"][1]
    assert re.search(r"2026年12月7日 \d{2}:\d{2}", by_name["甲"][1])  # received: the first submission
    assert not re.search(r"\d{4}-\d{2}-\d{2}", visible(page))
    assert _order(handler.text("/cases?overdue=1")) == ["甲"]
    assert _order(handler.text("/cases?mine=1&q=乙")) == ["乙"]
    assert _order(handler.text("/cases?waiting=1")) == []  # the cases wait for the reviewer, not the handler
    assert sorted(_order(as_user("reviewer").text("/cases?waiting=1"))) == ["丙", "乙", "甲"]
    assert _order(as_user("handler2").text("/cases?mine=1")) == []  # nothing handled by handler2
    # the old filters and a bad date keep working beside the new tools
    assert _order(handler.text("/cases?status=in_review&sort=number&overdue=1")) == ["甲"]
    bad = handler.text("/cases?date_from=not-a-date&sort=due")
    assert "应为日期" in bad and _order(bad) == ["甲", "乙", "丙"]


def test_case_list_pages_keep_the_sort(as_user: Any, web_world: Any, three: dict[str, int]) -> None:
    for index in range(20):
        web_world.new_case({**MAJOR_DRAFT, "title": f"草稿案{index}",
                            "case_number": f"西市监处〔2026〕{500 + index}号"})
    page = as_user("handler").text("/cases?sort=number&overdue=")
    assert "第 1 / 2 页" in page and "page=2" in page
    next_link = re.search(r'href="([^"]*page=2[^"]*)"', page)
    assert next_link and "sort=number" in next_link.group(1)


def _sheet(response: Any) -> list[list[Any]]:
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    return [[cell.value for cell in row] for row in book.active.iter_rows()]


def test_todo_export_has_the_pages_rows(as_user: Any, three: dict[str, int]) -> None:
    reviewer = as_user("reviewer")
    every = _sheet(reviewer.get("/todo/export.xlsx?sort=number"))
    assert every[1] == ["案号", "案件名称", "任务", "状态", "收到时间", "办理期限", "期限情况"]
    assert [row[0] for row in every[2:]] == list(NUMBERS.values())
    first = every[2]
    assert first[2] == "法制审核" and first[3] == "法制审核中"  # labels in Chinese, not kind or status codes
    assert isinstance(first[4], datetime) and first[5] == datetime(2026, 12, 4)
    assert first[6] == "已逾期 1 个工作日"
    overdue = _sheet(reviewer.get("/todo/export.xlsx?overdue=1"))
    assert [row[0] for row in overdue[2:]] == [NUMBERS["甲"]]
    assert "reviewer的待办事项（1 项）" in overdue[0][0]


def test_case_list_export_follows_filters_and_scope(as_user: Any, web_world: Any, three: dict[str, int]) -> None:
    handler = as_user("handler")
    rows_ = _sheet(handler.get("/cases/export.xlsx?q=乙"))
    assert rows_[1][:3] == ["案号", "案件名称", "机关"]
    assert [row[0] for row in rows_[2:]] == [NUMBERS["乙"]]
    assert rows_[2][2] == AGENCY and rows_[2][10] == "剩余 1 个工作日"
    all_rows = _sheet(handler.get("/cases/export.xlsx?sort=number"))
    assert [row[0] for row in all_rows[2:]] == list(NUMBERS.values())  # every page, in the page's order
    outsider = _sheet(as_user("child_handler").get("/cases/export.xlsx"))  # a lower agency sees none of these
    assert not any(row[0] in NUMBERS.values() for row in outsider[2:])
    assert as_user("admin").get("/cases/export.xlsx").status_code == 403
    assert as_user("auditor").get("/todo/export.xlsx").status_code == 403
