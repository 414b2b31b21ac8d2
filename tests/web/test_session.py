"""Sessions (DESIGN.md §9a): lockout, a fresh session at login, logout and disabling end every copy, idle timeout."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from flask import Flask

from tests.fixtures.web import Browser, csrf_token


def _session_cookie(browser: Browser) -> str:
    cookie = browser.client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _with_cookie(app: Flask, value: str) -> Browser:
    other = Browser(app)
    other.client.set_cookie("session", value)
    return other


def test_login_and_logout_end_every_copy(app: Flask, as_user: Any) -> None:
    handler = as_user("handler")
    copied = _with_cookie(app, _session_cookie(handler))
    assert copied.get("/todo").status_code == 200  # a copy works while the session lives
    response = handler.post("/logout")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert handler.get("/todo").status_code == 302
    refused = copied.get("/todo")
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]


def test_disabling_a_user_ends_their_sessions(app: Flask, as_user: Any, web_world: Any) -> None:
    handler2 = as_user("handler2")
    admin = as_user("admin")
    assert handler2.get("/todo").status_code == 200
    assert admin.post(f"/admin/users/{web_world.ids['handler2']}/disable").status_code == 302
    assert handler2.get("/todo").status_code == 302
    again = Browser(app).login("handler2")
    assert again.status_code == 401 and "账户已停用" in again.get_data(as_text=True)


def test_lockout_after_five_failures(app: Flask) -> None:
    browser = Browser(app)
    for attempt in range(5):
        response = browser.login("reviewer2", "Wrong@password1")
        assert response.status_code == 401, attempt
    page = response.get_data(as_text=True)
    assert "已锁定" not in page and "用户名或密码不正确" in page  # no word of the lock without the password
    locked = browser.login("reviewer2")  # the right password no longer helps
    assert locked.status_code == 401 and "已锁定" in locked.get_data(as_text=True)


def test_wrong_password_keeps_the_username_not_the_password(app: Flask) -> None:
    response = Browser(app).login("reviewer2", "Wrong@password1")
    page = response.get_data(as_text=True)
    assert "用户名或密码不正确" in page and 'value="reviewer2"' in page and "Wrong@password1" not in page


def test_login_starts_a_fresh_session(app: Flask) -> None:
    browser = Browser(app)
    page = browser.get("/login").get_data(as_text=True)
    before = _session_cookie(browser)
    token = csrf_token(page)
    assert browser.client.post("/login", data={"username": "handler", "password": "Test@2026pass",
                                               "csrf_token": token}).status_code == 302
    after = _session_cookie(browser)
    assert after != before
    # the pre-login CSRF token belonged to the old session: it does not carry over
    response = browser.client.post("/cases/new", data={"csrf_token": token, "title": "x"})
    assert response.status_code == 400


def test_idle_timeout_after_thirty_minutes(app: Flask, as_user: Any) -> None:
    with time_machine.travel(0, tick=False) as traveller:
        traveller.move_to("2026-11-25 08:00:00+00:00")
        handler = as_user("handler")
        assert handler.get("/todo").status_code == 200
        traveller.shift(timedelta(minutes=29))
        assert handler.get("/todo").status_code == 200  # activity renews the session
        traveller.shift(timedelta(minutes=29))
        assert handler.get("/todo").status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = handler.get("/todo")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_session_cookie_flags(app: Flask) -> None:
    browser = Browser(app)
    browser.get("/login")
    response = browser.client.post("/login", data={"username": "handler", "password": "Test@2026pass",
                                                   "csrf_token": csrf_token(browser.get("/login")
                                                                            .get_data(as_text=True))})
    header = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in header and "SameSite=Lax" in header


def test_a_page_login_is_audited_as_the_user_and_issues_no_token(app: Flask, as_user: Any, web_world: Any) -> None:
    from sqlalchemy import func, select

    from review_service.audit.models import AuditEvent
    from review_service.organization.models import ApiToken

    as_user("handler")
    with web_world.uow() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
        tokens = session.scalar(select(func.count()).select_from(ApiToken))
    assert (event.action, event.actor_id, event.role) == ("user_logged_in", web_world.ids["handler"], "self")
    assert tokens == 0
