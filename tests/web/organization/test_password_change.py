"""修改密码 (issue 17, point 10): a password an admin handed over is replaced by its user at the next login.

Until then every page leads to /account/password and the API answers 403 (rule ``password_change_required``);
the change checks the current password and the rule, ends every other session and token but keeps this one,
and is audited ``password_changed`` without the password. Any user may change their password of their own will.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from review_service.audit.models import AuditEvent
from review_service.core.actions import Action
from review_service.organization.models import User
from review_service.organization.queries import ACCOUNT_ACTIONS
from tests.fixtures.web import Browser
from tests.fixtures.world import AGENCY, PASSWORD

HANDED_OVER = "Admin@2026set"
MINE = "Mine@2026own"
NOTICE = "管理员已重置您的密码，请先设置新密码。"
ONE_TIME = re.compile(r"<output>([^<]+)</output>")


def _events(web_world: Any, action: Action) -> list[dict[str, Any]]:
    with web_world.uow() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == action.value).order_by(AuditEvent.seq))
        return [json.loads(row.payload) for row in rows]


def _forced(web_world: Any, name: str) -> bool:
    with web_world.uow() as session:
        user = session.get(User, web_world.ids[name])
        assert user is not None
        return user.must_change_password


def _change(browser: Any, current: str, new: str, again: str | None = None) -> Any:
    return browser.post("/account/password", {"current_password": current, "new_password": new,
                                              "new_password2": new if again is None else again})


def test_a_reset_password_must_be_replaced_before_any_page(as_user: Any, web_world: Any, browser: Any,
                                                           app: Flask) -> None:
    admin = as_user("admin")
    reset = admin.post(f"/admin/users/{web_world.ids['reviewer']}/password",
                       {"mode": "set", "password": HANDED_OVER, "password2": HANDED_OVER})
    assert reset.status_code == 302 and _forced(web_world, "reviewer")

    assert browser.login("reviewer", HANDED_OVER).status_code == 302
    for path in ("/", "/todo", "/cases", "/notifications"):
        response = browser.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/account/password"), path
    posted = browser.post("/notifications/read", {})  # a form posted elsewhere leads there too
    assert posted.status_code == 302 and posted.headers["Location"].endswith("/account/password")
    page = browser.text("/account/password")
    assert NOTICE in page and "当前密码" in page and "再次输入新密码" in page

    wrong = _change(browser, "Wrong@2026pw", MINE)
    text = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "当前密码不正确" in text and 'href="#current_password"' in text
    assert "Wrong@2026pw" not in text and MINE not in text  # a password is never sent back
    assert NOTICE in text  # still forced: the notice stays with the form
    weak = _change(browser, HANDED_OVER, "weakweak")
    assert weak.status_code == 422 and "密码须包含" in weak.get_data(as_text=True)
    same = _change(browser, HANDED_OVER, HANDED_OVER)
    assert same.status_code == 422 and "新密码不能与当前密码相同" in same.get_data(as_text=True)
    mismatch = _change(browser, HANDED_OVER, MINE, "Mine@2026owN")
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.get_data(as_text=True)
    assert _forced(web_world, "reviewer") and _events(web_world, Action.PASSWORD_CHANGED) == []
    assert browser.get("/todo").status_code == 302

    done = _change(browser, HANDED_OVER, MINE)
    assert done.status_code == 302
    landed = browser.get(done.headers["Location"], follow_redirects=True)
    assert landed.request.path == "/todo" and "密码已修改" in landed.get_data(as_text=True)
    assert browser.get("/todo").status_code == 200  # this session goes on
    assert not _forced(web_world, "reviewer")
    [event] = _events(web_world, Action.PASSWORD_CHANGED)
    assert event == {"user_id": web_world.ids["reviewer"], "username": "reviewer", "forced": True,
                     "tokens_revoked": 0, "session_version": event["session_version"]}
    with web_world.uow() as session:
        stored = session.scalars(select(AuditEvent).where(AuditEvent.action == Action.PASSWORD_CHANGED.value)).one()
        assert stored.actor_username == "reviewer" and stored.role == "self"
        assert MINE not in stored.payload and HANDED_OVER not in stored.payload
    assert Action.PASSWORD_CHANGED in ACCOUNT_ACTIONS  # the auditor sees the handed-over password replaced

    again = Browser(app)
    assert again.login("reviewer", HANDED_OVER).status_code != 302  # the admin's password no longer opens it
    assert again.login("reviewer", MINE).status_code == 302 and again.get("/todo").status_code == 200


def test_a_user_changes_their_password_of_their_own_will(as_user: Any, web_world: Any) -> None:
    here, elsewhere = as_user("handler"), as_user("handler")
    page = here.text("/todo")
    assert 'href="/account/password"' in page and ">修改密码<" in page  # in the header, beside 退出
    form = here.text("/account/password")
    assert NOTICE not in form and "返回" in form
    assert _change(here, PASSWORD, MINE).status_code == 302
    assert here.get("/todo").status_code == 200  # this session is logged in again with the new version
    assert elsewhere.get("/todo").status_code == 302  # every other session ended
    assert elsewhere.get("/todo").headers["Location"].startswith("/login")
    [event] = _events(web_world, Action.PASSWORD_CHANGED)
    assert event["forced"] is False and event["username"] == "handler"


def test_an_account_the_admin_opens_is_forced_but_seeded_ones_are_not(as_user: Any, web_world: Any,
                                                                      browser: Any) -> None:
    assert not any(_forced(web_world, name) for name in ("handler", "reviewer", "admin", "auditor"))
    admin = as_user("admin")
    form = {"username": "new.handler", "name": "新承办人", "agency": AGENCY, "roles": ["handler"],
            "qualification": "none", "reviewing_since": "", "password": HANDED_OVER, "password2": HANDED_OVER}
    assert admin.post("/admin/users/new", form).status_code == 302
    assert browser.login("new.handler", HANDED_OVER).status_code == 302
    assert browser.get("/todo").headers["Location"].endswith("/account/password")
    assert browser.post("/logout", {}).status_code == 302  # logging out stays open
    assert browser.get("/account/password").headers["Location"].startswith("/login")


def test_the_api_refuses_a_forced_user_until_the_password_is_changed(as_user: Any, web_world: Any,
                                                                    app: Flask, browser: Any) -> None:
    admin = as_user("admin")
    reset = admin.post(f"/admin/users/{web_world.ids['handler2']}/password", {"mode": "generate"})
    one_time = ONE_TIME.search(reset.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    client = app.test_client()
    issued = client.post("/api/v1/auth/token", json={"username": "handler2", "password": one_time})
    assert issued.status_code == 200
    bearer = {"Authorization": f"Bearer {issued.get_json()['token']}"}
    for path in ("/api/v1/me", "/api/v1/tasks"):
        refused = client.get(path, headers=bearer)
        error = refused.get_json()["error"]
        assert refused.status_code == 403 and error["code"] == "forbidden", path
        assert error["details"] == {"rule": "password_change_required"} and "修改密码" in error["message"]
    assert client.delete("/api/v1/auth/token", headers=bearer).status_code == 200  # logging out stays open

    assert browser.login("handler2", one_time).status_code == 302
    assert _change(browser, one_time, MINE).status_code == 302
    [event] = _events(web_world, Action.PASSWORD_CHANGED)
    assert event["forced"] is True
    fresh = client.post("/api/v1/auth/token", json={"username": "handler2", "password": MINE}).get_json()["token"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_every_role_has_the_page_and_a_visitor_is_sent_to_log_in(as_user: Any, app: Flask) -> None:
    for username in ("handler", "unit_head", "lead", "reviewer", "advisor", "head", "auditor", "admin"):
        user = as_user(username)
        assert "修改密码" in user.text("/account/password"), username
        empty = user.post("/account/password", {})
        assert empty.status_code == 422 and "请填写当前密码" in empty.get_data(as_text=True), username
    visitor = app.test_client().get("/account/password")
    assert visitor.status_code == 302 and visitor.headers["Location"].startswith("/login")


def test_guessing_the_current_password_on_an_open_session_locks_the_account(as_user: Any, web_world: Any,
                                                                            app: Flask, browser: Any) -> None:
    """A session left open must not let anyone try passwords without limit: each wrong current password is a failed
    login (audited ``login_failed``, reason ``wrong_current_password``), counted with those of the login form;
    at the fifth the account locks and every session and token of it ends."""
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "handler", "password": PASSWORD}).get_json()["token"]
    here, elsewhere = as_user("handler"), as_user("handler")
    assert browser.login("handler", "Wrong@2026pw").status_code == 401  # one failure at the login form
    for attempt in range(1, 4):
        refused = _change(here, f"Guess@2026no{attempt}", MINE)
        assert refused.status_code == 422 and "当前密码不正确" in refused.get_data(as_text=True)
    assert [e["failures"] for e in _events(web_world, Action.LOGIN_FAILED)] == [1, 2, 3, 4]
    assert _events(web_world, Action.LOGIN_FAILED)[-1]["reason"] == "wrong_current_password"
    locked = _change(here, "Guess@2026no5", MINE)
    assert locked.status_code == 302 and locked.headers["Location"].endswith("/login")
    [event] = _events(web_world, Action.ACCOUNT_LOCKED)
    assert event["reason"] == "wrong_current_password"
    for session in (here, elsewhere):
        assert session.get("/todo").headers["Location"].startswith("/login")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert browser.login("handler", PASSWORD).status_code == 401  # locked: the right password waits too
    assert _events(web_world, Action.PASSWORD_CHANGED) == []
