"""Login security in a real browser (DESIGN.md §9a): lockout, sessions ended by logout, CSRF."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.pages import log_in, log_out, notice

pytestmark = pytest.mark.browser


def test_five_bad_passwords_lock_the_account(new_context: Callable[[], Any]) -> None:
    page = new_context().new_page()
    page.goto("/login")
    for _ in range(4):
        response = log_in(page, "li.na", "Wrong@2026pass")
        assert response.status == 401
        assert "用户名或密码不正确" in notice(page)
        assert "连续失败 5 次账户将被锁定" in notice(page)  # the same warning for every caller
        assert page.locator("input[name=username]").input_value() == "li.na"  # what was typed is kept
        assert page.locator("input[name=password]").input_value() == ""  # but never the password
    response = log_in(page, "li.na", "Wrong@2026pass")
    assert response.status == 401
    assert "已锁定" not in notice(page)  # without the password nobody learns the account exists
    # the right password does not open a locked account, and only it learns why
    response = log_in(page, "li.na")
    assert response.status == 401
    assert "已锁定" in notice(page)
    assert "/login" in page.url
    assert page.get_by_role("button", name="退出").count() == 0


def test_a_copied_session_cookie_is_refused_after_logout(new_context: Callable[[], Any]) -> None:
    original = new_context()
    page = original.new_page()
    log_in(page, "wu.gang")
    assert "/login" not in page.url
    stolen = original.cookies()
    assert any(cookie["name"] == "session" and cookie["httpOnly"] for cookie in stolen)

    thief = new_context()
    thief.add_cookies(stolen)
    other = thief.new_page()
    other.goto("/")
    assert "/login" not in other.url  # the copy works while the session lives …
    assert other.get_by_role("button", name="退出").count() == 1

    log_out(page)
    assert "/login" in page.url
    other.goto("/")  # … and not once its owner has logged out: the session version moved on
    assert re.search(r"/login", other.url)
    assert other.get_by_role("button", name="退出").count() == 0

    replay = new_context()  # the same cookie replayed in yet another browser
    replay.add_cookies(stolen)
    again = replay.new_page()
    again.goto("/")
    assert "/login" in again.url


def test_a_post_without_the_csrf_token_is_refused(new_context: Callable[[], Any]) -> None:
    context = new_context()
    page = context.new_page()
    log_in(page, "liu.yang")
    assert "/login" not in page.url
    home = page.url
    # The session cookie goes along (the request shares the context's cookies), the token does not.
    refused = context.request.post("/logout", form={}, max_redirects=0)
    assert refused.status == 400
    forged = context.request.post("/logout", form={"csrf_token": "forged"}, max_redirects=0,
                                  headers={"Origin": "http://evil.example"})
    assert forged.status == 400
    page.goto(home)  # still logged in: the refused POSTs changed nothing
    assert "/login" not in page.url
    assert page.get_by_role("button", name="退出").count() == 1
    # the same form with its token works
    log_out(page)
    assert "/login" in page.url


def test_pages_carry_a_strict_content_security_policy(new_context: Callable[[], Any]) -> None:
    page = new_context().new_page()
    response = page.goto("/login")
    policy = response.headers.get("content-security-policy", "")
    assert "object-src 'none'" in policy
    assert "base-uri 'none'" in policy
    script_src = re.search(r"script-src([^;]*)", policy) or re.search(r"default-src([^;]*)", policy)
    assert script_src is not None and "'unsafe-inline'" not in script_src.group(1)
