"""Shared by the layout, accessibility and admin browser tests: the two screens, logged-in pages kept per
module, the pages found from a user's 待办, and the checks a phone needs (no sideways scroll)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.pages import TIMEOUT_MS, log_in
from tests.fixtures.live_server import LiveServer

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
SIZES = (DESKTOP, PHONE)


def open_context(browser: Any, live_server: LiveServer, viewport: dict[str, int] = DESKTOP) -> Any:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport=viewport)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


def signed_in_pages(browser: Any, live_server: LiveServer) -> Iterator[Callable[[str], Any]]:
    """For a module fixture: ``signed_in("chen.jing")`` is that demo user's page, logged in once for the module
    (argon2 is slow), back at the desktop size."""
    pages: dict[str, Any] = {}

    def page_of(username: str) -> Any:
        if username not in pages:
            page = open_context(browser, live_server).new_page()
            page.goto("/login")
            log_in(page, username)
            assert "/login" not in page.url, f"{username} could not log in"
            pages[username] = page
        page = pages[username]
        page.set_viewport_size(DESKTOP)
        return page

    yield page_of
    for page in pages.values():
        page.context.close()


def task_url(page: Any, suffix: str) -> str:
    """The first link in the user's 待办 whose address ends with ``suffix`` (``/approve``, ``/review`` …)."""
    links = getattr(page, "_todo_links", None)
    if links is None:  # 待办 read once per page: it does not change while these tests only look
        page.goto("/todo")
        links = page.eval_on_selector_all("main a[href^='/cases/']", "els => els.map(e => e.getAttribute('href'))")
        page._todo_links = links
    for href in links:
        if href.split("?")[0].split("#")[0].endswith(suffix):
            return str(href)
    pytest.fail(f"no {suffix} task in this user's 待办: {links}")


def sideways(page: Any) -> int:
    """How many pixels the page scrolls sideways (0 on a page that fits the screen)."""
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def wider_than_screen(page: Any) -> list[str]:
    """The visible elements reaching past the right edge (to name what breaks a phone layout)."""
    return list(page.evaluate("""() => {
      const w = document.documentElement.clientWidth, out = [];
      for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.width && r.right > w + 1 && !el.closest('table, .diagram, .diagram-full, pre')) {
          out.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '')
                   + ' ' + Math.round(r.right));
        }
      }
      return out.slice(0, 8);
    }"""))


def shoot(page: Any, folder: Path, name: str) -> None:
    """``<name>-<width>.png``, the whole page."""
    width = page.viewport_size["width"]
    page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)


def case_link(page: Any, case_path: str, suffix: str) -> str:
    """A link on the case page ``case_path`` whose address ends with ``suffix`` (an action the case offers)."""
    page.goto(case_path)
    for href in page.eval_on_selector_all("main a[href^='/cases/']", "els => els.map(e => e.getAttribute('href'))"):
        if href.split("?")[0].split("#")[0].endswith(suffix):
            return str(href)
    pytest.fail(f"no {suffix} link on {case_path}")


def case_of(task: str) -> str:
    """``/cases/10/approve`` → ``/cases/10``."""
    parts = task.split("/")
    return "/".join(parts[:3])


#: Every page kind: name → (user, where: a path, ``task:SUFFIX`` from their 待办, ``case:TASK>SUFFIX`` a link on
#: the case of one of their tasks). None: the login page, seen logged out.
PAGE_KINDS: dict[str, tuple[str | None, str]] = {
    "login": (None, "/login"),
    "todo": ("zhang.wei", "/todo"),
    "case-list": ("zhang.wei", "/cases"),
    "case": ("zhou.jun", "case:/approve>"),
    "draft": ("zhang.wei", "case:/submit>/draft"),
    "new-case": ("zhang.wei", "/cases/new"),
    "submit": ("zhang.wei", "task:/submit"),
    "supplement": ("zhang.wei", "task:/supplement"),
    "reply": ("zhang.wei", "task:/reply"),
    "opinion": ("chen.jing", "task:/review"),
    "assign": ("zhao.min", "task:/review/assign"),
    "approve": ("zhou.jun", "task:/approve"),
    "coordinate": ("zhou.jun", "task:/coordinate"),
    "publish": ("zhou.jun", "task:/publish"),
    "withdraw": ("zhou.jun", "task:/withdraw"),
    "indicators": ("zhou.jun", "/indicators"),
    "admin-users": ("admin", "/admin/users"),
    "admin-user": ("admin", "admin-user"),
    "admin-new-user": ("admin", "/admin/users/new"),
    "admin-agencies": ("admin", "/admin/agencies"),
    "admin-catalogs": ("admin", "/admin/catalogs"),
    "admin-processes": ("admin", "/admin/processes"),
    "error": ("zhang.wei", "/cases/999999"),
}


def resolve(page: Any, where: str) -> str:
    """The address of a page kind for the user of ``page``."""
    if where.startswith("task:"):
        return task_url(page, where[5:])
    if where.startswith("case:"):
        task, _, suffix = where[5:].partition(">")
        case = case_of(task_url(page, task))
        return case_link(page, case, suffix) if suffix else case
    if where == "admin-user":  # a user the admin manages (not themselves): 陈静
        page.goto("/admin/users?q=chen.jing")
        return str(page.get_by_role("link", name="管理陈静的账户").get_attribute("href"))
    return where
