"""The admin's day (issue 17, point 10): add a user, find them, change their roles, reset their password with a
one-time password shown once, unlock them after five wrong passwords; at 1440 × 900 and at 390 × 844."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.pages import log_in, notice, submit
from tests.browser.screens import DESKTOP, PHONE, open_context, shoot, sideways
from tests.fixtures.live_server import LiveServer

NEW_USER = "browser.officer"


def test_an_admin_manages_an_account_end_to_end(browser: Any, live_server: LiveServer, screenshots: Path) -> None:
    admin = open_context(browser, live_server, DESKTOP).new_page()
    officer = open_context(browser, live_server, PHONE).new_page()
    try:
        admin.goto("/login")
        log_in(admin, "admin")
        # a new account: the form marks what is required and names each wrong field once, linked
        admin.goto("/admin/users/new")
        assert admin.locator("input[name='username'][required]").count() == 1
        admin.locator("input[name='username']").fill(NEW_USER)
        admin.locator("input[name='password']").fill("Strong@2026x")
        admin.locator("input[name='password2']").fill("Strong@2026y")
        assert submit(admin, "新增").status == 422
        summary = admin.locator(".errsum")
        assert summary.get_by_role("link", name="姓名").count() == 1
        assert summary.get_by_role("link", name="再次输入密码").count() == 1
        assert admin.locator("input[name='username']").input_value() == NEW_USER  # nothing typed is lost
        shoot(admin, screenshots, "admin-new-user-errors")
        summary.get_by_role("link", name="姓名").click()
        assert admin.evaluate("document.activeElement.name") == "name"
        admin.locator("input[name='name']").fill("浏览器测试员")
        admin.get_by_label("承办人员").check()
        admin.locator("input[name='password']").fill("Strong@2026x")
        admin.locator("input[name='password2']").fill("Strong@2026x")
        assert submit(admin, "新增").status == 200 and "已新增用户" in notice(admin)

        # found by name; their page at a phone's width
        admin.set_viewport_size(PHONE)
        admin.goto("/admin/users")
        admin.get_by_label("搜索").fill("浏览器测试")
        submit(admin, "查找")
        assert "共找到 1 名用户" in admin.inner_text("main") and sideways(admin) == 0
        with admin.expect_navigation():
            admin.get_by_role("link", name="管理浏览器测试员的账户").click()
        user_page = admin.url

        # roles: the auditor's is not the admin's to give (三权分立); none at all is refused in words
        assert admin.get_by_label("监督人员").count() == 0
        admin.get_by_label("承办人员").uncheck()
        assert submit(admin, "保存角色").status == 422
        assert "请至少选择一个角色" in admin.inner_text("main")
        admin.get_by_label("承办人员").check()
        admin.get_by_label("法制审核人员").check()
        submit(admin, "保存角色")
        assert "已更新浏览器测试员的角色" in notice(admin)
        assert admin.get_by_label("法制审核人员").is_checked() and admin.get_by_label("承办人员").is_checked()

        # a one-time password, shown once
        admin.locator("details#password-section > summary").click()
        submit(admin, "重置密码")
        password = admin.locator(".onetime output").inner_text().strip()
        assert len(password) == 12 and sideways(admin) == 0
        shoot(admin, screenshots, "admin-one-time-password")
        admin.goto(user_page)
        assert password not in admin.content()

        # five wrong passwords lock the account; the admin unlocks it; the one-time password opens it
        officer.goto("/login")
        for _ in range(5):
            log_in(officer, NEW_USER, "Wrong@password1")
        log_in(officer, NEW_USER, password)
        assert "/login" in officer.url and "锁定" in notice(officer)
        admin.set_viewport_size(DESKTOP)
        admin.goto(user_page)
        assert "已锁定" in admin.inner_text("main")
        shoot(admin, screenshots, "admin-user-locked")
        submit(admin, "解除锁定")
        assert "已解除浏览器测试员的账户锁定" in notice(admin)
        log_in(officer, NEW_USER, password)
        assert "/login" not in officer.url, notice(officer)
    finally:
        admin.context.close()
        officer.context.close()
