"""The layout on every screen (issue 17, point 9, and point 10's print stylesheet).

At 390 × 844 no page scrolls sideways (``test_browser_accessibility.py`` visits every page kind once for both
checks and takes its screenshots at both sizes), the header folds into a 菜单 (a <details>: no script needed),
long pages fold their sections, and a head can approve on a phone; at 1440 × 900 everything is open. Printing
shows the paper, not the screen. Screenshots: ``test-artifacts/screenshots/<page>-<width>.png``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.screens import DESKTOP, PHONE, resolve, shoot, sideways, signed_in_pages, task_url
from tests.fixtures.live_server import LiveServer


@pytest.fixture(scope="module")
def signed_in(browser: Any, live_server: LiveServer) -> Iterator[Callable[[str], Any]]:
    yield from signed_in_pages(browser, live_server)


def test_the_header_folds_into_a_menu_on_a_phone(signed_in: Callable[[str], Any]) -> None:
    page = signed_in("zhang.wei")
    page.goto("/cases")
    menu, logout = page.locator("details.navmenu > summary"), page.get_by_role("button", name="退出")
    nav_link = page.get_by_role("navigation", name="主导航").get_by_role("link", name="待办")
    assert not menu.is_visible() and nav_link.is_visible() and logout.is_visible()  # wide: all in the bar
    page.set_viewport_size(PHONE)
    page.goto("/cases")
    assert menu.is_visible() and not nav_link.is_visible() and not logout.is_visible()
    bar = page.locator("header.topbar").bounding_box()
    assert bar["height"] <= 60, "the folded header stays one line"
    menu.click()
    assert nav_link.is_visible() and logout.is_visible()
    box = logout.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], "退出 is on the screen"
    with page.expect_navigation():
        nav_link.click()
    assert page.url.endswith("/todo") and sideways(page) == 0


def test_sections_fold_on_a_phone_and_stay_open_when_wide(signed_in: Callable[[str], Any], screenshots: Path) -> None:
    page = signed_in("admin")
    page.goto(resolve(page, "admin-user"))
    reset = page.get_by_role("button", name="重置密码")
    roles = page.get_by_role("button", name="保存角色")
    assert reset.is_visible() and roles.is_visible()
    page.set_viewport_size(PHONE)
    page.reload()
    assert roles.is_visible(), "a section opened on purpose stays open on a phone"
    assert not reset.is_visible(), "the other sections are folded"
    page.locator("details#password-section > summary").click()
    assert reset.is_visible()
    shoot(page, screenshots, "admin-user-unfolded")


def test_a_head_approves_on_a_phone(signed_in: Callable[[str], Any], screenshots: Path) -> None:
    page = signed_in("zhou.jun")
    address = task_url(page, "/approve")
    page.set_viewport_size(PHONE)
    page.goto(address)
    assert sideways(page) == 0
    agree = page.locator("input[name='approve']").first
    agree.check()
    assert agree.is_checked()
    comment = page.locator("[name='comment']")
    comment.fill("同意。")
    for control in (comment, page.get_by_role("button", name="提交审批意见")):
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], "the control fits the screen"
        assert box["height"] >= 30, "big enough for a thumb"
    shoot(page, screenshots, "approve-filled")


def test_the_printed_case_page_is_the_paper(signed_in: Callable[[str], Any], screenshots: Path) -> None:
    page = signed_in("zhou.jun")
    page.goto(resolve(page, "case:/approve>"))
    page.emulate_media(media="print")
    try:
        assert not page.locator("header.topbar").is_visible()
        assert not page.locator("footer.foot").is_visible()
        visible_buttons = [b for b in page.locator("main button, main .button").all() if b.is_visible()]
        assert not visible_buttons, f"{len(visible_buttons)} buttons on paper"
        assert page.locator("main h1").is_visible()
        folded = [d for d in page.locator("main details").all() if d.is_visible()]
        for section in folded:  # every folded part that prints, prints open
            body = section.locator(":scope > :not(summary)").first
            if body.count():
                assert body.is_visible(), "a folded section prints open"
        page.set_viewport_size(DESKTOP)
        shoot(page, screenshots, "case-print")
    finally:
        page.emulate_media(media="screen")
