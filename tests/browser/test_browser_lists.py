"""待办, the case list, the reminder inbox and the indicator exports in a real browser, wide and on a phone.

At 1440 × 900 and at 390 × 844: deadlines at a glance (已逾期 red, 即将到期 yellow, 剩余 N 个工作日), 案号 and
收到时间, sorting, the quick filters, XLSX exports that download with the page's session, the inbox with its
unread count in the header, and no page wider than the screen.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.browser.pages import log_in, notice, submit
from tests.browser.seed_lists import LIST_CASES
from tests.fixtures.live_server import LiveServer

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 10_000  # as the session's contexts (tests/browser/conftest.py): pages answer in well under a second
SIZES = {"1440": {"width": 1440, "height": 900}, "390": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def list_cases(live_server: LiveServer) -> dict[str, int]:
    """The list tests' cases and reminders, written into the running server's database (seed_lists.py)."""
    env = {**os.environ, "REVIEW_SERVICE_INSTANCE": str(live_server.instance),
           "REVIEW_SERVICE_DATABASE_URL": f"sqlite:///{live_server.instance / 'review-service.sqlite3'}"}
    env.pop("REVIEW_SERVICE_TEST_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "tests.browser.seed_lists"], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture
def sized(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """``sized("390", "chen.jing")``: a page at that viewport, logged in as that demo user."""
    contexts: list[Any] = []

    def open_as(size: str, username: str) -> Any:
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai",
                                      viewport=SIZES[size], accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        log_in(page, username)
        assert "/login" not in page.url
        return page

    yield open_as
    for context in contexts:
        context.close()


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"{page.url} is {width[0]} px wide on a {width[1]} px screen"


def row_of(page: Any, title: str) -> Any:
    row = page.locator("table.list tbody tr").filter(has_text=title)
    assert row.count() == 1, page.inner_text("main")[:600]
    return row


def download(page: Any, link_name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).first.click()
    path = info.value.path()
    assert path is not None
    return Path(path).read_bytes()


def sort_by(page: Any, size: str, label: str) -> None:
    """Press a column's sort link (the header on a wide screen, the sort bar on a phone)."""
    scope = page.locator("table.list thead") if size == "1440" else page.locator("nav.sortbar")
    with page.expect_navigation():
        scope.get_by_role("link", name=label).click()


@pytest.mark.parametrize("size", list(SIZES))
def test_todo_deadlines_sort_filter_and_export(sized: Any, list_cases: dict[str, int], screenshots: Path,
                                               size: str) -> None:
    page = sized(size, "chen.jing")
    page.goto("/todo")
    late, soon, later = (row_of(page, LIST_CASES[name]) for name in ("late", "soon", "later"))
    assert "已逾期" in late.inner_text() and "overdue" in (late.get_attribute("class") or "")
    assert "即将到期" in soon.inner_text() and "剩余 1 个工作日" in soon.inner_text()
    assert "剩余" in later.inner_text() and "即将到期" not in later.inner_text()
    assert "西市监处〔2026〕986号" in late.inner_text() and "年" in late.inner_text()  # 案号, 收到时间 in Chinese
    yellow = soon.locator(".badge.due-soon").evaluate("e => getComputedStyle(e).backgroundColor")
    assert yellow == "rgb(255, 229, 143)"
    no_sideways_scroll(page)
    page.screenshot(path=str(screenshots / f"todo-{size}.png"), full_page=True)

    sort_by(page, size, "案号")
    numbers = [text for text in page.locator("table.list tbody tr td:first-child").all_inner_texts()]
    cleaned = [text.replace("案号", "").strip() for text in numbers]
    assert cleaned == sorted(cleaned) and "sort=number" in page.url
    page.get_by_label("逾期").check()
    submit(page, "筛选")
    titles = page.locator("table.list tbody").inner_text()
    assert LIST_CASES["late"] in titles and LIST_CASES["soon"] not in titles
    assert page.get_by_label("逾期").is_checked() and "sort=number" in page.url  # the sort is kept

    book = openpyxl.load_workbook(io.BytesIO(download(page, "导出 XLSX")))
    sheet = [[cell.value for cell in row] for row in book.active.iter_rows()]
    assert sheet[1][:2] == ["案号", "案件名称"]
    assert LIST_CASES["late"] in [row[1] for row in sheet[2:]]
    assert LIST_CASES["soon"] not in [row[1] for row in sheet[2:]]  # the page's filter, also in the sheet


@pytest.mark.parametrize("size", list(SIZES))
def test_case_list_tools_and_export(sized: Any, list_cases: dict[str, int], screenshots: Path, size: str) -> None:
    page = sized(size, "chen.jing")
    page.goto("/cases")
    assert "即将到期" in row_of(page, LIST_CASES["soon"]).inner_text()
    no_sideways_scroll(page)
    page.screenshot(path=str(screenshots / f"cases-{size}.png"), full_page=True)
    page.get_by_label("本轮待我处理").check()
    submit(page, "查询")
    body = page.locator("table.list tbody").inner_text()
    assert LIST_CASES["later"] in body and "起草中" not in body  # a handler's draft does not wait on the reviewer
    sort_by(page, size, "期限")
    assert page.locator("table.list tbody tr").first.inner_text().count(LIST_CASES["late"]) == 1
    book = openpyxl.load_workbook(io.BytesIO(download(page, "导出 XLSX")))
    sheet = [[cell.value for cell in row] for row in book.active.iter_rows()]
    assert sheet[1][0] == "案号" and sheet[2][1] == LIST_CASES["late"]  # the page's order: due first


@pytest.mark.parametrize("size", list(SIZES))
def test_inbox_and_header_count(sized: Any, list_cases: dict[str, int], screenshots: Path, size: str) -> None:
    page = sized(size, "zhao.min")  # the review lead gets every review reminder of the agency
    link = page.locator(".mainnav a[href='/notifications']")
    before = int(link.locator(".badge").text_content() or 0)  # folded behind 菜单 on a phone: read, not seen
    assert before >= 1  # two reminders at first; the first size's run marks one read
    page.goto("/notifications")
    items = page.locator("ul.inbox > li.unread")
    assert items.count() == before
    inbox = page.inner_text("main")
    assert LIST_CASES["late"] in inbox and "已逾期" in inbox and "即将到期" in inbox
    assert "-12-" not in inbox and "提醒时间：" in inbox  # dates in Chinese
    first = items.first
    no_sideways_scroll(page)
    page.screenshot(path=str(screenshots / f"notifications-{size}.png"), full_page=True)
    submit(page, first.get_by_role("button", name="标为已读"))
    assert "已将 1 条提醒标为已读" in notice(page)
    after = page.locator(".mainnav a[href='/notifications'] .badge")
    assert (int(after.text_content() or 0) if after.count() else 0) == before - 1


@pytest.mark.parametrize("size", list(SIZES))
def test_indicator_exports_download_with_the_session(sized: Any, screenshots: Path, size: str) -> None:
    page = sized(size, "zhou.jun")
    page.goto("/indicators")
    no_sideways_scroll(page)
    page.screenshot(path=str(screenshots / f"indicators-{size}.png"), full_page=False)
    book = openpyxl.load_workbook(io.BytesIO(download(page, "导出 XLSX")))
    assert book.sheetnames == ["指标", "证据"]
    report = json.loads(download(page, "导出 JSON"))
    assert report["agency"]["name"] and report["indicators"]  # the report, not a 401 error envelope
