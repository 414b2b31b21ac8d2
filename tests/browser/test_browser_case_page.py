"""The case page in a real browser, wide and on a phone (issue 17, points 1, 5, 7, 8): the step bar, the full
diagram, the deadlines panel, the documents with session download and print, what happened after the decision."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.live_server import LiveServer

SIZES = [(1440, 900), (390, 844)]
DECIDED = "某加油站计量作弊案（已决定）"
REVOKED = "某眼镜店计量器具违法案"
IN_REVIEW = "某商贸公司销售不合格产品案（审核中）"


def _open_case(page: Any, title: str) -> None:
    page.goto(f"/cases?q={title[:8]}")
    with page.expect_navigation():
        page.locator("table a", has_text=title).first.click()
    assert title in page.inner_text(".casehead")


def _serious_violations(page: Any) -> list[str]:
    """axe-core on the page: the serious and critical violations, each as ``rule: target``.

    Run at the phone size only (the same markup as on a wide screen; axe costs seconds a page).
    """
    from axe_playwright_python.sync_playwright import Axe

    if page.viewport_size["width"] > 700:
        return []
    results = Axe().run(page)
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")]


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert width <= 0, f"{page.url} scrolls sideways by {width}px"


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_case_page_step_bar_diagram_and_deadlines(live_server: LiveServer, user_page: Callable[[str], Any],
                                                  screenshots: Path, width: int, height: int) -> None:
    page = user_page("chen.jing")
    page.set_viewport_size({"width": width, "height": height})
    _open_case(page, IN_REVIEW)
    steps = page.locator("ol.steps li")
    assert steps.all_inner_texts()[0].startswith("送审") and steps.count() == 6
    assert "审核" in page.locator("ol.steps li[aria-current=step]").inner_text()
    assert "等待陈静完成“法制审核”" in page.inner_text(".stepbar")
    deadlines = page.locator("#deadlines").inner_text()
    assert "法制审核" in deadlines and "期限：" in deadlines
    assert page.locator(".casehead .badge.glance").count() == 1
    _no_sideways_scroll(page)
    page.screenshot(path=str(screenshots / f"case-{width}.png"), full_page=True)
    assert _serious_violations(page) == []
    # the full diagram opens at its own size, inside a box that scrolls, never the page
    page.get_by_text("查看完整流程图").click()
    svg = page.locator(".diagram-scroll svg.process-diagram")
    assert svg.bounding_box()["width"] >= 2700
    box = page.locator(".diagram-scroll").bounding_box()
    assert box["width"] <= width
    assert svg.locator("g[data-state=current]").get_attribute("data-element-id") == "review"
    _no_sideways_scroll(page)
    page.locator(".diagram-scroll").screenshot(path=str(screenshots / f"case-diagram-{width}.png"))


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_documents_download_and_print_with_the_session(live_server: LiveServer, user_page: Callable[[str], Any],
                                                      screenshots: Path, width: int, height: int) -> None:
    page = user_page("zhang.wei")
    page.set_viewport_size({"width": width, "height": height})
    _open_case(page, DECIDED)
    assert [s for s in page.locator("ol.steps li").all_inner_texts() if "已完成" not in s] == []
    decision = page.locator("#decision").inner_text()
    assert "https://scjg.xa.gov.cn/xzcf/2026/209" in decision and "已于" in decision and "公开" in decision
    documents = page.locator("#documents")
    assert "法制审核意见书" in documents.inner_text() and "审批记录" in documents.inner_text()
    assert "出具时间：" in documents.inner_text()
    _no_sideways_scroll(page)
    page.screenshot(path=str(screenshots / f"case-decided-{width}.png"), full_page=True)
    first = documents.locator("li.doc").first
    with page.expect_download() as download:
        first.get_by_role("link", name="下载").click()
    assert download.value.suggested_filename.endswith(".docx")
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"
    with page.context.expect_page() as opened:
        first.get_by_role("link", name="打印").click()
    printed = opened.value
    printed.set_viewport_size({"width": width, "height": height})
    printed.wait_for_load_state()
    assert printed.get_by_role("button", name="打印").is_visible()
    assert "法制审核意见书" in printed.inner_text(".printable")
    _no_sideways_scroll(printed)
    printed.screenshot(path=str(screenshots / f"document-print-{width}.png"), full_page=True)
    assert _serious_violations(printed) == []


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_revoked_decision_is_marked_and_not_offered_again(live_server: LiveServer,
                                                            user_page: Callable[[str], Any],
                                                            screenshots: Path, width: int, height: int) -> None:
    page = user_page("zhou.jun")
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"/cases?q={REVOKED[:6]}")
    row = page.locator("table tbody tr").filter(has_text=REVOKED)
    assert "已撤销" in row.inner_text()
    _no_sideways_scroll(page)
    page.screenshot(path=str(screenshots / f"case-list-{width}.png"), full_page=True)
    _open_case(page, REVOKED)
    assert page.locator(".casehead .badge.revoked").inner_text() == "已撤销"
    decision = page.locator("#decision").inner_text()
    assert "决定被撤销：西安市人民政府（行政复议决定）" in decision and "待撤回" in decision
    assert page.get_by_role("link", name="登记撤销、确认违法或责令重作").count() == 0
    _no_sideways_scroll(page)
    page.screenshot(path=str(screenshots / f"case-revoked-{width}.png"), full_page=True)
    assert _serious_violations(page) == []
